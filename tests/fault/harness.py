"""Real processes for the fault tests: private Redis and PostgreSQL instances on spare
loopback ports, the app under gunicorn (DEBUG off), Celery workers and the outbox
relay, each with its own environment. Nothing here touches the shared services on
5432/6379 beyond creating and dropping this run's own databases."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SHARED_PG = os.environ.get("LEXLOCI_FAULT_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SECRET = "fault-" + uuid.uuid4().hex * 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    """Poll until `predicate()` is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - the service is still coming up
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_exc!r})")


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


# ------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def spawn(name: str, args: list[str], env: dict[str, str], logdir: Path, **kwargs) -> Proc:
    """A process in its own process group (so stopping it stops its children too)."""
    log = logdir / f"{name}.log"
    handle = log.open("ab")
    popen = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
    )
    handle.close()
    return Proc(name, popen, log)


# ------------------------------------------------------------------------ Redis


def start_redis(port: int, logdir: Path) -> Proc:
    proc = spawn(
        f"redis-{port}",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(logdir)],
        dict(os.environ),
        logdir,
    )  # fmt: skip
    wait_for(lambda: port_open(port), 10, f"redis on {port}")
    return proc


class Blackhole:
    """A TCP server that accepts connections and never answers: a hung Redis."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)  # read nothing, answer nothing

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self.sock.close()


# ------------------------------------------------------------------- PostgreSQL


def pg_url(name: str, port: int = 5432) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{name}"


def admin_sql(statement: str, url: str = SHARED_PG) -> None:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(url: str, sql: str, params: tuple = ()):
    return query(url, sql, params)[0][0]


class PrivatePostgres:
    """A throwaway cluster (initdb + pg_ctl) in a temp dir on a spare port. initdb
    refuses to run as root, so as root the cluster belongs to the postgres user."""

    def __init__(self) -> None:
        self.port = free_port()
        # Under /tmp itself: pytest's tmp_path is private to root, out of the postgres user's reach.
        self.dir = Path(tempfile.mkdtemp(prefix="lexloci-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        self._run(PG_BIN / "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _run(self, *args, timeout: float = 60) -> None:
        result = subprocess.run([*self.as_user, *map(str, args)], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {result.stdout}{result.stderr}")

    def _ctl(self, action: str, *extra: str) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(PG_BIN / "pg_ctl", action, "-D", self.data, "-l", self.log, "-w", "-t", "30", "-o", opts, *extra)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self._run(PG_BIN / "pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "30")

    def url(self, name: str) -> str:
        return pg_url(name, self.port)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_database(source_url: str, target_url: str) -> None:
    """pg_dump | psql: the prepared template into another cluster."""
    dump = subprocess.run(
        [PG_BIN / "pg_dump", "--no-owner", "--dbname", source_url], check=True, capture_output=True, timeout=60
    )
    subprocess.run(
        [PG_BIN.parent / "bin" / "psql", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", target_url],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=60,
    )


# ------------------------------------------------------------------------ the app


def base_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """Production-shaped settings: DEBUG off, a secret, loopback host, no TLS redirect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "LEXLOCI_", "COV_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        DATABASE_CONNECT_TIMEOUT="2",
        DJANGO_SETTINGS_MODULE="config.settings",
        API_RATE="1000000/minute",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


ISSUE_TOKENS = """
from django.contrib.auth import get_user_model
from accounts.models import ApiToken
user = get_user_model().objects.get(username="api-client")
print(ApiToken.issue(user=user, name="fault read-write", scope="read-write")[1])
print(ApiToken.issue(user=user, name="fault read", scope="read")[1])
"""


def prepare_database(database_url: str) -> dict[str, str]:
    """migrate, load_catalogue, load_demo (tasks in-process), static files, API tokens."""
    env = base_env(database_url, DEBUG="1")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_catalogue")
    manage(env, "load_demo")
    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        manage(base_env(database_url), "collectstatic", "--noinput", "-v0")
    write, read = manage(env, "shell", "-v0", "-c", ISSUE_TOKENS).split()[-2:]
    return {"read-write": write, "read": read}


@dataclass
class App:
    """gunicorn + relay + workers for one database and one broker."""

    env: dict[str, str]
    logdir: Path
    port: int = field(default_factory=free_port)
    procs: dict[str, Proc] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self, workers: int = 2, threads: int = 4) -> Proc:
        proc = spawn(
            "gunicorn",
            [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "5",
             "--log-level", "warning"],
            self.env,
            self.logdir,
        )  # fmt: skip
        self.procs["web"] = proc
        wait_for(lambda: requests.get(f"{self.url}/healthz", timeout=2).status_code == 200, 30, "gunicorn /healthz")
        return proc

    def start_relay(self) -> Proc:
        proc = spawn("relay", [PY, "manage.py", "relay_outbox", "--interval", "0.2"], self.env, self.logdir)
        self.procs["relay"] = proc
        return proc

    def start_worker(self, name: str = "worker", *, pool: str = "solo", module: str | None = None) -> Proc:
        args = [PY, "-m", module] if module else [PY, "-m", "celery", "-A", "config"]
        args += ["worker", "--pool", pool, "--concurrency", "1", "--without-heartbeat", "--without-gossip",
                 "--without-mingle", "--loglevel", "WARNING", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"]  # fmt: skip
        proc = spawn(name, args, self.env, self.logdir)
        self.procs[name] = proc
        return proc

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{proc.tail()}" for name, proc in self.procs.items())


# ---------------------------------------------------------------------- clients


def demand_body(reference: str) -> dict:
    return {
        "reference": reference,
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "issuing_authority": "FBI Seattle",
        "court": "wdwash",
        "served_entity": "Microsoft Corporation",
        "served_at": "2026-11-20T15:00:00Z",
        "accounts": [
            {
                "identifier": f"{reference.lower()}@example.com",
                "holdings": [
                    {
                        "category": "content",
                        "data_location": "Dublin (North Europe)",
                        "controlled_by": "Microsoft Corporation",
                    },
                    {"category": "subscriber", "data_location": None, "controlled_by": "Microsoft Corporation"},
                ],
            }
        ],
    }


class Api:
    """A token client; one requests.Session per thread."""

    def __init__(self, base: str, key: str, timeout: float = 10) -> None:
        self.base = base
        self.headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
        self.timeout = timeout
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, headers=self.headers, timeout=self.timeout, **kwargs)

    def post(self, path: str, body: dict, **kwargs) -> requests.Response:
        return self.session.post(
            self.base + path, data=json.dumps(body), headers=self.headers, timeout=self.timeout, **kwargs
        )


@contextlib.contextmanager
def processes(app: App) -> Iterator[App]:
    try:
        yield app
    except BaseException:
        print(app.logs())
        raise
    finally:
        app.stop()


@contextlib.contextmanager
def whole_app(database_url: str, logdir: Path, *, workers: int, threads: int) -> Iterator[tuple[App, dict[str, str]]]:
    """The database prepared (`prepare_database`), a private Redis, gunicorn, a Celery
    worker and the outbox relay: the app as the benchmarks load it, and its API keys."""
    keys = prepare_database(database_url)
    port = free_port()
    app = App(base_env(database_url, f"redis://127.0.0.1:{port}/0"), logdir)
    app.procs["redis"] = start_redis(port, logdir)
    with processes(app):
        app.start_web(workers=workers, threads=threads)
        app.start_worker()
        app.start_relay()
        yield app, keys


def duplicate_analyses(url: str, prefix: str) -> list[tuple]:
    """Cases of this run with two analyses for the same answer, date and catalogue."""
    return query(
        url,
        "SELECT a.case_id, count(*) FROM cases_analysis a JOIN cases_case c ON c.id = a.case_id "
        "JOIN requests_app_demand d ON d.id = c.demand_id WHERE d.reference LIKE %s "
        "GROUP BY a.case_id, a.as_of, a.catalogue_version_id, a.fingerprint HAVING count(*) > 1",
        (prefix + "%",),
    )


def analyses_per_case(url: str, prefix: str) -> list[tuple]:
    """This run's cases (by demand reference prefix) and how many analyses each has."""
    return query(
        url,
        "SELECT c.id, count(a.id) FROM cases_case c JOIN requests_app_demand d ON d.id = c.demand_id "
        "LEFT JOIN cases_analysis a ON a.case_id = c.id WHERE d.reference LIKE %s GROUP BY c.id",
        (prefix + "%",),
    )
