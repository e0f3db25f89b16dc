"""M5 (d): clients that send their bodies slowly do not stop /healthz. gunicorn runs
with config/gunicorn.conf.py (threaded workers) on a spare loopback port; eight
connections send headers and then a byte now and then; /healthz must still answer in
under 2 s. /healthz only runs `SELECT 1`, so a throwaway SQLite file is the database.
Bounded: the test ends within ~30 s whatever happens."""

import contextlib
import socket
import time

import pytest
import requests

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(45)]

SLOW_CLIENTS = 8


def _slow_client(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    sock.sendall(
        b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nusername="
    )
    return sock


def test_slow_bodies_do_not_stop_healthz(tmp_path, logdir):
    env = harness.base_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_WORKERS="2",
                           WEB_LOG_LEVEL="warning", WEB_ACCESS_LOG="-")  # fmt: skip
    port = harness.free_port()
    web = harness.spawn(
        "gunicorn",
        [harness.PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "config.wsgi:application"],
        env,
        logdir,
    )  # fmt: skip
    clients: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        harness.wait_for(lambda: requests.get(url, timeout=2).status_code == 200, 20, "gunicorn /healthz")
        clients = [_slow_client(port) for _ in range(SLOW_CLIENTS)]
        latencies = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            for sock in clients:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")  # a byte now and then: the body never completes
            started = time.monotonic()
            response = requests.get(url, timeout=5)
            latencies.append(time.monotonic() - started)
            assert response.status_code == 200
            time.sleep(0.5)
        assert max(latencies) < 2, f"/healthz took up to {max(latencies):.2f}s with {SLOW_CLIENTS} slow clients"
        print(f"/healthz with {SLOW_CLIENTS} slow clients: max {max(latencies) * 1000:.0f} ms over {len(latencies)}")
    except BaseException:
        print(web.tail(80))
        raise
    finally:
        for sock in clients:
            sock.close()
        web.stop(timeout=10)
