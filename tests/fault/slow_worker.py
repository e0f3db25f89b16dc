"""A Celery worker whose analyses take a while, so a fault test can kill it mid-task.

`python -m tests.fault.slow_worker worker --pool prefork ...` runs the project's worker
with one test-only change: `cases.analysis._sync_computed_deadlines` (called inside
the analysis transaction, after the Analysis row is written) first leaves a mark
file and sleeps LEXLOCI_FAULT_DELAY seconds. Production code has no such hook.
LEXLOCI_FAULT_VISIBILITY (seconds), when set, shortens the broker's visibility
timeout so a message held by a worker that vanished is redelivered in the test's
time frame (production keeps an hour).
"""

import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from cases import analysis  # noqa: E402
from config.celery import app  # noqa: E402

MARKS = Path(os.environ["LEXLOCI_FAULT_MARKS"])
DELAY = float(os.environ.get("LEXLOCI_FAULT_DELAY", "3"))
_sync = analysis._sync_computed_deadlines


def _slow_sync(case, stored, result):
    (MARKS / f"started-{os.getpid()}-{case.pk}-{time.monotonic_ns()}").touch()
    time.sleep(DELAY)
    return _sync(case, stored, result)


analysis._sync_computed_deadlines = _slow_sync

if visibility := os.environ.get("LEXLOCI_FAULT_VISIBILITY"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(visibility),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
