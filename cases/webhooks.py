"""Webhooks: every case change, as a signed JSON POST to the client systems that asked.

Every change to a case writes one CaseEvent (cases/actions.py, cases/analysis.py);
a `post_save` receiver on CaseEvent (in cases/signals.py) calls `schedule_deliveries`,
which enqueues one `deliver_webhook` task per active, subscribed endpoint through
the outbox, in the same transaction as the change: a request never waits on a
receiver, and a change rolled back sends nothing.

`deliver` records the delivery once per (endpoint, event) (a unique constraint: a
task run twice finds the row), claims it for one attempt (a conditional UPDATE, so
two concurrent runs never both POST), and POSTs it with a short timeout. A failure
(no 2xx answer, a timeout, a refused connection) is retried with exponential
backoff (30 s, 1, 2, 4, 8 min) by an outbox row due then; after `MAX_ATTEMPTS` it
is given up and stays on record. Redirects are not followed. The log keeps each
attempt's status code, duration and error, never the receiver's answer: shown back
to an admin, it would make a webhook a way to read internal services.

Where it goes (cases/webhook_security.py): before each attempt the URL's host is
resolved once and every address checked (public only, https with DEBUG off); the
connection then goes to a checked address, with the URL's host kept in the Host
header and in TLS (SNI, certificate check). A name that resolved to a public address
when it was registered and to 127.0.0.1 now (DNS rebinding) is refused, and nothing
between the check and the connect resolves it again.

Without Redis (tasks in-process) a delivery is never attempted inside the web
request that made the change: the task is marked `outside_requests`, so the relay
that runs after a request's commit leaves it for the in-process scheduler's relay
job (`manage.py run_scheduler`, every 30 s) or `manage.py relay_outbox`. A receiver
that hangs costs those 5 s, never a user's.

Each POST carries
  X-Lexloci-Event: the event type (`WebhookEndpoint.EVENT_TYPES`)
  X-Lexloci-Delivery: the delivery's id, the same on every attempt (receivers dedupe on it)
  X-Lexloci-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>
README.md ("Webhooks") has a receiver's verification recipe; `verify` is the same.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import CaseEvent, TrackName, WebhookDelivery, WebhookEndpoint
from cases.webhook_security import Target, UnsafeWebhookURL, resolve_target
from outbox.models import OutboxMessage
from outbox.relay import enqueue

log = logging.getLogger(__name__)

TASK = "cases.tasks.deliver_webhook"
TIMEOUT = 5.0  # seconds for the whole POST: connect and answer
MAX_ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(seconds=30)
MAX_RETRY = dt.timedelta(hours=1)
ANALYSIS_KINDS = {"analysed", "analysis_changed", "analysis_signed_off", "holding_overridden"}


def event_type(event: CaseEvent) -> str:
    if event.track in TrackName.values:
        return f"case.{event.track}_changed"
    if event.kind in ANALYSIS_KINDS:
        return "case.analysis"
    if event.kind.startswith("deadline_"):
        return "case.deadline"
    return "case.event_recorded"


def schedule_deliveries(event: CaseEvent) -> int:
    """One delivery task per active endpoint subscribed to this event; one query."""
    kind = event_type(event)
    scheduled = 0
    for endpoint_id, events in WebhookEndpoint.objects.filter(active=True).values_list("pk", "events"):
        if not events or kind in events:
            enqueue(TASK, endpoint_id, event.pk)
            scheduled += 1
    return scheduled


def payload_for(event: CaseEvent, delivery_id: uuid.UUID, kind: str) -> dict:
    return {
        "id": str(delivery_id),
        "type": kind,
        "case": {"id": event.case_id, "reference": event.case.demand.reference},
        "event": {
            "id": event.pk,
            "kind": event.kind,
            "track": event.track,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "occurred_on": event.occurred_on.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "by": event.by.get_username() if event.by else None,
            "court": event.court.name if event.court else event.court_name or None,
            "citation": event.citation,
            "note": event.note,
            "data": event.data,
        },
    }


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """A receiver's check (the README's recipe): the signature matches and is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2, 4, 8, ... at most an hour."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** (attempts - 1))


def _record(endpoint: WebhookEndpoint, event_id: int) -> WebhookDelivery | None:
    """The delivery row of (endpoint, event), created on the first run only."""
    existing = WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).first()
    if existing is not None:
        return existing
    event = CaseEvent.objects.select_related("case__demand", "by", "court").filter(pk=event_id).first()
    if event is None:
        return None
    delivery_id = uuid.uuid4()
    kind = event_type(event)
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                delivery_id=delivery_id,
                event_type=kind,
                payload=payload_for(event, delivery_id, kind),
            )
    except IntegrityError:  # a concurrent run recorded it first
        return WebhookDelivery.objects.get(endpoint=endpoint, event_id=event_id)


def _connect(target: Target, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of the target's checked addresses that answers."""
    last_error: OSError = OSError("no address to connect to")
    for address in target.addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((address, target.port))
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        return sock
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses only: `connect` never resolves the host again."""

    def __init__(self, target: Target, *, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect(self.target, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses only; TLS is for the URL's host (SNI, certificate)."""

    def __init__(self, target: Target, *, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.target = target

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(_connect(self.target, self.timeout), server_hostname=self.target.host)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery; (status code or None, error). The answer's body is not read:
    a 3xx is an answer like any other (redirects are not followed) and is retried."""
    try:
        target = resolve_target(endpoint.url)
    except UnsafeWebhookURL as exc:
        return None, f"Refused: {exc}"[:1000]
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Lexloci-Webhooks/1",
        "X-Lexloci-Event": delivery.event_type,
        "X-Lexloci-Delivery": str(delivery.delivery_id),
        "X-Lexloci-Signature": sign(endpoint.secret, int(time.time()), body),
    }
    pinned = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = pinned(target, timeout=TIMEOUT)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        status = connection.getresponse().status
    except (http.client.HTTPException, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        connection.close()
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def deliver(*, endpoint_id: int, event_id: int) -> WebhookDelivery | None:
    """One attempt at delivering an event to an endpoint, if one is due; see the module docstring."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        log.warning("webhook endpoint %s no longer exists", endpoint_id)
        return None
    delivery = _record(endpoint, event_id)
    if delivery is None:
        log.warning("case event %s does not exist", event_id)
        return None
    if delivery.delivered_at or delivery.failed_at:
        return delivery  # done: a second run of the task sends nothing
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(error="The endpoint is inactive.")
        return delivery
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True, failed_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(claimed_until=now + dt.timedelta(seconds=TIMEOUT * 6), attempts=F("attempts") + 1)
    )
    if not claimed:
        return delivery  # another run is attempting it, or the next attempt is not due yet
    delivery.refresh_from_db()
    started = time.monotonic()
    status, error = _post(endpoint, delivery)
    done = timezone.now()
    delivery.duration = dt.timedelta(seconds=time.monotonic() - started)
    delivery.status_code, delivery.error = status, error
    delivery.claimed_until = None
    with transaction.atomic():
        if status is not None and 200 <= status < 300:
            delivery.delivered_at, delivery.next_attempt_at, delivery.error = done, None, ""
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.failed_at, delivery.next_attempt_at = done, None
            log.warning("webhook %s to %s given up after %s attempts", delivery.pk, endpoint.name, delivery.attempts)
        else:
            delivery.next_attempt_at = done + backoff(delivery.attempts)
            # The retry waits in the outbox until it is due; the relay then publishes it.
            OutboxMessage.objects.create(task=TASK, args=[endpoint.pk, event_id], available_at=delivery.next_attempt_at)
        delivery.save(
            update_fields=[
                "status_code",
                "duration",
                "error",
                "claimed_until",
                "delivered_at",
                "failed_at",
                "next_attempt_at",
            ]
        )
    return delivery
