"""`manage.py seed_bench`: realistic cases for the benchmarks, in bulk, that the app
then reads and writes like any other (issue 18)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from cases.models import Analysis, Case, CaseEvent, Deadline, Status
from requests_app.models import Demand, Holding


def seed(n: int, **options) -> str:
    out = io.StringIO()
    call_command("seed_bench", cases=n, stdout=out, **options)
    return out.getvalue()


def check_seeded(n: int) -> None:
    cases = Case.objects.filter(demand__reference__startswith="BENCH-")
    assert cases.count() == n
    assert Demand.objects.filter(reference__startswith="BENCH-").values("reference").distinct().count() == n
    # Varied: several statuses, instruments and issuing countries; closed ones have an outcome.
    assert cases.values("status").distinct().count() >= 4
    assert cases.values("demand__instrument").distinct().count() >= 4
    assert cases.values("demand__issuing_jurisdiction").distinct().count() >= 4
    assert not cases.filter(status=Status.CLOSED, outcome="").exists()
    assert not cases.exclude(status=Status.CLOSED).exclude(outcome="").exists()
    # Every case has its demand's accounts and holdings, an event and a deadline.
    assert not cases.annotate(n=Count("events")).filter(n=0).exists()
    assert not cases.annotate(n=Count("deadlines")).filter(n=0).exists()
    assert not Demand.objects.filter(reference__startswith="BENCH-").annotate(n=Count("accounts")).filter(n=0).exists()
    assert Holding.objects.filter(account__demand__reference__startswith="BENCH-").count() >= n
    assert Analysis.objects.filter(case__in=cases, signed_off_at__isnull=False).exists()
    assert Analysis.objects.filter(case__in=cases, signed_off_at__isnull=True).exists()
    assert CaseEvent.objects.filter(case__in=cases, kind="demand_logged").count() == n
    assert Deadline.objects.filter(case__in=cases, state="open").exists()
    # The columns the list and the report read are what the app would have kept.
    first_open = Deadline.objects.filter(case=OuterRef("pk"), state="open").order_by("due_at", "pk")
    newest = Analysis.objects.filter(case=OuterRef("pk")).newest_first()
    checked = cases.annotate(
        first_at=Subquery(first_open.values("due_at")[:1]),
        first_kind=Subquery(first_open.values("kind")[:1]),
        content=Coalesce(Subquery(newest.values("reaches_content")[:1]), False),
        abroad=Coalesce(Subquery(newest.values("reaches_abroad")[:1]), False),
    )
    for row in checked.select_related("demand"):
        assert (row.next_deadline_at, row.next_deadline_kind) == (row.first_at, row.first_kind)
        assert (row.emergency, row.reference) == (row.demand.emergency, row.demand.reference)
        assert (row.reaches_content, row.reaches_abroad) == (row.content, row.abroad)
    assert checked.filter(reaches_abroad=True).exists() or not Analysis.objects.filter(reaches_abroad=True).exists()


def test_seeds_varied_cases_the_case_list_shows(catalogue, client, counsel_user):
    out = seed(120, batch=50)
    assert "Seeded 120 cases" in out
    check_seeded(120)
    client.force_login(counsel_user)
    response = client.get("/cases/?q=BENCH-")
    assert response.status_code == 200
    assert b"BENCH-" in response.content


def test_refuses_a_prefix_already_used_and_bad_numbers(catalogue):
    seed(5)
    with pytest.raises(CommandError, match="--prefix"):
        seed(5)
    with pytest.raises(CommandError, match="--cases"):
        seed(0, prefix="OTHER")


def test_copies_on_postgresql_and_moves_the_sequences_past_its_rows(postgres, catalogue):
    seed(60, batch=25)
    check_seeded(60)
    highest = Case.objects.order_by("-pk").values_list("pk", flat=True).first()
    # A case logged after the seed gets a fresh id from the sequence, not a clash.
    from tests.factories import CaseFactory

    assert CaseFactory().pk > highest


@pytest.mark.postgres
def test_several_processes_write_their_shares_without_clashing(postgres, tmp_path):
    """`manage.py seed_bench --jobs 2` as it is run, in its own process on its own
    database: each forked process writes its own cases from its own ids, and the
    sequences end past all of them."""
    import os
    import subprocess
    import sys
    import uuid

    from tests.fault import harness

    name = f"lexloci_seed_jobs_{uuid.uuid4().hex[:8]}"
    url = harness.SHARED_PG.rsplit("/", 1)[0] + f"/{name}"
    harness.admin_sql(f"CREATE DATABASE {name}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    env.pop("REDIS_URL", None)  # the demo's analyses in-process
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - the project's manage.py
            [sys.executable, "manage.py", *args], cwd=harness.ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        manage("migrate", "--noinput", "-v0")
        out = manage("seed_bench", "--cases", "2400", "--batch", "500", "--jobs", "2")
        assert "Seeded 2,400 cases in 2 processes" in out
        cases = harness.scalar(
            url,
            "SELECT count(*) FROM cases_case c JOIN requests_app_demand d ON d.id = c.demand_id "
            "WHERE left(d.reference, 6) = 'BENCH-'",
        )
        assert cases == 2400
        for table in ("cases_case", "requests_app_demand", "cases_deadline", "cases_caseevent"):
            rows, ids = harness.query(url, f"SELECT count(*), count(DISTINCT id) FROM {table}")[0]  # noqa: S608
            assert rows == ids > 0, table
        # The list's and the report's columns are what the app would have kept.
        stale = harness.scalar(
            url,
            "SELECT count(*) FROM cases_case c WHERE c.next_deadline_at IS DISTINCT FROM "
            "(SELECT min(due_at) FROM cases_deadline d WHERE d.case_id = c.id AND d.state = 'open')",
        )
        assert stale == 0
        # A case logged afterwards gets a fresh id: the sequences moved past every process's.
        highest = harness.scalar(url, "SELECT max(id) FROM cases_case")
        nextval = harness.scalar(url, "SELECT nextval(pg_get_serial_sequence('cases_case', 'id'))")
        assert nextval > highest
    finally:
        harness.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
