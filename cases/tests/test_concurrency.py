"""Two people (or two job runs) at once, on PostgreSQL with real separate connections:
no update is lost and nothing is done twice.

Each thread gets its own database connection (Django's connections are per thread),
so these are genuinely concurrent transactions against the same rows.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connections, transaction

from cases import actions
from cases.models import Case, CaseEvent, CaseTask, Deadline, Notification
from cases.tasks import open_customer_notice_tasks, send_deadline_reminders
from tests.factories import CaseFactory, NdoFactory

pytestmark = pytest.mark.postgres

ON = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


@pytest.fixture
def people(postgres, transactional_db):
    User = get_user_model()
    return User.objects.create(username="first.writer"), User.objects.create(username="second.writer")


def _in_thread(fn, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = fn()
        except Exception as exc:  # reported to the test, which asserts on it
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_second_writer_gets_a_conflict_and_changes_nothing(people):
    first, second = people
    case = CaseFactory()
    assert case.version == 1
    first_holds_lock, first_may_commit = threading.Event(), threading.Event()
    results: dict = {}

    def first_writer():
        with transaction.atomic():
            event = actions.change_status(
                case=Case.objects.get(pk=case.pk), to="analysis", occurred_on=ON, by=first, expected_version=1
            )
            first_holds_lock.set()
            assert first_may_commit.wait(10)
        return event

    def second_writer():
        # Read the same version 1 the first writer started from, as a second browser tab would.
        return actions.change_status(
            case=Case.objects.get(pk=case.pk), to="closed", occurred_on=ON, by=second, expected_version=1,
            outcome="withdrawn",
        )  # fmt: skip

    a = _in_thread(first_writer, results, "first")
    assert first_holds_lock.wait(10)
    b = _in_thread(second_writer, results, "second")
    b.join(0.5)
    assert b.is_alive(), "the second writer waits for the first one's row lock"
    first_may_commit.set()
    a.join(10)
    b.join(10)

    assert isinstance(results["first"], CaseEvent), results["first"]
    assert isinstance(results["second"], actions.StaleCase), results["second"]
    assert (results["second"].expected, results["second"].current) == (1, 2)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.version) == ("analysis", "", 2)
    assert list(case.events.values_list("to_state", "by")) == [("analysis", first.pk)]


def test_writers_without_a_version_are_serialised_and_both_kept(people):
    first, second = people
    case = CaseFactory()
    start = threading.Barrier(2)
    results: dict = {}

    def writer(user, kind):
        def run():
            start.wait(10)
            return actions.record_event(case=case, kind=kind, occurred_on=ON, by=user, expected_version=None)

        return run

    threads = [
        _in_thread(writer(first, "motion_filed"), results, "first"),
        _in_thread(writer(second, "hearing_held"), results, "second"),
    ]
    for thread in threads:
        thread.join(10)
    assert all(isinstance(r, CaseEvent) for r in results.values()), results
    case.refresh_from_db()
    assert case.version == 3
    assert sorted(case.events.values_list("kind", flat=True)) == ["hearing_held", "motion_filed"]


def test_concurrent_reminder_runs_remind_once(people):
    first, _ = people
    first.email = "first@example.com"
    first.save()
    case = CaseFactory(counsel=first)
    for hours in (60, 10, -5):
        Deadline.objects.create(
            case=case, kind="custom", label=f"{hours}h", due_at=NOW + dt.timedelta(hours=hours), source="manual"
        )
    start = threading.Barrier(3)
    results: dict = {}

    def run():
        start.wait(10)
        return send_deadline_reminders()

    with time_machine.travel(NOW, tick=False):
        threads = [_in_thread(run, results, f"run{i}") for i in range(3)]
        for thread in threads:
            thread.join(30)
    assert all(isinstance(r, int) for r in results.values()), results
    assert sum(results.values()) == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_concurrent_expiry_runs_open_one_task(people):
    case = CaseFactory()
    NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 3, 1))
    start = threading.Barrier(3)
    results: dict = {}

    def run():
        start.wait(10)
        return open_customer_notice_tasks()

    with time_machine.travel(NOW, tick=False):
        threads = [_in_thread(run, results, f"run{i}") for i in range(3)]
        for thread in threads:
            thread.join(30)
    assert all(isinstance(r, int) for r in results.values()), results
    assert sum(results.values()) == 1
    assert CaseTask.objects.count() == 1
    assert case.events.filter(kind="ndo_expired").count() == 1
