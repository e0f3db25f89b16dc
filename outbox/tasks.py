"""Beat's backstop for the relay process."""

from celery import shared_task

from outbox.relay import relay


@shared_task(name="outbox.relay")
def relay_outbox() -> int:
    """Publish whatever the outbox holds (the relay process normally has already)."""
    return relay()
