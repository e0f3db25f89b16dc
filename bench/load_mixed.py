"""A mixed load on gunicorn and PostgreSQL: reads of the case list and case status,
intake of demands, and status transitions with `expected_version` (retried on 409),
from several client threads for a fixed time. Afterwards the rows the clients were
told were written (201s) are counted in the database: they must match exactly, and
no response may be a 5xx.

    .venv/bin/python bench/load_mixed.py --seconds 60 --clients 8

Loopback only: it creates its own database on the local PostgreSQL (DATABASE_ADMIN_URL,
default postgres://postgres@127.0.0.1:5432/postgres), a private Redis on a spare
port, and runs gunicorn (DEBUG off), the outbox relay and one Celery worker. Exit
status 1 when a 5xx was seen or the counts differ.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fault import harness  # noqa: E402

HOT_CASES = 6  # cases the clients move concurrently: conflicts (409) are part of the load
NEXT_STATUS = {"intake": "analysis", "analysis": "counsel_review", "counsel_review": "analysis"}


class Load:
    def __init__(self, base: str, key: str, prefix: str) -> None:
        self.api = harness.Api(base, key, timeout=15)
        self.prefix = prefix
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.demands_created = 0
        self.transitions_created = 0
        self.conflicts = 0
        self.gave_up = 0
        self.hot: list[int] = []
        self._seq = 0

    def _call(self, method: str, path: str, body: dict | None = None) -> requests.Response | None:
        t0 = time.perf_counter()
        try:
            response = self.api.post(path, body) if method == "POST" else self.api.get(path)
        except requests.RequestException as exc:
            with self.lock:
                self.errors[type(exc).__name__] += 1
            return None
        with self.lock:
            self.latencies.append(time.perf_counter() - t0)
            self.statuses[response.status_code] += 1
        return response

    def _reference(self) -> str:
        with self.lock:
            self._seq += 1
            return f"{self.prefix}{self._seq:06d}"

    def intake(self) -> int | None:
        response = self._call("POST", "/api/v1/demands/", harness.demand_body(self._reference()))
        if response is not None and response.status_code == 201:
            with self.lock:
                self.demands_created += 1
            return response.json().get("case")
        return None

    def transition(self, case_id: int) -> None:
        """Read the case's version and state, move it one step; on 409 read again and retry."""
        for _ in range(10):
            status = self._call("GET", f"/api/v1/cases/{case_id}/status/")
            if status is None or status.status_code != 200:
                return
            current = status.json()
            body = {
                "track": "status",
                "to": NEXT_STATUS[current["status"]],
                "occurred_on": dt.datetime.now(dt.UTC).date().isoformat(),
                "expected_version": current["version"],
            }
            response = self._call("POST", f"/api/v1/cases/{case_id}/transition/", body)
            if response is None:
                return
            if response.status_code == 201:
                with self.lock:
                    self.transitions_created += 1
                return
            if response.status_code != 409:
                return
            with self.lock:
                self.conflicts += 1
        with self.lock:
            self.gave_up += 1

    def read(self, rng: random.Random) -> None:
        if rng.random() < 0.5:
            self._call("GET", "/api/v1/cases/?page_size=20")
        else:
            self._call("GET", f"/api/v1/cases/{rng.choice(self.hot)}/status/")

    def client(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.55:
                self.read(rng)
            elif roll < 0.75:
                self.intake()
            else:
                self.transition(rng.choice(self.hot))

    def run(self, seconds: float, clients: int) -> float:
        for _ in range(HOT_CASES):
            case_id = self.intake()
            assert case_id is not None, "could not log the hot cases"
            self.hot.append(case_id)
        t0 = time.monotonic()
        threads = [threading.Thread(target=self.client, args=(n, t0 + seconds)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - t0


def _case_ids(url: str, prefix: str, hot: list[int]) -> tuple[int, int]:
    demands = harness.scalar(url, "SELECT count(*) FROM requests_app_demand WHERE reference LIKE %s", (prefix + "%",))
    transitions = harness.scalar(
        url,
        # the clients' own steps: the system's step on a case's first analysis
        # (workflow.ON_FIRST_ANALYSIS, data {"system": true}) may land between them
        "SELECT count(*) FROM cases_caseevent WHERE track = 'status' AND case_id = ANY(%s)"
        " AND NOT coalesce((data->>'system')::boolean, false)",
        (hot,),
    )
    return demands, transitions


def run_load(base: str, key: str, database_url: str, *, seconds: float, clients: int) -> dict:
    """The load against a running app; returns its figures (and the database's counts)."""
    prefix = f"LOAD-{uuid.uuid4().hex[:8]}-"
    load = Load(base, key, prefix)
    elapsed = load.run(seconds, clients)
    demands, transitions = _case_ids(database_url, prefix, load.hot)
    latencies = sorted(load.latencies)
    requests_made = len(latencies) + sum(load.errors.values())
    return {
        "requests": requests_made,
        "seconds": round(elapsed, 1),
        "rps": round(requests_made / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
        "statuses": dict(sorted(load.statuses.items())),
        "5xx": sum(n for code, n in load.statuses.items() if code >= 500),
        "client_errors": dict(load.errors),
        "conflicts_409_retried": load.conflicts,
        "transitions_given_up": load.gave_up,
        "demands_expected": load.demands_created,
        "demands_found": demands,
        "transitions_expected": load.transitions_created,
        "transitions_found": transitions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    name = f"lexloci_load_{os.getpid()}"
    admin = os.environ.get("DATABASE_ADMIN_URL", harness.SHARED_PG)
    database_url = admin.rsplit("/", 1)[0] + f"/{name}"
    harness.admin_sql(f"CREATE DATABASE {name}", admin)
    logdir = Path(tempfile.mkdtemp(prefix="lexloci-load-"))
    try:
        print(f"preparing {name} (migrate, catalogue, demo) ...", flush=True)
        with harness.whole_app(database_url, logdir, workers=args.web_workers, threads=args.threads) as (app, keys):
            print(f"load: {args.clients} clients for {args.seconds:.0f}s on {app.url}", flush=True)
            figures = run_load(app.url, keys["read-write"], database_url, seconds=args.seconds, clients=args.clients)
    finally:
        harness.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin)
    for label, value in figures.items():
        print(f"{label:>24}: {value}")
    ok = (
        figures["5xx"] == 0
        and figures["demands_expected"] == figures["demands_found"]
        and figures["transitions_expected"] == figures["transitions_found"]
    )
    print("OK: no 5xx, rows written = 201s seen" if ok else "FAILED: 5xx seen or rows differ from the 201s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
