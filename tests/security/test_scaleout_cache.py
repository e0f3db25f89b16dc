"""The cache is shared when REDIS_URL is set, so the API throttle counts a token's
requests across processes and machines; local memory (per process) stays the embedded
default. A cache that is down or hangs lets requests through quickly."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from accounts.api import TokenRateThrottle
from tests.fault.harness import Blackhole

ROOT = Path(__file__).resolve().parents[2]


def _cache_settings(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "PYTEST_VERSION"}}
    code = (
        "import django; django.setup(); from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c.get('KEY_PREFIX', '-'), c.get('LOCATION'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_redis_the_cache_is_local_memory():
    assert _cache_settings()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_the_cache_is_djangos_redis_cache_with_a_prefix():
    backend, prefix, location = _cache_settings(REDIS_URL="redis://10.0.0.5:6379/3")
    assert (backend, prefix, location) == (
        "django.core.cache.backends.redis.RedisCache",
        "lexloci",
        "redis://10.0.0.5:6379/3",
    )


class ThreePerMinute(TokenRateThrottle):
    rate = "3/minute"


def _throttle(cache) -> ThreePerMinute:
    throttle = ThreePerMinute()
    throttle.cache = cache
    return throttle


def _request(token_pk: int) -> SimpleNamespace:
    return SimpleNamespace(auth=SimpleNamespace(pk=token_pk), user=None, META={})


@pytest.fixture
def paused_reset():
    TokenRateThrottle._cache_paused_until = 0.0
    yield
    TokenRateThrottle._cache_paused_until = 0.0


def test_two_processes_share_one_tokens_count(redis_url, paused_reset):
    """Two cache clients, each with its own connection pool, as two machines have:
    three requests in all, alternating between them, then both refuse."""
    params = {**settings.CACHES["default"], "KEY_PREFIX": f"lexloci-test-{uuid.uuid4().hex[:8]}"}
    if params["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        pytest.fail(f"REDIS_URL is set but the default cache is {params['BACKEND']}")
    one, two = RedisCache(redis_url, params), RedisCache(redis_url, params)
    assert one._cache is not two._cache  # separate clients and pools
    machines = [_throttle(one), _throttle(two)]
    try:
        allowed = [machines[i % 2].allow_request(_request(41), None) for i in range(3)]
        assert allowed == [True, True, True]
        assert machines[1].allow_request(_request(41), None) is False
        assert machines[0].allow_request(_request(41), None) is False
        assert machines[0].wait() > 0
        # Another token has its own count.
        assert machines[1].allow_request(_request(42), None) is True
    finally:
        for pk in (41, 42):
            one.delete(ThreePerMinute.cache_format % {"scope": "client", "ident": f"token-{pk}"})


def test_local_memory_counts_per_process(paused_reset):
    from django.core.cache.backends.locmem import LocMemCache

    one, two = LocMemCache(f"a-{uuid.uuid4()}", {}), LocMemCache(f"b-{uuid.uuid4()}", {})
    for _ in range(3):
        assert _throttle(one).allow_request(_request(7), None)
    assert _throttle(one).allow_request(_request(7), None) is False
    assert _throttle(two).allow_request(_request(7), None) is True  # why REDIS_URL matters with two machines


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_cache(url: str) -> RedisCache:
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    return RedisCache(url, {"KEY_PREFIX": "lexloci", "OPTIONS": options})


def test_a_redis_that_is_down_lets_requests_through(paused_reset):
    throttle = _throttle(_redis_cache(f"redis://127.0.0.1:{_closed_port()}/0"))
    assert throttle.allow_request(_request(1), None) is True
    assert TokenRateThrottle._cache_paused_until > time.monotonic()


def test_a_hanging_redis_costs_one_short_timeout_then_nothing(paused_reset):
    hole = Blackhole()
    try:
        throttle = _throttle(_redis_cache(f"redis://127.0.0.1:{hole.port}/0"))
        started = time.monotonic()
        assert throttle.allow_request(_request(1), None) is True
        first = time.monotonic() - started
        started = time.monotonic()
        assert all(throttle.allow_request(_request(1), None) for _ in range(20))
        rest = time.monotonic() - started
    finally:
        hole.close()
    assert first < 1.5 and rest < 0.05, (first, rest)
    assert hole.accepted >= 1
