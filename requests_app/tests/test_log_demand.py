"""One way in for a demand (cases.actions.log_demand), whether typed at intake or
posted to the API: the same rules, the same limits, one "Demand logged" event and
history for every row."""

import copy
import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from requests_app.models import MAX_ACCOUNTS, MAX_HOLDINGS, Demand, Holding, NondisclosureOrder, TargetAccount
from requests_app.tests.test_intake import payload
from tests.test_api import DEMAND


@pytest.fixture
def demo(catalogue):
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


def _post(user, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/demands/", data=json.dumps(body), content_type="application/json")


def test_a_demand_logged_through_the_api_has_its_event_and_full_history(demo, intake_user):
    response = _post(intake_user, DEMAND)
    assert response.status_code == 201, response.json()
    demand = Demand.objects.get(reference=DEMAND["reference"])
    case = Case.objects.get(demand=demand)
    logged = CaseEvent.objects.get(case=case, kind="demand_logged")
    assert (logged.by, logged.occurred_on.isoformat()) == (intake_user, "2026-11-20")
    assert logged.note == "US-SCA-WARRANT from FBI Seattle logged through the API."
    # Every row has its "created" history record, by the user who logged it.
    accounts = TargetAccount.objects.filter(demand=demand)
    holdings = Holding.objects.filter(account__demand=demand)
    assert (accounts.count(), holdings.count()) == (2, 3)
    for model, rows in (
        (Demand, [demand]),
        (TargetAccount, accounts),
        (Holding, holdings),
        (NondisclosureOrder, NondisclosureOrder.objects.filter(demand=demand)),
        (Case, [case]),
    ):
        for row in rows:
            created = model.history.filter(id=row.pk, history_type="+")
            assert [r.history_user for r in created] == [intake_user], (model.__name__, row.pk)


def test_the_api_refuses_more_accounts_than_the_form_allows_naming_the_limit(demo, intake_user):
    body = copy.deepcopy(DEMAND)
    account = body["accounts"][1]
    body["accounts"] = [{**account, "identifier": f"user{i}@example.com"} for i in range(MAX_ACCOUNTS + 1)]
    response = _post(intake_user, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "accounts" in error["fields"] and str(MAX_ACCOUNTS) in " ".join(error["fields"]["accounts"])
    assert not Demand.objects.filter(reference=DEMAND["reference"]).exists()


def test_the_api_refuses_more_holdings_than_the_form_allows_naming_the_limit(demo, intake_user):
    body = copy.deepcopy(DEMAND)
    holding = body["accounts"][1]["holdings"][0]
    body["accounts"][1]["holdings"] = [holding] * (MAX_HOLDINGS + 1)
    response = _post(intake_user, body)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert str(MAX_HOLDINGS) in " ".join(fields.get("accounts[1].holdings", [])), fields
    assert not Demand.objects.filter(reference=DEMAND["reference"]).exists()


def test_the_action_itself_enforces_the_limits(demo, intake_user):
    """The API's schema states the limits; the action holds them for every caller."""
    from django.core.exceptions import ValidationError

    from cases import actions
    from jurisdictions.models import ControllingEntity, LegalInstrument

    entity = ControllingEntity.objects.get(name="Microsoft Corporation")
    demand = Demand(
        reference="LIMITS-1",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        issuing_jurisdiction_id="US",
        issuing_authority="FBI",
        served_entity=entity,
    )
    accounts = [
        actions.AccountToLog(
            account=TargetAccount(identifier=f"u{i}@example.com"),
            holdings=[Holding(category="content", controlled_by=entity)],
        )
        for i in range(MAX_ACCOUNTS + 1)
    ]
    with pytest.raises(ValidationError) as refused:
        actions.log_demand(demand=demand, accounts=accounts, by=intake_user, via="in a test")
    assert f"at most {MAX_ACCOUNTS} accounts" in str(refused.value)
    assert not Demand.objects.filter(reference="LIMITS-1").exists()


def test_a_demand_logged_at_intake_gets_the_same_event_and_history(data_map, intake_user, client):
    client.force_login(intake_user)
    response = client.post(reverse("demands:new"), payload(data_map))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(demand__reference="13-MAG-2814")
    logged = CaseEvent.objects.get(case=case, kind="demand_logged")
    assert logged.note.endswith("logged at intake.") and logged.by == intake_user
    holdings = Holding.objects.filter(account__demand=case.demand)
    assert holdings.count() == 3
    for holding in holdings:
        assert holding.history.filter(history_type="+", history_user=intake_user).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"issuing_jurisdiction_id": "GB"}, "issuing_jurisdiction"),
        ({"extended": True}, "extended"),
        ({"pending_since": dt.date(2024, 1, 10)}, "pending_since"),
    ],
)
def test_log_demand_holds_the_instruments_rules_for_every_caller(demo, intake_user, changes, field):
    """The demo loader, the replay and any other caller of the action, not only the page
    and the API: who may issue the instrument, `extended`, `pending_since`."""
    from django.core.exceptions import ValidationError

    from cases import actions
    from jurisdictions.models import ControllingEntity, LegalInstrument

    entity = ControllingEntity.objects.get(name="Microsoft Corporation")
    demand = Demand(
        **{
            "reference": "RULES-1",
            "instrument": LegalInstrument.objects.get(code="US-SCA-WARRANT"),
            "issuing_jurisdiction_id": "US",
            "issuing_authority": "FBI",
            "served_entity": entity,
            **changes,
        }
    )
    accounts = [
        actions.AccountToLog(
            account=TargetAccount(identifier="u@example.com"),
            holdings=[Holding(category="content", controlled_by=entity)],
        )
    ]
    with pytest.raises(ValidationError) as refused:
        actions.log_demand(demand=demand, accounts=accounts, by=intake_user, via="in a test")
    assert list(refused.value.message_dict) == [field]
    assert not Demand.objects.filter(reference="RULES-1").exists()


def test_an_admin_edit_keeps_to_the_instruments_rules(demo, admin_user_, client):
    from django.forms.models import model_to_dict

    demand = Demand.objects.get(reference="13-MAG-2814")
    client.force_login(admin_user_)
    url = reverse("admin:requests_app_demand_change", args=[demand.pk])
    page = client.get(url)
    assert 'name="extended"' in page.content.decode() and 'name="pending_since"' in page.content.decode()
    data = {k: ("" if v is None else v) for k, v in model_to_dict(demand, exclude=["document"]).items()}
    data.update(
        {
            "served_at_0": "2013-12-04",
            "served_at_1": "00:00:00",
            "received_at_0": "2013-12-04",
            "received_at_1": "00:00:00",
            "extended": "on",
            "accounts-TOTAL_FORMS": "0",
            "accounts-INITIAL_FORMS": "0",
            "nondisclosure_orders-TOTAL_FORMS": "0",
            "nondisclosure_orders-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if k not in ("served_at", "received_at", "due_at")}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only a preservation is extended" in response.content.decode()
    assert not Demand.objects.get(pk=demand.pk).extended
