"""Queries per API request, so that plumbing or an N+1 cannot come back: the status
poll (200, and a 304 answered from one indexed lookup before the answer is built),
the case list and the transparency report, constant in the number of cases."""

import contextlib
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken
from cases.models import Case
from tests.factories import CaseFactory


@pytest.fixture
def client(api_user):
    tokens.forget_used()
    _, key = ApiToken.issue(user=api_user, name=f"poller-{uuid.uuid4().hex[:6]}", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def counsel(counsel_user):
    client = APIClient()
    client.force_authenticate(counsel_user)
    return client


@contextlib.contextmanager
def _capture():
    """Every statement sent, as SQL text. On PostgreSQL the status endpoint runs its
    prepared statements on a psycopg cursor of its own (cases/api.py), which Django's
    query log does not see: there the statements are counted where psycopg executes
    them (Django's cursors are psycopg cursors too, so each is counted once)."""
    if connection.vendor != "postgresql":
        with CaptureQueriesContext(connection) as captured:
            sql: list[str] = []
            yield sql
        sql.extend(q["sql"] for q in captured)
        return
    import psycopg

    sql = []
    execute = psycopg.Cursor.execute

    def counting(cursor, query, *args, **kwargs):
        sql.append(query if isinstance(query, str) else repr(query))
        return execute(cursor, query, *args, **kwargs)

    psycopg.Cursor.execute = counting  # type: ignore[method-assign]
    try:
        yield sql
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]


def _queries(client, url: str, **headers) -> tuple[int, list[str], object]:
    with _capture() as sql:
        response = client.get(url, headers=headers)
    return response.status_code, sql, response


def _status(client, case_pk: int, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/api/v1/cases/{case_pk}/status/", headers=headers)


def _post(client, url: str, body: dict):
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


# --- the status poll -------------------------------------------------------------------


def test_status_200_is_one_query_with_a_warm_cache(catalogue, client):
    case = CaseFactory()
    assert _status(client, case.pk).status_code == 200  # warms the token cache
    status, sql, response = _queries(client, f"/api/v1/cases/{case.pk}/status/")
    assert status == 200 and response.json()["id"] == case.pk and response["ETag"]
    assert len(sql) == 1, sql


def test_status_304_is_one_query_and_builds_no_answer(catalogue, client, monkeypatch):
    case = CaseFactory()
    etag = _status(client, case.pk)["ETag"]
    from cases import api

    def not_built(*args, **kwargs):
        raise AssertionError("the status answer was built for a 304")

    monkeypatch.setattr(api, "case_status", not_built)
    status, sql, response = _queries(client, f"/api/v1/cases/{case.pk}/status/", **{"If-None-Match": etag})
    assert status == 304 and response.content == b"" and response["ETag"] == etag
    assert len(sql) == 1, sql
    assert "cases_deadline" not in sql[0] and "cases_case" in sql[0]


def test_status_with_a_stale_etag_answers_200_and_a_missing_case_404(catalogue, client):
    case = CaseFactory()
    response = _status(client, case.pk, '"0123456789abcdef0123456789abcdef"')
    assert response.status_code == 200 and response.json()["id"] == case.pk
    assert _status(client, case.pk + 1000, response["ETag"]).status_code == 404
    assert _status(client, case.pk + 1000).status_code == 404


def test_the_etag_changes_with_everything_the_status_shows(catalogue, client, counsel):
    """Each change to what the status answers (event, deadline added and moved,
    analysis, sign-off, a track) gives another ETag, so a 304 is never stale."""
    from cases.analysis import analyse_case

    case = CaseFactory()
    url = f"/api/v1/cases/{case.pk}"
    seen = []

    def changed(step: str) -> None:
        response = _status(client, case.pk, seen[-1][0] if seen else None)
        assert response.status_code == 200, f"after {step}: {response.status_code}"
        etag, body = response["ETag"], response.json()
        assert all(etag != before for before, _ in seen), f"the ETag did not change after {step}"
        if seen:
            assert body != seen[-1][1], f"nothing changed after {step}"
        seen.append((etag, body))

    changed("nothing")
    analysis = analyse_case(case=case).analysis
    changed("analysis stored")
    version = Case.objects.get(pk=case.pk).version
    event = _post(
        counsel,
        f"{url}/record-event/",
        {"kind": "note", "occurred_on": "2026-01-05", "note": "Called the agency.", "expected_version": version},
    )
    changed("event added")
    added = _post(
        counsel,
        f"{url}/add-deadline/",
        {"kind": "custom", "label": "Logs", "due_at": "2026-01-20T17:00:00Z", "expected_version": event["version"]},
    )
    changed("deadline added")
    moved = _post(
        counsel,
        f"{url}/move-deadline/",
        {
            "deadline": added["id"],
            "due_at": "2026-01-10T17:00:00Z",
            "reason": "Order of the court.",
            "expected_version": added["version"],
        },
    )
    changed("deadline moved")
    assert seen[-1][1]["next_deadline"]["id"] == moved["id"]
    signed = _post(
        counsel,
        f"{url}/sign-off/",
        {"analysis": analysis.pk, "note": "Reviewed.", "expected_version": moved["version"]},
    )
    changed("sign-off")
    assert seen[-1][1]["analysis"]["signed_off"] is True
    current = _status(client, case.pk, seen[-1][0])
    assert current.status_code == 304
    assert signed["version"] == seen[-1][1]["version"]


# --- lists and the report, constant in the number of cases --------------------------------


def _count(client, url: str) -> int:
    status, sql, response = _queries(client, url)
    assert status == 200, getattr(response, "content", b"")[:300]
    return len(sql)


def test_case_list_queries_do_not_grow_with_cases(catalogue, client):
    from cases.analysis import analyse_case

    first = CaseFactory()
    analyse_case(case=first)
    _count(client, "/api/v1/cases/")  # warm
    one = _count(client, "/api/v1/cases/")
    for _ in range(6):
        analyse_case(case=CaseFactory())
    many = _count(client, "/api/v1/cases/")
    assert many == one, (one, many)


def test_transparency_report_queries_do_not_grow_with_cases(catalogue, client):
    from cases.analysis import analyse_case

    analyse_case(case=CaseFactory())
    _count(client, "/api/v1/reports/transparency/?start=2000-01-01&end=2100-12-31")  # warm
    one = _count(client, "/api/v1/reports/transparency/?start=2000-01-01&end=2100-12-31")
    for _ in range(6):
        analyse_case(case=CaseFactory())
    many = _count(client, "/api/v1/reports/transparency/?start=2000-01-01&end=2100-12-31")
    assert many == one, (one, many)
