"""Reminders in every mode: `manage.py run_scheduler` runs beat's schedule in-process,
each job once per due time, however many schedulers run."""

import datetime as dt
import io
import os
import signal
import threading

import pytest
import time_machine
from celery import shared_task
from celery.schedules import crontab
from django.core import mail
from django.core.management import call_command

from cases.models import Deadline, Notification
from outbox.models import ScheduledRun
from outbox.scheduler import Job, Scheduler, jobs_from_settings
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 7, 33, tzinfo=dt.UTC)  # a Monday
RUNS: list[str] = []


@shared_task(name="cases.tests.test_scheduler.count_run")
def count_run(label: str = "run") -> int:
    RUNS.append(label)
    return len(RUNS)


@shared_task(name="cases.tests.test_scheduler.fail")
def fail() -> None:
    raise RuntimeError("this job is broken")


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()
    yield
    RUNS.clear()


def _once() -> str:
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    return out.getvalue()


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


# --- The schedule in settings, read with Celery's schedule objects ----------------------------


@pytest.mark.parametrize(
    "now, expected",
    [
        (
            NOW,
            {"nightly": "03-02 02:00", "reminders": "03-02 12:00", "notices": "03-02 12:05", "relay": "03-02 12:07:30"},
        ),
        (
            dt.datetime(2026, 3, 2, 1, 59, 59, tzinfo=dt.UTC),
            {"nightly": "03-01 02:00", "reminders": "03-02 01:45", "notices": "03-02 01:05", "relay": "03-02 01:59:30"},
        ),
        (
            dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),  # exactly on the hour: due now
            {"nightly": "03-02 02:00", "reminders": "03-02 02:00", "notices": "03-02 01:05", "relay": "03-02 02:00:00"},
        ),
    ],
)
def test_each_job_is_due_at_the_latest_time_its_schedule_names(now, expected):
    names = {
        "reanalyse-open-cases-nightly": "nightly",
        "send-deadline-reminders": "reminders",
        "open-customer-notice-tasks": "notices",
        "relay-outbox": "relay",
    }
    jobs = {names[job.name]: job for job in jobs_from_settings()}
    assert set(jobs) == set(names.values())  # the one schedule, in settings

    latest = {name: job.latest_due(now) for name, job in jobs.items()}
    assert {n: f"{m:%m-%d %H:%M}" + (f":{m:%S}" if n == "relay" else "") for n, m in latest.items()} == expected
    for job in jobs.values():
        assert job.latest_due(now) <= now < job.next_due(now)
        assert job.latest_due(job.next_due(now)) == job.next_due(now)


def test_weekly_monthly_and_yearly_crontabs_are_found_too():
    weekly = Job("weekly", "x", crontab(minute=0, hour=3, day_of_week=1))
    monthly = Job("monthly", "x", crontab(minute=0, hour=3, day_of_month=15))
    yearly = Job("yearly", "x", crontab(minute=0, hour=3, day_of_month=15, month_of_year=6))
    assert (weekly.latest_due(NOW), weekly.next_due(NOW)) == (
        dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 9, 3, tzinfo=dt.UTC),
    )
    assert monthly.latest_due(NOW) == dt.datetime(2026, 2, 15, 3, tzinfo=dt.UTC)
    assert yearly.latest_due(NOW) == dt.datetime(2025, 6, 15, 3, tzinfo=dt.UTC)


# --- run_scheduler --once --------------------------------------------------------------------


def test_once_runs_every_job_that_is_due_then_nothing_until_the_next_due_time(caplog):
    caplog.set_level("INFO", logger="outbox.scheduler")
    with at(NOW):
        out = _once()
    # The most recently due first: the reminders do not wait for the nightly job.
    assert out.strip() == (
        "ran 4 job(s): relay-outbox, open-customer-notice-tasks, send-deadline-reminders, reanalyse-open-cases-nightly"
    )
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    assert runs["send-deadline-reminders"].due_at == dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    assert all(run.finished_at and not run.error for run in runs.values())
    assert runs["send-deadline-reminders"].result == "0"
    assert "ran send-deadline-reminders (cases.tasks.send_deadline_reminders, due 2026-03-02 12:00:00 UTC)" in (
        caplog.text
    )
    with at(NOW + dt.timedelta(seconds=10)):
        assert _once().strip() == "ran 0 job(s): none due"
    with at(dt.datetime(2026, 3, 2, 12, 15, 1, tzinfo=dt.UTC)):
        assert _once().strip() == "ran 2 job(s): send-deadline-reminders, relay-outbox"
    assert ScheduledRun.objects.filter(job="send-deadline-reminders").count() == 2


def test_a_deadline_due_within_the_hour_gets_exactly_one_reminder(counsel_user):
    """What `make run` shows a new user: the first run reminds, later runs do not repeat it."""
    case = CaseFactory(counsel=counsel_user)
    Deadline.objects.create(
        case=case,
        kind="custom",
        label="File the witness statement",
        source="manual",
        due_at=NOW + dt.timedelta(minutes=40),
    )
    with at(NOW):
        _once()
        _once()
    notice = Notification.objects.get()
    assert (notice.kind, notice.user, notice.emailed_at) == ("due_in_24h", counsel_user, NOW)
    assert [m.subject for m in mail.outbox] == [
        "[Lexloci] File the witness statement due within 24 hours (2026-03-02 12:47 UTC): " + case.demand.reference
    ]
    # Later due times run the job again; the reminder is not repeated.
    with at(NOW + dt.timedelta(minutes=15)):
        _once()
    with at(NOW + dt.timedelta(minutes=30)):
        _once()
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    assert ScheduledRun.objects.filter(job="send-deadline-reminders").count() == 3
    # Once it is overdue: one more, of that kind.
    with at(NOW + dt.timedelta(minutes=45)):
        _once()
        _once()
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["due_in_24h", "overdue"]


# --- Exactly once per due time, however many schedulers -----------------------------------------


@pytest.fixture
def counted(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "count-every-minute": {"task": "cases.tests.test_scheduler.count_run", "schedule": 60.0, "args": ["a"]},
        "count-quarter-hourly": {
            "task": "cases.tests.test_scheduler.count_run",
            "schedule": crontab(minute="*/15"),
            "kwargs": {"label": "b"},
        },
    }


def test_two_schedulers_do_not_run_a_job_twice_for_one_due_time(counted):
    first, second = Scheduler(jobs_from_settings()), Scheduler(jobs_from_settings())
    with at(NOW):
        assert [run.job for run in first.run_due()] == ["count-every-minute", "count-quarter-hourly"]
        assert second.run_due() == []  # same due times: claimed by the first
        assert first.run_due() == [] and second.run_due() == []
    assert sorted(RUNS) == ["a", "b"]
    with at(NOW + dt.timedelta(seconds=30)):  # the minute job's next due time
        assert [run.job for run in second.run_due()] == ["count-every-minute"]
        assert first.run_due() == []
    assert sorted(RUNS) == ["a", "a", "b"]
    assert list(ScheduledRun.objects.order_by("due_at").values_list("job", "due_at")) == [
        ("count-quarter-hourly", dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)),
        ("count-every-minute", dt.datetime(2026, 3, 2, 12, 7, tzinfo=dt.UTC)),
        ("count-every-minute", dt.datetime(2026, 3, 2, 12, 8, tzinfo=dt.UTC)),
    ]


def test_a_scheduler_that_starts_after_another_skips_what_it_ran(counted):
    with at(NOW):
        Scheduler(jobs_from_settings()).run_due()
        assert _once().strip() == "ran 0 job(s): none due"
    assert len(RUNS) == 2


def test_a_failing_job_is_logged_and_recorded_and_the_others_still_run(settings, caplog):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "cases.tests.test_scheduler.fail", "schedule": 60.0},
        "fine": {"task": "cases.tests.test_scheduler.count_run", "schedule": 60.0},
        "unknown": {"task": "no.such.task", "schedule": 60.0},
    }
    with at(NOW):
        assert "ran 3 job(s)" in _once()
    errors = dict(ScheduledRun.objects.values_list("job", "error"))
    assert errors["broken"] == "RuntimeError: this job is broken" and errors["fine"] == ""
    assert errors["unknown"].startswith("NotRegistered")
    assert RUNS == ["run"] and "broken (cases.tests.test_scheduler.fail, due 2026-03-02 12:07:00) failed" in caplog.text


def test_old_runs_are_pruned_and_the_latest_kept(counted):
    scheduler = Scheduler(jobs_from_settings())
    for minutes in range(0, 26 * 60, 60):
        with at(NOW + dt.timedelta(minutes=minutes)):
            scheduler.run_due()
    oldest = ScheduledRun.objects.order_by("due_at").first()
    assert oldest.due_at >= NOW + dt.timedelta(hours=25) - dt.timedelta(days=1, minutes=1)
    assert ScheduledRun.objects.filter(job="count-quarter-hourly").count() <= 25


def test_it_sleeps_until_the_next_due_time(counted):
    scheduler = Scheduler(jobs_from_settings(), clock=lambda: NOW)
    assert scheduler.sleep_seconds() == pytest.approx(27.0)  # 12:08:00, the minute job


# --- Stopping cleanly ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_it_runs_until_told_to_stop_and_stops_cleanly(counted, signum, caplog):
    caplog.set_level("INFO", logger="outbox.scheduler")
    before = signal.getsignal(signum)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signum))
    timer.start()
    try:
        call_command("run_scheduler", stdout=io.StringIO())  # returns once the signal arrives
    finally:
        timer.cancel()
    assert sorted(RUNS) == ["a", "b"]  # the first pass ran every job due
    assert f"{signal.Signals(signum).name} received, stopping" in caplog.text and "scheduler: stopped" in caplog.text
    assert signal.getsignal(signum) == before  # pytest's own handler is back
