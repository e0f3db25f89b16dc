"""From a stored demand to the reach engine's input.

The case side owns this adapter: the engine (jurisdictions) knows nothing of how
demands are stored (requests_app), so the layer that sees both builds the Facts.
"""

import datetime as dt
from collections import defaultdict

from jurisdictions import reach
from jurisdictions.loader import provider_entities
from requests_app.models import Demand, Holding, TargetAccount


def facts_for_demand(demand_id: int, as_of: dt.date) -> reach.Facts:
    """The engine's Facts for a stored demand: 5 queries, whatever its size.

    1 the demand with its instrument (and its kind), court and served entity; 2 its
    accounts; 3 their holdings with the data location's country and the controlling
    entity's name; 4 the provider's entities; 5 their designations (Directive (EU)
    2023/1544).
    """
    demand = (
        Demand.objects.filter(pk=demand_id)
        .values(
            "instrument__code",
            "instrument__kind",
            "issuing_jurisdiction_id",
            "court__name",
            "served_entity__name",
            "served_at",
            "emergency",
            "due_at",
            "extended",
            "pending_since",
        )
        .get()
    )
    accounts = list(
        TargetAccount.objects.filter(demand_id=demand_id)
        .order_by("pk")
        .values("pk", "identifier", "us_person", "residence_id")
    )
    holdings = defaultdict(list)
    for row in (
        Holding.objects.filter(account__demand_id=demand_id)
        .order_by("account_id", "pk")
        .values("account_id", "category", "data_location__country_id", "controlled_by__name")
    ):
        holdings[row["account_id"]].append(
            reach.Holding(
                category=row["category"],
                storage=row["data_location__country_id"],
                controlled_by=row["controlled_by__name"],
            )
        )
    return reach.Facts(
        as_of=as_of,
        demand=reach.Demand(
            instrument=demand["instrument__code"],
            issuing_jurisdiction=demand["issuing_jurisdiction_id"],
            served_entity=demand["served_entity__name"],
            issuing_court=demand["court__name"],
            served_at=demand["served_at"],
            emergency=demand["emergency"],
            due_at=demand["due_at"],
            kind=demand["instrument__kind"],
            extended=demand["extended"],
            pending_since=demand["pending_since"],
        ),
        entities=provider_entities(),
        accounts=tuple(
            reach.Account(
                identifier=a["identifier"],
                holdings=tuple(holdings.get(a["pk"], ())),
                us_person=a["us_person"],
                residence=a["residence_id"],
            )
            for a in accounts
        ),
    )
