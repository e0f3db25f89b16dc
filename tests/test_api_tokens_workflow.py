"""Token authentication and scopes, and the workflow steps over the API."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from cases.models import ApiToken, Case, CaseEvent
from tests.factories import CaseFactory


def token_client(user, scope="read", **extra) -> tuple[APIClient, ApiToken, str]:
    token, key = ApiToken.issue(user=user, name="ticketing", scope=scope, **extra)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token, key


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- tokens ---------------------------------------------------------------------------


def test_key_is_stored_hashed_only(api_user):
    token, key = ApiToken.issue(user=api_user, name="x")
    assert key.startswith(f"llk_{token.prefix}_")
    token.refresh_from_db()
    assert key not in (token.digest, token.prefix) and token.digest == ApiToken.hash_key(key)


def test_read_token_reads_and_is_refused_writes(catalogue, api_user):
    client, token, _ = token_client(api_user, scope="read")
    case = CaseFactory()
    assert client.get("/api/v1/cases/").status_code == 200
    whoami = client.get("/api/v1/whoami/").json()
    assert whoami == {
        "username": "api.client",
        "roles": ["api-client"],
        "token": {"name": "ticketing", "scope": "read", "expires_at": None},
    }
    refused = post(
        client,
        f"/api/v1/cases/{case.pk}/record-event/",
        {"kind": "motion_filed", "occurred_on": "2026-01-05", "expected_version": case.version},
    )
    assert refused.status_code == 403
    assert not CaseEvent.objects.filter(case=case).exists()
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header, detail",
    [
        ("Token llk_000000000000_nope", "Invalid token."),
        ("Token not-a-token", "Malformed token."),
    ],
)
def test_bad_tokens_get_401(db, header, detail):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["error"]["message"] == detail
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_and_expired_tokens_get_401(db, api_user):
    client, token, _ = token_client(api_user)
    token.revoked_at = dt.datetime.now(dt.UTC)
    token.save()
    assert client.get("/api/v1/cases/").status_code == 401
    client, _, _ = token_client(api_user, expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert client.get("/api/v1/cases/").status_code == 401


def test_token_of_a_user_without_role_gets_403(db, outsider_user):
    client, _, _ = token_client(outsider_user, scope="read-write")
    assert client.get("/api/v1/cases/").status_code == 403


def test_anonymous_gets_401_with_challenge(db):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


# --- workflow over the API -------------------------------------------------------------


@pytest.fixture
def case(catalogue):
    return CaseFactory()


def test_transition_with_read_write_token_writes_one_event(case, api_user):
    client, _, _ = token_client(api_user, scope="read-write")
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/transition/",
        {"track": "status", "to": "analysis", "occurred_on": "2026-01-05", "expected_version": case.version},
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == case.version + 1
    case.refresh_from_db()
    assert case.status == "analysis"
    event = CaseEvent.objects.get(case=case, kind="status_changed")
    assert (event.from_state, event.to_state, event.by.username) == ("intake", "analysis", "api.client")


def test_refused_transition_is_400_naming_the_field_and_changes_nothing(case, counsel_user):
    client = APIClient()
    client.force_authenticate(counsel_user)
    response = post(
        client,
        f"/api/v1/cases/{case.pk}/transition/",
        {"track": "status", "to": "responding", "occurred_on": "2026-01-05", "expected_version": case.version},
    )
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    case.refresh_from_db()
    assert case.status == "intake" and not CaseEvent.objects.filter(case=case).exists()


def test_stale_version_is_409_and_changes_nothing(case, counsel_user):
    client = APIClient()
    client.force_authenticate(counsel_user)
    body = {"track": "contempt", "to": "motion_pending", "occurred_on": "2026-01-05", "expected_version": case.version}
    assert post(client, f"/api/v1/cases/{case.pk}/transition/", body).status_code == 201
    stale = post(client, f"/api/v1/cases/{case.pk}/transition/", {**body, "to": "held", "kind": "civil"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    case.refresh_from_db()
    assert case.contempt_status == "motion_pending"


def test_viewer_and_intake_cannot_take_workflow_steps(case, viewer_user, intake_user):
    for user in (viewer_user, intake_user):
        client = APIClient()
        client.force_authenticate(user)
        response = post(
            client,
            f"/api/v1/cases/{case.pk}/record-event/",
            {"kind": "motion_filed", "occurred_on": "2026-01-05", "expected_version": case.version},
        )
        assert response.status_code == 403


def test_record_event_add_deadline_and_sign_off(case, counsel_user):
    from cases.analysis import analyse_case

    analysis = analyse_case(case=case).analysis
    case.refresh_from_db()
    client = APIClient()
    client.force_authenticate(counsel_user)
    event = post(
        client,
        f"/api/v1/cases/{case.pk}/record-event/",
        {
            "kind": "motion_filed",
            "occurred_on": "2026-01-05",
            "court": "SDNY",
            "citation": "ECF No. 1",
            "expected_version": case.version,
        },
    )
    assert event.status_code == 201, event.content
    assert event.json()["event"]["court"] == "S.D.N.Y."
    version = event.json()["version"]
    deadline = post(
        client,
        f"/api/v1/cases/{case.pk}/add-deadline/",
        {
            "kind": "objection",
            "start": "2026-01-05T12:00:00Z",
            "rule": "frcp-72a-objection",
            "expected_version": version,
        },
    )
    assert deadline.status_code == 201, deadline.content
    assert deadline.json()["computation"]
    version = Case.objects.get(pk=case.pk).version
    signed = post(client, f"/api/v1/cases/{case.pk}/sign-off/", {"analysis": analysis.pk, "note": "Reviewed."})
    assert signed.status_code == 201
    again = post(client, f"/api/v1/cases/{case.pk}/sign-off/", {"analysis": analysis.pk})
    assert again.status_code == 400 and "analysis" in again.json()["error"]["fields"]
    assert Case.objects.get(pk=case.pk).version == version + 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"track": "nope", "to": "x", "occurred_on": "2026-01-05", "expected_version": 1}, "track"),
        ({"track": "status", "to": "analysis", "occurred_on": "05/01/2026", "expected_version": 1}, "occurred_on"),
        ({"track": "status", "to": "analysis", "occurred_on": "2026-01-05"}, "expected_version"),
        (
            {
                "track": "appeal",
                "to": "notice_filed",
                "occurred_on": "2026-01-05",
                "expected_version": 1,
                "court": "Court of Mars",
            },
            "court",
        ),
    ],
)
def test_bad_transition_bodies(case, counsel_user, body, field):
    client = APIClient()
    client.force_authenticate(counsel_user)
    response = post(client, f"/api/v1/cases/{case.pk}/transition/", body)
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
