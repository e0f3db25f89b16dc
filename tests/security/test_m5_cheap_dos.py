"""M5: cheap requests must not stop a worker. A deep parent chain is refused (and the
engine walks it in linear time anyway), every input holds the caps of
jurisdictions/reach/limits.py with a 400 naming the field, nothing half written, a
demand at the caps renders its memo in seconds, and a body over its limit is refused
with 413 on its Content-Length, before anything reads it."""

import copy
import datetime as dt
import io
import json
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from jurisdictions import reach
from jurisdictions.reach import limits
from jurisdictions.reach.types import Account, Demand, Entity, Facts, Holding
from requests_app.models import Demand as DemandRow
from tests.test_api import DEMAND


def _chain_scenario(n: int) -> dict:
    entities = [{"name": "Microsoft Corporation", "country": "US", "offers_services_in": ["*"]}]
    for i in range(1, n):
        entities.append({"name": f"Subsidiary {i:05d} Limited", "country": "IE", "parent": entities[-1]["name"]})
    return {
        "id": "deep",
        "as_of": "2026-09-01",
        "demand": {
            "instrument": "US-SCA-WARRANT",
            "issuing_jurisdiction": "US",
            "served_entity": "Microsoft Corporation",
        },
        "entities": entities,
        "accounts": [
            {
                "identifier": "a@example.com",
                "holdings": [{"category": "content", "storage": "IE", "controlled_by": entities[-1]["name"]}],
            }
        ],
    }


@pytest.fixture(scope="module")
def shipped():
    return reach.load_catalogue_files()


# ------------------------------------------------------------------- the engine


def test_the_engine_walks_a_10000_entity_chain_in_linear_time(shipped):
    """Facts built from the database are not read through the contract: the engine
    itself must not be quadratic in the group's size (it took ~48 s here before)."""
    entities = [Entity("Microsoft Corporation", "US", offers_services_in=("*",))]
    for i in range(1, 10_000):
        entities.append(Entity(f"Sub {i:05d}", "IE", parent=entities[-1].name))
    holdings = tuple(Holding("content", "IE", entities[-1 - k].name) for k in range(30))
    facts = Facts(
        dt.date(2026, 9, 1),
        Demand("US-SCA-WARRANT", "US", "Microsoft Corporation"),
        tuple(entities),
        (Account("a@example.com", holdings),),
    )
    started = time.monotonic()
    result = reach.evaluate(shipped, facts)
    assert time.monotonic() - started < 5
    assert len(result.items) == 30 and all(item.reach == "control" for item in result.items)
    assert "Microsoft Corporation → Sub 00001 → " in result.items[0].reasons[1].text


def test_group_hook_and_control_answers_are_unchanged_by_the_memoised_walk(shipped):
    """services-or-group and group control read the roots: the same answers as a full walk."""
    scenario = _chain_scenario(5)
    facts = reach.facts_from_scenario(scenario, shipped)
    result = reach.evaluate(shipped, facts)
    assert result.items[0].reach == "control"
    assert "Microsoft Corporation → Subsidiary 00001 Limited → Subsidiary 00002 Limited" in str(result.items[0].reasons)


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda s: s.update(entities=_chain_scenario(limits.MAX_PARENT_DEPTH + 2)["entities"]), "entities[", "deeper"),
        (lambda s: s.update(entities=_chain_scenario(10_000)["entities"]), "entities", "at most"),
        (
            lambda s: s.update(
                accounts=[{**s["accounts"][0], "identifier": f"u{i}"} for i in range(limits.MAX_ACCOUNTS + 1)]
            ),
            "accounts",
            "at most",
        ),
        (
            lambda s: s["accounts"][0].update(
                holdings=s["accounts"][0]["holdings"] * (limits.MAX_HOLDINGS_PER_ACCOUNT + 1)
            ),
            "accounts[0].holdings",
            "at most",
        ),
        (
            lambda s: s.update(
                accounts=[
                    {**s["accounts"][0], "identifier": f"u{i}", "holdings": s["accounts"][0]["holdings"] * 20}
                    for i in range(limits.MAX_HOLDINGS_PER_DEMAND // 20 + 1)
                ]
            ),
            ".holdings",
            "in all accounts",
        ),
    ],
    ids=["depth", "entities", "accounts", "holdings-per-account", "holdings-per-demand"],
)
def test_the_contract_refuses_input_over_the_caps_fast_naming_the_field(shipped, mutate, field, words):
    scenario = _chain_scenario(3)
    mutate(scenario)
    started = time.monotonic()
    with pytest.raises(reach.ScenarioError) as refused:
        reach.facts_from_scenario(scenario, shipped)
    assert time.monotonic() - started < 1
    assert field in refused.value.field and words in refused.value.message


def test_a_chain_at_the_depth_cap_is_accepted(shipped):
    facts = reach.facts_from_scenario(_chain_scenario(limits.MAX_PARENT_DEPTH + 1), shipped)
    assert len(facts.entities) == limits.MAX_PARENT_DEPTH + 1


def test_a_loop_is_still_named_as_before(shipped):
    scenario = _chain_scenario(4)
    scenario["entities"][0]["parent"] = scenario["entities"][3]["name"]
    with pytest.raises(reach.ScenarioError) as refused:
        reach.facts_from_scenario(scenario, shipped)
    assert refused.value.field == "entities[0].parent"
    assert refused.value.message.startswith("the chain of parents loops: Microsoft Corporation -> Subsidiary 00003")


def test_manage_py_reach_names_the_field_of_a_deep_chain(catalogue, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(_chain_scenario(10_000)) + "\n")
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with pytest.raises(CommandError):
        call_command("reach", str(path), stdout=out, stderr=err)
    assert time.monotonic() - started < 5
    line = json.loads(out.getvalue())
    assert line["error"]["field"] == "entities" and "at most" in line["error"]["message"]


# --------------------------------------------------------------------- what-if


@pytest.fixture
def demo(catalogue):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())


def test_the_what_if_api_answers_a_550_kb_chain_with_a_400_in_well_under_a_second(demo, counsel_user):
    body = json.dumps(_chain_scenario(10_000))
    assert len(body) > 550_000
    client = APIClient()
    client.force_authenticate(counsel_user)
    started = time.monotonic()
    response = client.post("/api/v1/what-if/", data=body, content_type="application/json")
    assert time.monotonic() - started < 3
    assert response.status_code == 400
    assert "entities" in response.json()["error"]["fields"]


def test_the_what_if_page_names_the_scenario_field(demo, counsel_user):
    client = Client()
    client.force_login(counsel_user)
    scenario = _chain_scenario(limits.MAX_PARENT_DEPTH + 5)
    started = time.monotonic()
    response = client.post("/catalogue/what-if/", {"scenario": json.dumps(scenario)})
    assert time.monotonic() - started < 3
    assert response.status_code == 400
    assert "deeper than" in response.content.decode()


# ---------------------------------------------------------------------- demands


def _post_demand(user, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/demands/", data=json.dumps(body), content_type="application/json")


def test_2000_accounts_are_refused_with_400_and_nothing_is_written(demo, intake_user):
    body = copy.deepcopy(DEMAND)
    account = body["accounts"][1]
    body["accounts"] = [{**account, "identifier": f"user{i}@example.com"} for i in range(2000)]
    before = DemandRow.objects.count()
    response = _post_demand(intake_user, body)
    assert response.status_code == 400
    assert "accounts" in response.json()["error"]["fields"]
    assert DemandRow.objects.count() == before


def _holdings(n: int) -> list[dict]:
    from jurisdictions.models import ControllingEntity, DataLocation

    places = list(DataLocation.objects.order_by("name").values_list("name", flat=True))
    entities = list(ControllingEntity.objects.order_by("name").values_list("name", flat=True))
    shapes = [(c, p) for c in ("content", "subscriber", "traffic") for p in [*places, None]]
    return [
        {"category": c, "data_location": p, "controlled_by": entities[i % len(entities)]}
        for i, (c, p) in enumerate(shapes[:n])
    ]


def test_more_holdings_in_all_than_the_cap_are_refused_before_anything_is_written(demo, intake_user):
    per_account = _holdings(limits.MAX_HOLDINGS_PER_ACCOUNT)
    n_accounts = limits.MAX_HOLDINGS_PER_DEMAND // len(per_account) + 1
    assert n_accounts <= limits.MAX_ACCOUNTS
    body = copy.deepcopy(DEMAND)
    body["accounts"] = [{"identifier": f"u{i}@example.com", "holdings": per_account} for i in range(n_accounts)]
    before = DemandRow.objects.count()
    response = _post_demand(intake_user, body)
    assert response.status_code == 400, response.json()
    assert f"at most {limits.MAX_HOLDINGS_PER_DEMAND} holdings" in " ".join(
        response.json()["error"]["fields"]["accounts"]
    )
    assert DemandRow.objects.count() == before


def test_the_action_refuses_more_holdings_in_all_than_the_cap(demo, intake_user):
    from django.core.exceptions import ValidationError

    from cases import actions
    from jurisdictions.models import ControllingEntity, LegalInstrument
    from requests_app.models import Holding as HoldingRow
    from requests_app.models import TargetAccount

    entity = ControllingEntity.objects.get(name="Microsoft Corporation")
    demand = DemandRow(
        reference="CAPS-1",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        issuing_jurisdiction_id="US",
        issuing_authority="FBI",
        served_entity=entity,
    )
    from jurisdictions.models import DataLocation

    places = list(DataLocation.objects.all()[:1]) + [None]
    per_account = [
        HoldingRow(category=c, data_location=p, controlled_by=entity)
        for c in ("content", "subscriber", "traffic")
        for p in places
    ]
    accounts = [
        actions.AccountToLog(account=TargetAccount(identifier=f"u{i}@example.com"), holdings=per_account)
        for i in range(limits.MAX_HOLDINGS_PER_DEMAND // len(per_account) + 1)
    ]
    with pytest.raises(ValidationError) as refused:
        actions.log_demand(demand=demand, accounts=accounts, by=intake_user, via="in a test")
    assert f"at most {limits.MAX_HOLDINGS_PER_DEMAND} holdings" in str(refused.value)
    assert not DemandRow.objects.filter(reference="CAPS-1").exists()


def test_the_memo_of_a_demand_at_the_caps_renders_in_seconds(demo, intake_user, counsel_user):
    per_account = _holdings(limits.MAX_HOLDINGS_PER_ACCOUNT)
    body = copy.deepcopy(DEMAND)
    body["reference"] = "AT-THE-CAPS"
    n = limits.MAX_HOLDINGS_PER_DEMAND // len(per_account)
    body["accounts"] = [{"identifier": f"u{i}@example.com", "holdings": per_account} for i in range(n)]
    response = _post_demand(intake_user, body)
    assert response.status_code == 201, response.json()
    case = DemandRow.objects.get(reference="AT-THE-CAPS").case
    client = Client()
    client.force_login(counsel_user)
    started = time.monotonic()
    memo = client.get(f"/cases/{case.pk}/memo.pdf")
    elapsed = time.monotonic() - started
    assert memo.status_code == 200 and memo.content.startswith(b"%PDF")
    assert elapsed < 15, f"the memo of a demand at the caps took {elapsed:.1f}s"


# ------------------------------------------------------------------ request bodies


def test_an_anonymous_1_gb_login_post_is_refused_on_its_content_length_unread(db, settings):
    """The body is never read: a stream that fails when read stands in for 1 GB."""

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

        readinto = read

    client = Client()
    response = client.generic(
        "POST",
        "/login/",
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(2**30),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert str(settings.ANONYMOUS_REQUEST_MAX_BYTES) in response.content.decode()


def test_an_api_body_over_the_limit_is_413_in_the_error_shape(db, settings):
    response = Client().generic(
        "POST", "/api/v1/demands/", data=b"{}", content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_signed_in_person_may_send_a_document_but_not_more_than_the_upload_limit(intake_user, settings):
    client = Client()
    client.force_login(intake_user)
    big = settings.UPLOAD_REQUEST_MAX_BYTES + 1
    response = client.generic("POST", "/demands/new/", data=b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(big))  # fmt: skip
    assert response.status_code == 413
    # Not an upload page: the smaller limit.
    response = client.generic("POST", "/cases/1/assign/", data=b"", content_type="application/x-www-form-urlencoded",
                              CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))  # fmt: skip
    assert response.status_code == 413
    # Under the upload limit the upload page reads it (a form answer, not 413).
    response = client.post("/demands/new/", {"reference": "x"})
    assert response.status_code != 413


def test_a_bad_content_length_is_400(db):
    response = Client().generic("POST", "/login/", data=b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_the_upload_handler_stops_a_multipart_body_past_the_limit(intake_user, settings):
    """A body that gets past the middleware (its order changed by mistake) still stops."""
    from django.core.files.uploadhandler import StopUpload

    from accounts.uploads import UploadLimitHandler

    settings.UPLOAD_REQUEST_MAX_BYTES = 10
    handler = UploadLimitHandler()
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"123456", 5)
    assert stopped.value.connection_reset
