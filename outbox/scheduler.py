"""Beat's schedule, run in this process: `manage.py run_scheduler`.

With Redis, Celery beat reads `CELERY_BEAT_SCHEDULE` and sends each job to a worker.
Without it (the embedded default, `make run`) nothing else would ever run the
reminders and expiries, so this scheduler reads the same schedule through Celery's
own schedule objects (crontab, intervals: `remaining_estimate`) and runs each job
here when it is due. One schedule, in settings, drives both modes.

A job is due at the latest time its schedule names at or before now, and runs once
for that time: before it runs, a `ScheduledRun` row (job, due time) is inserted, and
the unique constraint turns another scheduler's insert for the same time into a skip.
So two schedulers (two `make run`s on one database, a restart mid-minute) never run
a job twice for one due time. A job missed while no scheduler ran runs once when one
starts, for its latest due time only (as beat does after a restart with its schedule
file); at the very first start every job runs at once, so a deadline already due
within the hour is reminded of straight away, not at the next quarter hour.

At most once per due time: a scheduler killed mid-job leaves that time claimed, and
the job's next due time runs it again. The jobs are idempotent and catch up (the
reminders are unique per deadline, kind and person).
"""

import copy
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from celery import current_app
from celery.schedules import BaseSchedule, maybe_schedule
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.models import ScheduledRun

log = logging.getLogger(__name__)

# Interval jobs are due at whole multiples of their interval from this instant, so
# that every scheduler computes the same due times (a relay every 30 s: :00 and :30).
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# How far back to look for a crontab's latest due time, shortest first: an hourly
# or quarter-hourly job is found within the hour, a nightly one within the day...
LOOKBACKS = tuple(dt.timedelta(days=days) for days in (1 / 24, 1, 8, 32, 367))
# A job's runs are kept this long (beyond its latest), for the admin and the tests.
KEEP_RUNS = dt.timedelta(days=1)
# The longest sleep between passes: a clock change or a new schedule is noticed soon.
MAX_SLEEP = 30.0


@dataclass(frozen=True)
class Job:
    """One entry of `CELERY_BEAT_SCHEDULE`, with its schedule as Celery's object."""

    name: str
    task: str
    schedule: BaseSchedule
    args: tuple = ()
    kwargs: Mapping = field(default_factory=dict)

    def _at(self, now: dt.datetime) -> BaseSchedule:
        """The schedule with its clock stopped at `now`, so that every question asked
        of it in one pass has one answer."""
        fixed = copy.copy(self.schedule)
        fixed.nowfun = lambda: now
        return fixed

    def _next_after(self, schedule: BaseSchedule, moment: dt.datetime, now: dt.datetime) -> dt.datetime:
        # Celery's remaining_estimate(last_run_at) is (the first due time after it) - now.
        return now + schedule.remaining_estimate(moment)

    def latest_due(self, now: dt.datetime) -> dt.datetime | None:
        """The latest time at or before `now` at which the job is due; None when the
        schedule names none within the last year."""
        if isinstance(self.schedule, interval_schedule):
            every = self.schedule.run_every
            if every <= dt.timedelta(0):
                return now
            return EPOCH + ((now - EPOCH) // every) * every
        schedule = self._at(now)
        for lookback in LOOKBACKS:
            due = self._next_after(schedule, now - lookback, now)
            if due <= now:
                break
        else:
            return None
        while (following := self._next_after(schedule, due, now)) <= now and following > due:
            due = following
        return due

    def next_due(self, now: dt.datetime) -> dt.datetime:
        """The first time after `now` at which the job is due."""
        if isinstance(self.schedule, interval_schedule) and self.schedule.run_every > dt.timedelta(0):
            return (self.latest_due(now) or now) + self.schedule.run_every
        return max(self._next_after(self._at(now), now, now), now)


def jobs_from_settings(entries: Mapping[str, Mapping] | None = None) -> list[Job]:
    """The jobs of `CELERY_BEAT_SCHEDULE` (or of `entries`), as beat reads them: a
    schedule is a crontab, a number of seconds or a timedelta."""
    entries = settings.CELERY_BEAT_SCHEDULE if entries is None else entries
    return [
        Job(
            name=name,
            task=entry["task"],
            schedule=maybe_schedule(entry["schedule"], app=current_app),
            args=tuple(entry.get("args", ())),
            kwargs=dict(entry.get("kwargs", {})),
        )
        for name, entry in entries.items()
    ]


def _claim(job: Job, due_at: dt.datetime, now: dt.datetime) -> ScheduledRun | None:
    """Insert this due time's row; None when another scheduler (or an earlier pass)
    has it already. Prunes the job's old rows, never the latest."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, task=job.task, due_at=due_at, started_at=now)
    except IntegrityError:
        return None
    ScheduledRun.objects.filter(job=job.name, due_at__lt=min(due_at, now - KEEP_RUNS)).delete()
    return run


def _run(job: Job, run: ScheduledRun) -> None:
    """Run the job's task here and now, and record how it ended."""
    started = time.monotonic()
    result, error = "", ""
    try:
        task = current_app.tasks[job.task]
        outcome = task.apply(args=job.args, kwargs=dict(job.kwargs), throw=True)
        result = repr(outcome.result)[:200]
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("scheduler: %s (%s, due %s) failed", job.name, job.task, f"{run.due_at:%Y-%m-%d %H:%M:%S}")
    else:
        log.info(
            "scheduler: ran %s (%s, due %s) in %.2f s: %s",
            job.name,
            job.task,
            f"{run.due_at:%Y-%m-%d %H:%M:%S} UTC",
            time.monotonic() - started,
            result,
        )
    run.finished_at = timezone.now()
    run.result, run.error = result, error
    run.save(update_fields=["finished_at", "result", "error"])


class Scheduler:
    """Runs the jobs when due; `run_due` is one pass, `sleep_seconds` the wait to the next."""

    def __init__(self, jobs: Iterable[Job], *, clock: Callable[[], dt.datetime] = timezone.now):
        self.jobs = list(jobs)
        self.clock = clock
        # The due time each job last claimed or found claimed: not asked again.
        self.seen: dict[str, dt.datetime] = {}

    def run_due(self) -> list[ScheduledRun]:
        """Run every job that is due now and not yet run for that due time; returns
        the runs this pass made (none when another scheduler had claimed them)."""
        now = self.clock()
        due_now = [(job, due) for job in self.jobs if (due := job.latest_due(now)) and self.seen.get(job.name) != due]
        # The most recently due first: at a start after a while stopped, the reminders
        # (every 15 minutes) do not wait for last night's re-analysis of every case.
        due_now.sort(key=lambda pair: pair[1], reverse=True)
        ran = []
        for job, due in due_now:
            run = _claim(job, due, self.clock())
            self.seen[job.name] = due  # claimed, here or elsewhere (a database error retries)
            if run is None:
                log.debug("scheduler: %s due %s already run elsewhere", job.name, due)
                continue
            _run(job, run)
            ran.append(run)
        return ran

    def sleep_seconds(self) -> float:
        """Until the next job is due (at most MAX_SLEEP, at least a moment)."""
        now = self.clock()
        if not self.jobs:
            return MAX_SLEEP
        soonest = min(job.next_due(now) for job in self.jobs)
        return min(MAX_SLEEP, max(0.2, (soonest - now).total_seconds()))
