"""The API's token and role resolution from the cache (accounts/tokens.py) and the
throttle's counters (accounts/api.py TokenRateThrottle), against the cache the tests
run with (local memory, or Redis when REDIS_URL is set)."""

import datetime as dt
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import roles, tokens
from accounts.api import TokenRateThrottle
from accounts.models import ApiToken

WHOAMI = "/api/v1/whoami/"


def _client(user, scope: str = "read", **extra) -> tuple[APIClient, ApiToken, str]:
    token, key = ApiToken.issue(user=user, name=f"client-{uuid.uuid4().hex[:6]}", scope=scope, **extra)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token, key


def _cached(token: ApiToken):
    return cache.get(tokens.cache_key(token.digest))


@pytest.fixture(autouse=True)
def _fresh_process_state():
    tokens.forget_used()
    TokenRateThrottle._cache_paused_until = 0.0
    yield
    tokens.forget_used()


def test_a_warm_token_costs_no_query_and_is_cached_by_digest(api_user):
    client, token, key = _client(api_user)
    assert client.get(WHOAMI).status_code == 200  # cold: fills the cache
    entry = _cached(token)
    assert isinstance(entry, dict) and entry["token"].user._lexloci_roles == {roles.API_CLIENT}
    assert key not in repr(vars(entry["token"])) and "password" not in vars(entry["token"].user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WHOAMI)
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == [roles.API_CLIENT] and response.json()["token"]["scope"] == "read"
    assert len(queries) == 0, [q["sql"] for q in queries]  # token, roles, throttle: none from the database


def test_a_miss_is_one_query_for_token_user_and_roles(api_user, counsel_user):
    api_user.groups.add(Group.objects.get(name=roles.COUNSEL))
    client, token, _ = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    cache.delete(tokens.cache_key(token.digest))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WHOAMI)
    assert response.json()["roles"] == [roles.API_CLIENT, roles.COUNSEL]
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_revoked_token_is_refused_on_the_next_request(api_user, admin_user_):
    client, token, _ = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    assert isinstance(_cached(token), dict)
    assert token.revoke(by=admin_user_)
    response = client.get(WHOAMI)
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]


def test_revoked_in_the_admin_is_refused_on_the_next_request(api_user, admin_user_):
    client, token, _ = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    admin = APIClient()
    admin.force_login(admin_user_)
    done = admin.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, format="multipart"
    )
    assert done.status_code == 302
    assert client.get(WHOAMI).status_code == 401


def test_a_token_saved_expired_or_deleted_is_refused_on_the_next_request(api_user):
    client, token, _ = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert client.get(WHOAMI).status_code == 401
    other, second, _ = _client(api_user)
    assert other.get(WHOAMI).status_code == 200
    second.delete()
    assert other.get(WHOAMI).status_code == 401


def test_expiry_is_checked_on_every_request_from_the_cache(api_user, monkeypatch):
    client, token, _ = _client(api_user, expires_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get(WHOAMI).status_code == 200
    assert isinstance(_cached(token), dict)
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(tokens.timezone, "now", lambda: later)
    assert client.get(WHOAMI).status_code == 401


def test_role_removed_is_refused_on_the_next_request(api_user):
    client, token, _ = _client(api_user)
    assert client.get("/api/v1/cases/").status_code == 200
    api_user.groups.remove(Group.objects.get(name=roles.API_CLIENT))
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403, response.content


def test_role_removed_from_the_groups_side_is_refused_on_the_next_request(api_user):
    client, _, _ = _client(api_user)
    assert client.get("/api/v1/cases/").status_code == 200
    Group.objects.get(name=roles.API_CLIENT).user_set.remove(api_user)
    assert client.get("/api/v1/cases/").status_code == 403


def test_role_cleared_or_group_renamed_is_refused_on_the_next_request(api_user, viewer_user):
    client, _, _ = _client(api_user)
    assert client.get("/api/v1/cases/").status_code == 200
    api_user.groups.clear()
    assert client.get("/api/v1/cases/").status_code == 403
    # A group renamed: its members no longer have the role.
    reader, _, _ = _client(viewer_user)
    session_less = reader.get("/api/v1/cases/")
    assert session_less.status_code == 200
    group = Group.objects.get(name=roles.VIEWER)
    group.name = "former-viewers"
    group.save()
    assert reader.get("/api/v1/cases/").status_code == 403


def test_role_added_counts_on_the_next_request(outsider_user):
    client, _, _ = _client(outsider_user)
    assert client.get("/api/v1/cases/").status_code == 403
    outsider_user.groups.add(Group.objects.get_or_create(name=roles.API_CLIENT)[0])
    assert client.get("/api/v1/cases/").status_code == 200


def test_user_deactivated_or_password_changed_drops_the_cached_answer(api_user):
    client, token, _ = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    api_user.set_password("another-long-passphrase")
    api_user.save()
    assert _cached(token) == tokens.TOMBSTONE
    api_user.is_active = False
    api_user.save()
    response = client.get(WHOAMI)
    assert response.status_code == 401 and "inactive" in response.json()["error"]["message"]


def test_a_dropped_entry_is_not_put_back_by_a_request_that_read_before(api_user):
    """A request that read the token before the change committed only adds: the
    tombstone the change wrote stays, and the next request reads the database."""
    client, token, _ = _client(api_user)
    tokens.forget([token.digest])
    assert client.get(WHOAMI).status_code == 200  # resolved from the database
    assert _cached(token) == tokens.TOMBSTONE


def test_wrong_secret_with_a_known_prefix_is_refused_and_not_cached(api_user):
    client, token, key = _client(api_user)
    assert client.get(WHOAMI).status_code == 200
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Token {forged}")
    assert bad.get(WHOAMI).status_code == 401
    assert cache.get(tokens.cache_key(ApiToken.hash_key(forged))) is None


def test_last_use_is_written_at_most_once_a_minute(api_user):
    client, token, _ = _client(api_user)
    client.get(WHOAMI)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(WHOAMI)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


# --- the throttle's counters ---------------------------------------------------------


class ThreePerMinute(TokenRateThrottle):
    rate = "3/minute"


def _request(token_pk: int) -> SimpleNamespace:
    return SimpleNamespace(auth=SimpleNamespace(pk=token_pk), user=None, META={})


def _throttle(at: float) -> ThreePerMinute:
    throttle = ThreePerMinute()
    throttle.timer = lambda: at
    return throttle


def test_the_throttle_counts_in_the_cache_and_does_not_count_refusals(db):
    ident = uuid.uuid4().int % 10**9
    start = 6_000_000.0  # the start of a period
    assert [_throttle(start + i).allow_request(_request(ident), None) for i in range(3)] == [True] * 3
    refused = _throttle(start + 10)
    assert refused.allow_request(_request(ident), None) is False
    assert refused.current == 3  # the refusal is not counted
    assert refused.wait() == pytest.approx(50 + 60 * (1 - 2 / 3))
    # Another token has its own count.
    assert _throttle(start + 10).allow_request(_request(ident + 1), None) is True


def test_the_throttle_window_slides_over_the_period_boundary(db):
    ident = uuid.uuid4().int % 10**9
    start = 6_000_000.0
    assert all(_throttle(start + 59).allow_request(_request(ident), None) for _ in range(3))
    # Just after the period ends, the three are still within the last minute.
    assert _throttle(start + 60.5).allow_request(_request(ident), None) is False
    # Forty seconds in, two thirds of them have slid out: two more fit, then not.
    assert _throttle(start + 100).allow_request(_request(ident), None) is True
    assert _throttle(start + 100).allow_request(_request(ident), None) is True
    refused = _throttle(start + 100)
    assert refused.allow_request(_request(ident), None) is False
    assert refused.wait() == pytest.approx(20)  # when the previous period has slid out whole


def test_the_throttle_counter_is_exact_under_concurrency(db):
    """Many requests of one token at once: exactly the rate gets through (an atomic
    increment, not a read and a write back)."""
    ident = uuid.uuid4().int % 10**9

    class Fifty(TokenRateThrottle):
        rate = "50/hour"

    allowed = []
    lock = threading.Lock()

    def hammer():
        for _ in range(20):
            ok = Fifty().allow_request(_request(ident), None)
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 160
    assert sum(allowed) == 50


def test_the_throttle_counts_in_the_configured_cache(db):
    """With REDIS_URL the counters are in Redis (tests/security/test_scaleout_cache.py
    shows two machines sharing them); without, local memory. Never in the database."""
    from django.core.cache import caches

    ident = uuid.uuid4().int % 10**9
    throttle = _throttle(6_000_030.0)
    with CaptureQueriesContext(connection) as queries:
        assert throttle.allow_request(_request(ident), None) is True
    assert len(queries) == 0
    assert caches["default"].get(f"{throttle.key}:{int(6_000_030 // 60)}") == 1
    expected = "RedisCache" if settings.REDIS_URL else "LocMemCache"
    assert type(caches["default"]).__name__ == expected
