"""Without Redis (tasks in-process) a webhook is never delivered inside the web request
that made the change: the change records the delivery as pending in the outbox, and
the scheduler's relay job (or `manage.py relay_outbox`) delivers it. A receiver that
hangs costs the scheduler its timeout, not every user's case change."""

import json
import time

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from cases import webhooks
from cases.models import WebhookDelivery, WebhookEndpoint
from cases.tests.test_webhooks import Receiver
from outbox.models import OutboxMessage
from outbox.relay import relay
from outbox.scheduler import Scheduler, jobs_from_settings
from tests.factories import CaseFactory, EventFactory

FAST = 2.0  # seconds: a hanging receiver would hold the request for webhooks.TIMEOUT (5 s)


@pytest.fixture
def hanging_receiver(settings):
    settings.DEBUG = True  # the receiver is plain http on loopback
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    r = Receiver()
    r.delay = 8.0  # longer than the delivery's timeout
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def record_event(case, user, capture) -> tuple[int, float]:
    client = APIClient()
    client.force_authenticate(user)
    started = time.monotonic()
    with capture(execute=True):  # the request's commit, and what runs after it
        response = client.post(
            f"/api/v1/cases/{case.pk}/record-event/",
            data=json.dumps({"kind": "motion_filed", "occurred_on": "2026-01-05", "expected_version": case.version}),
            content_type="application/json",
        )
    return response.status_code, time.monotonic() - started


def test_the_webhook_task_is_kept_out_of_requests():
    from outbox.relay import outside_requests

    assert current_app.conf.task_always_eager  # the embedded default: no Redis
    assert webhooks.TASK in outside_requests()


def test_a_case_change_returns_fast_and_leaves_the_delivery_pending(
    db, counsel_user, hanging_receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(name="hangs", url=hanging_receiver.url)
    case = CaseFactory()
    status, took = record_event(case, counsel_user, django_capture_on_commit_callbacks)
    assert status == 201 and took < FAST, took
    assert hanging_receiver.requests == []  # not even tried during the request
    assert not WebhookDelivery.objects.filter(delivered_at__isnull=False).exists()
    pending = OutboxMessage.objects.get(task=webhooks.TASK, sent_at__isnull=True)
    assert pending.args[0] == endpoint.pk
    assert relay(in_request=True) == 0  # what runs after a request's commit leaves it

    # The scheduler (`make run` starts it beside the server) runs its relay job: delivered.
    hanging_receiver.delay = 0
    job = {"relay-outbox": django_settings.CELERY_BEAT_SCHEDULE["relay-outbox"]}
    runs = Scheduler(jobs_from_settings(job)).run_due()
    assert [run.job for run in runs] == ["relay-outbox"] and runs[0].error == ""
    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is not None and delivery.status_code == 200
    assert len(hanging_receiver.requests) == 1
    assert OutboxMessage.objects.get(pk=pending.pk).sent_at is not None


def test_the_relay_command_delivers_it_too(
    db, counsel_user, hanging_receiver, django_capture_on_commit_callbacks, monkeypatch
):
    # The command drops stale connections; inside the test's transaction that is this one.
    monkeypatch.setattr("outbox.management.commands.relay_outbox.close_old_connections", lambda: None)
    WebhookEndpoint.objects.create(name="hangs", url=hanging_receiver.url)
    status, took = record_event(CaseFactory(), counsel_user, django_capture_on_commit_callbacks)
    assert status == 201 and took < FAST
    hanging_receiver.delay = 0
    call_command("relay_outbox", "--once")
    assert WebhookDelivery.objects.get().delivered_at is not None and len(hanging_receiver.requests) == 1


def test_a_hanging_receiver_holds_no_database_lock_while_the_relay_waits(db, hanging_receiver, monkeypatch):
    """The relay runs the delivery outside its claiming transaction (SQLite has one
    writer: a web request would otherwise queue behind the receiver)."""
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.3)
    endpoint = WebhookEndpoint.objects.create(name="hangs", url=hanging_receiver.url)
    event = EventFactory()
    OutboxMessage.objects.filter(task=webhooks.TASK).delete()
    OutboxMessage.objects.create(task=webhooks.TASK, args=[endpoint.pk, event.pk], available_at=event.recorded_at)
    depths = []
    real_post = webhooks._post

    def post(*args, **kwargs):
        depths.append(len(connection.savepoint_ids))  # the relay's own transactions, if any
        return real_post(*args, **kwargs)

    monkeypatch.setattr(webhooks, "_post", post)
    base = len(connection.savepoint_ids)
    relay()
    assert depths == [base]  # the POST ran with no transaction of the relay's open


def test_with_redis_the_workers_deliver_as_before(db, monkeypatch):
    """With a broker the relay publishes the delivery task like any other."""
    published = []
    monkeypatch.setattr("outbox.relay._in_process", lambda: False)
    monkeypatch.setattr(
        current_app.tasks[webhooks.TASK], "apply_async", lambda **kw: published.append(kw["args"]), raising=False
    )
    OutboxMessage.objects.create(task=webhooks.TASK, args=[1, 2], available_at="2026-01-01T00:00:00Z")
    assert relay() == 1 and published == [[1, 2]]
