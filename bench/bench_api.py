"""The case-status endpoint against bare views in the same server, with wrk, on
gunicorn + PostgreSQL (issue 18).

    .venv/bin/python bench/bench_api.py [--cases 100000] [--duration 10] [--connections 16] [--rounds 3]

Seeds (once; later runs reuse it) a PostgreSQL database `lexloci_bench` with
100,000 cases, each with a demand, an account, a holding, an analysis, an event
and two deadlines (one open); starts gunicorn (2 sync workers, DEBUG off) on a spare
loopback port with the project's URLs plus two baselines that read one case row by
primary key: `/__bench/bare-django/` (a plain Django view) and `/__bench/bare-drf/`
(a DRF APIView without authentication, permission or throttle classes). Then wrk
loads, in alternating rounds (the order rotated each round), with the same Lua
request function for each:

  status       GET /api/v1/cases/<random id>/status/ with a token (200)
  status_304   the same with If-None-Match set to that case's ETag (304)
  whoami       GET /api/v1/whoami/ with the token
  bare_drf     GET /__bench/bare-drf/?id=<random id>
  bare_django  GET /__bench/bare-django/?id=<random id>

and prints each endpoint's median round (throughput, p50, p99), the ratios, and the
budgets with PASS/FAIL: status >= 90% of bare DRF; 304 >= 1.5x the 200. The ratio
to the bare Django view is reported too (the aim beyond issue 18: half of it). The
exit status is 1 when a budget fails or a response was not the expected one.
Everything targets 127.0.0.1 and stops by itself.
"""

import argparse
import http.client
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
    # Random passwords for the demo logins when DEBUG is off (as under gunicorn).
    call_command("load_demo", allow_production=True, stdout=io.StringIO())
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
                cases = Case.objects.bulk_create(
                    Case(demand=d, emergency=d.emergency, reference=d.reference) for d in demands
                )
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


# The baselines, served by the same gunicorn as the project: the project's settings
# and URLs, plus two views that read one case row by primary key.
OVERLAY_SETTINGS = """\
from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_api_urls"
"""

OVERLAY_URLS = """\
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case

FIELDS = ("pk", "status", "version", "updated_at")


def _row(params):
    try:
        pk = int(params.get("id", "0"))
    except ValueError:
        pk = 0
    return Case.objects.filter(pk=pk).values(*FIELDS).first() or {}


@login_not_required
def bare_django(request):
    return JsonResponse(_row(request.GET))


class BareDRF(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response(_row(request.query_params))


urlpatterns = [
    path("__bench/bare-django/", bare_django),
    path("__bench/bare-drf/", login_not_required(BareDRF.as_view())),
    path("", include("config.urls")),
]
"""


def start_gunicorn(port: int, workers: int, overlay: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
        "PYTHONPATH": os.pathsep.join([overlay, str(ROOT)]),
        # The load generator is one client: lift the per-client throttle for the run
        # (it still counts every request).
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
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode})")
        try:
            get(port, "/__bench/bare-django/?id=0", {})
            return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def get(port: int, path: str, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# Every endpoint goes through the same request function (prebuilt requests, one per
# sampled id), so the load generator does the same work per request for each.
LUA = """
local paths = {%(paths)s}
local etags = {%(etags)s}
local reqs = {}
local counter = 0
function init(args)
  for i, p in ipairs(paths) do
    local headers = {["Authorization"] = "Token %(key)s"}
    if #etags > 0 then headers["If-None-Match"] = etags[i] end
    reqs[i] = wrk.format("GET", p, headers)
  end
  counter = math.random(#reqs)
end
function request()
  counter = counter + 1
  return reqs[(counter %% #reqs) + 1]
end
"""

ENDPOINTS = ("status", "status_304", "whoami", "bare_drf", "bare_django")
BUDGET_STATUS_DRF = 0.9
BUDGET_304 = 1.5


def run_wrk(url: str, duration: int, connections: int, script: str) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", "-s", script, url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "bad": int(bad.group(1)) if bad else 0}


def median_round(results: list[dict]) -> dict:
    """The round with the median throughput (its latencies come with it)."""
    return sorted(results, key=lambda r: r["rps"])[len(results) // 2]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500, help="random case ids the load cycles through")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    ensure_database()
    setup_django()
    print(f"seeding up to {args.cases:,} cases in {DATABASE_URL} ...", flush=True)
    ids, key = seed(args.cases)
    ids = ids[: args.sample]
    from django.db import connections

    connections.close_all()
    overlay = tempfile.mkdtemp(prefix="bench_api_")
    Path(overlay, "bench_api_settings.py").write_text(OVERLAY_SETTINGS)
    Path(overlay, "bench_api_urls.py").write_text(OVERLAY_URLS)
    port = free_port()
    server = start_gunicorn(port, args.workers, overlay)
    base = f"http://127.0.0.1:{port}"
    try:
        auth = {"Authorization": f"Token {key}"}
        etags = []
        for pk in ids:  # each answer checked before any load
            status, headers, body = get(port, f"/api/v1/cases/{pk}/status/", auth)
            if status != 200 or json.loads(body)["id"] != pk or not headers.get("etag"):
                raise SystemExit(f"status of case {pk}: HTTP {status} {body[:200]!r}")
            etags.append(headers["etag"])
        status, _, body = get(port, f"/api/v1/cases/{ids[0]}/status/", {**auth, "If-None-Match": etags[0]})
        if status != 304 or body:
            raise SystemExit(f"If-None-Match: HTTP {status} with {len(body)} bytes, not an empty 304")
        for name in ("bare-drf", "bare-django"):
            status, _, body = get(port, f"/__bench/{name}/?id={ids[0]}", {})
            if status != 200 or json.loads(body)["pk"] != ids[0]:
                raise SystemExit(f"/__bench/{name}/: HTTP {status} {body[:200]!r}")
        paths = {
            "status": [f"/api/v1/cases/{pk}/status/" for pk in ids],
            "status_304": [f"/api/v1/cases/{pk}/status/" for pk in ids],
            "whoami": ["/api/v1/whoami/"] * len(ids),
            "bare_drf": [f"/__bench/bare-drf/?id={pk}" for pk in ids],
            "bare_django": [f"/__bench/bare-django/?id={pk}" for pk in ids],
        }
        scripts = {}
        for name in ENDPOINTS:
            script = Path(overlay, f"{name}.lua")
            script.write_text(
                LUA
                % {
                    "paths": ",".join(json.dumps(p) for p in paths[name]),
                    "etags": ",".join(json.dumps(t) for t in (etags if name == "status_304" else [])),
                    "key": key,
                }
            )
            scripts[name] = str(script)
        for name in ENDPOINTS:  # warm up every worker on every path
            run_wrk(base, 2, args.connections, scripts[name])
        rounds = []
        for number in range(args.rounds):
            order = ENDPOINTS[number % len(ENDPOINTS) :] + ENDPOINTS[: number % len(ENDPOINTS)]
            result = {name: run_wrk(base, args.duration, args.connections, scripts[name]) for name in order}
            rounds.append(result)
            print(
                f"  round {number + 1}: " + ", ".join(f"{n} {result[n]['rps']:.0f}" for n in ENDPOINTS) + " req/s",
                flush=True,
            )
    finally:
        stop(server)
        shutil.rmtree(overlay, ignore_errors=True)
    medians = {name: median_round([r[name] for r in rounds]) for name in ENDPOINTS}
    ratios = {
        "status/bare_drf": medians["status"]["rps"] / medians["bare_drf"]["rps"],
        "status/bare_django": medians["status"]["rps"] / medians["bare_django"]["rps"],
        "304/200": medians["status_304"]["rps"] / medians["status"]["rps"],
        "whoami/bare_drf": medians["whoami"]["rps"] / medians["bare_drf"]["rps"],
    }
    print(json.dumps({"cases": args.cases, "medians": medians, "ratios": ratios}, indent=2))
    print(f"median of {args.rounds} rounds, {args.workers} gunicorn workers, {args.connections} connections:")
    for name in ENDPOINTS:
        m = medians[name]
        print(f"  {name:<12} {m['rps']:7.0f} req/s  p50 {m['p50']:>8}  p99 {m['p99']:>8}")
    status_ok = ratios["status/bare_drf"] >= BUDGET_STATUS_DRF
    etag_ok = ratios["304/200"] >= BUDGET_304
    print(
        f"status 200 {medians['status']['rps']:.0f} req/s vs bare DRF {medians['bare_drf']['rps']:.0f} req/s: "
        f"{ratios['status/bare_drf']:.2f} (budget >= {BUDGET_STATUS_DRF}) {verdict(status_ok)}"
    )
    print(
        f"status 304 {medians['status_304']['rps']:.0f} req/s vs 200 {medians['status']['rps']:.0f} req/s: "
        f"{ratios['304/200']:.2f}x (budget >= {BUDGET_304}x) {verdict(etag_ok)}"
    )
    print(
        f"status 200 vs bare Django {medians['bare_django']['rps']:.0f} req/s: {ratios['status/bare_django']:.2f} "
        f"(aim beyond issue 18: 0.5; reported, not a budget)"
    )
    failed = sum(r[name]["bad"] for r in rounds for name in ENDPOINTS)
    if failed:
        print(f"FAIL: {failed} responses were not 2xx/3xx")
    if failed or not (status_ok and etag_ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
