"""The REST API: roles, nested create, errors, ETags, cursor pagination, query counts."""

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cases.models import Analysis, Case
from requests_app.models import Demand, Holding, TargetAccount
from tests.factories import CaseFactory

DEMAND = {
    "reference": "2026-WAR-001",
    "instrument": "US-SCA-WARRANT",
    "issuing_jurisdiction": "US",
    "issuing_authority": "FBI Seattle",
    "court": "wdwash",
    "served_entity": "Microsoft Corporation",
    "served_at": "2026-11-20T15:00:00Z",
    "received_at": "2026-11-20T15:05:00Z",
    "accounts": [
        {
            "identifier": "alice@example.com",
            "us_person": False,
            "residence": "GB",
            "holdings": [
                {"category": "content", "data_location": "London (UK South)", "controlled_by": "Microsoft Limited"},
                {"category": "subscriber", "data_location": None, "controlled_by": "Microsoft Corporation"},
            ],
        },
        {
            "identifier": "bob@example.com",
            "holdings": [
                {
                    "category": "content",
                    "data_location": "Dublin (North Europe)",
                    "controlled_by": "Microsoft Corporation",
                }
            ],
        },
    ],
    "nondisclosure_order": {"basis": "18 U.S.C. §2705(b)", "starts_on": "2026-11-20", "expires_on": "2027-11-20"},
}


@pytest.fixture
def demo(catalogue):
    import io

    call_command("load_demo", stdout=io.StringIO())


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- roles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [("intake_user", 200), ("counsel_user", 200), ("viewer_user", 200), ("api_user", 200), ("outsider_user", 403)],
)
def test_case_list_by_role(request, demo, persona, expected):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    if persona == "api_user":  # a client system reads with its token; a session of it gets nothing (M2)
        from accounts.models import ApiToken

        client = APIClient(headers={"Authorization": f"Token {ApiToken.issue(user=user, name='list')[1]}"})
    response = client.get("/api/v1/cases/")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["status"] == 403


def test_anonymous_gets_401_not_a_login_redirect(demo):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "persona, expected", [("intake_user", 201), ("counsel_user", 201), ("viewer_user", 403), ("outsider_user", 403)]
)
def test_who_may_log_a_demand(request, demo, persona, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(request.getfixturevalue(persona)), "/api/v1/demands/", DEMAND)
    assert response.status_code == expected, response.content
    assert Demand.objects.filter(reference=DEMAND["reference"]).exists() == (expected == 201)


# --- nested create -----------------------------------------------------------------


def test_nested_create_writes_everything_and_analyses(demo, intake_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(intake_user), "/api/v1/demands/", DEMAND)
    assert response.status_code == 201, response.content
    body = response.json()
    demand = Demand.objects.get(reference="2026-WAR-001")
    assert body["case"] == demand.case.pk and demand.created_by == intake_user
    assert demand.court.name == "W.D. Wash."
    assert TargetAccount.objects.filter(demand=demand).count() == 2
    assert Holding.objects.filter(account__demand=demand).count() == 3
    assert demand.nondisclosure_orders.get().expires_on == dt.date(2027, 11, 20)
    analysis = Analysis.objects.get(case__demand=demand)
    routes = [(i["account"], i["category"], i["reach"]) for i in analysis.result["items"]]
    assert ("alice@example.com", "content", "control") in routes


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d.update(instrument="XX-NOPE"), "instrument"),
        (lambda d: d["accounts"][1]["holdings"][0].update(category="secrets"), "accounts[1].holdings[0].category"),
        (
            lambda d: d["accounts"][1]["holdings"][0].update(controlled_by="Nobody Ltd"),
            "accounts[1].holdings[0].controlled_by",
        ),
        (lambda d: d["accounts"][0].update(holdings=[]), "accounts[0].holdings"),
        (lambda d: d.update(accounts=[]), "accounts"),
        (lambda d: d.update(received_at="2026-11-19T00:00:00Z"), "received_at"),
        (lambda d: d.update(served_at="yesterday"), "served_at"),
        (lambda d: d.update(court="Court of Nowhere"), "court"),
        (lambda d: d["nondisclosure_order"].update(expires_on="2020-01-01"), "nondisclosure_order.expires_on"),
        (lambda d: d["accounts"][1].update(identifier="alice@example.com"), "accounts"),
    ],
)
def test_bad_demand_is_refused_whole_naming_the_field(demo, intake_user, change, field):
    body = json.loads(json.dumps(DEMAND))
    change(body)
    before = (Demand.objects.count(), TargetAccount.objects.count(), Holding.objects.count(), Case.objects.count())
    response = post(client_for(intake_user), "/api/v1/demands/", body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"], error
    assert error["message"]
    after = (Demand.objects.count(), TargetAccount.objects.count(), Holding.objects.count(), Case.objects.count())
    assert after == before


def test_duplicate_reference_is_a_400_naming_reference(demo, intake_user):
    post(client_for(intake_user), "/api/v1/demands/", DEMAND)
    response = post(client_for(intake_user), "/api/v1/demands/", DEMAND)
    assert response.status_code == 400 and "reference" in response.json()["error"]["fields"]
    again = post(client_for(intake_user), "/api/v1/demands/", {**DEMAND, "reference": DEMAND["reference"].lower()})
    assert again.status_code == 400
    assert "is already logged (case" in again.json()["error"]["fields"]["reference"][0]


@pytest.mark.parametrize("body", ["not json", "[]", "null", '{"accounts": "many"}'])
def test_garbage_bodies_get_400(demo, intake_user, body):
    response = client_for(intake_user).post("/api/v1/demands/", data=body, content_type="application/json")
    assert response.status_code == 400


# --- status, ETags ---------------------------------------------------------------------


def test_status_is_compact_and_supports_etags(demo, viewer_user):
    case = Case.objects.get(demand__reference="COPO-2026-0142")
    client = client_for(viewer_user)
    response = client.get(f"/api/v1/cases/{case.pk}/status/")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == "COPO-2026-0142" and body["status"] == case.status
    assert body["analysis"]["routes"] == {"agreement": 2, "mlat": 1}
    etag = response["ETag"]
    assert client.get(f"/api/v1/cases/{case.pk}/status/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    assert client.get(f"/api/v1/cases/{case.pk}/status/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    detail = client.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


def test_unknown_case_is_404_in_the_error_shape(demo, viewer_user):
    response = client_for(viewer_user).get("/api/v1/cases/999999/status/")
    assert response.status_code == 404 and response.json()["error"]["status"] == 404


@pytest.mark.parametrize("path", ["/api/v1/cases/abc/status/", "/api/v1/no-such-thing/", "/api/v1/cases/1/nope/"])
def test_unknown_api_urls_are_404_in_the_error_shape(db, viewer_user, path):
    response = client_for(viewer_user).get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"] == {"status": 404, "code": "not_found", "message": "Not found.", "fields": {}}


def test_status_names_the_earliest_open_deadline_and_the_latest_event(db, viewer_user):
    from cases.models import Deadline
    from tests.factories import EventFactory

    case = CaseFactory()
    served = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    manual, met = Deadline.Source.MANUAL, Deadline.State.MET
    for kind, days, state in (("objection", 1, met), ("custom", 9, "open"), ("appeal_notice", 5, "open")):
        Deadline.objects.create(
            case=case, kind=kind, label="x", due_at=served + dt.timedelta(days=days), source=manual, state=state
        )
    EventFactory(case=case, kind="status_changed", occurred_on=dt.date(2026, 11, 9), note="later")
    EventFactory(case=case, kind="demand_logged", occurred_on=dt.date(2026, 11, 2), note="earlier")
    body = client_for(viewer_user).get(f"/api/v1/cases/{case.pk}/status/").json()
    appeal_notice = Deadline.objects.get(case=case, kind="appeal_notice")
    assert body["next_deadline"] == {"id": appeal_notice.pk, "kind": "appeal_notice", "due_at": "2026-11-07T09:00:00Z"}
    assert body["last_event"] == {"kind": "status_changed", "occurred_on": "2026-11-09", "note": "later"}
    assert body["analysis"] is None
    Deadline.objects.filter(case=case, state="open").update(state=Deadline.State.CANCELLED)
    body = client_for(viewer_user).get(f"/api/v1/cases/{case.pk}/status/").json()
    assert body["next_deadline"] is None and body["last_event"]["kind"] == "status_changed"


def test_status_query_is_a_prepared_statement_on_postgresql(postgres, demo, viewer_user):
    """Django turns preparation off by default; settings turn it on for this query only,
    because planning it costs several times running it."""
    case = Case.objects.get(demand__reference="COPO-2026-0142")
    client = client_for(viewer_user)
    for _ in range(2):
        assert client.get(f"/api/v1/cases/{case.pk}/status/").status_code == 200
    with postgres.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%cases_deadline n%"])
        assert len(cursor.fetchall()) == 1


def test_events_deadlines_analyses(demo, viewer_user):
    case = Case.objects.get(demand__reference="13-MAG-2814")
    client = client_for(viewer_user)
    events = client.get(f"/api/v1/cases/{case.pk}/events/").json()
    assert any(e["kind"] == "analysis_changed" for e in events)
    analyses = client.get(f"/api/v1/cases/{case.pk}/analyses/").json()
    assert {a["doctrine"] for a in analyses} >= {"control-based", "storage-based"}
    assert client.get(f"/api/v1/cases/{case.pk}/deadlines/").status_code == 200


# --- filters and cursor pagination ------------------------------------------------------


def test_filters(demo, viewer_user):
    client = client_for(viewer_user)
    refs = lambda url: {c["reference"] for c in client.get(url).json()["results"]}  # noqa: E731
    assert refs("/api/v1/cases/?issuer=GB") == {"COPO-2026-0142"}
    assert refs("/api/v1/cases/?instrument=EU-EPO") == {"EPO-DE-2026-0007"}
    assert refs("/api/v1/cases/?q=nutzer@") == {"EPO-DE-2026-0007"}
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert refs(f"/api/v1/cases/?updated_since={future}") == set()
    response = client.get("/api/v1/cases/?updated_since=not-a-date")
    assert response.status_code == 400 and "updated_since" in response.json()["error"]["fields"]


def test_cursor_pagination_survives_concurrent_inserts(catalogue, viewer_user):
    for _ in range(5):
        CaseFactory()
    client = client_for(viewer_user)
    first = client.get("/api/v1/cases/?page_size=2").json()
    seen = [c["id"] for c in first["results"]]
    for _ in range(3):
        CaseFactory()  # inserted while the client pages
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == Case.objects.count() == 8


@pytest.mark.parametrize("cursor", ["garbage", "cD1hYmM=", "bz0tMQ=="])  # not base64; p=abc; o=-1
def test_an_altered_cursor_is_a_400_naming_it(catalogue, viewer_user, cursor):
    CaseFactory()
    response = client_for(viewer_user).get(f"/api/v1/cases/?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "cursor": ["Invalid cursor: follow the `next` or `previous` link as given."]
    }


@pytest.mark.parametrize("cases", [1, 100])
def test_case_list_query_count_is_constant(catalogue, viewer_user, cases, django_assert_num_queries):
    for _ in range(cases):
        CaseFactory()
    client = client_for(viewer_user)
    # 1 the user's roles, 2 the page of cases joined with demand, instrument,
    # issuer, served entity and counsel, next deadline as subqueries.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/cases/?page_size=100")
    assert len(response.json()["results"]) == cases


# --- what-if, catalogue, schema --------------------------------------------------------


def test_what_if_runs_the_engine_and_stores_nothing(catalogue, viewer_user):
    scenario = {
        "as_of": "2016-07-15",
        "demand": {
            "instrument": "US-SCA-WARRANT",
            "issuing_jurisdiction": "US",
            "served_entity": "A",
            "issuing_court": "S.D.N.Y.",
        },
        "entities": [{"name": "A", "country": "US"}],
        "accounts": [{"identifier": "u", "holdings": [{"category": "content", "storage": "IE", "controlled_by": "A"}]}],
    }
    response = post(client_for(viewer_user), "/api/v1/what-if/", scenario)
    assert response.status_code == 200
    assert response.json()["doctrine"] == "storage-based"
    assert Analysis.objects.count() == 0
    scenario["as_of"] = "2016-02-30"
    bad = post(client_for(viewer_user), "/api/v1/what-if/", scenario)
    assert bad.status_code == 400 and "as_of" in bad.json()["error"]["fields"]


def test_catalogue_is_read_only(catalogue, viewer_user):
    client = client_for(viewer_user)
    instruments = client.get("/api/v1/catalogue/instruments/").json()
    assert {i["code"] for i in instruments} >= {"US-SCA-WARRANT", "EU-EPO", "GB-COPO"}
    assert client.get("/api/v1/catalogue/instruments/EU-EPO/").json()["issuing_blocs"] == ["E-EVIDENCE", "EU"]
    assert post(client, "/api/v1/catalogue/instruments/", {"code": "X"}).status_code in (403, 405)


def test_schema_and_docs_need_login_and_use_no_cdn(db, viewer_user, outsider_user, client):
    assert client.get("/api/schema/").status_code in (302, 401, 403)
    client.force_login(outsider_user)  # a login without a role is not enough either
    assert client.get("/api/schema/").status_code == 403
    client.force_login(viewer_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/cases/{id}/status/" in schema.content
    assert b"LoginRequiredMiddleware" not in schema.content  # no developer notes as descriptions
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


# --- the published contract, point by point (tests/test_api_contract.py runs schemathesis) --


@pytest.mark.parametrize(
    "query, name",
    [
        ("updated_since=", "updated_since"),  # was "no filter"
        ("page_size=null", "page_size"),  # was the default page size
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),  # was silently 200
        ("status=open&status=closed", "status"),  # was the last one
        ("q=", "q"),
        ("updated_since=2026-01-05", "updated_since"),  # a day is not an instant
        ("updated_since=2026-01-05T09:00:00", "updated_since"),  # nor one without its offset
    ],
)
def test_a_query_parameter_the_schema_refuses_is_a_400_naming_it(demo, viewer_user, query, name):
    response = client_for(viewer_user).get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [name]


def test_unknown_codes_filter_to_nothing_and_instants_beyond_the_calendar_are_accepted(demo, viewer_user):
    client = client_for(viewer_user)
    refs = lambda url: {c["reference"] for c in client.get(url).json()["results"]}  # noqa: E731
    assert refs("/api/v1/cases/?issuer=%0B") == refs("/api/v1/cases/?instrument=XX-NOPE") == set()
    everything = refs("/api/v1/cases/")
    assert refs("/api/v1/cases/?updated_since=0001-01-01T00:00:00%2B01:00") == everything  # year 0 in UTC
    assert refs("/api/v1/cases/?updated_since=9999-12-31T23:00:00-01:00") == set()  # year 10000 in UTC


def test_cursors_are_valid_exactly_when_they_match_the_schema(catalogue, viewer_user):
    from accounts.api import CURSOR_PATTERN

    for _ in range(3):
        CaseFactory()
    client = client_for(viewer_user)
    first = client.get("/api/v1/cases/?page_size=1").json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    assert re.fullmatch(CURSOR_PATTERN, cursor)
    for made_up in ("f", "r", "f0", "r999999999999999999o9999", "f12o3"):
        assert client.get(f"/api/v1/cases/?cursor={made_up}").status_code == 200, made_up


@pytest.mark.parametrize(
    "change, field",
    [
        ({"expected_version": "1"}, "expected_version"),  # DRF would take the string
        ({"occurred_on": "20260105"}, "occurred_on"),  # and this ISO 8601 spelling
        ({"stayed": 1}, "stayed"),  # and 1 for true
        ({"note": 5}, "note"),  # and a number for a text
        ({"outcome": "nonsense"}, "outcome"),  # ignored unless closing, before
        ({"sanctions_amount": 5}, "sanctions_amount"),
        ({"sanctions_amount": "-5"}, "sanctions_amount"),
    ],
)
def test_a_body_value_the_schema_refuses_is_a_400_naming_it(catalogue, counsel_user, change, field):
    case = CaseFactory()
    body = {"track": "status", "to": "analysis", "occurred_on": "2026-01-05", "expected_version": 1, **change}
    response = post(client_for(counsel_user), f"/api/v1/cases/{case.pk}/transition/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize("path", ["/api/v1/cases/1000000000000000000/", "/api/v1/catalogue/jurisdictions//"])
def test_unmatched_api_paths_are_json_404s_also_with_debug(db, viewer_user, settings, path):
    settings.DEBUG = True  # Django would answer with its HTML debug page
    response = client_for(viewer_user).get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_the_schema_states_formats_ranges_and_links(catalogue, viewer_user):
    schema = client_for(viewer_user).get("/api/schema/?format=json").json()
    components, paths = schema["components"]["schemas"], schema["paths"]
    transition = components["TransitionRequest"]["properties"]
    assert transition["occurred_on"]["format"] == "date"
    assert transition["expected_version"]["minimum"] == 1 and transition["note"]["pattern"] == "^[^\\x00]*$"
    assert "expected_version" in components["SignOffRequest"]["required"]
    demand = components["DemandRequest"]["properties"]
    assert demand["accounts"]["minItems"] == 1 and demand["accounts"]["maxItems"] > 1
    assert demand["instrument"] == {"$ref": "#/components/schemas/LegalInstrumentCode"}
    assert "US-SCA-WARRANT" in components["LegalInstrumentCode"]["enum"]  # the catalogue's codes
    case_list = {p["name"]: p["schema"] for p in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert case_list["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert case_list["updated_since"]["format"] == "date-time" and case_list["q"]["minLength"] == 1
    detail = paths["/api/v1/cases/{id}/"]["get"]
    assert {"type": "integer", "minimum": 1, "maximum": 10**18 - 1} in [p["schema"] for p in detail["parameters"]]
    # From the list to a case, to its status, to each step on it.
    assert "FirstCase" in paths["/api/v1/cases/"]["get"]["responses"]["200"]["links"]
    steps = paths["/api/v1/cases/{id}/status/"]["get"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in steps.values()} == {
        f"v1_cases_{step}_create"
        for step in ("transition", "record_event", "add_deadline", "move_deadline", "complete_deadline")
        + ("cancel_deadline", "sign_off", "assign")
    }
    assert steps["sign_off"]["requestBody"] == {
        "analysis": "$response.body#/analysis/id",
        "expected_version": "$response.body#/version",
    }


# --- RULES.md v3: request kinds, issuers, voluntary disclosure, the new deadlines ------


PRESERVATION = {
    **DEMAND,
    "reference": "2026-PRES-001",
    "instrument": "US-SCA-PRESERVATION",
    "extended": True,
    "nondisclosure_order": None,
}


def test_a_preservation_request_is_logged_with_its_kind_and_expiry(
    demo, intake_user, viewer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(intake_user), "/api/v1/demands/", PRESERVATION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["extended"], body["pending_since"]) == ("preservation", True, None)
    client = client_for(viewer_user)
    case = client.get(f"/api/v1/cases/{body['case']}/").json()
    assert (case["kind"], case["extended"], case["pending_since"]) == ("preservation", True, None)
    (analysis,) = client.get(f"/api/v1/cases/{body['case']}/analyses/").json()
    answer = analysis["answer"]
    assert answer["kind"] == "preservation" and answer["doctrine_authorities"]
    assert set(answer["deadlines"]) == {
        "response_due",
        "comity_motion_due",
        "preservation_expires",
        "conflict_objection_due",
    }
    assert answer["deadlines"]["preservation_expires"] and answer["deadlines"]["response_due"] is None
    assert all(item["voluntary"] is False for item in answer["items"])  # a preservation discloses nothing
    deadlines = client.get(f"/api/v1/cases/{body['case']}/deadlines/").json()
    assert [d["kind"] for d in deadlines if d["state"] == "open"] == ["preservation_expires"]
    status = client.get(f"/api/v1/cases/{body['case']}/status/").json()
    assert status["analysis"]["kind"] == "preservation" and status["analysis"]["voluntary"] == 0
    assert status["next_deadline"]["kind"] == "preservation_expires"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"issuing_jurisdiction": "GB"}, "issuing_jurisdiction"),
        ({"instrument": "EU-EPO", "issuing_jurisdiction": "US"}, "issuing_jurisdiction"),
        ({"instrument": "EU-EPO-PR", "issuing_jurisdiction": "CH"}, "issuing_jurisdiction"),
        ({"extended": True}, "extended"),
        ({"pending_since": "2024-01-10"}, "pending_since"),
        ({"pending_since": "10 January 2024"}, "pending_since"),
        ({"extended": "yes"}, "extended"),
    ],
)
def test_what_the_instrument_does_not_allow_is_a_400_naming_the_field(demo, intake_user, change, field):
    before = Demand.objects.count()
    response = post(client_for(intake_user), "/api/v1/demands/", {**DEMAND, **change})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert Demand.objects.count() == before


def test_an_epo_from_a_member_state_is_accepted(demo, intake_user):
    body = {**DEMAND, "instrument": "EU-EPO", "issuing_jurisdiction": "DE", "court": None}
    response = post(client_for(intake_user), "/api/v1/demands/", body)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "production"


def test_a_voluntary_holding_shows_in_the_answer_and_on_the_case_file(
    demo, intake_user, viewer_user, client, django_capture_on_commit_callbacks
):
    """A Brazilian order served on the Brazilian subsidiary for subscriber data its US
    parent controls: US law lets the parent disclose it voluntarily (18 U.S.C.
    §2702(c)(6)); content never."""
    body = {
        **DEMAND,
        "reference": "BR-VOLUNTARY-1",
        "instrument": "BR-MCI-ORDER",
        "issuing_jurisdiction": "BR",
        "court": None,
        "served_entity": "Microsoft Informatica Ltda",
        "nondisclosure_order": None,
        "accounts": [
            {
                "identifier": "usuario@example.com.br",
                "holdings": [
                    {
                        "category": "subscriber",
                        "data_location": "Quincy, Washington (US West)",
                        "controlled_by": "Microsoft Corporation",
                    },
                    {
                        "category": "content",
                        "data_location": "Quincy, Washington (US West)",
                        "controlled_by": "Microsoft Corporation",
                    },
                ],
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(intake_user), "/api/v1/demands/", body)
    assert response.status_code == 201, response.content
    case = response.json()["case"]
    (analysis,) = client_for(viewer_user).get(f"/api/v1/cases/{case}/analyses/").json()
    voluntary = {item["category"]: item["voluntary"] for item in analysis["answer"]["items"]}
    assert voluntary == {"subscriber": True, "content": False}
    status = client_for(viewer_user).get(f"/api/v1/cases/{case}/status/").json()
    assert status["analysis"]["voluntary"] == 1
    client.force_login(viewer_user)
    page = client.get(f"/cases/{case}/").content.decode()
    assert "Voluntary disclosure permitted (18 U.S.C. §2702(c)(6))" in page


def test_the_schema_has_the_v3_fields(catalogue, viewer_user):
    schema = client_for(viewer_user).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    request = components["DemandRequest"]["properties"]
    assert request["extended"]["type"] == "boolean"
    assert request["pending_since"]["format"] == "date" and request["pending_since"].get("nullable") is True
    assert "kind" not in request  # fixed by the instrument
    assert components["RequestKindEnum"]["enum"] == ["production", "preservation"]
    assert "RequestKindEnum" in str(components["Demand"]["properties"]["kind"])
    assert {"kind", "extended", "pending_since"} <= set(components["Case"]["properties"])
    answer = components["Answer"]["properties"]
    assert {"kind", "doctrine", "doctrine_authorities", "items", "deadlines"} <= set(answer)
    assert set(components["AnswerDeadlines"]["properties"]) == {
        "response_due",
        "comity_motion_due",
        "preservation_expires",
        "conflict_objection_due",
    }
    assert "voluntary" in components["AnswerItem"]["properties"]
    status = components["StatusAnalysis"]["properties"]
    assert {"kind", "doctrine_authorities", "voluntary"} <= set(status)
    assert {"preservation_expires", "conflict_objection"} <= set(components["DeadlineKindEnum"]["enum"])
    instrument = components["Instrument"]["properties"]
    assert {"kind", "preservation_period", "objection_period", "group_control", "pending_rule"} <= set(instrument)
