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
from cases.actions.orders import sync_ndo_expiry_deadline
from cases.actions.preservation import fulfil_preservation
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
    RequestKind,
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


def request_kind_of(instrument, chosen: str | None) -> str:
    """The request kind a demand has: with none chosen (blank, or the model's default,
    compulsory), a preservation instrument makes a preservation request and any other a
    compulsory demand; a kind chosen otherwise stays, for `request_kind_errors` to judge
    (the forms refuse a compulsory one chosen explicitly: `chosen_kind_error`)."""
    if not chosen or chosen == RequestKind.COMPULSORY:
        preservation = instrument is not None and instrument.is_preservation
        return RequestKind.PRESERVATION if preservation else RequestKind.COMPULSORY
    return chosen


def chosen_kind_error(instrument, chosen: str | None) -> str | None:
    """Why the kind a person chose explicitly (the intake page's select, the API's
    `request_kind`) does not fit the instrument; None when it fits or none was chosen."""
    if not chosen or instrument is None:
        return None
    if instrument.is_preservation and chosen != RequestKind.PRESERVATION:
        return (
            f"{instrument.code} is a preservation instrument: the request is a preservation request "
            f"(leave request_kind blank or choose {RequestKind.PRESERVATION.value})."
        )
    return None


def settle_amended_kind(demand: Demand, *, chosen: str | None) -> None:
    """An amended demand's kind: the one `chosen` (kept, for `request_kind_errors` to
    judge), or, when none is (left out or blank), the instrument's as amended (a
    compulsory demand corrected to a preservation instrument becomes a preservation
    request, and back); an emergency disclosure request stays one. An emergency
    disclosure request is an emergency."""
    if not chosen:
        current = demand.request_kind
        keep = current if current == RequestKind.EMERGENCY_DISCLOSURE else None
        demand.request_kind = request_kind_of(demand.instrument if demand.instrument_id else None, keep)
    if demand.request_kind == RequestKind.EMERGENCY_DISCLOSURE:
        demand.emergency = True


def request_kind_errors(demand: Demand) -> dict[str, str]:
    """What is wrong with the demand's request kind and the preservation it follows.

    An emergency disclosure request asks a US provider to disclose voluntarily under
    18 U.S.C. §2702(b)(8) (content) and (c)(4) (records) to a governmental entity,
    which §2711(4) limits to US federal and state bodies: so the served entity must be
    a US entity and the request come from the US (kept simple: the issuing jurisdiction
    is the US or one of its states); it is no preservation. A demand may follow a
    preservation request served on the same entity; a preservation follows none."""
    errors: dict[str, str] = {}
    instrument = demand.instrument if demand.instrument_id else None
    kind = demand.request_kind
    if kind not in RequestKind.values:
        errors["request_kind"] = f"'{kind}' is not a request kind; use one of: {', '.join(RequestKind.values)}."
    elif instrument is not None and instrument.is_preservation and kind != RequestKind.PRESERVATION:
        errors["request_kind"] = (
            f"{instrument.code} is a preservation instrument: the request is a preservation request."
        )
    elif instrument is not None and not instrument.is_preservation and kind == RequestKind.PRESERVATION:
        errors["request_kind"] = f"{instrument.code} is no preservation instrument: only a preservation is one."
    elif kind == RequestKind.EMERGENCY_DISCLOSURE:
        issuer = demand.issuing_jurisdiction_id or ""
        country = demand.served_entity.country_id if demand.served_entity_id else None
        if country is not None and country != "US":
            errors["request_kind"] = (
                "An emergency disclosure request (18 U.S.C. §2702(b)(8), (c)(4)) is for a US provider's data: "
                f"the served entity is in {country}."
            )
        elif issuer and issuer != "US" and not issuer.startswith("US-"):
            errors["request_kind"] = (
                "An emergency disclosure request comes from a governmental entity (18 U.S.C. §2711(4): a US "
                f"federal or state body): this one is issued in {issuer}."
            )
    followed = demand.follows_preservation
    if followed is not None:
        if demand.pk is not None and followed.pk == demand.pk:
            errors["follows_preservation"] = "A demand cannot follow itself."
        elif followed.request_kind != RequestKind.PRESERVATION:
            errors["follows_preservation"] = f"{followed.reference} is not a preservation request."
        elif kind == RequestKind.PRESERVATION:
            errors["follows_preservation"] = "A preservation request follows no other preservation: extend it instead."
        elif demand.served_entity_id and followed.served_entity_id != demand.served_entity_id:
            errors["follows_preservation"] = (
                f"{followed.reference} was served on another entity: a demand follows a preservation of the "
                "same served entity."
            )
    return errors


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
    for field, message in request_kind_errors(demand).items():
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
    The request kind follows a preservation instrument; an emergency disclosure request
    is an emergency. A demand that follows a preservation fulfils it.
    """
    demand.request_kind = request_kind_of(demand.instrument if demand.instrument_id else None, demand.request_kind)
    if demand.request_kind == RequestKind.EMERGENCY_DISCLOSURE:
        demand.emergency = True
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
    sync_ndo_expiry_deadline(case, by=by)  # the next order's expiry, as a computed deadline
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
    if demand.follows_preservation_id is not None:
        fulfil_preservation(follower=demand, by=by)
    if as_of:
        for date in as_of:
            analyse_case(case=case, as_of=date, trigger="demand logged")
    else:
        schedule_analysis(case.pk)
    return case
