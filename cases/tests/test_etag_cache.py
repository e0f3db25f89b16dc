"""The status ETag cache (cases/etag_cache.py) on PostgreSQL, with committed rows and
real notifications: a poll is answered without a query while the case is unchanged,
every change seen by any connection drops it, a change during the read is never
stored, and a lost listening connection empties it (lookups go to the database)."""

import time

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken
from cases.api import _read_status_etag, case_status_etag
from cases.etag_cache import RETRY_SECONDS, STATUS_ETAGS, StatusEtagCache, own_connection
from cases.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def live(postgres, transactional_db):
    """Committed rows: notifications are sent on commit only."""
    return connection


@pytest.fixture
def new_cache():
    """A cache of the test's own, no longer listening when the test ends."""
    made = []

    def make() -> StatusEtagCache:
        made.append(StatusEtagCache())
        return made[-1]

    yield make
    for cache in made:
        cache.close()


def _other_connection() -> psycopg.Connection:
    """A connection of its own, as another worker's would be."""
    return own_connection()


def _bump_elsewhere(case_id: int) -> None:
    with _other_connection() as other:
        other.execute("UPDATE cases_case SET version = version + 1 WHERE id = %s", [case_id])


class Reads:
    """`read` for the cache that counts its calls and reads the row."""

    def __init__(self, during=None) -> None:
        self.calls = 0
        self.during = during

    def __call__(self, case_id: int) -> str | None:
        self.calls += 1
        value = _read_status_etag(case_id)
        if self.during is not None:
            self.during(case_id)
        return value


def _until(condition, seconds: float = 5.0) -> float:
    """Seconds until `condition()` held; fails the test when it did not within `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not within {seconds} s")
        time.sleep(0.001)
    return time.monotonic() - started


def test_a_known_etag_is_answered_without_reading_the_row(live, new_cache):
    case = CaseFactory()
    cache, reads = new_cache(), Reads()
    first = cache.etag(case.pk, reads)
    assert first == _read_status_etag(case.pk) and reads.calls == 1
    assert cache.etag(case.pk, reads) == first and reads.calls == 1
    assert cache.etag(case.pk + 10_000, reads) is None and reads.calls == 2  # no such case: not kept
    assert len(cache) == 1


def test_a_change_committed_by_another_connection_drops_the_etag(live, new_cache):
    case = CaseFactory()
    cache, reads = new_cache(), Reads()
    before = cache.etag(case.pk, reads)
    _bump_elsewhere(case.pk)
    after = _read_status_etag(case.pk)
    assert after != before
    waited = _until(lambda: cache.etag(case.pk, reads) == after)
    assert reads.calls == 2 and waited < 1.0


def test_a_change_through_the_app_is_seen_by_the_next_poll(live, api_user, counsel_user):
    """The API end to end: a poll stores the ETag, a 304 then needs no query at all,
    and a step by counsel (its own transaction, committed) makes the next poll a 200."""
    tokens.forget_used()
    STATUS_ETAGS._clear()
    case = CaseFactory()
    poller = APIClient()
    poller.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=api_user, name='poll', scope='read')[1]}")
    url = f"/api/v1/cases/{case.pk}/status/"
    etag = poller.get(url)["ETag"]
    assert poller.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304  # read and kept
    with CaptureQueriesContext(connection) as queries:
        assert poller.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]] == []
    counsel = APIClient()
    counsel.force_authenticate(counsel_user)
    version = Case.objects.get(pk=case.pk).version
    step = counsel.post(
        f"/api/v1/cases/{case.pk}/record-event/",
        {"kind": "note", "occurred_on": "2026-01-05", "note": "Called the agency.", "expected_version": version},
        format="json",
    )
    assert step.status_code == 201, step.content
    _until(lambda: poller.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200)
    fresh = poller.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag and fresh.json()["version"] == version + 1


def test_a_change_during_the_read_is_never_stored(live, new_cache):
    """The row is read, then changed and committed elsewhere before the read returns:
    the value read is answered once but not kept, so the next lookup reads again."""
    case = CaseFactory()
    cache = new_cache()
    cache.etag(case.pk + 10_000, Reads())  # the listening connection is up

    def change_and_wait_for_its_notice(case_id: int) -> None:
        _bump_elsewhere(case_id)
        time.sleep(0.2)  # the notification is on the listening socket before the read returns

    racing = Reads(during=change_and_wait_for_its_notice)
    stale = cache.etag(case.pk, racing)
    assert stale != _read_status_etag(case.pk) and len(cache) == 0
    later = Reads()
    assert cache.etag(case.pk, later) == _read_status_etag(case.pk) and later.calls == 1


def test_truncation_and_deletion_drop_etags(live, new_cache):
    first, second = CaseFactory(), CaseFactory()
    cache = new_cache()
    for case in (first, second):
        cache.etag(case.pk, Reads())
    assert len(cache) == 2
    with _other_connection() as other:
        other.execute("SELECT pg_notify('lexloci_case_changed', '*')")
    _until(lambda: cache.etag(first.pk + 10_000, Reads()) is None and len(cache) == 0)
    cache.etag(first.pk, Reads())
    Case.objects.filter(pk=first.pk).delete()
    reads = Reads()
    _until(lambda: cache.etag(first.pk, reads) is None)
    assert reads.calls >= 1


def test_a_lost_listening_connection_empties_the_cache_and_lookups_read_the_row(live, new_cache):
    case = CaseFactory()
    cache = new_cache()
    before = cache.etag(case.pk, Reads())
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [cache._listener.info.backend_pid])
    time.sleep(0.2)
    reads = Reads()
    assert cache.etag(case.pk, reads) == before and reads.calls == 1  # noticed: read from the row
    assert cache._listener is None and len(cache) == 0
    _bump_elsewhere(case.pk)  # its notification is sent while no one listens
    after = _read_status_etag(case.pk)
    time.sleep(RETRY_SECONDS + 0.1)
    assert cache.etag(case.pk, reads) == after and reads.calls == 2  # listening again, from empty
    assert cache._listener is not None and cache.etag(case.pk, reads) == after and reads.calls == 2


def test_without_the_trigger_nothing_is_kept(live, new_cache):
    """A database the migration has not reached would never say a case changed."""
    case = CaseFactory()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TRIGGER cases_case_etag_changed ON cases_case RENAME TO not_the_trigger")
    try:
        cache, reads = new_cache(), Reads()
        cache.etag(case.pk, reads)
        cache.etag(case.pk, reads)
        assert reads.calls == 2 and len(cache) == 0 and cache._listener is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TRIGGER not_the_trigger ON cases_case RENAME TO cases_case_etag_changed")
    later = new_cache()
    later.etag(case.pk, Reads())
    assert len(later) == 1 and later._listener is not None


def test_inside_a_transaction_the_row_is_always_read(postgres):
    """A test's (or a request's) transaction may see rows no one else does."""
    case = CaseFactory()
    reads = Reads()
    assert STATUS_ETAGS.etag(case.pk, reads) == _read_status_etag(case.pk)
    assert STATUS_ETAGS.etag(case.pk, reads) == _read_status_etag(case.pk)
    assert reads.calls == 2 and case_status_etag(case.pk) == _read_status_etag(case.pk)
