"""Benchmark the case list page over 10,000 cases.

    DEBUG=1 .venv/bin/python bench/bench_case_list.py [--cases 10000] [--runs 30]

Seeds a throwaway database (an SQLite file in a temporary directory, or, with
DATABASE_URL set, a `test_...` database next to the configured one, dropped at the
end), then renders /cases/ through Django's test Client for several filter and sort
combinations, and prints the median and p95 server time of each in milliseconds.
Exits 1 when a p95 is over the budget (150 ms), 2 when it ran out of time.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
TMP = tempfile.mkdtemp(prefix="lexloci-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BUDGET_MS = 150.0
TIME_LIMIT_S = 300
SCENARIOS = [
    ("newest first (default)", {}),
    ("page 100", {"page": "100"}),
    ("open, by next deadline", {"status": "open", "sort": "deadline"}),
    ("due in 7 days", {"due": "7"}),
    ("overdue", {"due": "overdue", "sort": "-deadline"}),
    ("search account", {"q": "user42"}),
    ("issuer and instrument", {"issuer": "GB", "instrument": "GB-COPO"}),
    ("contempt held, by reference", {"contempt_status": "held", "sort": "reference"}),
    ("queue: unassigned", {"queue": "unassigned"}),
    ("queue: due within 72 hours", {"queue": "due_72h", "sort": "deadline"}),
    ("queue: awaiting sign-off", {"queue": "awaiting_sign_off"}),
]


def seed(n: int) -> None:
    from accounts import roles
    from cases.models import AppealStatus, Case, ContemptStatus, Deadline, Status
    from jurisdictions.models import ControllingEntity, Jurisdiction, LegalInstrument
    from requests_app.models import Demand, TargetAccount

    rng = random.Random(20131204)  # noqa: S311 - test data
    us = Jurisdiction.objects.create(code="US", name="United States", time_zone="America/New_York")
    gb = Jurisdiction.objects.create(code="GB", name="United Kingdom", time_zone="Europe/London")
    de = Jurisdiction.objects.create(code="DE", name="Germany", time_zone="Europe/Berlin")
    start = dt.date(2000, 1, 1)
    instruments = [
        LegalInstrument.objects.create(
            code="US-SCA-WARRANT",
            jurisdiction=us,
            name="Warrant",
            citation="18 U.S.C. §2703(a)",
            start=start,
            categories=["content"],
            hook="presence",
        ),
        LegalInstrument.objects.create(
            code="GB-COPO",
            jurisdiction=gb,
            name="Overseas production order",
            citation="COPO Act 2019",
            start=start,
            categories=["content"],
            hook="agreement",
        ),
        LegalInstrument.objects.create(
            code="EU-EPO",
            jurisdiction=de,
            name="European Production Order",
            citation="Reg. 2023/1543",
            start=start,
            categories=["content"],
            hook="eu-establishment",
        ),
    ]
    issuers = {"US-SCA-WARRANT": us, "GB-COPO": gb, "EU-EPO": de}
    entity = ControllingEntity.objects.create(name="Example Inc.", country=us, offers_services_in=["*"])
    now = timezone.now()
    batch = 2000
    for offset in range(0, n, batch):
        size = min(batch, n - offset)
        demands = []
        for i in range(offset, offset + size):
            instrument = instruments[i % 3]
            demands.append(
                Demand(
                    reference=f"REF-{i:06d}",
                    instrument=instrument,
                    issuing_jurisdiction=issuers[instrument.code],
                    issuing_authority="Authority",
                    served_entity=entity,
                    served_at=now - dt.timedelta(days=rng.randint(0, 700)),
                )
            )
        demands = Demand.objects.bulk_create(demands)
        TargetAccount.objects.bulk_create(
            TargetAccount(demand=d, identifier=f"user{offset + j}@example.com") for j, d in enumerate(demands)
        )
        cases = []
        for d in demands:
            status = rng.choice(Status.values)
            cases.append(
                Case(
                    demand=d,
                    status=status,
                    outcome="moot" if status == Status.CLOSED else "",
                    appeal_status=rng.choice([AppealStatus.NONE] * 8 + [AppealStatus.ARGUED, AppealStatus.DECIDED]),
                    contempt_status=rng.choice([ContemptStatus.NONE] * 9 + [ContemptStatus.HELD]),
                )
            )
        cases = Case.objects.bulk_create(cases)
        deadlines = []
        for c in cases:
            for kind in rng.sample([Deadline.Kind.RESPONSE, Deadline.Kind.COMITY_MOTION], rng.randint(0, 2)):
                deadlines.append(
                    Deadline(
                        case=c,
                        kind=kind,
                        due_at=now + dt.timedelta(hours=rng.randint(-24 * 30, 24 * 60)),
                        source=Deadline.Source.COMPUTED,
                        state=rng.choice([Deadline.State.OPEN] * 3 + [Deadline.State.MET]),
                    )
                )
        Deadline.objects.bulk_create(deadlines)
    roles.ensure_groups()
    user = get_user_model().objects.create_user("bench.viewer", password=None)
    user.groups.add(Group.objects.get(name=roles.VIEWER))


def measure(client: Client, params: dict, runs: int, deadline: float) -> list[float]:
    times = []
    client.get("/cases/", params)  # warm up: templates, catalogue of URLs, connection
    for _ in range(runs):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        response = client.get("/cases/", params)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET /cases/?{params} answered {response.status_code}")
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    deadline = time.monotonic() + TIME_LIMIT_S

    setup_test_environment()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = f"{TMP}/bench-test.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        seed(args.cases)
        print(f"Seeded {args.cases} cases on {connection.vendor} in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench.viewer"))
        over = []
        print(f"{'scenario':<32}{'median ms':>10}{'p95 ms':>10}{'runs':>6}")
        for name, params in SCENARIOS:
            times = measure(client, params, args.runs, deadline)
            if not times:
                print(f"{name:<32}{'—':>10}{'—':>10}{0:>6}  (time limit reached)")
                return 2
            median, high = statistics.median(times), p95(times)
            print(f"{name:<32}{median:>10.1f}{high:>10.1f}{len(times):>6}")
            if high > BUDGET_MS:
                over.append(name)
        if over:
            print(f"OVER BUDGET ({BUDGET_MS:.0f} ms p95): {', '.join(over)}")
            return 1
        print(f"All within budget: p95 < {BUDGET_MS:.0f} ms")
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
