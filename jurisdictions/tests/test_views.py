"""The catalogue pages and the what-if form, for each role."""

import json

import pytest
from django.urls import reverse

from cases.models import Analysis, Case
from jurisdictions.models import ControllingEntity, DataLocation
from requests_app.models import Demand

READERS = ["intake_user", "counsel_user", "viewer_user"]
REFUSED = ["api_user", "outsider_user"]
PAGES = ["catalogue:index", "catalogue:what_if"]

SCENARIO = {
    "id": "msft-ireland-2014-04-25",
    "as_of": "2014-04-25",
    "demand": {
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "served_entity": "Microsoft Corporation",
        "issuing_court": "S.D.N.Y.",
        "served_at": "2013-12-04T00:00:00Z",
    },
    "entities": [
        {"name": "Microsoft Corporation", "country": "US", "offers_services_in": ["*"]},
        {
            "name": "Microsoft Ireland Operations Limited",
            "country": "IE",
            "parent": "Microsoft Corporation",
            "designated_for": ["Microsoft Corporation"],
        },
    ],
    "accounts": [
        {
            "identifier": "target@example.com",
            "us_person": None,
            "residence": None,
            "holdings": [{"category": "content", "storage": "IE", "controlled_by": "Microsoft Corporation"}],
        }
    ],
}


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    DataLocation.objects.create(name="Dublin (North Europe)", country_id="IE", operated_by=ireland)
    return msft


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("page", PAGES)
def test_readers_see_the_catalogue(client, request, persona, page, data_map):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize("page", PAGES)
def test_others_are_refused(client, request, persona, page, data_map):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(page)).status_code == 403
    assert client.post(reverse("catalogue:what_if"), {"scenario": json.dumps(SCENARIO)}).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, page, db):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_catalogue_lists_rows_with_dates_and_citations(client, viewer_user, data_map, django_assert_max_num_queries):
    client.force_login(viewer_user)
    # Prefetching keeps the page at a fixed number of queries, whatever the catalogue's size.
    with django_assert_max_num_queries(25):
        response = client.get(reverse("catalogue:index"))
    body = response.content.decode()
    for text in [
        "US-SCA-WARRANT",  # instrument
        "18 U.S.C. §2703",  # its citation
        "EU-GDPR-ART48",  # conflict rule
        'id="conflict-EU-GDPR-ART48"',  # the anchor the case file links to
        "S.D.N.Y.",  # court
        "Ireland",  # jurisdiction
        "Dublin (North Europe)",  # provider's map
        "CLOUD Act executive agreement",  # agreement kinds
    ]:
        assert text in body, text
    assert "style=" not in body


def test_what_if_form_defaults(client, viewer_user, data_map):
    client.force_login(viewer_user)
    form = client.get(reverse("catalogue:what_if")).context["form"]
    # The whole provider's map is ticked; the accounts are rows, the JSON is left empty.
    assert form["entities"].value() == ["Microsoft Corporation", "Microsoft Ireland Operations Limited"]
    assert not form["accounts"].value() and not form["scenario"].value()


def test_what_if_with_fields_runs_the_engine_on_the_provider_map(client, viewer_user, data_map):
    client.force_login(viewer_user)
    accounts = [
        {
            "identifier": "target@example.com",
            "holdings": [{"category": "content", "storage": "IE", "controlled_by": "Microsoft Corporation"}],
        }
    ]
    response = client.post(
        reverse("catalogue:what_if"),
        {
            "instrument": "US-SCA-WARRANT",
            "issuing_jurisdiction": "US",
            "court": "S.D.N.Y.",
            "served_entity": "Microsoft Corporation",
            "as_of": "2016-07-15",
            "served_at": "2013-12-04T00:00",
            "entities": ["Microsoft Corporation", "Microsoft Ireland Operations Limited"],
            "accounts": json.dumps(accounts),
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result["doctrine"] == "storage-based"
    assert (result["items"][0]["reach"], result["items"][0]["route"]) == ("none", "mlat")
    assert Demand.objects.count() == 0 and Case.objects.count() == 0 and Analysis.objects.count() == 0


def test_what_if_with_a_whole_scenario(client, counsel_user, data_map):
    client.force_login(counsel_user)
    response = client.post(reverse("catalogue:what_if"), {"scenario": json.dumps(SCENARIO)})
    result = response.context["result"]
    assert result["id"] == "msft-ireland-2014-04-25" and result["doctrine"] == "control-based"
    assert result["items"][0]["reach"] == "control"
    assert 'id="what-if-result"' in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"demand": {**SCENARIO["demand"], "instrument": "NOPE"}}, "scenario", "demand.instrument: unknown instrument"),
        ({"as_of": "25/04/2014"}, "scenario", "as_of: must be a date YYYY-MM-DD"),
        (
            {"accounts": [{"identifier": "a", "holdings": [{"category": "content", "storage": "IE"}]}]},
            "scenario",
            "accounts[0].holdings[0].controlled_by: missing required field",
        ),
    ],
)
def test_what_if_scenario_errors_name_the_field(client, viewer_user, data_map, change, field, message):
    client.force_login(viewer_user)
    response = client.post(reverse("catalogue:what_if"), {"scenario": json.dumps({**SCENARIO, **change})})
    assert response.status_code == 400 and response.context["result"] is None
    assert any(message in e for e in response.context["form"].errors[field])


def test_what_if_field_errors_land_on_their_fields(client, viewer_user, data_map):
    client.force_login(viewer_user)
    response = client.post(
        reverse("catalogue:what_if"),
        {
            "instrument": "US-SCA-WARRANT",
            "issuing_jurisdiction": "US",
            "served_entity": "Microsoft Corporation",
            "as_of": "2016-07-15",
            "entities": ["Microsoft Corporation"],
            "accounts": json.dumps(
                [
                    {
                        "identifier": "a",
                        "holdings": [{"category": "email", "storage": "IE", "controlled_by": "Microsoft Corporation"}],
                    }
                ]
            ),
        },
    )
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert "unknown category 'email'" in errors["accounts"][0]


def test_what_if_bad_json_and_missing_fields(client, viewer_user, data_map):
    client.force_login(viewer_user)
    response = client.post(reverse("catalogue:what_if"), {"accounts": "[{", "as_of": ""})
    errors = response.context["form"].errors
    assert "Not valid JSON" in errors["accounts"][0]
    assert errors["instrument"] and errors["served_entity"] and errors["as_of"]
    response = client.post(reverse("catalogue:what_if"), {"scenario": "[]"})
    assert response.context["form"].errors["scenario"] == ["Must be a JSON object."]
