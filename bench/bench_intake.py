"""Intake at volume (issue 18): demands logged per second through the API on gunicorn
with 2 workers and PostgreSQL, and the duplicate-reference check on a large database.

    .venv/bin/python bench/bench_intake.py [--seconds 20] [--clients 6]
    .venv/bin/python bench/bench_intake.py --duplicate-check postgres://postgres@127.0.0.1:5432/lexloci_bench

The first form creates its own database on the local PostgreSQL (DATABASE_ADMIN_URL,
default postgres://postgres@127.0.0.1:5432/postgres), a private Redis on a spare port,
and runs gunicorn (2 workers, 4 threads, DEBUG off), the outbox relay and a Celery
worker; clients POST /api/v1/demands/ (one account, two holdings) for a fixed time,
then the demands acknowledged (201) are counted in the database. It prints demands
per second, latencies and statuses, and exits 1 on a 5xx or a count that differs.

The second form times `requests_app.models.existing_reference` (what intake asks
before it writes) on the database given, which should hold many demands (e.g. one
filled by `manage.py seed_bench --cases 1000000`): median and p99 over 200 lookups of
references that exist and 200 that do not, against the budget of 5 ms.
Loopback only; bounded in time; stops by itself.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUPLICATE_BUDGET_MS = 5.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def duplicate_check(database_url: str) -> int:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from requests_app.models import Demand, existing_reference

    total = Demand.objects.count()
    sample = list(Demand.objects.order_by("?").values_list("reference", flat=True)[:200])
    if not sample:
        print("The database holds no demand: fill it first (manage.py seed_bench --cases 1000000).")
        return 2
    timings: dict[str, list[float]] = {"existing (other case)": [], "free": []}
    existing_reference(sample[0])  # the connection, once
    for reference in sample:
        for label, asked in (("existing (other case)", reference.upper()), ("free", f"{reference}-FREE")):
            t = time.perf_counter()
            found = existing_reference(asked)
            timings[label].append((time.perf_counter() - t) * 1000)
            if (found is not None) != (label != "free"):
                print(f"wrong answer for {asked!r}: {found!r}")
                return 1
    ok = True
    print(f"duplicate-reference check on {total:,} demands ({len(sample)} lookups each):")
    for label, values in timings.items():
        p99 = percentile(values, 0.99)
        ok = ok and p99 < DUPLICATE_BUDGET_MS
        print(f"  {label:<22} median {statistics.median(values):.2f} ms  p99 {p99:.2f} ms")
    print(f"  budget: p99 < {DUPLICATE_BUDGET_MS:.0f} ms: {'pass' if ok else 'FAIL'}")
    return 0 if ok else 1


def throughput(seconds: float, clients: int) -> int:
    from tests.fault import harness

    name = f"lexloci_intake_{os.getpid()}"
    admin = os.environ.get("DATABASE_ADMIN_URL", harness.SHARED_PG)
    database_url = admin.rsplit("/", 1)[0] + f"/{name}"
    harness.admin_sql(f"CREATE DATABASE {name}", admin)
    logdir = Path(tempfile.mkdtemp(prefix="lexloci-intake-"))
    prefix = f"INTAKE-{uuid.uuid4().hex[:6]}-"
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    created = [0]
    sequence = [0]
    try:
        print(f"preparing {name} (migrate, catalogue, demo) ...", flush=True)
        with harness.whole_app(database_url, logdir, workers=2, threads=4) as (app, keys):
            api = harness.Api(app.url, keys["read-write"], timeout=15)

            def client(until: float) -> None:
                while time.monotonic() < until:
                    with lock:
                        sequence[0] += 1
                        reference = f"{prefix}{sequence[0]:06d}"
                    t = time.perf_counter()
                    try:
                        response = api.post("/api/v1/demands/", harness.demand_body(reference))
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        with lock:
                            errors[type(exc).__name__] += 1
                        continue
                    with lock:
                        latencies.append((time.perf_counter() - t) * 1000)
                        statuses[response.status_code] += 1
                        created[0] += response.status_code == 201

            print(f"intake: {clients} clients for {seconds:.0f} s on {app.url} (gunicorn: 2 workers)", flush=True)
            started = time.monotonic()
            threads = [threading.Thread(target=client, args=(started + seconds,)) for _ in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        found = harness.scalar(
            database_url, "SELECT count(*) FROM requests_app_demand WHERE reference LIKE %s", (prefix + "%",)
        )
    finally:
        harness.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin)
    fivexx = sum(n for code, n in statuses.items() if code >= 500)
    print(f"  demands logged: {created[0]} in {elapsed:.1f} s = {created[0] / elapsed:.1f} demands/s")
    print(f"  latency: median {statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms")
    print(f"  statuses: {dict(sorted(statuses.items()))}; client errors: {dict(errors)}")
    print(f"  rows found for the 201s: {found} of {created[0]}")
    ok = fivexx == 0 and found == created[0] and not errors
    print("OK" if ok else "FAILED: a 5xx, a client error, or rows that differ from the 201s")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--duplicate-check", metavar="DATABASE_URL", help="time the check on this database")
    args = parser.parse_args()
    if args.duplicate_check:
        return duplicate_check(args.duplicate_check)
    return throughput(args.seconds, args.clients)


if __name__ == "__main__":
    sys.exit(main())
