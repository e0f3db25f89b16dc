"""M1: a webhook URL must not make the server a proxy into its own network.

Registration refuses URLs whose host is not public (or plain http with DEBUG off),
with an error on the `url` field; delivery checks again on the addresses it connects
to (DNS rebinding) and connects only to a checked address; the delivery log keeps the
status code and the duration, never the receiver's answer."""

import socket

import pytest
from django.conf import settings as django_settings

from cases import webhooks
from cases.models import WebhookDelivery, WebhookEndpoint
from cases.tests.test_webhooks import Receiver
from tests.factories import EventFactory

PUBLIC = "93.184.215.14"


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    r.thread.join(timeout=5)


class Resolver:
    """socket.getaddrinfo for the names in `answers` (a name: its addresses), counting
    the lookups; any other name (and an IP literal) resolves as usual."""

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):
        if host in self.answers:
            self.lookups.append(host)
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 443))
                for a in self.answers[host]
            ]
        return self.real(host, port, *args, **kwargs)


@pytest.fixture
def dns(monkeypatch):
    resolver = Resolver(monkeypatch)
    resolver.answers.update(
        {
            "hooks.example": [PUBLIC],
            "internal.example": ["10.1.2.3"],
            "metadata.example": ["169.254.169.254"],
            "mixed.example": [PUBLIC, "127.0.0.1"],
            "v6loop.example": ["::1"],
        }
    )
    return resolver


def refusal(url: str) -> str:
    endpoint = WebhookEndpoint(name="probe", url=url)
    try:
        endpoint.full_clean()
    except Exception as exc:  # noqa: BLE001 - asserted below
        return " ".join(exc.message_dict.get("url", []))  # type: ignore[attr-defined]
    return ""


def test_the_default_refuses_private_addresses():
    assert django_settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES is False


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1:9/", "loopback"),
        ("https://127.0.0.1:6379/", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.5/hook", "private"),
        ("https://172.16.1.1/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://100.64.0.1/hook", "CGNAT"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://240.0.0.1/hook", "reserved"),
        ("https://[::1]/hook", "loopback"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback, inside an IPv6 address"),
        ("https://[::ffff:169.254.169.254]/hook", "link-local, inside an IPv6 address"),
        ("https://[64:ff9b::a9fe:a9fe]/hook", "link-local, inside an IPv6 address"),  # NAT64 of the metadata service
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[fc00::1]/hook", "private"),
        ("https://[ff02::1]/hook", "multicast"),
        ("https://internal.example/hook", "private"),
        ("https://metadata.example/hook", "link-local"),
        ("https://mixed.example/hook", "loopback"),  # one address of several is enough
        ("https://v6loop.example/hook", "loopback"),
    ],
)
def test_registration_refuses_hosts_that_are_not_public(db, dns, settings, url, reason):
    settings.DEBUG = True  # not the https rule: the address itself is refused
    message = refusal(url)
    assert "not a public address" in message and reason in message, message
    assert message.startswith("Webhook URL refused: The URL's host")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://169.254.169.254/"])
def test_the_probes_are_refused(db, url):
    """The report's probes, with DEBUG off as in production: refused (plain http)."""
    assert "must use https" in refusal(url)


def test_plain_http_only_with_debug_on(db, dns, settings):
    settings.DEBUG = False
    assert "must use https" in refusal("http://hooks.example/hook")
    assert refusal("https://hooks.example/hook") == ""
    settings.DEBUG = True
    assert refusal("http://hooks.example/hook") == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@hooks.example/hook", "user name or password"),
        ("https://nowhere.invalid/hook", "could not be resolved"),
    ],
)
def test_registration_refuses_credentials_and_unresolvable_hosts(db, dns, url, expected):
    assert expected in refusal(url)


def test_the_admin_shows_the_refusal_on_the_url_field(client, admin_user_, dns):
    client.force_login(admin_user_)
    response = client.post(
        "/admin/cases/webhookendpoint/add/",
        {"name": "probe", "url": "https://169.254.169.254/latest/meta-data/", "active": "on"},
    )
    assert response.status_code == 200 and not WebhookEndpoint.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "url" in errors and "not a public address (link-local)" in errors["url"][0]


def test_delivery_refuses_a_name_that_now_resolves_to_a_private_address(db, dns, settings, receiver):
    """DNS rebinding: public when registered, the receiver's loopback at delivery."""
    settings.DEBUG = True
    url = f"http://hooks.example:{receiver.server.server_port}/hooks/lexloci"
    endpoint = WebhookEndpoint(name="rebound", url=url)
    endpoint.full_clean()
    endpoint.save()
    dns.answers["hooks.example"] = ["127.0.0.1"]
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert receiver.requests == []
    assert delivery.status_code is None and delivery.delivered_at is None
    assert delivery.error.startswith("Refused: The URL's host hooks.example is not a public address (loopback)")
    assert delivery.next_attempt_at is not None  # an attempt like any failed one: retried, then given up

    dns.answers["hooks.example"] = [PUBLIC, "127.0.0.1"]  # one bad address among good ones
    WebhookDelivery.objects.update(next_attempt_at=None)
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=delivery.event_id)
    assert receiver.requests == [] and "not a public address (loopback)" in delivery.error


def test_delivery_refuses_an_old_row_naming_loopback_by_default(db, settings, receiver):
    """An endpoint saved before the check (or without a form) is refused at delivery."""
    settings.DEBUG = True
    endpoint = WebhookEndpoint.objects.create(name="old", url=receiver.url)
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert receiver.requests == [] and "not a public address (loopback)" in delivery.error


def test_delivery_connects_to_the_address_it_checked_and_keeps_the_host(db, dns, settings, receiver):
    """One lookup per attempt; the connection goes to that answer (here loopback, allowed
    for the test), and the request still names the URL's host."""
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    dns.answers["pinned.example"] = ["127.0.0.1"]
    port = receiver.server.server_port
    endpoint = WebhookEndpoint.objects.create(name="pinned", url=f"http://pinned.example:{port}/in?x=1")
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert delivery.status_code == 200 and delivery.delivered_at is not None
    assert dns.lookups == ["pinned.example"]  # resolved once: nothing looked it up again to connect
    headers, _ = receiver.requests[0]
    assert headers["Host"] == f"pinned.example:{port}"


def test_the_log_keeps_status_and_duration_not_the_answer(db, client, admin_user_, settings, receiver):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    field_names = {f.name for f in WebhookDelivery._meta.get_fields()}
    assert "response_excerpt" not in field_names and "duration" in field_names
    endpoint = WebhookEndpoint.objects.create(name="chatty", url=receiver.url)
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert delivery.status_code == 200 and delivery.duration is not None and delivery.duration.total_seconds() >= 0
    row = WebhookDelivery.objects.values().get()
    assert not any("answer 200" in str(value) for value in row.values())  # the receiver's body
    client.force_login(admin_user_)
    page = client.get(f"/admin/cases/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "answer 200" not in page and "Duration" in page


def test_redirects_are_not_followed(db, settings, receiver):
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver.statuses = [307]
    endpoint = WebhookEndpoint.objects.create(name="redirects", url=receiver.url)
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert delivery.status_code == 307 and delivery.error == "HTTP 307" and len(receiver.requests) == 1


def _certificate(tmp_path, name: str):
    """A self-signed certificate for `name` (its own CA), as PEM files: (cert, key)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_https_is_pinned_to_the_checked_address_and_verified_for_the_url_host(
    db, dns, settings, receiver, monkeypatch, tmp_path
):
    """Connected by address, TLS still names the URL's host (SNI) and checks the
    certificate against it: a certificate for another name is refused."""
    import ssl

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback; DEBUG stays off
    cert_file, key_file = _certificate(tmp_path, "tls.example")
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    seen_sni = []
    server_tls.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    receiver.server.socket = server_tls.wrap_socket(receiver.server.socket, server_side=True)
    real_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **kw: real_context(cafile=str(cert_file)))
    port = receiver.server.server_port
    dns.answers["tls.example"] = ["127.0.0.1"]
    dns.answers["other.example"] = ["127.0.0.1"]

    endpoint = WebhookEndpoint(name="tls", url=f"https://tls.example:{port}/in")
    endpoint.full_clean()
    endpoint.save()
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert delivery.status_code == 200 and delivery.delivered_at is not None, delivery.error
    assert seen_sni == ["tls.example"] and receiver.requests[0][0]["Host"] == f"tls.example:{port}"

    wrong = WebhookEndpoint.objects.create(name="wrong", url=f"https://other.example:{port}/in")
    delivery = webhooks.deliver(endpoint_id=wrong.pk, event_id=delivery.event_id)
    assert delivery.status_code is None and "CERTIFICATE_VERIFY_FAILED" in delivery.error
    assert len(receiver.requests) == 1
