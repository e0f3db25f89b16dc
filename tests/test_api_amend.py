"""`PATCH /api/v1/demands/{id}/`: correcting a demand's facts over the API (200 with the
corrected demand, 409 stale, 400 naming the field, 403 by role and token scope, 404)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import CaseEvent
from requests_app.models import Demand, Holding, NondisclosureOrder

PRESERVATION = "PRES-WDWA-2026-0311"
HOLDINGS = [
    {"category": "content", "data_location": "San Antonio, Texas (US South)", "controlled_by": "Microsoft Corporation"},
    {
        "category": "subscriber",
        "data_location": "Quincy, Washington (US West)",
        "controlled_by": "Microsoft Corporation",
    },
]


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def demand(demo) -> Demand:
    return Demand.objects.select_related("case").get(reference=PRESERVATION)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user, scope: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='t', scope=scope)[1]}")
    return client


def patch(client, demand_id, body):
    return client.patch(f"/api/v1/demands/{demand_id}/", data=json.dumps(body), content_type="application/json")


def correction(demand: Demand, **body) -> dict:
    demand.case.refresh_from_db()
    return {"reason": "Intake typed Dublin.", "expected_version": demand.case.version, **body}


def test_counsel_corrects_a_storage_location(demand, counsel_user, django_capture_on_commit_callbacks):
    version = demand.case.version
    body = correction(demand, accounts=[{"identifier": "preserve.me@example.com", "holdings": HOLDINGS}])
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(client_for(counsel_user), demand.pk, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["id"] == demand.pk and answer["reference"] == PRESERVATION
    assert answer["version"] == version + 1
    (account,) = answer["accounts"]
    assert account["service"] == "Outlook.com"  # left out: kept
    assert account["holdings"][0]["data_location"] == "San Antonio, Texas (US South)"
    event = CaseEvent.objects.get(case=demand.case, kind="demand_amended")
    assert event.by == counsel_user and event.data["reason"] == "Intake typed Dublin."
    assert event.data["changes"] == [
        "Holding 1 of preserve.me@example.com: stored in IE (Dublin (North Europe)) → "
        "US (San Antonio, Texas (US South))"
    ]
    latest = demand.case.analyses.newest_first().first()
    content = next(i for i in latest.result["items"] if i["category"] == "content")
    assert (content["storage"], content["reach"]) == ("US", "storage")
    status = client_for(counsel_user).get(f"/api/v1/cases/{demand.case.pk}/status/").json()
    assert status["last_event"]["kind"] in ("demand_amended", "analysis_changed")


def test_fields_sent_alone_and_the_nondisclosure_order(demand, counsel_user):
    body = correction(
        demand,
        served_at="2026-11-24T18:00:00Z",
        received_at="2026-11-24T18:05:00Z",
        emergency=True,
        nondisclosure_order={"basis": "18 U.S.C. §2705(b)", "starts_on": "2026-11-25"},
    )
    response = patch(client_for(counsel_user), demand.pk, body)
    assert response.status_code == 200, response.content
    assert response.json()["served_at"] == "2026-11-24T18:00:00Z" and response.json()["emergency"] is True
    order = NondisclosureOrder.objects.get(demand=demand)
    assert order.expires_on.isoformat() == "2027-11-24"  # left out: kept
    event = CaseEvent.objects.get(case=demand.case, kind="demand_amended")
    assert "served at 2026-11-24 17:00 UTC → 2026-11-24 18:00 UTC" in event.data["changes"]
    assert "Nondisclosure order 18 U.S.C. §2705(b): starts 2026-11-24 → 2026-11-25" in event.data["changes"]

    response = patch(client_for(counsel_user), demand.pk, correction(demand, nondisclosure_order=None))
    assert response.status_code == 200 and not NondisclosureOrder.objects.filter(demand=demand).exists()


def test_a_stale_version_is_409(demand, counsel_user):
    body = correction(demand, emergency=True)
    body["expected_version"] -= 1
    response = patch(client_for(counsel_user), demand.pk, body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict" and "someone else" in response.json()["error"]["message"]
    assert not Demand.objects.get(pk=demand.pk).emergency


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": None}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"expected_version": None}, "expected_version"),
        ({"issuing_jurisdiction": "GB"}, "issuing_jurisdiction"),
        ({"served_at": "2026-11-24 18:00"}, "served_at"),
        ({"received_at": "2026-11-01T00:00:00Z"}, "received_at"),
        ({"extended": "yes"}, "extended"),
        ({"reference": "ANOTHER-2026"}, "reference"),
        ({"emergency": False}, "non_field_errors"),  # nothing would change
        ({"accounts": []}, "accounts"),
        (
            {
                "accounts": [
                    {"identifier": "preserve.me@example.com", "holdings": [{**HOLDINGS[0], "data_location": "Mars"}]}
                ]
            },
            "accounts[0].holdings[0].data_location",
        ),
        (
            {"accounts": [{"identifier": "preserve.me@example.com", "holdings": [HOLDINGS[0], HOLDINGS[0]]}]},
            "accounts[0].holdings",
        ),
        ({"nondisclosure_order": {"basis": "x", "starts_on": "2028-01-01"}}, "nondisclosure_order.expires_on"),
    ],
)
def test_bad_input_is_400_naming_the_field(demand, counsel_user, body, field):
    sent = correction(demand, **body)
    sent = {k: v for k, v in sent.items() if v is not None}
    before = list(Holding.objects.filter(account__demand=demand).values_list("pk", "data_location"))
    response = patch(client_for(counsel_user), demand.pk, sent)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert list(Holding.objects.filter(account__demand=demand).values_list("pk", "data_location")) == before
    assert not CaseEvent.objects.filter(kind="demand_amended").exists()


def test_a_closed_case_is_400(demo, counsel_user):
    demand = Demand.objects.select_related("case").get(reference="13-MAG-2814")
    response = patch(client_for(counsel_user), demand.pk, correction(demand, emergency=True))
    assert response.status_code == 400 and "closed" in response.json()["error"]["fields"]["case"][0]


@pytest.mark.parametrize("persona", ["viewer_user", "outsider_user", "intake_user"])
def test_roles_that_may_not_correct_are_403(request, demand, persona):
    """A viewer never, intake not once the case is analysed (counsel corrects it then)."""
    response = patch(client_for(request.getfixturevalue(persona)), demand.pk, correction(demand, emergency=True))
    assert response.status_code == 403
    if persona == "intake_user":
        assert "only counsel" in response.json()["error"]["message"]
    assert not Demand.objects.get(pk=demand.pk).emergency


def test_a_read_only_token_is_403_and_a_read_write_one_corrects(demand, api_user):
    body = correction(demand, emergency=True)
    assert patch(token_client(api_user, "read"), demand.pk, body).status_code == 403
    response = patch(token_client(api_user, "read-write"), demand.pk, body)
    assert response.status_code == 200 and response.json()["emergency"] is True


def test_intake_corrects_its_demand_before_the_first_analysis(demo, intake_user):
    created = client_for(intake_user).post(
        "/api/v1/demands/",
        data=json.dumps(
            {
                "reference": "2026-WAR-9",
                "instrument": "US-SCA-WARRANT",
                "issuing_jurisdiction": "US",
                "issuing_authority": "FBI",
                "served_entity": "Microsoft Corporation",
                "served_at": "2026-11-20T15:00:00Z",
                "accounts": [{"identifier": "a@example.com", "holdings": [HOLDINGS[1]]}],
            }
        ),
        content_type="application/json",
    )  # the analysis would run after commit, which this test does not reach
    assert created.status_code == 201, created.content
    demand = Demand.objects.select_related("case").get(pk=created.json()["id"])
    response = patch(client_for(intake_user), demand.pk, correction(demand, issuing_authority="FBI Seattle"))
    assert response.status_code == 200 and response.json()["issuing_authority"] == "FBI Seattle"


def test_unknown_demand_is_404_and_put_is_not_offered(demo, counsel_user):
    response = patch(client_for(counsel_user), 999999, {"reason": "x", "expected_version": 1})
    assert response.status_code == 404 and response.json()["error"]["status"] == 404
    demand = Demand.objects.first()
    put = client_for(counsel_user).put(f"/api/v1/demands/{demand.pk}/", data="{}", content_type="application/json")
    assert put.status_code == 405


def test_the_schema_publishes_the_correction(demo, counsel_user):
    schema = client_for(counsel_user).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/demands/{id}/"]["patch"]
    assert operation["operationId"] == "v1_demands_partial_update"
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(request["required"]) == {"reason", "expected_version"}
    assert "reference" not in request["properties"] and "accounts" in request["properties"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "409"}
    retrieve = schema["paths"]["/api/v1/demands/{id}/"]["get"]
    assert "Correct" in retrieve["responses"]["200"]["links"]


def test_the_history_names_who_corrected(demand, counsel_user):
    patch(client_for(counsel_user), demand.pk, correction(demand, issuing_authority="FBI Seattle"))
    record = Demand.history.filter(id=demand.pk).latest()
    assert record.history_user == counsel_user and record.issuing_authority == "FBI Seattle"
    assert record.prev_record.history_user == get_user_model().objects.get(username="intake")
