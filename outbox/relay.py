"""The transactional outbox between the database and Celery's broker.

`enqueue` writes an OutboxMessage in the caller's transaction; nothing talks to the
broker during a request. `relay` publishes due messages and marks them sent; it runs
in its own process (`manage.py relay_outbox`), as a beat job, and, when tasks run
in-process (no REDIS_URL), right after the transaction commits.

In-process, "publishing" is running the task, here. A task declared
`@shared_task(..., outside_requests=True)` (a webhook POST: a receiver may hang for
its whole timeout) is then never run by the relay that follows a web request's
commit: it waits for a relay outside requests, the scheduler's `relay-outbox` job
(`manage.py run_scheduler`, started by `make run`) or `manage.py relay_outbox`.
"""

import datetime as dt
import logging

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=10)
# In-process, a message being run is held this long: another relay runs it again
# only if the one running it died (at least once, as acks_late is with a broker).
LEASE = dt.timedelta(minutes=5)


def _in_process() -> bool:
    return bool(current_app.conf.task_always_eager)


def outside_requests() -> list[str]:
    """The registered tasks declared `outside_requests=True`: never run in a web request."""
    return sorted(name for name, task in current_app.tasks.items() if getattr(task, "outside_requests", False))


def _relay_after_request() -> None:
    relay(in_request=True)


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
    if _in_process() and task not in outside_requests():
        # No broker and no relay process: publish (run) right after the commit. A second
        # enqueue in the transaction adds a second call, which finds nothing left to do.
        # Tasks kept outside requests wait for the scheduler's relay job instead.
        transaction.on_commit(_relay_after_request)


def _backoff(attempts: int) -> dt.timedelta:
    return min(MAX_BACKOFF, dt.timedelta(seconds=2**attempts))


def relay(*, limit: int = 100, in_request: bool = False) -> int:
    """Publish due messages, oldest first; returns how many were published.

    Rows are claimed with SKIP LOCKED, so several relays never publish the same row
    at once. A failed publish (broker down or hanging: the client's timeouts end it)
    is retried later with exponential backoff; the row is kept, never lost.

    `in_request`: this relay follows a web request's commit; in-process it leaves the
    `outside_requests` tasks for a relay outside requests (see the module docstring).
    """
    if _in_process():
        return _run_here(skip=outside_requests() if in_request else [])
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
                    row.available_at = now + _backoff(row.attempts)
                    row.save(update_fields=["attempts", "last_error", "available_at"])
                    log.warning("outbox: %s (row %s) not published: %s", row.task, row.pk, type(exc).__name__)
                    return published  # the broker is down: stop this round, keep order
                row.sent_at = timezone.now()
                row.attempts += 1
                row.save(update_fields=["sent_at", "attempts"])
                published += 1


def _run_here(*, skip: list[str]) -> int:
    """No broker: run each due message in this process, one at a time, outside any
    transaction; returns how many ran.

    A message is leased first, in a short transaction of its own: its time pushed
    LEASE ahead (a relay killed mid-task leaves it to run again then) and its dedupe
    key set aside (a change enqueued while it runs is new work, not joined to work
    under way). Then it runs, and is marked sent with its key back; a failure puts it
    back with backoff. So a slow task holds no lock while it runs: under SQLite's
    single writer every web request would otherwise wait behind a hanging webhook
    receiver.
    """
    published = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            row = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, available_at__lte=now)
                .exclude(task__in=skip)
                .order_by("available_at", "id")
                .first()
            )
            if row is None:
                return published
            key = row.dedupe_key
            row.attempts += 1
            row.available_at, row.dedupe_key = now + LEASE, None
            row.save(update_fields=["attempts", "available_at", "dedupe_key"])
        try:
            current_app.tasks[row.task].apply_async(args=row.args, kwargs=row.kwargs, retry=False)
        except Exception as exc:  # noqa: BLE001 - any failure is retried later
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.available_at = timezone.now() + _backoff(row.attempts)
            row.save(update_fields=["last_error", "available_at"])
            log.warning("outbox: %s (row %s) failed: %s", row.task, row.pk, type(exc).__name__)
            _restore_key(row, key)
            continue
        row.sent_at, row.dedupe_key = timezone.now(), key  # a sent row's key joins nothing
        row.save(update_fields=["sent_at", "dedupe_key"])
        published += 1


def _restore_key(row: OutboxMessage, key: str | None) -> None:
    """Give a message put back its dedupe key, unless newer work now holds the key
    (then both run: the tasks are idempotent)."""
    if key is None:
        return
    try:
        with transaction.atomic():
            OutboxMessage.objects.filter(pk=row.pk).update(dedupe_key=key)
    except IntegrityError:
        pass
