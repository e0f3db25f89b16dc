"""The API of the legal team's day: the queues (`GET /api/v1/cases/?queue=`), assigning
counsel (`POST /api/v1/cases/{id}/assign/`) and the sign-off in the case and status
answers, with their roles, token scopes, refusals and schema."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from cases import actions
from cases.models import Analysis, CaseEvent, Deadline, Status
from cases.tests.builders import result
from conftest import _persona
from tests.factories import CaseFactory

NOW = timezone.now()


def client_for(user, scope=None) -> APIClient:
    client = APIClient()
    if scope is None:
        client.force_authenticate(user)
    else:
        _, key = ApiToken.issue(user=user, name="ticketing", scope=scope)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _fresh(user):
    """The user read again: its roles are cached on the object a request saw."""
    return type(user).objects.get(pk=user.pk)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def version(db):
    from jurisdictions.models import CatalogueVersion

    return CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")


def _analyse(case, version) -> Analysis:
    return Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 1), catalogue_version=version, result=result(), fingerprint="f"
    )


@pytest.fixture
def docket(version, counsel_user):
    other = _persona("olga.counsel", roles.COUNSEL)
    cases = {
        "mine": CaseFactory(demand__reference="MINE", counsel=counsel_user),
        "unassigned": CaseFactory(demand__reference="UNASSIGNED"),
        "closed": CaseFactory(demand__reference="CLOSED", status=Status.CLOSED, outcome="moot"),
        "emergency": CaseFactory(demand__reference="EMERGENCY", demand__emergency=True, counsel=other),
        "due": CaseFactory(demand__reference="DUE", counsel=other),
        "overdue": CaseFactory(demand__reference="OVERDUE", counsel=other),
        "unsigned": CaseFactory(demand__reference="UNSIGNED", counsel=other),
        "signed": CaseFactory(demand__reference="SIGNED", counsel=other),
    }
    for name, hours in (("due", 5), ("overdue", -5)):
        Deadline.objects.create(
            case=cases[name],
            kind=Deadline.Kind.CUSTOM,
            label=name,
            due_at=NOW + dt.timedelta(hours=hours),
            source=Deadline.Source.MANUAL,
        )
    _analyse(cases["unsigned"], version)
    signed = _analyse(cases["signed"], version)
    actions.sign_off_analysis(case=cases["signed"], analysis_id=signed.pk, note="", by=counsel_user)
    return cases


# --- GET /api/v1/cases/?queue= ------------------------------------------------------------

EXPECTED = {
    "mine": ["MINE"],
    "unassigned": ["UNASSIGNED"],
    "awaiting_sign_off": ["UNSIGNED"],
    "emergency": ["EMERGENCY"],
    "due_72h": ["DUE"],
    "overdue": ["OVERDUE"],
    "customer_notice": [],  # no expired order here (tests/test_api_ndo.py)
    "preservation_expiring": [],  # none is a preservation (tests/test_api_preservation.py)
}


@pytest.mark.parametrize("queue", list(EXPECTED))
def test_the_list_filters_by_each_queue(docket, counsel_user, queue):
    response = client_for(counsel_user).get("/api/v1/cases/", {"queue": queue})
    assert response.status_code == 200
    assert sorted(row["reference"] for row in response.json()["results"]) == EXPECTED[queue]


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", "api_user"])
def test_every_reader_may_use_the_queues_and_mine_is_their_own(request, docket, persona):
    response = client_for(request.getfixturevalue(persona), scope="read").get("/api/v1/cases/?queue=mine")
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("queue=urgent", "Select a valid choice. urgent is not one of the available choices."),
        ("queue=", "Give a value, or leave the parameter out."),
        ("queue=mine&queue=overdue", "Give this parameter once."),
    ],
)
def test_a_bad_queue_is_a_400_naming_it(docket, viewer_user, query, message):
    response = client_for(viewer_user).get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"queue": [message]}


def test_the_queue_combines_with_the_other_filters(docket, counsel_user):
    response = client_for(counsel_user).get("/api/v1/cases/?queue=unassigned&status=closed")
    assert response.json()["results"] == []


@pytest.mark.parametrize("cases", [1, 60])
def test_the_list_with_sign_offs_keeps_a_constant_query_count(version, counsel_user, cases, django_assert_num_queries):
    for _ in range(cases):
        case = CaseFactory()
        analysis = _analyse(case, version)
        actions.sign_off_analysis(case=case, analysis_id=analysis.pk, note="", by=counsel_user)
    # 1 the user's roles, 2 the page of cases (with the latest and the newest signed
    # analysis's ids as subqueries), 3 those analyses with their signers (none to read
    # on a page without an analysed case).
    client = client_for(_fresh(counsel_user))
    with django_assert_num_queries(2):
        response = client.get("/api/v1/cases/?page_size=100&queue=mine")
    assert response.json()["results"] == []
    client = client_for(_fresh(counsel_user))
    with django_assert_num_queries(3):
        response = client.get("/api/v1/cases/?page_size=100")
    rows = response.json()["results"]
    assert len(rows) == cases and {row["sign_off"]["state"] for row in rows} == {"signed"}


# --- POST /api/v1/cases/{id}/assign/ -------------------------------------------------------


def _assign(client, case, counsel, version=None):
    body = {"counsel": counsel.pk if counsel is not None else None, "expected_version": version or case.version}
    return post(client, f"/api/v1/cases/{case.pk}/assign/", body)


def test_counsel_assigns_a_case_to_themselves_and_finds_it_under_mine(counsel_user):
    case = CaseFactory()
    client = client_for(counsel_user)
    me = client.get("/api/v1/whoami/").json()
    assert me["id"] == counsel_user.pk
    response = _assign(client, case, counsel_user)
    assert response.status_code == 200
    body = response.json()
    assert (body["counsel"], body["counsel_id"], body["version"]) == ("carl.counsel", counsel_user.pk, 2)
    assert body["event"]["kind"] == "assigned" and body["event"]["note"] == "Assigned to carl.counsel (was unassigned)."
    assert body["event"]["by"] == "carl.counsel"
    mine = client.get("/api/v1/cases/?queue=mine").json()["results"]
    assert [(row["id"], row["counsel"], row["counsel_id"]) for row in mine] == [
        (case.pk, "carl.counsel", counsel_user.pk)
    ]
    # And unassigns it again.
    response = post(client, f"/api/v1/cases/{case.pk}/assign/", {"counsel": None, "expected_version": 2})
    assert response.status_code == 200 and response.json()["counsel"] is None
    assert response.json()["event"]["note"] == "Unassigned (was carl.counsel)."
    assert client.get("/api/v1/cases/?queue=unassigned").json()["results"][0]["id"] == case.pk


def test_a_read_write_api_client_may_assign(api_user, counsel_user):
    case = CaseFactory()
    response = _assign(client_for(api_user, scope="read-write"), case, counsel_user)
    assert response.status_code == 200
    assert CaseEvent.objects.get(case=case, kind="assigned").by == api_user


@pytest.mark.parametrize(
    ("persona", "scope"),
    [
        ("viewer_user", None),
        ("intake_user", None),
        ("outsider_user", None),
        ("counsel_user", "read"),  # counsel, but a read-only token
        ("api_user", "read"),
    ],
)
def test_other_roles_and_read_only_tokens_are_refused(request, counsel_user, persona, scope):
    case = CaseFactory()
    response = _assign(client_for(request.getfixturevalue(persona), scope=scope), case, counsel_user)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.counsel is None and not case.events.exists()


def test_no_credentials_is_a_401(counsel_user):
    case = CaseFactory()
    assert _assign(APIClient(), case, counsel_user).status_code == 401


def test_a_missing_case_is_a_404(counsel_user):
    response = post(client_for(counsel_user), "/api/v1/cases/999999/assign/", {"counsel": None, "expected_version": 1})
    assert response.status_code == 404


def test_a_stale_version_is_a_409(counsel_user):
    case = CaseFactory()
    response = _assign(client_for(counsel_user), case, counsel_user, version=case.version + 1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    case.refresh_from_db()
    assert case.counsel is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"expected_version": 1}, "counsel", "This field is required."),
        ({"counsel": "carl", "expected_version": 1}, "counsel", "Must be a whole number."),
        ({"counsel": 0, "expected_version": 1}, "counsel", "Ensure this value is greater than or equal to 1."),
        ({"counsel": 999999, "expected_version": 1}, "counsel", "No user has the id 999999."),
        ({"counsel": None}, "expected_version", "This field is required."),
        ({"counsel": None, "expected_version": "1"}, "expected_version", "Must be a whole number."),
    ],
)
def test_bad_input_is_a_400_naming_the_field(counsel_user, body, field, message):
    case = CaseFactory(counsel=counsel_user)
    response = post(client_for(counsel_user), f"/api/v1/cases/{case.pk}/assign/", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}


def test_the_actions_refusals_are_400s_naming_counsel(counsel_user, viewer_user):
    client = client_for(counsel_user)
    case = CaseFactory(counsel=counsel_user)
    not_counsel = _assign(client, case, viewer_user)
    assert not_counsel.status_code == 400
    assert not_counsel.json()["error"]["fields"] == {
        "counsel": ["vera.viewer is not active counsel: a case is assigned to a member of counsel."]
    }
    unchanged = _assign(client, case, counsel_user)
    assert unchanged.json()["error"]["fields"] == {"counsel": ["The case is already assigned to carl.counsel."]}
    closed = CaseFactory(status=Status.CLOSED, outcome="moot")
    refused = _assign(client, closed, counsel_user)
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "counsel": ["The case is closed (moot): its assignment no longer changes."]
    }
    assert not CaseEvent.objects.exists()


# --- the sign-off in the case and status answers, and the schema ---------------------------


def test_status_and_case_say_which_answer_was_signed(docket, counsel_user):
    client = client_for(counsel_user)
    signed = docket["signed"]
    status = client.get(f"/api/v1/cases/{signed.pk}/status/").json()
    assert status["sign_off"]["state"] == "signed" and status["sign_off"]["signed_by"] == "carl.counsel"
    assert status["sign_off"]["signed_analysis"] == status["analysis"]["id"]
    assert client.get(f"/api/v1/cases/{docket['unsigned'].pk}/").json()["sign_off"]["state"] == "awaiting"
    assert client.get(f"/api/v1/cases/{docket['mine'].pk}/status/").json()["sign_off"] is None


def test_the_schema_publishes_the_queues_the_assignment_and_the_sign_off(counsel_user):
    schema = client_for(counsel_user).get("/api/schema/?format=json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    parameters = {p["name"]: p for p in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert sorted(parameters["queue"]["schema"]["enum"]) == sorted(EXPECTED)
    assign = paths["/api/v1/cases/{id}/assign/"]["post"]
    assert set(assign["responses"]) >= {"200", "400", "401", "403", "404", "409"}
    request = components["AssignRequest"]
    assert set(request["required"]) == {"counsel", "expected_version"}
    assert request["properties"]["counsel"]["nullable"] is True
    assert set(components["AssignResult"]["required"]) == {"event", "version", "counsel", "counsel_id"}
    state = components["SignOffState"]
    assert set(state["properties"]) == {
        "state",
        "signed_analysis",
        "signed_by",
        "signed_at",
        "voided_at",
        "voided_because",
        "in_words",
    }
    assert components["SignOffStateEnum"]["enum"] == ["signed", "awaiting", "voided"]
    for name in ("Case", "CaseStatus"):
        assert components[name]["properties"]["sign_off"]["allOf"] == [{"$ref": "#/components/schemas/SignOffState"}]
    assert "id" in components["WhoAmI"]["required"]
    links = paths["/api/v1/cases/{id}/status/"]["get"]["responses"]["200"]["links"]
    assert links["assign"]["operationId"] == "v1_cases_assign_create"
