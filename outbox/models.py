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
