"""The outbox: messages written in the caller's transaction, joined by a dedupe key
held in the database, published by registered task name."""

import pytest
from django.db import transaction

from outbox.models import OutboxMessage
from outbox.relay import enqueue, relay


@pytest.mark.django_db
def test_a_dedupe_key_joins_a_second_enqueue_to_the_pending_message(monkeypatch):
    monkeypatch.setattr("outbox.relay._in_process", lambda: False)
    with transaction.atomic():
        enqueue("lexloci.ping", "a", dedupe="ping:a")
        enqueue("lexloci.ping", "a", dedupe="ping:a")
        enqueue("lexloci.ping", "b", dedupe="ping:b")
        pending = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("dedupe_key", flat=True))
        assert sorted(pending) == ["ping:a", "ping:b"]  # in the database, before any commit hook ran


@pytest.mark.django_db
def test_once_sent_the_same_key_is_enqueued_again(monkeypatch):
    published = []
    monkeypatch.setattr("outbox.relay._in_process", lambda: False)  # publish only when we relay
    from celery import current_app

    monkeypatch.setattr(
        current_app.tasks["lexloci.ping"], "apply_async", lambda **kw: published.append(kw["args"]), raising=False
    )
    with transaction.atomic():
        enqueue("lexloci.ping", "a", dedupe="ping:a")
    assert relay() == 1 and published == [["a"]]
    with transaction.atomic():
        enqueue("lexloci.ping", "a", dedupe="ping:a")  # the first is sent: this is new work
    assert OutboxMessage.objects.filter(dedupe_key="ping:a").count() == 2
    assert relay() == 1 and published == [["a"], ["a"]]


@pytest.mark.django_db
def test_without_a_key_every_enqueue_is_a_message(monkeypatch):
    monkeypatch.setattr("outbox.relay._in_process", lambda: False)
    with transaction.atomic():
        enqueue("lexloci.ping", "a")
        enqueue("lexloci.ping", "a")
    assert OutboxMessage.objects.filter(dedupe_key__isnull=True, sent_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_task_nobody_registered_is_kept_and_retried_later(monkeypatch):
    monkeypatch.setattr("outbox.relay._in_process", lambda: False)
    with transaction.atomic():
        enqueue("nobody.registered.this")
    assert relay() == 0
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.attempts == 1 and "NotRegistered" in row.last_error
    assert row.available_at > row.created_at  # backed off


@pytest.mark.django_db
def test_in_process_work_enqueued_while_its_message_runs_is_not_joined_to_it(monkeypatch):
    """Without a broker the relay runs a message outside its claiming transaction: the
    same key enqueued meanwhile is new work (the running task may not see the change)."""
    from celery import current_app

    runs = []

    def apply_async(**kwargs):
        runs.append(kwargs["args"])
        if len(runs) == 1:
            enqueue("lexloci.ping", "a", dedupe="ping:a")  # a change arrives while it runs

    monkeypatch.setattr(current_app.tasks["lexloci.ping"], "apply_async", apply_async, raising=False)
    with transaction.atomic():
        enqueue("lexloci.ping", "a", dedupe="ping:a")
    assert relay() == 2 and runs == [["a"], ["a"]]
    assert list(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == ["ping:a", "ping:a"]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_in_process_a_failed_message_is_put_back_with_its_key(monkeypatch):
    from celery import current_app

    def apply_async(**kwargs):
        raise RuntimeError("the task failed")

    monkeypatch.setattr(current_app.tasks["lexloci.ping"], "apply_async", apply_async, raising=False)
    with transaction.atomic():
        enqueue("lexloci.ping", "a", dedupe="ping:a")
    assert relay() == 0
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.dedupe_key == "ping:a" and row.attempts == 1
    assert "RuntimeError" in row.last_error and row.available_at > row.created_at
