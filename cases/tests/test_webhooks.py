"""Webhooks against a real receiver on loopback: signed POSTs through the outbox,
retries with backoff, bounded attempts, and one recorded delivery per (endpoint, event).

The receiver is on 127.0.0.1, which webhooks refuse by default (tests/security/
test_m1_webhook_ssrf.py) and plain http only with DEBUG on: these tests allow both. Deliveries
run outside the request that made the change (tests/security/
test_low_webhook_out_of_request.py): the tests run the relay, as the scheduler does."""

import datetime as dt
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import actions, webhooks
from cases.models import CaseEvent, WebhookDelivery, WebhookEndpoint
from cases.tasks import deliver_webhook
from outbox.models import OutboxMessage
from outbox.relay import relay
from tests.factories import CaseFactory, EventFactory

T0 = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
PUBLIC = "93.184.215.14"  # what the test resolver answers for the example hosts


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    """The receiver is plain http (allowed only with DEBUG on) on loopback (allowed only
    with WEBHOOK_ALLOW_PRIVATE_ADDRESSES); pytest-django turns DEBUG off."""
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def public_dns(monkeypatch):
    """Host names under .example (and example.com) resolve to a public address, without
    a network; any other name (and an IP literal) resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and (host.endswith(".example") or host == "example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port or 443))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def readme_verify():
    """The verification recipe exactly as README.md documents it."""
    text = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = text[text.index("## Webhooks") :]
    start = section.index("```python\n") + len("```python\n")
    namespace: dict = {}
    exec(section[start : section.index("```", start)], namespace)  # noqa: S102 - our own README
    return namespace["verify"]


class Receiver:
    """A webhook receiver on 127.0.0.1: records each POST, answers the next status of
    `statuses` (then `default`), after `delay` seconds."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        self.default = 200
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {status}".encode())

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request, client_address):
                pass  # the slow-receiver test hangs up on purpose

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/lexloci"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    r.thread.join(timeout=5)
    assert not r.thread.is_alive()


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(name="ticketing", url=receiver.url)


@pytest.fixture
def case(db):
    return CaseFactory(demand__reference="13-MAG-2814")


def change_status(case, counsel, capture, to="analysis"):
    """The change and its commit, then the relay outside the request (the scheduler's
    relay job), which makes the first attempt."""
    with capture(execute=True):
        event = actions.change_status(
            case=case, to=to, occurred_on=dt.date(2026, 5, 1), by=counsel, expected_version=None
        )
    relay()
    return event


def test_a_status_change_is_posted_signed(case, endpoint, receiver, counsel_user, django_capture_on_commit_callbacks):
    event = change_status(case, counsel_user, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Lexloci-Event"] == "case.status_changed"
    assert headers["X-Lexloci-Delivery"] == str(delivery.delivery_id)
    verify = readme_verify()
    assert verify(endpoint.secret, headers["X-Lexloci-Signature"], body)
    assert not verify("whsec_wrong", headers["X-Lexloci-Signature"], body)
    assert not verify(endpoint.secret, headers["X-Lexloci-Signature"], body + b" ")
    timestamp = int(headers["X-Lexloci-Signature"].split(",")[0].removeprefix("t="))
    assert not verify(endpoint.secret, headers["X-Lexloci-Signature"], body, now=timestamp + 301)  # too old
    assert abs(timestamp - time.time()) < 60
    payload = json.loads(body)
    assert payload["id"] == str(delivery.delivery_id) and payload["type"] == "case.status_changed"
    assert payload["case"] == {"id": case.pk, "reference": "13-MAG-2814"}
    assert payload["event"] | {"recorded_at": None} == {
        "id": event.pk,
        "kind": "status_changed",
        "track": "status",
        "from_state": "intake",
        "to_state": "analysis",
        "occurred_on": "2026-05-01",
        "recorded_at": None,
        "by": "carl.counsel",
        "court": None,
        "citation": "",
        "note": "",
        "data": {},
    }
    assert delivery.payload == payload
    assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 200, "")
    assert delivery.delivered_at is not None and delivery.duration is not None


def test_the_module_and_the_readme_verify_alike(endpoint):
    body = b'{"a":1}'
    header = webhooks.sign(endpoint.secret, int(time.time()), body)
    assert readme_verify()(endpoint.secret, header, body) and webhooks.verify(endpoint.secret, header, body)
    assert not readme_verify()(endpoint.secret, "garbage", body) and not webhooks.verify(endpoint.secret, "", body)


def test_only_active_subscribed_endpoints_get_it(case, receiver, counsel_user, django_capture_on_commit_callbacks):
    everything = WebhookEndpoint.objects.create(name="all", url=receiver.url)
    WebhookEndpoint.objects.create(name="deadlines", url=receiver.url, events=["case.deadline"])
    WebhookEndpoint.objects.create(name="off", url=receiver.url, active=False)
    change_status(case, counsel_user, django_capture_on_commit_callbacks)
    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [everything]
    assert len(receiver.requests) == 1


def test_nothing_is_sent_for_a_change_rolled_back(case, endpoint, receiver, counsel_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.record_event(
            case=case, kind="note", occurred_on=dt.date(2026, 5, 1), by=counsel_user, expected_version=None
        )
        assert OutboxMessage.objects.filter(task=webhooks.TASK).count() == 1  # written with the change
        raise RuntimeError("the request failed")
    assert not OutboxMessage.objects.filter(task=webhooks.TASK).exists()
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("kind", "track", "expected"),
    [
        ("status_changed", "status", "case.status_changed"),
        ("appeal_changed", "appeal", "case.appeal_changed"),
        ("contempt_changed", "contempt", "case.contempt_changed"),
        ("analysed", "", "case.analysis"),
        ("analysis_changed", "", "case.analysis"),
        ("holding_overridden", "", "case.analysis"),
        ("deadline_added", "", "case.deadline"),
        ("deadline_moved", "", "case.deadline"),
        ("deadline_met", "", "case.deadline"),
        ("motion_filed", "", "case.event_recorded"),
        ("ndo_extended", "", "case.event_recorded"),
    ],
)
def test_event_types(kind, track, expected):
    assert webhooks.event_type(CaseEvent(kind=kind, track=track)) == expected
    assert expected in WebhookEndpoint.EVENT_TYPES


def test_retries_with_exponential_backoff_until_delivered(
    case, endpoint, receiver, counsel_user, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503, 200]
    with time_machine.travel(T0, tick=False) as clock:
        change_status(case, counsel_user, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 500, "HTTP 500")
        assert delivery.duration is not None  # the answer's body is not kept
        assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30)
        assert relay() == 0 and len(receiver.requests) == 1  # not due yet

        clock.shift(dt.timedelta(seconds=30))
        assert relay() == 1
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.status_code) == (2, 503)
        assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30 + 60)  # twice as long

        clock.shift(dt.timedelta(seconds=59))
        assert relay() == 0 and len(receiver.requests) == 2
        clock.shift(dt.timedelta(seconds=1))
        assert relay() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status_code, delivery.error) == (3, 200, "")
    assert delivery.delivered_at == T0 + dt.timedelta(seconds=90) and delivery.next_attempt_at is None
    assert len(receiver.requests) == 3
    ids = {headers["X-Lexloci-Delivery"] for headers, _ in receiver.requests}
    assert ids == {str(delivery.delivery_id)}  # one delivery, attempted three times
    verify = readme_verify()
    stamps = []
    for headers, body in receiver.requests:
        assert verify(endpoint.secret, headers["X-Lexloci-Signature"], body, now=T0.timestamp() + 90)
        stamps.append(int(headers["X-Lexloci-Signature"].split(",")[0][2:]))
    assert [s - stamps[0] for s in stamps] == [0, 30, 90]  # each attempt signed afresh
    assert not OutboxMessage.objects.filter(task=webhooks.TASK, sent_at__isnull=True).exists()


def test_attempts_are_bounded(case, endpoint, receiver, counsel_user, django_capture_on_commit_callbacks):
    receiver.default = 500
    with time_machine.travel(T0, tick=False) as clock:
        change_status(case, counsel_user, django_capture_on_commit_callbacks)
        waits = []
        for _ in range(webhooks.MAX_ATTEMPTS + 2):
            delivery = WebhookDelivery.objects.get()
            if delivery.next_attempt_at is None:
                break
            waits.append((delivery.next_attempt_at - T0).total_seconds())
            clock.move_to(delivery.next_attempt_at)
            relay()
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.requests)
    assert delivery.failed_at is not None and delivery.delivered_at is None and delivery.status_code == 500
    assert waits == [30, 90, 210, 450, 930]  # 30 s, 1, 2, 4, 8 min apart
    assert not OutboxMessage.objects.filter(task=webhooks.TASK, sent_at__isnull=True).exists()
    deliver_webhook(endpoint.pk, delivery.event_id)  # given up: a late run sends nothing
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS


def test_a_delivery_is_recorded_and_sent_exactly_once(
    case, endpoint, receiver, counsel_user, django_capture_on_commit_callbacks
):
    event = change_status(case, counsel_user, django_capture_on_commit_callbacks)
    deliver_webhook(endpoint.pk, event.pk)  # the task delivered twice by the broker
    deliver_webhook.delay(endpoint.pk, event.pk)
    assert WebhookDelivery.objects.count() == 1 and len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempts == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, delivery_id="00000000-0000-0000-0000-000000000001", payload={}
        )


def test_a_delivery_under_way_is_not_sent_again(case, endpoint, receiver):
    event = EventFactory(case=case)  # no commit in this test: its delivery task waits in the outbox
    delivery = webhooks._record(endpoint, event.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    )
    webhooks.deliver(endpoint_id=endpoint.pk, event_id=event.pk)  # a concurrent run finds it claimed
    assert receiver.requests == [] and WebhookDelivery.objects.get().attempts == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=None)
    webhooks.deliver(endpoint_id=endpoint.pk, event_id=event.pk)
    assert len(receiver.requests) == 1 and WebhookDelivery.objects.get().delivered_at is not None


def test_a_slow_receiver_times_out_and_is_retried(case, endpoint, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.3)
    receiver.delay = 1.5
    event = EventFactory(case=case)
    started = time.monotonic()
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=event.pk)
    assert time.monotonic() - started < 1.4  # the request does not wait for the receiver
    assert delivery.status_code is None and "timed out" in delivery.error
    assert delivery.next_attempt_at is not None and delivery.delivered_at is None
    assert OutboxMessage.objects.filter(task=webhooks.TASK, args=[endpoint.pk, event.pk]).exists()


def test_a_refused_connection_is_recorded(case, db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = WebhookEndpoint.objects.create(name="gone", url=f"http://127.0.0.1:{port}/")
    event = EventFactory(case=case)
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=event.pk)
    assert delivery.status_code is None and "ConnectionRefusedError" in delivery.error and delivery.attempts == 1


def test_redirects_are_not_followed(case, endpoint, receiver):
    receiver.statuses = [302]
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory(case=case).pk)
    assert delivery.status_code == 302 and delivery.delivered_at is None and len(receiver.requests) == 1


# ------------------------------------------------------------------------ the model


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "example.com"])
def test_only_http_urls(db, url):
    with pytest.raises(ValidationError) as caught:
        WebhookEndpoint(name="x", url=url).full_clean()
    assert "url" in caught.value.message_dict


def test_url_check_in_the_database_too(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookEndpoint.objects.create(name="x", url="ftp://example.com/x")


def test_events_must_be_known_and_secret_is_generated(db, public_dns):
    with pytest.raises(ValidationError) as caught:
        WebhookEndpoint(name="x", url="https://example.com/hook", events=["case.bogus"]).full_clean()
    assert "events" in caught.value.message_dict
    a = WebhookEndpoint.objects.create(name="a", url="https://example.com/hook", events=["case.deadline"])
    b = WebhookEndpoint.objects.create(name="b", url="https://example.com/hook")
    assert a.secret.startswith("whsec_") and len(a.secret) == 70 and a.secret != b.secret
    assert a.subscribes_to("case.deadline") and not a.subscribes_to("case.analysis") and b.subscribes_to("x")


# ------------------------------------------------------------------------ the admin


def test_admin_registers_an_endpoint_and_sees_the_secret_once(client, admin_user_, public_dns):
    client.force_login(admin_user_)
    response = client.post(
        "/admin/cases/webhookendpoint/add/",
        {"name": "ticketing", "url": "https://tickets.example/hooks", "events": ["case.deadline"], "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["case.deadline"] and endpoint.created_by == admin_user_
    assert endpoint.secret in response.content.decode()
    page = client.get(f"/admin/cases/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page
    refused = client.post(
        "/admin/cases/webhookendpoint/add/", {"name": "bad", "url": "ftp://tickets.example/hooks", "active": "on"}
    )
    assert refused.status_code == 200 and WebhookEndpoint.objects.count() == 1


def test_admin_sees_the_delivery_log_read_only(client, admin_user_, case, endpoint, receiver):
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory(case=case).pk)
    client.force_login(admin_user_)
    listing = client.get("/admin/cases/webhookdelivery/")
    assert listing.status_code == 200 and "ticketing" in listing.content.decode()
    detail = client.get(f"/admin/cases/webhookdelivery/{delivery.pk}/change/")
    assert detail.status_code == 200 and "answer 200" not in detail.content.decode()  # no answer kept
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/cases/webhookdelivery/add/").status_code == 403


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user", "viewer_user", "api_user", "outsider_user"])
def test_the_legal_team_is_not_shown_the_webhook_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/admin/cases/webhookendpoint/", "/admin/cases/webhookdelivery/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url
