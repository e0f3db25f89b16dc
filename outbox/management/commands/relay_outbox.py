"""Publish the outbox to Celery's broker: `python manage.py relay_outbox` runs until
stopped (SIGTERM or Ctrl-C), polling every --interval seconds; --once drains and exits."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections

from outbox.relay import relay


class Command(BaseCommand):
    help = "Relay pending outbox messages to the Celery broker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain what is due and exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls (default 1).")

    def handle(self, *args, once: bool, interval: float, **options):
        stop = False

        def request_stop(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        while True:
            try:
                close_old_connections()
                published = relay()
            except OperationalError as exc:  # the database is restarting: try again shortly
                self.stderr.write(f"relay: database unavailable ({type(exc).__name__}); retrying")
                published = 0
            if published:
                self.stdout.write(f"relayed {published} message(s)")
            if once or stop:
                return
            time.sleep(interval)
