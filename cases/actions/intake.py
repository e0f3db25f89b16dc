"""Logging a demand: the one way a demand, its accounts, holdings and nondisclosure
orders, and its case come into being, whether typed at intake, posted to the API,
loaded as demo data or copied by the Microsoft Ireland replay."""

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.actions.common import _history_user
from cases.actions.reminders import notify_of_emergency
from cases.analysis import analyse_case
from cases.models import Case, CaseEvent
from outbox.relay import enqueue
from requests_app.models import (
    MAX_ACCOUNTS,
    MAX_HOLDINGS,
    MAX_HOLDINGS_PER_DEMAND,
    Demand,
    Holding,
    NondisclosureOrder,
    TargetAccount,
    arrival_errors,
    instrument_errors,
    reference_taken,
)


class AccountToLog(NamedTuple):
    """One target account of a demand being logged, with its holdings (both unsaved)."""

    account: TargetAccount
    holdings: Sequence[Holding]


def schedule_analysis(case_id: int) -> None:
    """One analysis per case per transaction, through the outbox."""
    enqueue("cases.tasks.analyse_case", case_id, dedupe=f"analyse:{case_id}")


def demand_errors(
    *, demand: Demand, accounts: Sequence[AccountToLog], orders: Sequence[NondisclosureOrder]
) -> dict[str, list[str]]:
    """What keeps this demand from being logged, keyed by the field as the API names it
    (`accounts[0].holdings`); empty when it may be logged. The limits are the intake
    page's, so a client cannot store what the page could not show; so are the
    instrument's rules (who may issue it, `extended`, `pending_since`)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if message := reference_taken(demand.reference, excluding=demand.pk):  # an amended demand keeps its own
        add("reference", message)
    for field, message in arrival_errors(demand.served_at, demand.received_at).items():
        add(field, message)
    for field, message in instrument_errors(
        demand.instrument if demand.instrument_id else None,
        demand.issuing_jurisdiction_id,
        served_at=demand.served_at,
        received_at=demand.received_at,
        extended=demand.extended,
        pending_since=demand.pending_since,
    ).items():
        add(field, message)
    if not accounts:
        add("accounts", "A demand names at least one target account.")
    elif len(accounts) > MAX_ACCOUNTS:
        add("accounts", f"A demand may name at most {MAX_ACCOUNTS} accounts; this one names {len(accounts)}.")
    total = sum(len(a.holdings) for a in accounts)
    if total > MAX_HOLDINGS_PER_DEMAND:
        add("accounts", f"A demand may have at most {MAX_HOLDINGS_PER_DEMAND} holdings in all; this one has {total}.")
    identifiers = [a.account.identifier for a in accounts]
    if len(set(identifiers)) != len(identifiers):
        add("accounts", "An account identifier is listed twice.")
    for index, entry in enumerate(accounts[:MAX_ACCOUNTS]):
        field = f"accounts[{index}].holdings"
        if not entry.holdings:
            add(field, "An account needs at least one holding.")
        elif len(entry.holdings) > MAX_HOLDINGS:
            add(field, f"An account may have at most {MAX_HOLDINGS} holdings; this one has {len(entry.holdings)}.")
        places = [(h.category, h.data_location_id) for h in entry.holdings]
        if len(set(places)) != len(places):
            add(field, "The same category is listed twice at the same place.")
    for index, order in enumerate(orders):
        if order.expires_on and order.starts_on and order.expires_on < order.starts_on:
            add(f"nondisclosure_orders[{index}].expires_on", "The order cannot expire before it starts.")
    return errors


@transaction.atomic
def log_demand(
    *,
    demand: Demand,
    accounts: Sequence[AccountToLog],
    orders: Sequence[NondisclosureOrder] = (),
    by,
    via: str,
    counsel=None,
    as_of: Sequence[dt.date] = (),
) -> Case:
    """Save a demand with its accounts, holdings and nondisclosure orders, open its
    case and write its "Demand logged" event, all or nothing; every row gets its
    history. The analysis runs after commit (through the outbox), or now, as of each
    date in `as_of` (the demo data and the replay, which show answers at set dates).

    `via` says where it came from, in words: "at intake", "through the API".
    Raises ValidationError keyed by field when the demand breaks a rule of intake.
    """
    if errors := demand_errors(demand=demand, accounts=accounts, orders=orders):
        raise ValidationError(errors)
    demand.reference = demand.reference.strip()
    demand.created_by = by
    _history_user(demand, by)
    demand.save()
    for entry in accounts:
        entry.account.demand = demand
    saved_accounts = bulk_create_with_history([e.account for e in accounts], TargetAccount, default_user=by)
    holdings = []
    for saved, entry in zip(saved_accounts, accounts, strict=True):
        for holding in entry.holdings:
            holding.account = saved
            holdings.append(holding)
    bulk_create_with_history(holdings, Holding, default_user=by)
    for order in orders:
        order.demand = demand
    bulk_create_with_history(list(orders), NondisclosureOrder, default_user=by)
    case = Case(demand=demand, counsel=counsel)
    _history_user(case, by)
    case.save()
    logged_at = demand.received_at or demand.served_at or timezone.now()
    CaseEvent.objects.create(
        case=case,
        kind="demand_logged",
        occurred_on=timezone.localdate(logged_at),
        by=by,
        note=f"{demand.instrument.code} from {demand.issuing_authority} logged {via}.",
    )
    # An emergency is announced at once, in this transaction; its e-mail after commit.
    notify_of_emergency(case=case)
    if as_of:
        for date in as_of:
            analyse_case(case=case, as_of=date, trigger="demand logged")
    else:
        schedule_analysis(case.pk)
    return case
