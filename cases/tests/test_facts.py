"""The engine's input built from a stored demand (cases/facts.py)."""

import datetime as dt

import pytest

from cases.facts import facts_for_demand
from jurisdictions.models import LegalInstrument
from tests.factories import AccountFactory, DataLocationFactory, DemandFactory, EntityFactory, HoldingFactory


def _demand_with_holdings(n: int):
    demand = DemandFactory(instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"), court=None)
    entity = EntityFactory(name="Example Inc.")
    locations = [DataLocationFactory(name=f"DC {c}", country_id=c, operated_by=entity) for c in ("US", "IE", "CH")]
    per_account = 3
    for a in range((n + per_account - 1) // per_account):
        account = AccountFactory(demand=demand, identifier=f"user{a}@example.com")
        for h in range(min(per_account, n - a * per_account)):
            HoldingFactory(
                account=account,
                category=("subscriber", "traffic", "content")[h],
                data_location=locations[h],
                controlled_by=entity,
            )
    return demand


@pytest.mark.parametrize("holdings", [1, 200])
def test_facts_for_demand_query_count_is_constant(catalogue, holdings, django_assert_num_queries):
    demand = _demand_with_holdings(holdings)
    # demand+instrument+court+entity, accounts, holdings+location, entities, designations
    with django_assert_num_queries(5):
        facts = facts_for_demand(demand.pk, dt.date(2026, 11, 1))
    assert sum(len(a.holdings) for a in facts.accounts) == holdings
    assert facts.accounts[0].holdings[0].storage == "US"


def test_facts_carry_the_kind_extended_and_pending_since(catalogue):
    """RULES.md v3: the demand's kind (its instrument's), whether a preservation was
    extended, and the day an Indian proceeding began."""
    preservation = DemandFactory(
        instrument=LegalInstrument.objects.get(code="US-SCA-PRESERVATION"), court=None, extended=True
    )
    facts = facts_for_demand(preservation.pk, dt.date(2026, 11, 1))
    assert (facts.demand.kind, facts.demand.extended, facts.demand.pending_since) == ("preservation", True, None)
    indian = DemandFactory(
        instrument=LegalInstrument.objects.get(code="IN-CRPC-91"),
        issuing_jurisdiction_id="IN",
        court=None,
        pending_since=dt.date(2024, 5, 1),
    )
    facts = facts_for_demand(indian.pk, dt.date(2026, 11, 1))
    assert (facts.demand.kind, facts.demand.extended, facts.demand.pending_since) == (
        "production",
        False,
        dt.date(2024, 5, 1),
    )
