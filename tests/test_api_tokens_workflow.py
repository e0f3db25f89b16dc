"""Token authentication and scopes, and the workflow steps over the API."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import Case, CaseEvent
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
        "id": api_user.pk,
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
    version = deadline.json()["version"]
    assert version == Case.objects.get(pk=case.pk).version
    signed = post(
        client,
        f"/api/v1/cases/{case.pk}/sign-off/",
        {"analysis": analysis.pk, "note": "Reviewed.", "expected_version": version},
    )
    assert signed.status_code == 201
    assert signed.json()["version"] == version + 1
    again = post(
        client, f"/api/v1/cases/{case.pk}/sign-off/", {"analysis": analysis.pk, "expected_version": version + 1}
    )
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


# --- deadline steps over the API -------------------------------------------------------


def _deadline(case, **fields):
    from django.utils import timezone

    from cases.models import Deadline

    values = {"kind": "custom", "label": "Call the AUSA", "source": "manual"}
    values.update(fields)
    return Deadline.objects.create(case=case, due_at=timezone.now() + dt.timedelta(days=3), **values)


def _stepper(request, persona) -> APIClient:
    if persona == "rw_token":
        return token_client(request.getfixturevalue("api_user"), scope="read-write")[0]
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", ["counsel_user", "rw_token"])
def test_deadline_steps_move_complete_and_cancel(request, case, persona):
    from cases.models import Deadline

    client = _stepper(request, persona)
    url = f"/api/v1/cases/{case.pk}"
    added = post(
        client,
        f"{url}/add-deadline/",
        {"kind": "custom", "label": "Produce the logs", "due_at": "2026-12-01T17:00:00Z", "expected_version": 1},
    )
    assert added.status_code == 201, added.content
    first = added.json()["id"]

    moved = post(
        client,
        f"{url}/move-deadline/",
        {"deadline": first, "due_at": "2026-12-08T17:00:00Z", "reason": "Extension, ECF 14.", "expected_version": 2},
    )
    assert moved.status_code == 201, moved.content
    body = moved.json()
    assert body["id"] != first and body["state"] == "open" and body["label"] == "Produce the logs"
    assert body["due_at"] == "2026-12-08T17:00:00Z" and body["computation"]["reason"] == "Extension, ECF 14."
    assert Deadline.objects.get(pk=first).state == "superseded"

    met = post(client, f"{url}/complete-deadline/", {"deadline": body["id"], "note": "Sent.", "expected_version": 3})
    assert met.status_code == 201, met.content
    assert (met.json()["id"], met.json()["state"]) == (body["id"], "met")

    other = _deadline(case)
    cancelled = post(
        client, f"{url}/cancel-deadline/", {"deadline": other.pk, "reason": "Withdrawn.", "expected_version": 4}
    )
    assert cancelled.status_code == 201, cancelled.content
    assert cancelled.json()["state"] == "cancelled"
    other.refresh_from_db()
    assert other.completed_on is not None

    kinds = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", "note"))
    assert kinds == [
        ("deadline_added", ""),
        ("deadline_moved", "Extension, ECF 14."),
        ("deadline_met", "Sent."),
        ("deadline_cancelled", "Withdrawn."),
    ]
    who = "api.client" if persona == "rw_token" else "carl.counsel"
    assert set(CaseEvent.objects.filter(case=case).values_list("by__username", flat=True)) == {who}
    assert Case.objects.get(pk=case.pk).version == 5


STEP_BODIES = {
    "move-deadline": {"due_at": "2026-12-08T17:00:00Z", "reason": "Extension."},
    "complete-deadline": {},
    "cancel-deadline": {"reason": "Withdrawn."},
}


@pytest.mark.parametrize("step", STEP_BODIES)
@pytest.mark.parametrize("persona", ["ro_token", "viewer_user", "intake_user"])
def test_deadline_steps_are_refused_to_readers(request, case, step, persona):
    from cases.models import Deadline

    if persona == "ro_token":
        client = token_client(request.getfixturevalue("api_user"), scope="read")[0]
    else:
        client = _stepper(request, persona)
    deadline = _deadline(case)
    body = {"deadline": deadline.pk, "expected_version": case.version, **STEP_BODIES[step]}
    response = post(client, f"/api/v1/cases/{case.pk}/{step}/", body)
    assert response.status_code == 403 and response.json()["error"]["status"] == 403
    assert list(Deadline.objects.values_list("state", flat=True)) == ["open"]
    assert not CaseEvent.objects.exists() and Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("step", STEP_BODIES)
def test_another_cases_deadline_is_404(request, case, step):
    from cases.models import Deadline

    client = _stepper(request, "counsel_user")
    foreign = _deadline(CaseFactory())
    body = {"deadline": foreign.pk, "expected_version": case.version, **STEP_BODIES[step]}
    response = post(client, f"/api/v1/cases/{case.pk}/{step}/", body)
    assert response.status_code == 404 and response.json()["error"]["status"] == 404
    missing = post(client, f"/api/v1/cases/{case.pk}/{step}/", {**body, "deadline": 999999})
    assert missing.status_code == 404
    assert post(client, f"/api/v1/cases/999999/{step}/", body).status_code == 404
    assert list(Deadline.objects.values_list("state", flat=True)) == ["open"] and not CaseEvent.objects.exists()


@pytest.mark.parametrize("step", STEP_BODIES)
def test_stale_deadline_step_is_409(request, case, step):
    from cases.models import Deadline

    client = _stepper(request, "counsel_user")
    deadline, other = _deadline(case), _deadline(case, label="Other")
    done = post(client, f"/api/v1/cases/{case.pk}/complete-deadline/", {"deadline": other.pk, "expected_version": 1})
    assert done.status_code == 201
    body = {"deadline": deadline.pk, "expected_version": 1, **STEP_BODIES[step]}
    stale = post(client, f"/api/v1/cases/{case.pk}/{step}/", body)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert Deadline.objects.get(pk=deadline.pk).state == "open" and Deadline.objects.count() == 2
    assert CaseEvent.objects.count() == 1


@pytest.mark.parametrize(
    "step, body, field",
    [
        ("move-deadline", {"due_at": "2026-12-08T17:00:00Z"}, "reason"),
        ("move-deadline", {"due_at": "2026-12-08T17:00:00Z", "reason": "   "}, "reason"),
        ("move-deadline", {"reason": "x"}, "length"),  # the action: say where it moves
        ("move-deadline", {"due_at": "2026-12-08T17:00:00Z", "rule": "frap-4a1a-notice", "reason": "x"}, "due_at"),
        ("move-deadline", {"rule": "no-such-rule", "reason": "x"}, "rule"),
        ("move-deadline", {"due_at": "next week", "reason": "x"}, "due_at"),
        ("complete-deadline", {"occurred_on": "2999-01-01"}, "occurred_on"),
        ("complete-deadline", {"deadline": "first"}, "deadline"),
        ("complete-deadline", {"deadline": None}, "deadline"),
        ("complete-deadline", {"expected_version": None}, "expected_version"),
        ("cancel-deadline", {}, "reason"),
        ("cancel-deadline", {"reason": "x", "occurred_on": "01/12/2026"}, "occurred_on"),
    ],
)
def test_bad_deadline_step_bodies_are_400_naming_the_field(request, case, step, body, field):
    from cases.models import Deadline

    client = _stepper(request, "counsel_user")
    deadline = _deadline(case)
    full = {"deadline": deadline.pk, "expected_version": case.version, **body}
    response = post(client, f"/api/v1/cases/{case.pk}/{step}/", {k: v for k, v in full.items() if v is not None})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert list(Deadline.objects.values_list("state", flat=True)) == ["open"] and not CaseEvent.objects.exists()


def test_computed_and_closed_deadlines_are_refused_by_the_action(request, case):
    """A computed deadline follows the analysis (met, yes; moved or cancelled, no); a
    deadline already met takes no further step."""
    client = _stepper(request, "counsel_user")
    computed = _deadline(case, kind="response", label="", source="computed")
    url = f"/api/v1/cases/{case.pk}"
    for step in ("move-deadline", "cancel-deadline"):
        refused = post(client, f"{url}/{step}/", {"deadline": computed.pk, "expected_version": 1, **STEP_BODIES[step]})
        assert refused.status_code == 400 and "source" in refused.json()["error"]["fields"]
    assert (
        post(client, f"{url}/complete-deadline/", {"deadline": computed.pk, "expected_version": 1}).status_code == 201
    )
    again = post(client, f"{url}/complete-deadline/", {"deadline": computed.pk, "expected_version": 2})
    assert again.status_code == 400 and "state" in again.json()["error"]["fields"]


# --- refusals: 400 naming the field, 409 when stale, never a 500 ------------------------


def _steps(case, analysis, deadline, today: str) -> dict[str, dict]:
    """A body for each workflow step on `case`, valid but for the case's state and version."""
    return {
        "transition": {"track": "status", "to": "analysis", "occurred_on": today},
        "appeal": {"track": "appeal", "to": "notice_filed", "occurred_on": today, "court_name": "2d Cir."},
        "record-event": {"kind": "motion_filed", "occurred_on": today},
        "add-deadline": {"kind": "custom", "label": "Produce the logs", "due_at": "2030-01-07T17:00:00Z"},
        "move-deadline": {"deadline": deadline.pk, "due_at": "2030-01-14T17:00:00Z", "reason": "Extension."},
        "complete-deadline": {"deadline": deadline.pk},
        "cancel-deadline": {"deadline": deadline.pk, "reason": "Withdrawn."},
        "sign-off": {"analysis": analysis.pk},
    }


@pytest.fixture
def reviewed_case(case):
    """A case with an analysis to sign off and an open manual deadline."""
    from cases.analysis import analyse_case

    analysis = analyse_case(case=case).analysis
    deadline = _deadline(case)
    case.refresh_from_db()
    return case, analysis, deadline


def _url(case, step: str) -> str:
    return f"/api/v1/cases/{case.pk}/{'transition' if step == 'appeal' else step}/"


STEP_NAMES = [
    "transition",
    "appeal",
    "record-event",
    "add-deadline",
    "move-deadline",
    "complete-deadline",
    "cancel-deadline",
    "sign-off",
]


def test_sign_off_on_a_stale_version_is_409_and_signs_nothing(reviewed_case, counsel_user):
    """The sign-off names the case version it was read at, like every step (999 was a 201)."""
    case, analysis, _ = reviewed_case
    client = APIClient()
    client.force_authenticate(counsel_user)
    url = f"/api/v1/cases/{case.pk}/sign-off/"
    stale = post(client, url, {"analysis": analysis.pk, "expected_version": 999})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    missing = post(client, url, {"analysis": analysis.pk})
    assert missing.status_code == 400 and "expected_version" in missing.json()["error"]["fields"]
    analysis.refresh_from_db()
    assert analysis.signed_off_at is None and Case.objects.get(pk=case.pk).version == case.version
    assert not CaseEvent.objects.filter(case=case, kind="analysis_signed_off").exists()
    signed = post(client, url, {"analysis": analysis.pk, "expected_version": case.version})
    assert signed.status_code == 201 and signed.json()["version"] == case.version + 1


@pytest.mark.parametrize("step", STEP_NAMES)
def test_every_step_on_a_stale_version_is_409_and_writes_nothing(reviewed_case, counsel_user, step):
    from django.utils import timezone

    case, analysis, deadline = reviewed_case
    client = APIClient()
    client.force_authenticate(counsel_user)
    body = _steps(case, analysis, deadline, timezone.localdate().isoformat())[step]
    events = CaseEvent.objects.filter(case=case).count()
    response = post(client, _url(case, step), {**body, "expected_version": case.version + 7})
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).version == case.version
    assert CaseEvent.objects.filter(case=case).count() == events


# Steps a closed case refuses (it is final), and the field each refusal names; the
# others (a court event, meeting or cancelling an open deadline) it still takes.
REFUSED_WHEN_CLOSED = {
    "transition": "status",
    "appeal": "appeal_status",
    "add-deadline": "kind",
    "move-deadline": "due_at",
    "sign-off": "analysis",
}


@pytest.mark.parametrize("step", STEP_NAMES)
def test_a_step_on_a_closed_case_is_a_400_naming_the_field_or_taken(reviewed_case, counsel_user, step):
    from django.utils import timezone

    case, analysis, deadline = reviewed_case
    Case.objects.filter(pk=case.pk).update(status="closed", outcome="withdrawn")
    client = APIClient()
    client.force_authenticate(counsel_user)
    body = _steps(case, analysis, deadline, timezone.localdate().isoformat())[step]
    events = CaseEvent.objects.filter(case=case).count()
    response = post(client, _url(case, step), {**body, "expected_version": case.version})
    if step in REFUSED_WHEN_CLOSED:
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert REFUSED_WHEN_CLOSED[step] in error["fields"], error
        assert "closed" in error["message"] or "closed" in str(error["fields"]), error
        assert Case.objects.get(pk=case.pk).version == case.version
        assert CaseEvent.objects.filter(case=case).count() == events
    else:
        assert response.status_code == 201, response.content
        assert response.json()["version"] == case.version + 1
