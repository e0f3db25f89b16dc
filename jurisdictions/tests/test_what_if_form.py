"""The what-if page as a form: the demand, the provider's entities ticked, accounts and
holdings as rows; the raw JSON stays as the advanced option."""

import json

import pytest
from django.urls import reverse

from jurisdictions import views
from jurisdictions.models import ControllingEntity, DataLocation
from jurisdictions.reach import limits
from jurisdictions.tests.test_engine import SCENARIOS

URL = reverse("catalogue:what_if")


def scenario(scenario_id: str) -> dict:
    for line in (SCENARIOS / "public.v3.jsonl").read_text().splitlines():
        obj = json.loads(line)
        if obj["id"] == scenario_id:
            return obj
    raise AssertionError(f"no scenario {scenario_id}")


NIMBUS = scenario("v3-gb-ipa-cd-2021")


def build_map(entities: list[dict]) -> dict[str, DataLocation]:
    """The scenario's entities as the provider's map, with a data location in each
    country its holdings name (operated by the group's parent): country -> location."""
    rows = {}
    for e in entities:  # parents come first in the shared scenarios
        rows[e["name"]] = ControllingEntity.objects.create(
            name=e["name"],
            country_id=e["country"],
            parent=rows[e["parent"]] if e.get("parent") else None,
            establishments=e.get("establishments", []),
            offers_services_in=e.get("offers_services_in", []),
        )
    for e in entities:
        rows[e["name"]].designated_for.set([rows[name] for name in e.get("designated_for", [])])
    root = rows[entities[0]["name"]]
    return {
        code: DataLocation.objects.create(name=f"Region {code}", country_id=code, operated_by=root)
        for code in ("US", "IE", "GB", "CN", "DE")
    }


def row_post(obj: dict, locations: dict, *, entities=None) -> dict:
    """The page's POST for a scenario, field by field, with no JSON."""
    demand = obj["demand"]
    data = {
        "instrument": demand["instrument"],
        "issuing_jurisdiction": demand["issuing_jurisdiction"],
        "court": demand.get("issuing_court") or "",
        "served_entity": demand["served_entity"],
        "served_at": (demand.get("served_at") or "")[:16],
        "as_of": obj["as_of"],
        "entities": entities if entities is not None else [e["name"] for e in obj["entities"]],
        "accounts-TOTAL_FORMS": str(len(obj["accounts"])),
        "accounts-INITIAL_FORMS": "0",
    }
    for i, account in enumerate(obj["accounts"]):
        us_person = {True: "yes", False: "no", None: ""}[account.get("us_person")]
        data |= {
            f"accounts-{i}-identifier": account["identifier"],
            f"accounts-{i}-us_person": us_person,
            f"accounts-{i}-residence": account.get("residence") or "",
            f"accounts-{i}-holdings-TOTAL_FORMS": str(len(account["holdings"])),
            f"accounts-{i}-holdings-INITIAL_FORMS": "0",
        }
        for j, holding in enumerate(account["holdings"]):
            storage = holding.get("storage")
            data |= {
                f"accounts-{i}-holdings-{j}-category": holding["category"],
                f"accounts-{i}-holdings-{j}-location": str(locations[storage].pk) if storage else "",
                f"accounts-{i}-holdings-{j}-controlled_by": holding["controlled_by"],
            }
    return data


@pytest.fixture
def nimbus(catalogue):
    return build_map(NIMBUS["entities"])


@pytest.fixture
def no_engine(monkeypatch):
    """Fails the test if the engine runs."""

    def refuse(*args, **kwargs):
        raise AssertionError("the engine ran")

    monkeypatch.setattr(views, "run_what_if", refuse)


def answer(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "id"}


@pytest.mark.parametrize("scenario_id", ["v3-gb-ipa-cd-2021", "v3-comity-ny-lincoln-birthday", "v3-ca-brecknell"])
def test_the_form_gives_the_answer_the_json_scenario_gives(client, counsel_user, catalogue, scenario_id):
    obj = scenario(scenario_id)
    locations = build_map(obj["entities"])
    client.force_login(counsel_user)
    by_rows = client.post(URL, row_post(obj, locations))
    by_json = client.post(URL, {"scenario": json.dumps(obj)})
    assert by_rows.status_code == 200 and by_json.status_code == 200
    assert answer(by_rows.context["result"]) == answer(by_json.context["result"])
    expected = {
        json.loads(line)["id"]: json.loads(line)
        for line in (SCENARIOS / "public.v3.expected.jsonl").read_text().splitlines()
    }[scenario_id]
    items = by_rows.context["result"]["items"]
    assert [(i["reach"], i["route"], i["conflicts"]) for i in items] == [
        (i["reach"], i["route"], i["conflicts"]) for i in expected["items"]
    ]
    assert 'id="what-if-result"' in by_rows.content.decode()


def test_the_page_offers_the_providers_map_and_one_blank_row(client, viewer_user, nimbus):
    client.force_login(viewer_user)
    response = client.get(URL)
    body = response.content.decode()
    page = response.context["page"]
    assert len(page.accounts.forms) == 1 and len(page.holdings[0].forms) == 1
    # Every entity of the map is ticked; locations are offered with their country.
    for e in NIMBUS["entities"]:
        assert f'value="{e["name"]}"' in body
    assert body.count('type="checkbox" name="entities"') == 4 and body.count("checked") >= 4
    assert "Region IE (IE)" in body
    assert 'name="accounts-0-holdings-0-controlled_by"' in body
    assert "<summary>Advanced: raw JSON</summary>" in body
    # The blank rows the script copies, and the buttons that work without it.
    assert 'id="account-template"' in body and 'name="accounts-__prefix__-identifier"' in body
    assert 'name="accounts-__account__-holdings-__prefix__-category"' in body
    assert 'name="add_account"' in body and 'name="add_holding" value="0"' in body


def test_a_bad_row_is_refused_naming_the_row_and_field_and_nothing_runs(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus)
    data["accounts-0-holdings-1-controlled_by"] = ""
    data["accounts-0-holdings-2-category"] = "email"
    response = client.post(URL, data)
    assert response.status_code == 400 and response.context["result"] is None
    page = response.context["page"]
    holdings = page.holdings[0].forms
    assert holdings[1].errors["controlled_by"] == ["Which entity controls this data? Pick the controller."]
    assert "Select a valid choice" in holdings[2].errors["category"][0]
    lines = page.errors_in_words()
    assert "Account 1, holding 2, Controlled by: Which entity controls this data? Pick the controller." in lines
    assert any(line.startswith("Account 1, holding 3, Data category: Select a valid choice") for line in lines)
    body = response.content.decode()
    assert 'id="error-summary"' in body and "Account 1, holding 2, Controlled by" in body
    # What was typed is shown again.
    assert 'value="target@example.com"' in body


def test_a_blank_identifier_and_missing_demand_fields_name_their_fields(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus) | {"accounts-0-identifier": "", "instrument": "", "as_of": "2021-02-30"}
    response = client.post(URL, data)
    assert response.status_code == 400
    lines = response.context["page"].errors_in_words()
    assert "Account 1, Account identifier: Name the account (e-mail, user id or phone number)." in lines
    assert any(line.startswith("Instrument: Required") for line in lines)
    assert any(line.startswith("As of: Enter a valid date") for line in lines)


def test_a_controller_or_served_entity_left_out_of_the_facts_is_refused(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    # Only the parent ticked: the Irish entity controls holding 2, and is not in the facts.
    response = client.post(URL, row_post(NIMBUS, nimbus, entities=["Nimbus Mail Inc."]))
    assert response.status_code == 400
    page = response.context["page"]
    assert page.holdings[0].forms[1].errors["controlled_by"] == [
        "Nimbus Mail Ireland Ltd is not among the entities ticked."
    ]
    # The Irish entity without its parent (which is also the served entity).
    response = client.post(URL, row_post(NIMBUS, nimbus, entities=["Nimbus Mail Ireland Ltd"]))
    errors = response.context["form"].errors
    assert errors["entities"] == ["Nimbus Mail Ireland Ltd's parent Nimbus Mail Inc. must be ticked too."]
    assert errors["served_entity"] == ["Nimbus Mail Inc. is not among the entities ticked."]
    # None ticked.
    response = client.post(URL, row_post(NIMBUS, nimbus, entities=[]))
    assert response.context["form"].errors["entities"] == ["Tick the entities of the provider's map the facts name."]


def test_an_entity_left_out_changes_the_facts(client, counsel_user, nimbus):
    """The Irish entity's designation is for the parent; without the Chinese and
    Australian entities (controlling nothing here) the answer stands."""
    client.force_login(counsel_user)
    names = ["Nimbus Mail Inc.", "Nimbus Mail Ireland Ltd"]
    response = client.post(URL, row_post(NIMBUS, nimbus, entities=names))
    assert response.status_code == 200
    full = client.post(URL, row_post(NIMBUS, nimbus)).context["result"]
    assert answer(response.context["result"])["items"] == answer(full)["items"]


def test_a_removed_row_and_a_blank_added_row_are_left_out(client, viewer_user, nimbus):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus)
    data |= {
        "accounts-0-holdings-2-DELETE": "on",
        "accounts-0-holdings-TOTAL_FORMS": "4",  # a fourth, blank
        "accounts-TOTAL_FORMS": "2",  # a second account, blank
        "accounts-1-holdings-TOTAL_FORMS": "1",
        "accounts-1-holdings-INITIAL_FORMS": "0",
    }
    response = client.post(URL, data)
    assert response.status_code == 200
    items = response.context["result"]["items"]
    assert [(i["category"], i["storage"]) for i in items] == [("subscriber", "US"), ("traffic", "IE")]


def test_add_account_and_add_holding_work_without_the_script(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus) | {"accounts-0-holdings-1-controlled_by": ""}  # incomplete: not said yet
    response = client.post(URL, data | {"add_account": "1"})
    assert response.status_code == 200 and response.context["result"] is None
    body = response.content.decode()
    assert 'name="accounts-1-identifier"' in body and 'name="accounts-1-holdings-0-category"' in body
    assert 'id="id_accounts-TOTAL_FORMS"' in body and 'value="target@example.com"' in body
    assert 'id="error-summary"' not in body and "aria-invalid" not in body
    response = client.post(URL, data | {"add_holding": "0"})
    assert response.status_code == 200
    assert 'name="accounts-0-holdings-3-category"' in response.content.decode()


def test_adding_rows_holds_the_caps(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus)
    response = client.post(URL, data | {"accounts-TOTAL_FORMS": str(limits.MAX_ACCOUNTS), "add_account": "1"})
    assert response.status_code == 400
    assert response.context["page"].notice == f"At most {limits.MAX_ACCOUNTS} accounts."
    full = str(limits.MAX_HOLDINGS_PER_ACCOUNT)
    response = client.post(URL, data | {"accounts-0-holdings-TOTAL_FORMS": full, "add_holding": "0"})
    assert response.status_code == 400 and "holdings for one account" in response.context["page"].notice
    response = client.post(URL, data | {"add_holding": "7"})
    assert (
        response.status_code == 400
        and response.context["page"].notice == "There is no such account to add a holding to."
    )


def test_running_holds_the_caps(client, viewer_user, nimbus, no_engine):
    client.force_login(viewer_user)
    data = row_post(NIMBUS, nimbus)
    # More holdings than one account may have: refused, the formset says how many.
    count = limits.MAX_HOLDINGS_PER_ACCOUNT + 1
    extra = {f"accounts-0-holdings-{j}-category": "content" for j in range(3, count)}
    extra |= {f"accounts-0-holdings-{j}-controlled_by": "Nimbus Mail Inc." for j in range(3, count)}
    response = client.post(URL, data | extra | {"accounts-0-holdings-TOTAL_FORMS": str(count)})
    assert response.status_code == 400
    assert (
        f"Account 1, holdings: At most {limits.MAX_HOLDINGS_PER_ACCOUNT} holdings for one account."
        in response.context["page"].errors_in_words()
    )


def test_all_accounts_together_hold_the_demand_cap(client, viewer_user, nimbus, no_engine, monkeypatch):
    from jurisdictions import forms as what_if_forms

    monkeypatch.setattr(what_if_forms.limits, "MAX_HOLDINGS_PER_DEMAND", 4)
    client.force_login(viewer_user)
    second = {**NIMBUS["accounts"][0], "identifier": "other@example.com"}
    response = client.post(URL, row_post({**NIMBUS, "accounts": [NIMBUS["accounts"][0], second]}, nimbus))
    assert response.status_code == 400
    assert "Accounts: At most 4 holdings in all accounts together, not 6." in response.context["page"].errors_in_words()


def test_the_engines_refusal_lands_on_the_field(client, viewer_user, nimbus):
    """The engine's own checks of a raw scenario name the scenario's field."""
    client.force_login(viewer_user)
    response = client.post(URL, {"scenario": json.dumps({**NIMBUS, "as_of": "2021-3-1"})})
    assert response.status_code == 400
    assert response.context["form"].errors["scenario"] == [
        "as_of: must be a date YYYY-MM-DD, e.g. 2026-09-01, not '2021-3-1'"
    ]


@pytest.mark.parametrize("persona", ["api_user", "outsider_user"])
def test_refused_roles_cannot_run_the_form(client, request, persona, nimbus, no_engine):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, row_post(NIMBUS, nimbus)).status_code == 403
    assert client.post(URL, row_post(NIMBUS, nimbus) | {"add_account": "1"}).status_code == 403


def test_anonymous_is_sent_to_log_in(client, nimbus):
    response = client.post(URL, row_post(NIMBUS, nimbus))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
