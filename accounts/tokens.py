"""An API token and its user's roles, resolved from the cache or in one query.

Client systems poll the API all day with the same token, so who a token is (its row,
its user, the user's roles) is kept in Django's cache (Redis when REDIS_URL is set,
local memory otherwise) for `API_TOKEN_CACHE_SECONDS`, keyed by the SHA-256 digest of
the key (never the key itself). A miss reads the token, its user and the user's
groups in one query and caches the answer when the token is usable.

What is cached is dropped as soon as it changes (accounts/signals.py): a token saved,
revoked or deleted; a user saved (active flag, superuser flag, password, name) or
deleted; a user's groups changed, or a group renamed or deleted. Dropping writes a
tombstone for the cache's lifetime, before the change commits and again after it, and
a miss only *adds* an entry: a request that read the row before the change committed
cannot put the old answer back. Expiry needs no invalidation: the cached expiry is
checked on every request. A cache that fails costs nothing but speed: the request is
resolved from the database, and the cache is left alone for a few seconds.
"""

import datetime as dt
import hmac
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, StringAgg, Value
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import ApiToken

log = logging.getLogger(__name__)

KEY_FORMAT = "apitoken:v1:%s"  # the key's SHA-256 digest
TOMBSTONE = "-"  # what a dropped entry becomes, for the cache's lifetime
GROUP_SEPARATOR = "\x1f"  # between group names in the one query's aggregate (no group name has it)
USED_EVERY = dt.timedelta(minutes=1)  # `last_used_at` is written at most this often per token
CACHE_PAUSE = 5.0  # seconds the cache is left alone after it failed

_paused_until = 0.0  # per process
_used: dict[str, float] = {}  # token digest -> monotonic time its use was last written, per process


def ttl() -> int:
    return int(getattr(settings, "API_TOKEN_CACHE_SECONDS", 30))


def cache_key(digest: str) -> str:
    return KEY_FORMAT % digest


class Invalid(Exception):
    """The key names no usable token; the message says why (for the 401)."""


@dataclass(frozen=True)
class Resolved:
    user: object
    token: ApiToken


def _cache_usable() -> bool:
    return time.monotonic() >= _paused_until


def _cache_failed(exc: Exception) -> None:
    global _paused_until
    _paused_until = time.monotonic() + CACHE_PAUSE
    log.warning("API token cache off for %ss: the cache did not answer (%r)", CACHE_PAUSE, exc)


def _entry(token: ApiToken) -> dict:
    """The token as cached: the model instance with its user (whose roles ride along
    on it, and whose password hash was never read: it stays deferred) and nothing
    else. Unpickling an instance is cheaper than building one field by field."""
    return {"token": token}


def _from_database(prefix: str, digest: str) -> tuple[ApiToken, str]:
    """The token with this prefix, its user and the user's group names: one query."""
    row = (
        ApiToken.objects.select_related("user")
        .defer("user__password")
        .filter(prefix=prefix)
        .annotate(role_names=StringAgg("user__groups__name", Value(GROUP_SEPARATOR), default=""))
        .first()
    )
    if row is None or not hmac.compare_digest(row.digest, digest):
        raise Invalid("Invalid token.")
    return row, row.role_names


def _check(token_expires_at, revoked_at, user_active: bool, now) -> None:
    if revoked_at is not None or (token_expires_at is not None and token_expires_at <= now):
        raise Invalid("This token is revoked or expired.")
    if not user_active:
        raise Invalid("This token's user is inactive.")


def resolve(prefix: str, key: str) -> Resolved:
    """The usable token `key` (whose prefix is `prefix`) and its user, with the user's
    roles attached; `Invalid` otherwise."""
    digest = ApiToken.hash_key(key)
    now = timezone.now()
    name = cache_key(digest)
    entry = None
    use_cache = _cache_usable()
    if use_cache:
        try:
            entry = cache.get(name)
        except (RedisError, OSError) as exc:
            _cache_failed(exc)
            use_cache = False
    if isinstance(entry, dict):
        token = entry["token"]
        _check(token.expires_at, None, token.user.is_active, now)
        resolved = Resolved(user=token.user, token=token)
    else:
        token, role_names = _from_database(prefix, digest)
        _check(token.expires_at, token.revoked_at, token.user.is_active, now)
        token.user._lexloci_roles = frozenset(  # type: ignore[attr-defined]
            n for n in role_names.split(GROUP_SEPARATOR) if n
        )
        resolved = Resolved(user=token.user, token=token)
        if use_cache and entry is None:  # a tombstone: dropped lately, not cached again yet
            lifetime = ttl()
            if token.expires_at is not None:
                lifetime = min(lifetime, max(1, int((token.expires_at - now).total_seconds())))
            try:
                cache.add(name, _entry(token), lifetime)
            except (RedisError, OSError) as exc:
                _cache_failed(exc)
    _record_use(token.pk, digest, now)
    return resolved


def _record_use(pk: int, digest: str, now) -> None:
    """`last_used_at`, written at most once a minute per token and process (a write per
    request would cost more than the read); the statement skips a row another process
    wrote within the minute."""
    seen = _used.get(digest)
    moment = time.monotonic()
    if seen is not None and moment - seen < USED_EVERY.total_seconds():
        return
    if len(_used) > 10_000:
        _used.clear()
    _used[digest] = moment
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - USED_EVERY), pk=pk).update(
        last_used_at=now
    )


# --- Invalidation ---------------------------------------------------------------------


def _tombstone(digests: list[str]) -> None:
    if not digests:
        return
    try:
        cache.set_many({cache_key(d): TOMBSTONE for d in digests}, ttl() + 1)
    except (RedisError, OSError) as exc:
        # The change is in the database; what a request may still find in the cache
        # expires within API_TOKEN_CACHE_SECONDS.
        log.warning("API token cache: could not drop %d entries (%r)", len(digests), exc)


def forget(digests: list[str]) -> None:
    """Drop the cached answers for these token digests now and once the change commits."""
    digests = [d for d in digests if d]
    if not digests:
        return
    _tombstone(digests)
    transaction.on_commit(lambda: _tombstone(digests))


def forget_users(user_ids) -> None:
    """Drop what is cached for every token of these users."""
    ids = [pk for pk in user_ids if pk is not None]
    if ids:
        forget(list(ApiToken.objects.filter(user_id__in=ids).values_list("digest", flat=True)))


def forget_used() -> None:
    """Forget which tokens' use was written lately (tests)."""
    _used.clear()
