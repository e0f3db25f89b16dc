"""Bad input, generated: the engine's scenario reader, the intake page and the API take
random, oversized, wrongly typed and oddly encoded values and answer with a refusal
(ScenarioError, a 4xx) or a result, never another exception or a 5xx, and write
nothing unless the input was valid. Each test prints how many inputs it tried."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import Case, CaseEvent
from jurisdictions import reach
from jurisdictions.tests.test_engine import CATALOGUE, INC, scenario
from requests_app.models import Demand

TRIED: dict[str, int] = {}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
WEB = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

# Oddities every field should survive: NUL, lone surrogates' escapes, RTL marks, huge
# numbers, NaN, a megabyte of text, bytes decoded as Latin-1.
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "\u202e", "\ufeff", "%PDF-", "null", "NaN", "1e309", "-1", "0" * 30]),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.just("x" * 1_000_000),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT,
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
)


def _count(name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1


def _replace(obj, path: list, value):
    """A copy of obj with the value at path (keys/indexes) replaced."""
    obj = copy.deepcopy(obj)
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


def _paths(obj, prefix=()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += _paths(value, (*prefix, index))
    return found


BASE_SCENARIO = scenario("2026-09-01", "US-SCA-WARRANT", "US", INC, court="S.D.N.Y.", served_at="2026-09-01T10:00:00Z")
SCENARIO_PATHS = _paths(BASE_SCENARIO)


# --- the engine's input ------------------------------------------------------------------


def _engine(obj) -> None:
    try:
        facts = reach.facts_from_scenario(obj, CATALOGUE)
    except reach.ScenarioError:
        return
    try:
        reach.result_to_contract(str(obj.get("id", "x")), reach.evaluate(CATALOGUE, facts))
    except reach.UnknownInstrumentError:
        return  # the engine's own refusal of an instrument it does not know


@FAST
@given(path=st.sampled_from(SCENARIO_PATHS), value=JSON)
def test_engine_input_with_one_field_replaced(path, value):
    _count("engine: one field replaced")
    _engine(_replace(BASE_SCENARIO, list(path), value))


@FAST
@given(obj=st.dictionaries(st.sampled_from(["id", "as_of", "demand", "entities", "accounts", "x"]), JSON))
def test_engine_input_random_objects(obj):
    _count("engine: random objects")
    _engine(obj)


def test_engine_input_wrong_top_level_types():
    for obj in ([], "scenario", 7, None, {"accounts": "x" * 100_000}):
        _count("engine: wrong top-level types")
        try:
            reach.facts_from_scenario(obj, CATALOGUE)
        except reach.ScenarioError:
            pass


# --- the intake page -----------------------------------------------------------------------


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


VALID_INTAKE = {
    "reference": "PROP-1",
    "instrument": "US-SCA-WARRANT",
    "issuing_jurisdiction": "US",
    "issuing_authority": "FBI",
    "court": "",
    "served_entity": "1",
    "time_zone": "UTC",
    "served_at": "2026-11-20T15:00",
    "received_at": "",
    "due_at": "",
    "ndo-basis": "",
    "ndo-starts_on": "",
    "ndo-expires_on": "",
    "accounts-TOTAL_FORMS": "1",
    "accounts-INITIAL_FORMS": "0",
    "accounts-0-identifier": "target@example.com",
    "accounts-0-service": "Mail",
    "accounts-0-us_person": "",
    "accounts-0-residence": "",
    "accounts-0-holdings-TOTAL_FORMS": "1",
    "accounts-0-holdings-INITIAL_FORMS": "0",
    "accounts-0-holdings-0-category": "content",
    "accounts-0-holdings-0-data_location": "",
    "accounts-0-holdings-0-controlled_by": "1",
}
FORM_VALUE = st.one_of(
    ODD_TEXT.filter(lambda s: len(s) < 100_000),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["US", "GB", "content", "1", "999999999999999999999", "2026-13-45", "yes", "on", "1000"]),
)


@WEB
@given(changes=st.dictionaries(st.sampled_from(sorted(VALID_INTAKE)), FORM_VALUE, min_size=1, max_size=6))
def test_intake_form_never_fails_and_writes_only_valid_demands(demo, intake_user, changes):
    _count("intake form")
    client = Client()
    client.force_login(intake_user)
    data = {**VALID_INTAKE, **changes, "reference": f"PROP-{TRIED['intake form']}"}
    if "reference" in changes:
        data["reference"] = changes["reference"]
    demands = Demand.objects.count()
    response = client.post("/demands/new/", data)
    assert response.status_code < 500, (data, response.status_code)
    if response.status_code == 302:
        assert Demand.objects.count() == demands + 1
    else:
        assert response.status_code in (200, 400, 403, 404, 422), response.status_code
        assert Demand.objects.count() == demands


# --- the API -----------------------------------------------------------------------------

VALID_DEMAND = {
    "reference": "PROP-API",
    "instrument": "US-SCA-WARRANT",
    "issuing_jurisdiction": "US",
    "issuing_authority": "FBI Seattle",
    "court": "wdwash",
    "served_entity": "Microsoft Corporation",
    "served_at": "2026-11-20T15:00:00Z",
    "accounts": [
        {
            "identifier": "alice@example.com",
            "holdings": [
                {"category": "content", "data_location": "London (UK South)", "controlled_by": "Microsoft Limited"}
            ],
        }
    ],
    "nondisclosure_order": {"basis": "18 U.S.C. §2705(b)", "starts_on": "2026-11-20"},
}
DEMAND_PATHS = _paths(VALID_DEMAND)


def _api(api_user) -> APIClient:
    _, key = ApiToken.issue(user=api_user, name="properties", scope="read-write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _post_raw(client: APIClient, url: str, body) -> int:
    try:
        payload = json.dumps(body, allow_nan=True)
    except (ValueError, OverflowError):
        payload = str(body)
    return client.post(url, data=payload, content_type="application/json").status_code


def _written() -> tuple[int, int, int]:
    return Demand.objects.count(), Case.objects.count(), CaseEvent.objects.count()


@WEB
@given(body=st.one_of(JSON, st.builds(lambda p, v: (p, v), st.sampled_from(DEMAND_PATHS), JSON)))
def test_api_demand_create_refuses_bad_json_and_writes_nothing(demo, api_user, body):
    _count("API /demands/")
    client = _api(api_user)
    if isinstance(body, tuple):
        path, value = body
        body = _replace(VALID_DEMAND, list(path), value)
        if path != ("reference",):
            body["reference"] = f"PROP-API-{TRIED['API /demands/']}"
    before = _written()
    status = _post_raw(client, "/api/v1/demands/", body)
    assert status < 500, (body, status)
    if status == 201:
        assert _written()[0] == before[0] + 1
    else:
        assert 400 <= status < 500
        assert _written() == before


@WEB
@given(body=st.one_of(JSON, st.builds(lambda p, v: (p, v), st.sampled_from(SCENARIO_PATHS), JSON)))
def test_api_what_if_refuses_bad_json_and_writes_nothing(demo, api_user, body):
    _count("API /what-if/")
    client = _api(api_user)
    if isinstance(body, tuple):
        path, value = body
        body = _replace({k: v for k, v in BASE_SCENARIO.items() if k != "id"}, list(path), value)
    before = _written()
    status = _post_raw(client, "/api/v1/what-if/", body)
    assert status < 500, (body, status)
    assert status == 200 or 400 <= status < 500
    assert _written() == before


def test_report_inputs_tried():
    """Last in the module: how many generated inputs the tests above tried."""
    total = sum(TRIED.values())
    print(f"\nbad inputs tried: {total} ({', '.join(f'{k}: {v}' for k, v in sorted(TRIED.items()))})")
