"""Logging a demand costs the same number of queries however many accounts and
holdings it names, and the duplicate-reference check is answered by the unique index
on the normalised reference (issue 18: intake at a large provider's volume)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jurisdictions.models import Category, DataLocation
from requests_app.models import Demand, Holding, reference_taken


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


def demand_body(reference: str, *, accounts: int, holdings_each: int) -> dict:
    """A US warrant naming `accounts` accounts of `holdings_each` holdings, spread over
    the demo data map's locations and the categories (each (category, place) once per
    account, as intake requires)."""
    places = list(DataLocation.objects.order_by("pk").values_list("name", flat=True))
    categories = list(Category.values)
    assert holdings_each <= len(places) * len(categories)
    return {
        "reference": reference,
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "issuing_authority": "FBI Seattle",
        "court": "wdwash",
        "served_entity": "Microsoft Corporation",
        "served_at": "2026-11-20T15:00:00Z",
        "received_at": "2026-11-20T15:05:00Z",
        "accounts": [
            {
                "identifier": f"user{a}@example.com",
                "holdings": [
                    {
                        "category": categories[i % len(categories)],
                        "data_location": places[i // len(categories)],
                        "controlled_by": "Microsoft Corporation" if i % 2 else "Microsoft Ireland Operations Limited",
                    }
                    for i in range(holdings_each)
                ],
            }
            for a in range(accounts)
        ],
    }


def queries_to_log(user, body: dict) -> int:
    client = APIClient()
    client.force_authenticate(user)
    payload = json.dumps(body)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/demands/", data=payload, content_type="application/json")
    assert response.status_code == 201, response.content
    holdings = sum(len(a["holdings"]) for a in body["accounts"])
    assert Holding.objects.filter(account__demand__reference=body["reference"]).count() == holdings
    assert len(response.json()["accounts"]) == len(body["accounts"])
    return len(queries.captured_queries)


def test_logging_a_demand_costs_the_same_queries_at_1_and_at_50_holdings(demo, intake_user):
    queries_to_log(intake_user, demand_body("QC-WARM", accounts=1, holdings_each=1))  # per-process caches filled
    one = queries_to_log(intake_user, demand_body("QC-ONE", accounts=1, holdings_each=1))
    fifty = queries_to_log(intake_user, demand_body("QC-FIFTY", accounts=5, holdings_each=10))
    assert one == fifty, f"1 holding: {one} queries; 50 holdings: {fifty}"


def test_the_answer_names_each_holding_as_sent(demo, intake_user):
    body = demand_body("QC-ECHO", accounts=2, holdings_each=4)
    client = APIClient()
    client.force_authenticate(intake_user)
    response = client.post("/api/v1/demands/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    sent = [(h["category"], h["data_location"], h["controlled_by"]) for a in body["accounts"] for h in a["holdings"]]
    answered = [
        (h["category"], h["data_location"], h["controlled_by"])
        for a in response.json()["accounts"]
        for h in a["holdings"]
    ]
    assert sorted(answered) == sorted(sent)


def test_an_unknown_location_among_many_is_still_a_400_naming_it(demo, intake_user):
    body = demand_body("QC-BAD", accounts=2, holdings_each=6)
    body["accounts"][1]["holdings"][3]["data_location"] = "Atlantis (Sunken)"
    client = APIClient()
    client.force_authenticate(intake_user)
    response = client.post("/api/v1/demands/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "Atlantis" in json.dumps(response.json())
    assert "data_location" in json.dumps(response.json())
    assert not Demand.objects.filter(reference="QC-BAD").exists()


def test_the_duplicate_check_ignores_case_and_spaces(demo, intake_user):
    queries_to_log(intake_user, demand_body("QC-Dup-1", accounts=1, holdings_each=1))
    assert "QC-Dup-1" in (reference_taken("  qc-dup-1 ") or "")
    assert reference_taken("QC-DUP-2") is None


def test_the_duplicate_check_uses_the_unique_index_on_postgresql(postgres, demo):
    """EXPLAIN of the very query `reference_taken` runs names the unique index on
    LOWER(reference): no scan of the demands, whatever their number."""
    with CaptureQueriesContext(postgres) as queries:
        reference_taken("QC-Anything")
    (check,) = [q["sql"] for q in queries.captured_queries]
    with postgres.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the demo's few rows would make a scan cheaper
        try:
            cursor.execute(f"EXPLAIN {check}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "demand_reference_unique_ignoring_case" in plan, plan
