"""The transactional outbox between the database and Celery's broker.

`enqueue` writes an OutboxMessage in the caller's transaction; nothing talks to the
broker during a request. `relay` publishes due messages and marks them sent; it runs
in its own process (`manage.py relay_outbox`), as a beat job, and, when tasks run
in-process (no REDIS_URL), right after the transaction commits.
"""

import datetime as dt
import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from outbox.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=10)


def _in_process() -> bool:
    return bool(current_app.conf.task_always_eager)


def enqueue(task: str, *args, dedupe: str | None = None, **kwargs) -> None:
    """Record `task(*args, **kwargs)` for after commit, by the task's registered name.

    `dedupe` names the work (e.g. "analyse:42"): while a message with that key is
    pending, a second enqueue joins it instead of adding another. The pending row is
    locked until the caller's transaction commits, so the relay (which skips locked
    rows) cannot publish it before the change it was enqueued for is visible.
    """
    now = timezone.now()
    if dedupe is None or not transaction.get_connection().in_atomic_block:
        OutboxMessage.objects.create(task=task, args=list(args), kwargs=kwargs, available_at=now)
    else:
        for _ in range(5):
            # INSERT ... ON CONFLICT DO NOTHING against the partial unique index on pending keys.
            OutboxMessage.objects.bulk_create(
                [OutboxMessage(task=task, args=list(args), kwargs=kwargs, available_at=now, dedupe_key=dedupe)],
                ignore_conflicts=True,
            )
            if OutboxMessage.objects.select_for_update().filter(dedupe_key=dedupe, sent_at__isnull=True).exists():
                break
            # The pending row was published between the insert and the lock: add ours again.
    if _in_process():
        # No broker and no relay process: publish (run) right after the commit. A second
        # enqueue in the transaction adds a second call, which finds nothing left to do.
        transaction.on_commit(relay)


def relay(*, limit: int = 100) -> int:
    """Publish due messages, oldest first; returns how many were published.

    Rows are claimed with SKIP LOCKED, so several relays never publish the same row
    at once. A failed publish (broker down or hanging: the client's timeouts end it)
    is retried later with exponential backoff; the row is kept, never lost.
    """
    published = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, available_at__lte=now)
                .order_by("available_at", "id")[:limit]
            )
            if not rows:
                return published
            for row in rows:
                try:
                    task = current_app.tasks[row.task]
                    # No publish retries here: the relay's own backoff retries, and a
                    # hanging broker must not hold the claimed rows for long.
                    task.apply_async(args=row.args, kwargs=row.kwargs, retry=False)
                except Exception as exc:  # noqa: BLE001 - any failure is retried later
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    row.available_at = now + min(MAX_BACKOFF, dt.timedelta(seconds=2**row.attempts))
                    row.save(update_fields=["attempts", "last_error", "available_at"])
                    log.warning("outbox: %s (row %s) not published: %s", row.task, row.pk, type(exc).__name__)
                    if not _in_process():
                        return published  # the broker is down: stop this round, keep order
                    continue
                row.sent_at = timezone.now()
                row.attempts += 1
                row.save(update_fields=["sent_at", "attempts"])
                published += 1
