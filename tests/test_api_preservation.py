"""Request kinds through the API (`request_kind`, `follows_preservation` on the demand),
`POST /api/v1/cases/{id}/extend-preservation/`, `POST /api/v1/cases/{id}/disclosure-decision/`
and the `preservation_expiring` queue: 201, 409 stale, 400 naming the field, 403 by
role and by read-only token (issue 19)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.actions.preservation import open_expiry
from cases.models import Case, CaseEvent, Deadline, EmergencyDisclosureDecision
from requests_app.models import Demand

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
PRESERVATION = "PRES-WDWA-2026-0311"
DEMAND = {
    "reference": "2026-WAR-PRES",
    "instrument": "US-SCA-WARRANT",
    "issuing_jurisdiction": "US",
    "issuing_authority": "FBI Seattle",
    "court": "wdwash",
    "served_entity": "Microsoft Corporation",
    "served_at": "2026-12-01T15:00:00Z",
    "accounts": [
        {
            "identifier": "preserve.me@example.com",
            "holdings": [
                {
                    "category": "content",
                    "data_location": "Dublin (North Europe)",
                    "controlled_by": "Microsoft Corporation",
                }
            ],
        }
    ],
}
DECISION = {
    "decision": "decline",
    "basis": "No specific threat: the caller could not say who is in danger.",
    "verification": "official_domain",
    "verification_detail": "E-mail from a fbi.gov address, headers checked by counsel.",
}


@pytest.fixture
def demo(catalogue):
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user, scope: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='t', scope=scope)[1]}")
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def fields(response) -> dict:
    return response.json()["error"]["fields"]


def preservation() -> Case:
    return Case.objects.get(demand__reference=PRESERVATION)


# --- Intake ----------------------------------------------------------------------------------


def test_the_kind_follows_the_instrument_and_a_chosen_mismatch_is_a_400(demo, intake_user):
    client = client_for(intake_user)
    body = {**DEMAND, "reference": "PRES-API-1", "instrument": "US-SCA-PRESERVATION"}
    response = post(client, "/api/v1/demands/", body)
    assert response.status_code == 201, response.content
    assert response.json()["request_kind"] == "preservation"
    refused = post(client, "/api/v1/demands/", {**body, "reference": "PRES-API-2", "request_kind": "compulsory"})
    assert refused.status_code == 400 and "request_kind" in fields(refused)
    refused = post(client, "/api/v1/demands/", {**DEMAND, "reference": "W-API-3", "request_kind": "preservation"})
    assert refused.status_code == 400 and "request_kind" in fields(refused)
    assert not Demand.objects.filter(reference__in=["PRES-API-2", "W-API-3"]).exists()


def test_an_emergency_disclosure_request_is_logged_as_an_emergency(demo, intake_user, viewer_user):
    body = {**DEMAND, "reference": "EDR-API-1", "instrument": "US-SCA-SUBPOENA", "court": None}
    response = post(client_for(intake_user), "/api/v1/demands/", {**body, "request_kind": "emergency_disclosure"})
    assert response.status_code == 201, response.content
    assert (response.json()["request_kind"], response.json()["emergency"]) == ("emergency_disclosure", True)
    case = client_for(viewer_user).get(f"/api/v1/cases/{response.json()['case']}/").json()
    assert case["request_kind"] == "emergency_disclosure"
    foreign = {**body, "reference": "EDR-API-2", "served_entity": "Microsoft Limited"}
    refused = post(client_for(intake_user), "/api/v1/demands/", {**foreign, "request_kind": "emergency_disclosure"})
    assert refused.status_code == 400 and "request_kind" in fields(refused)


def test_a_warrant_that_follows_the_preservation_fulfils_it(demo, intake_user):
    expiry = open_expiry(preservation())
    response = post(client_for(intake_user), "/api/v1/demands/", {**DEMAND, "follows_preservation": PRESERVATION})
    assert response.status_code == 201, response.content
    assert response.json()["follows_preservation"] == PRESERVATION
    assert CaseEvent.objects.filter(case=preservation(), kind="preservation_fulfilled").count() == 1
    expiry.refresh_from_db()
    assert expiry.state == Deadline.State.MET


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"follows_preservation": "NO-SUCH-REF"}, "No demand has the reference NO-SUCH-REF"),
        ({"follows_preservation": "13-MAG-2814"}, "not a preservation request"),
        ({"follows_preservation": PRESERVATION, "served_entity": "Microsoft Limited"}, "another entity"),
    ],
)
def test_a_bad_follows_preservation_is_a_400_naming_it(demo, intake_user, changes, message):
    response = post(client_for(intake_user), "/api/v1/demands/", {**DEMAND, **changes})
    assert response.status_code == 400, response.content
    assert message in " ".join(fields(response)["follows_preservation"])


def test_an_amendment_may_link_the_preservation_and_is_held_to_the_kind(demo, intake_user, counsel_user):
    created = post(client_for(intake_user), "/api/v1/demands/", DEMAND).json()
    client = client_for(counsel_user)

    def patch(body):
        version = Case.objects.get(pk=created["case"]).version
        return client.patch(
            f"/api/v1/demands/{created['id']}/",
            data=json.dumps({"reason": "The letter says so.", "expected_version": version, **body}),
            content_type="application/json",
        )

    refused = patch({"request_kind": "preservation"})
    assert refused.status_code == 400 and "request_kind" in fields(refused)
    linked = patch({"follows_preservation": PRESERVATION})
    assert linked.status_code == 200, linked.content
    assert CaseEvent.objects.filter(case=preservation(), kind="preservation_fulfilled").count() == 1


# --- Extending ---------------------------------------------------------------------------------


def extend_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/extend-preservation/"


def test_counsel_extends_a_preservation(demo, counsel_user):
    case = preservation()
    response = post(
        client_for(counsel_user), extend_url(case), {"received_on": "2026-12-07", "expected_version": case.version}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event"]["kind"] == "preservation_extended"
    assert body["preservation_expires"] == "2027-05-24T07:00:00Z"
    assert body["version"] == Case.objects.get(pk=case.pk).version
    again = post(
        client_for(counsel_user), extend_url(case), {"received_on": "2026-12-07", "expected_version": body["version"]}
    )
    assert again.status_code == 400 and "case" in fields(again)


def test_extending_refuses_stale_versions_bad_input_and_other_roles(
    demo, counsel_user, intake_user, viewer_user, api_user
):
    case = preservation()
    good = {"received_on": "2026-12-07", "expected_version": case.version}
    assert (
        post(client_for(counsel_user), extend_url(case), {**good, "expected_version": case.version - 1}).status_code
        == 409
    )
    missing = post(client_for(counsel_user), extend_url(case), {"expected_version": case.version})
    assert missing.status_code == 400 and "received_on" in fields(missing)
    future = post(client_for(counsel_user), extend_url(case), {**good, "received_on": "2027-01-30"})
    assert future.status_code == 400 and "received_on" in fields(future)
    for client in (client_for(intake_user), client_for(viewer_user), token_client(api_user, "read")):
        assert post(client, extend_url(case), good).status_code == 403
    assert post(client_for(counsel_user), "/api/v1/cases/999999/extend-preservation/", good).status_code == 404
    assert not Demand.objects.get(reference=PRESERVATION).extended
    assert post(token_client(api_user, "read-write"), extend_url(case), good).status_code == 201


# --- Disclosure decision -----------------------------------------------------------------------


@pytest.fixture
def request_case(demo, intake_user) -> Case:
    body = {**DEMAND, "reference": "EDR-API-9", "instrument": "US-SCA-SUBPOENA", "court": None}
    created = post(client_for(intake_user), "/api/v1/demands/", {**body, "request_kind": "emergency_disclosure"})
    return Case.objects.get(pk=created.json()["case"])


def test_counsel_records_a_disclosure_decision(request_case, counsel_user):
    url = f"/api/v1/cases/{request_case.pk}/disclosure-decision/"
    response = post(client_for(counsel_user), url, {**DECISION, "expected_version": request_case.version})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["decision"], body["verification"], body["decided_by"]) == (
        "decline",
        "official_domain",
        "carl.counsel",
    )
    assert body["version"] == request_case.version + 1
    assert EmergencyDisclosureDecision.objects.get().case_id == request_case.pk


def test_a_disclosure_decision_refuses_stale_bad_input_other_roles_and_kinds(
    request_case, counsel_user, intake_user, viewer_user, api_user
):
    url = f"/api/v1/cases/{request_case.pk}/disclosure-decision/"
    good = {**DECISION, "expected_version": request_case.version}
    assert (
        post(client_for(counsel_user), url, {**good, "expected_version": request_case.version + 5}).status_code == 409
    )
    for field in ("basis", "verification_detail"):
        response = post(client_for(counsel_user), url, {**good, field: ""})
        assert response.status_code == 400 and field in fields(response)
    bad = post(client_for(counsel_user), url, {**good, "verification": "psychic"})
    assert bad.status_code == 400 and "verification" in fields(bad)
    for client in (client_for(intake_user), client_for(viewer_user), token_client(api_user, "read")):
        assert post(client, url, good).status_code == 403
    other = preservation()
    response = post(
        client_for(counsel_user),
        f"/api/v1/cases/{other.pk}/disclosure-decision/",
        {**DECISION, "expected_version": other.version},
    )
    assert response.status_code == 400 and "case" in fields(response)
    assert not EmergencyDisclosureDecision.objects.exists()


# --- The queue -------------------------------------------------------------------------------


def test_the_preservation_expiring_queue_through_the_api(demo, viewer_user):
    expiry = open_expiry(preservation())
    client = client_for(viewer_user)
    with time_machine.travel(expiry.due_at - dt.timedelta(days=10), tick=False):
        listed = client.get("/api/v1/cases/?queue=preservation_expiring").json()["results"]
    assert [c["reference"] for c in listed] == [PRESERVATION]
    assert listed[0]["request_kind"] == "preservation"
    assert client.get("/api/v1/cases/?queue=preservation_expiring").json()["results"] == []
