"""Run the jobs of beat's schedule (`CELERY_BEAT_SCHEDULE`: reminders, expiries, the
nightly re-analysis, the outbox backstop) in this process, each when it is due and
once per due time however many schedulers run: `make run` starts it beside the
server when there is no Redis. Runs until SIGTERM or Ctrl-C (the job under way is
finished first); --once runs what is due now and exits. See outbox/scheduler.py."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections

from outbox.scheduler import Scheduler, jobs_from_settings

log = logging.getLogger("outbox.scheduler")


class Command(BaseCommand):
    help = "Run the scheduled jobs of CELERY_BEAT_SCHEDULE in-process (beat without Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job that is due now, then exit.")

    def handle(self, *args, once: bool, **options):
        # The tasks are registered by their apps' ready(), as in the web process (the
        # relay); Celery's own autodiscovery would set Django up, and its logging, again.
        # Each run is logged once, by the scheduler, with its due time and result.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        scheduler = Scheduler(jobs_from_settings())
        if once:
            runs = self._pass(scheduler)
            self.stdout.write(f"ran {len(runs)} job(s): {', '.join(run.job for run in runs) or 'none due'}")
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            log.info("scheduler: %s received, stopping", signal.Signals(signum).name)
            stop.set()

        previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            log.info(
                "scheduler: running %d job(s) in-process: %s",
                len(scheduler.jobs),
                ", ".join(job.name for job in scheduler.jobs),
            )
            while not stop.is_set():
                self._pass(scheduler)
                if stop.wait(scheduler.sleep_seconds()):
                    break
                close_old_connections()  # long-lived: drop a connection the database has closed
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        log.info("scheduler: stopped")

    def _pass(self, scheduler: Scheduler) -> list:
        try:
            return scheduler.run_due()
        except OperationalError as exc:  # the database is busy or restarting: the next pass retries
            log.warning("scheduler: database unavailable (%s); retrying", type(exc).__name__)
            return []
