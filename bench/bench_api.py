"""Load the case-status endpoint and a minimal endpoint with wrk, on gunicorn + PostgreSQL.

    .venv/bin/python bench/bench_api.py [--cases 100000] [--duration 15] [--connections 16] [--rounds 3]

Seeds (once; later runs reuse it) a PostgreSQL database `lexloci_bench` with
100,000 cases, each with a demand, an account, a holding, an analysis, an event
and two deadlines (one open); starts gunicorn on a spare loopback port with DEBUG
off; then runs wrk against `/api/v1/cases/<random id>/status/` and against
`/api/v1/whoami/` (one row, the same token authentication) in alternating rounds,
and prints each round and, for each endpoint, its median round: throughput, p50 and
p99 latency, and the ratio. Budget: status throughput at least 70% of the minimal
endpoint's.
Everything targets 127.0.0.1 and stops by itself.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lexloci_bench")


def ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def seed(count: int) -> tuple[list[int], str]:
    """Seed `count` cases (bulk, no signals) and return (case ids, a read-only token)."""
    import datetime as dt
    import io

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction

    from accounts import roles
    from accounts.models import ApiToken
    from cases.analysis import analyse_case
    from cases.models import Analysis, Case
    from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
    from requests_app.models import Demand, Holding, TargetAccount

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    existing = Case.objects.count()
    served = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    if existing < count:
        started = time.monotonic()
        template = Case.objects.get(demand__reference="COPO-2026-0142")
        analysis = analyse_case(case=template).analysis
        instrument = LegalInstrument.objects.get(code="GB-COPO")
        entity = ControllingEntity.objects.get(name="Microsoft Corporation")
        location = DataLocation.objects.get(name="Quincy, Washington (US West)")
        batch = 5000
        for start in range(existing, count, batch):
            n = min(batch, count - start)
            with transaction.atomic():
                demands = Demand.objects.bulk_create(
                    Demand(
                        reference=f"BENCH-{start + i:07d}",
                        instrument=instrument,
                        issuing_jurisdiction_id="GB",
                        issuing_authority="Bench",
                        served_entity=entity,
                        served_at=served,
                    )
                    for i in range(n)
                )
                accounts = TargetAccount.objects.bulk_create(
                    TargetAccount(demand=d, identifier=f"user{d.pk}@example.com", us_person=False, residence_id="GB")
                    for d in demands
                )
                Holding.objects.bulk_create(
                    Holding(account=a, category="content", data_location=location, controlled_by=entity)
                    for a in accounts
                )
                cases = Case.objects.bulk_create(Case(demand=d) for d in demands)
                Analysis.objects.bulk_create(
                    Analysis(
                        case=c,
                        as_of=analysis.as_of,
                        catalogue_version=analysis.catalogue_version,
                        doctrine=analysis.doctrine,
                        result=analysis.result,
                        fingerprint=analysis.fingerprint,
                        summary=analysis.summary,
                    )
                    for c in cases
                )
            print(f"  seeded {start + n:,} / {count:,} cases ({time.monotonic() - started:.0f}s)", flush=True)
    seed_timeline(served)
    user, _ = get_user_model().objects.get_or_create(username="bench-client")
    user.groups.add(Group.objects.get(name=roles.API_CLIENT))
    ApiToken.objects.filter(name="bench").update(revoked_at=dt.datetime.now(dt.UTC))
    _, key = ApiToken.issue(user=user, name="bench", scope=ApiToken.Scope.READ)
    ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[:2000])
    return ids, key


def seed_timeline(served) -> None:
    """Give every case without one an event and two deadlines (one open, one met), so
    the status query's subqueries find rows the way they do on a working docket."""
    import datetime as dt

    from django.db import connection, transaction

    from cases.models import Case, CaseEvent, Deadline

    started = time.monotonic()
    batch = 5000
    while True:
        ids = list(Case.objects.filter(events__isnull=True).values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case_id=pk, kind="demand_logged", occurred_on=served.date(), note="GB-COPO from Bench logged."
                )
                for pk in ids
            )
            Deadline.objects.bulk_create(
                deadline
                for pk in ids
                for deadline in (
                    Deadline(
                        case_id=pk,
                        kind=Deadline.Kind.RESPONSE,
                        due_at=served + dt.timedelta(days=14 + pk % 30),
                        source=Deadline.Source.COMPUTED,
                    ),
                    Deadline(
                        case_id=pk,
                        kind=Deadline.Kind.OBJECTION,
                        due_at=served + dt.timedelta(days=7),
                        source=Deadline.Source.MANUAL,
                        state=Deadline.State.MET,
                        completed_on=served.date(),
                    ),
                )
            )
        print(f"  gave {len(ids):,} cases an event and deadlines ({time.monotonic() - started:.0f}s)", flush=True)
    if time.monotonic() - started > 1:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # The load generator is one client: lift the per-client throttle for the run.
        "API_RATE": "100000000/minute",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start within 30 s")


# Both endpoints go through the same Lua request function, so the load generator does
# the same work per request for each (a static request would favour the minimal one).
LUA = """
ids = {%s}
counter = 0
request = function()
  counter = counter + 1
  local id = ids[(counter %% #ids) + 1]
  local path = string.gsub("%s", "{id}", id)
  return wrk.format("GET", path, {["Authorization"] = "Token %s"})
end
"""


def run_wrk(url: str, key: str, duration: int, connections: int, script: str | None) -> dict:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "5s",
        "-H",
        f"Authorization: Token {key}",
    ]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def median_round(results: list[dict]) -> dict:
    """The round with the median throughput (its latencies come with it)."""
    return sorted(results, key=lambda r: r["rps"])[len(results) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    ensure_database()
    setup_django()
    print(f"seeding up to {args.cases:,} cases in {DATABASE_URL} ...", flush=True)
    ids, key = seed(args.cases)
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        scripts = {}
        for name, path in (("minimal", "/api/v1/whoami/"), ("status", "/api/v1/cases/{id}/status/")):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                lua.write(LUA % (",".join(map(str, ids)), path, key))
            scripts[name] = lua.name
        run_wrk(base, key, 3, args.connections, scripts["minimal"])  # warm up
        run_wrk(base, key, 3, args.connections, scripts["status"])
        # Alternating rounds, so a burst of noise on the machine hits both endpoints;
        # the figures reported are each endpoint's median round.
        rounds = []
        for number in range(1, args.rounds + 1):
            minimal = run_wrk(base, key, args.duration, args.connections, scripts["minimal"])
            status = run_wrk(base, key, args.duration, args.connections, scripts["status"])
            rounds.append({"minimal": minimal, "status": status, "ratio": round(status["rps"] / minimal["rps"], 3)})
            print(
                f"  round {number}: status {status['rps']:.0f} req/s, minimal {minimal['rps']:.0f} req/s "
                f"({rounds[-1]['ratio']:.0%})",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    minimal = median_round([r["minimal"] for r in rounds])
    status = median_round([r["status"] for r in rounds])
    ratio = status["rps"] / minimal["rps"]
    summary = {"cases": args.cases, "rounds": rounds, "minimal": minimal, "status": status, "ratio": round(ratio, 3)}
    print(json.dumps(summary, indent=2))
    print(
        f"status {status['rps']:.0f} req/s (p50 {status['p50']}, p99 {status['p99']}), "
        f"minimal {minimal['rps']:.0f} req/s (p50 {minimal['p50']}, p99 {minimal['p99']}): "
        f"ratio {ratio:.0%} (budget 70%: {'met' if ratio >= 0.7 else 'NOT met'})"
    )
    failed = sum(r[name]["non_2xx"] for r in rounds for name in ("status", "minimal"))
    if failed:
        raise SystemExit(f"{failed} non-2xx responses")


if __name__ == "__main__":
    main()
