"""The transactional outbox's table (see outbox/relay.py)."""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """Work for Celery, written in the same transaction as the change that needs it.

    Requests never talk to the broker: `relay_outbox` (a separate process, also run
    by beat) publishes pending rows and marks them sent, so a logged demand is saved
    and answered even while Redis is down; its work runs once Redis is back. Tasks
    are idempotent, so a row published twice (a relay that died after publishing,
    before marking) does no harm."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(help_text="Not published before this time (retry backoff).")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    dedupe_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        help_text="At most one pending message per key: a second enqueue with the key joins the first.",
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The relay's query: pending rows that are due, oldest first.
            models.Index(fields=["available_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_pending"),
        ]
        constraints = [
            # enqueue(dedupe=...): one pending message per key (one analysis per case).
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(sent_at__isnull=True), name="outbox_pending_dedupe_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({'sent' if self.sent_at else 'pending'})"


class ScheduledRun(models.Model):
    """One run of a job of beat's schedule (`CELERY_BEAT_SCHEDULE`) by the in-process
    scheduler (`manage.py run_scheduler`, outbox/scheduler.py), for one due time.

    The row is inserted before the job runs: the unique (job, due_at) makes a second
    scheduler, or a second pass of the same one, skip a due time already claimed, so
    each job runs once per due time however many schedulers run. Old rows are pruned."""

    job = models.CharField(max_length=200, help_text="The entry's name in CELERY_BEAT_SCHEDULE.")
    task = models.CharField(max_length=200)
    due_at = models.DateTimeField(help_text="The scheduled time this run is for.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_at", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="scheduled_run_once_per_due_time"),
        ]

    def __str__(self) -> str:
        return f"{self.job} due {self.due_at:%Y-%m-%d %H:%M:%S}"
