"""(d) A PostgreSQL restart (a private cluster) during a load of reads and writes: the
app answers 503 with Retry-After while the database is down, serves again within
seconds, and every write acknowledged (2xx) is there after."""

import threading
import time

import pytest
import requests

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(150)]

NAME = "lexloci_fault_d"
LOAD_SECONDS = 14
RESTART_AT = 4


def test_postgres_restart_under_load_loses_no_acknowledged_write(fault_template, logdir):
    started = time.monotonic()
    pg = harness.PrivatePostgres()
    try:
        pg.start()
        harness.admin_sql(f"CREATE DATABASE {NAME}", pg.url("postgres"))
        harness.copy_database(fault_template["url"], pg.url(NAME))
        url = pg.url(NAME)
        port = harness.free_port()
        app = harness.App(harness.base_env(url, f"redis://127.0.0.1:{port}/0"), logdir)
        app.procs["redis"] = harness.start_redis(port, logdir)
        prefix = f"FAULT-D-{port}-"
        with harness.processes(app):
            app.start_web(workers=2, threads=4)
            app.start_worker()
            app.start_relay()
            api = harness.Api(app.url, fault_template["tokens"]["read-write"], timeout=10)
            log: list[tuple[float, str, int, str]] = []  # (time, kind, status, reference)
            lock = threading.Lock()
            stop = threading.Event()
            t0 = time.monotonic()

            def writer(n: int) -> None:
                i = 0
                while not stop.is_set():
                    ref = f"{prefix}{n}-{i:05d}"
                    i += 1
                    try:
                        status = api.post("/api/v1/demands/", harness.demand_body(ref)).status_code
                    except requests.RequestException:
                        status = 0
                    with lock:
                        log.append((time.monotonic() - t0, "write", status, ref))

            def reader() -> None:
                while not stop.is_set():
                    try:
                        status = api.get("/api/v1/cases/?page_size=20").status_code
                    except requests.RequestException:
                        status = 0
                    with lock:
                        log.append((time.monotonic() - t0, "read", status, ""))

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
            threads += [threading.Thread(target=reader) for _ in range(2)]
            for thread in threads:
                thread.start()
            time.sleep(RESTART_AT)
            restart_began = time.monotonic() - t0
            pg.restart()
            restart_done = time.monotonic() - t0
            time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - t0)))
            stop.set()
            for thread in threads:
                thread.join(timeout=15)

            acknowledged = {ref for _, kind, status, ref in log if kind == "write" and 200 <= status < 300}
            failures = [(round(t, 2), kind, status) for t, kind, status, _ in log if not 200 <= status < 300]
            recovered = [t for t, _, status, _ in log if t > restart_done and 200 <= status < 300]
            back_after = (min(recovered) - restart_done) if recovered else None
            failures_after = [f for f in failures if f[0] > restart_done + 5]
            saved = {
                row[0]
                for row in harness.query(
                    url, "SELECT reference FROM requests_app_demand WHERE reference LIKE %s", (prefix + "%",)
                )
            }
            lost = sorted(acknowledged - saved)
            harness.wait_for(
                lambda: all(n >= 1 for _, n in harness.analyses_per_case(url, prefix)),
                60,
                "the analyses of every saved demand",
                interval=0.5,
            )
            twice = harness.duplicate_analyses(url, prefix)
    finally:
        pg.cleanup()
    print(
        f"\n[fault d] postgres restarted at t+{restart_began:.1f}s (down {restart_done - restart_began:.1f}s) "
        f"during {len(log)} requests: writes acknowledged {len(acknowledged)}, saved {len(saved)}, "
        f"lost {len(lost)}; failed requests {len(failures)} (statuses {sorted({f[2] for f in failures})}), "
        f"none after t+{restart_done + 5:.1f}s: {not failures_after}; "
        f"serving again {back_after:.2f}s after the restart; "
        f"duplicate analyses {len(twice)}; took {time.monotonic() - started:.1f}s"
    )
    assert lost == []
    assert back_after is not None and back_after < 5
    assert failures_after == []
    # While it is down the app says so, retryably: 503 with Retry-After, never a 500.
    assert {status for _, _, status in failures} <= {503}
    assert twice == []
    assert len(acknowledged) > 20
