"""Invariants of RULES.md §2 that hold for any demand (property-based)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jurisdictions.reach import Account, Demand, Facts, Holding, UnknownInstrumentError, evaluate
from jurisdictions.reach.contract import facts_from_scenario
from jurisdictions.tests.test_engine import CATALOGUE, GROUP, scenario

ENTITIES = facts_from_scenario(scenario("2023-01-01", "US-SCA-WARRANT", "US"), CATALOGUE).entities
NAMES = [e.name for e in ENTITIES]
COUNTRIES = ["US", "IE", "DE", "GB", "CN", "CH", "AU", "BR", "BE", "NO", "DK", "JP", None]
INSTRUMENTS = [
    ("US-SCA-WARRANT", "US"),
    ("US-SCA-SUBPOENA", "US"),
    ("US-SCA-2703D", "US"),
    ("GB-COPO", "GB"),
    ("AU-IPO", "AU"),
    ("EU-EPO", "DE"),
    ("EU-EPO", "IE"),
    ("EU-EPO", "DK"),
    ("BE-CCP-46BIS", "BE"),
    ("BR-MCI-ORDER", "BR"),
]
PROHIBITIONS = {r.code for r in CATALOGUE.conflict_rules if r.severity == "prohibition"}

holdings = st.builds(
    Holding,
    category=st.sampled_from(["subscriber", "traffic", "content"]),
    storage=st.sampled_from(COUNTRIES),
    controlled_by=st.sampled_from(NAMES),
)
accounts = st.builds(
    Account,
    identifier=st.sampled_from(["a@example.com", "b@example.com"]),
    holdings=st.lists(holdings, min_size=1, max_size=4).map(tuple),
    us_person=st.sampled_from([True, False, None]),
    residence=st.sampled_from(["US", "GB", "IE", None]),
)


@st.composite
def facts(draw) -> Facts:
    instrument, issuer = draw(st.sampled_from(INSTRUMENTS))
    demand = Demand(
        instrument=instrument,
        issuing_jurisdiction=issuer,
        served_entity=draw(st.sampled_from(NAMES)),
        issuing_court=draw(st.sampled_from([None, "SDNY", "N.D. Cal.", "Court of Nowhere"])),
        emergency=draw(st.booleans()),
    )
    as_of = draw(st.dates(min_value=date(1986, 1, 1), max_value=date(2030, 12, 31)))
    return Facts(as_of, demand, ENTITIES, tuple(draw(st.lists(accounts, max_size=3))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_invariants(f):
    result = evaluate(CATALOGUE, f)
    assert result == evaluate(CATALOGUE, f)
    assert len(result.items) == sum(len(a.holdings) for a in f.accounts)
    instrument = CATALOGUE.instrument_by_code[f.demand.instrument]
    for item in result.items:
        assert list(item.conflicts) == sorted(item.conflicts)
        if item.reach == "none":
            assert item.conflicts == () and item.comity_motion is False
        if item.reach == "storage":
            assert item.storage == f.demand.issuing_jurisdiction
        if set(item.conflicts) & PROHIBITIONS:
            assert item.route == "mlat"
        if item.route == "insufficient_instrument":
            assert item.category not in instrument.categories
        if item.comity_motion:
            assert item.category == "content" and item.reach == "control"
            assert instrument.jurisdiction == "US" and f.as_of >= date(2018, 3, 23)
        if result.doctrine is None:
            assert (item.reach, item.route) == ("none", "mlat")
    reachable = any(item.reach != "none" for item in result.items)
    assert (result.response_due is not None) == (reachable and instrument.response_period is not None)
    assert (result.comity_motion_due is not None) == any(i.comity_motion for i in result.items)


def test_unknown_instrument_in_facts_is_an_error():
    f = Facts(date(2023, 1, 1), Demand("XX-WRIT", "US", GROUP[0]["name"]), ENTITIES, ())
    with pytest.raises(UnknownInstrumentError):
        evaluate(CATALOGUE, f)
