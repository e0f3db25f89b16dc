"""What keeps webhooks from being turned against us: where they may point, and their
signing secrets at rest. Used by the model (cases/models.py: the URL's validator, the
secret's field) and by the delivery (cases/webhooks.py: `resolve_target`).

Where a webhook may point. An endpoint's URL is typed by an admin, and the receiver's
answer used to be shown back in the delivery log: a URL naming `127.0.0.1:6379`, the
cloud's metadata service (`169.254.169.254`) or a host on the private network made
the server a proxy into places only it can reach. So a URL must be `https` (plain
`http` only with DEBUG on) and its host must resolve to public addresses only
(`ipaddress`'s `is_global`, and none of loopback, private, link-local, multicast,
reserved, unspecified, CGNAT, nor an IPv6 address wrapping one of those). It is
checked when the endpoint is saved through a form (the field's validator) and again
at every delivery, on the addresses the connection then uses: the name is resolved
once, every address is checked, and the connection goes to a checked address, never
to a second lookup's answer (DNS rebinding). WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True
lifts the address check (tests' loopback receivers, a development box); never in
production.

The signing secret at rest. The secret is needed in clear to sign, so it cannot be
hashed; it is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key
derived by HKDF-SHA256 from WEBHOOK_SECRET_KEY, or from SECRET_KEY when that is not
set. A database dump or backup alone no longer lets anyone forge our signatures.
`EncryptedSecretField` does it transparently: `endpoint.secret` is the plain secret
in Python, a token in the column.
"""

import base64
import functools
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

# --- Where a webhook may point -----------------------------------------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # well-known NAT64: the IPv4 address is in the last 32 bits


class UnsafeWebhookURL(ValueError):
    """The URL may not be used for a webhook; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    """A webhook URL resolved and checked: connect to one of `addresses` (in order),
    and say `host` in the Host header and in TLS's SNI and certificate check."""

    scheme: str
    host: str  # ASCII (IDNA) form, as the URL names it
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if any (mapped, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_not_public(ip: IPAddress) -> str | None:
    """None when `ip` is a public (globally routable unicast) address; otherwise what it is."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        if reason := why_not_public(inner):
            return f"{reason}, inside an IPv6 address"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("shared address space (CGNAT)", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("not globally routable", not ip.is_global),
    )
    return next((reason for reason, applies in checks if applies), None)


def _addresses_of(host: str, port: int) -> tuple[str, ...]:
    """Every address `host` resolves to, in the resolver's order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeWebhookURL(f"The URL's host {host} could not be resolved ({exc}).") from None
    addresses: dict[str, None] = {}
    for family, *_, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            addresses[str(sockaddr[0]).split("%", 1)[0]] = None  # an IPv6 zone is not part of the address
    if not addresses:
        raise UnsafeWebhookURL(f"The URL's host {host} has no IPv4 or IPv6 address.")
    return tuple(addresses)


def resolve_target(url: str) -> Target:
    """Resolve `url`'s host once and check everything about it; raises UnsafeWebhookURL
    naming the first problem. The delivery connects to the returned addresses only."""
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError as exc:
        raise UnsafeWebhookURL(f"The URL is malformed ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeWebhookURL("The URL must start with https://.")
    if scheme != "https" and not settings.DEBUG:
        raise UnsafeWebhookURL("The URL must use https (plain http is allowed only in development).")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookURL("The URL must not contain a user name or password.")
    if not hostname:
        raise UnsafeWebhookURL("The URL has no host.")
    try:
        host = hostname.rstrip(".").encode("idna").decode("ascii") if not hostname.isascii() else hostname
    except UnicodeError:
        raise UnsafeWebhookURL(f"The URL's host {hostname} is not a valid host name.") from None
    port = port or (443 if scheme == "https" else 80)
    addresses = _addresses_of(host, port)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            reason = why_not_public(ipaddress.ip_address(address))
            if reason is not None:
                # The address itself is not shown: the admin would learn the internal DNS.
                raise UnsafeWebhookURL(
                    f"The URL's host {host} is not a public address ({reason}): webhooks are sent "
                    "only to receivers on the public internet."
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def validate_webhook_url(url: str) -> None:
    """The URL field's validator: the same checks as at delivery, as a form error on `url`."""
    try:
        resolve_target(url)
    except UnsafeWebhookURL as exc:
        raise ValidationError(f"Webhook URL refused: {exc}", code="unsafe_webhook_url") from None


# --- The signing secret at rest ----------------------------------------------------

_HKDF_SALT = b"lexloci.cases.webhook-secrets"
_HKDF_INFO = b"fernet-key:v1"


@functools.lru_cache(maxsize=8)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    """The first key encrypts; every key decrypts (rotation: the old key as a fallback)."""
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(key.encode())
                )
            )
            for key in keys
        ]
    )


def _secret_box() -> MultiFernet:
    if settings.WEBHOOK_SECRET_KEY:
        keys = [settings.WEBHOOK_SECRET_KEY, *settings.WEBHOOK_SECRET_KEY_FALLBACKS]
    else:
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _box(tuple(keys))


def encrypt_secret(plain: str) -> str:
    return _secret_box().encrypt(plain.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _secret_box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise ImproperlyConfigured(
            "A webhook signing secret cannot be decrypted: WEBHOOK_SECRET_KEY (or SECRET_KEY, when it is "
            "unset) changed. Put the previous key in WEBHOOK_SECRET_KEY_FALLBACKS (or SECRET_KEY_FALLBACKS)."
        ) from None


class EncryptedSecretField(models.TextField):
    """Plain text in Python, a Fernet token in the database. Each save writes a fresh
    token (a random IV), so the column cannot be searched: no lookups on it."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt_secret(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt_secret(value)
