"""Correcting a logged demand's facts: its fields, its accounts and their holdings, its
nondisclosure order. A mistyped storage location gives a wrong legal answer; the
correction goes through here, from the edit page and from `PATCH /api/v1/demands/{id}/`
alike, under the rules of intake (`demand_errors`), with a reason, one timeline event
saying what changed (old → new, in words), the rows' audit history, a re-analysis and
the sign-off voided."""

import copy
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts import roles
from cases.actions.common import MAY_PREDATE_DEMAND, _event, _history_user, _lock, _refuse_if_closed, _save, _where
from cases.actions.intake import AccountToLog, demand_errors, settle_amended_kind
from cases.actions.orders import sync_ndo_expiry_deadline
from cases.actions.preservation import fulfil_preservation
from cases.actions.reminders import notify_of_emergency
from cases.actions.review import void_sign_off
from cases.analysis import changes_in_words
from cases.models import Analysis, Case, CaseEvent, CaseTask, Status
from jurisdictions.models import ControllingEntity, Court, DataLocation, Jurisdiction, LegalInstrument
from outbox.relay import enqueue
from requests_app.models import DEMAND_FACTS, Demand, Holding, NondisclosureOrder, TargetAccount

# What an amendment may change on the demand: every fact intake sets but the reference,
# which names the demand (the authority's docket number) and stays as logged.
AMENDABLE_FACTS = (*(name for name in DEMAND_FACTS if name != "reference"), "document")
ACCOUNT_FIELDS = ("identifier", "service", "us_person", "residence")
HOLDING_FIELDS = ("category", "data_location", "controlled_by")
ORDER_FIELDS = ("basis", "starts_on", "expires_on", "note")

# The facts in words, as the timeline says them ("served at 2026-09-01 08:00 UTC → ...").
FACT_WORDS = {
    "instrument": "instrument",
    "issuing_jurisdiction": "issuing jurisdiction",
    "issuing_authority": "issuing authority",
    "court": "court",
    "served_entity": "served on",
    "served_at": "served at",
    "received_at": "received at",
    "emergency": "emergency",
    "due_at": "stated due date",
    "extended": "preservation extended",
    "pending_since": "proceeding pending since",
    "request_kind": "request kind",
    "follows_preservation": "follows preservation",
    "document": "document",
    "identifier": "identifier",
    "service": "service",
    "us_person": "US person",
    "residence": "residence",
    "category": "category",
    "data_location": "stored in",
    "controlled_by": "controlled by",
    "basis": "basis",
    "starts_on": "starts",
    "expires_on": "expires",
    "note": "note",
}
# Events dated by the facts (the demand's arrival, an analysis's as-of day), like every
# event the system writes; the others are steps people took, which the demand cannot
# have been served after.
AUTOMATIC_EVENTS = frozenset({"demand_logged", "analysed", "analysis_changed", "demand_amended"})
CHOSEN = frozenset({"category", "identifier"})  # said as they are; free text is quoted
SHORT = 160  # characters of the changes a voided sign-off's reason quotes


def amend_refusal(user, *, analysed: bool, status: str) -> str | None:
    """Why `user` may not correct the facts of a case in `status` (`analysed`: its first
    analysis exists); None when they may. Counsel (and the API clients, which take
    every other step too) may amend any open case; intake only what it logged and is
    not analysed yet (the case is still in intake); anyone else never. `None` is the
    system (a script, a task), which may."""
    if user is None or roles.has_role(user, roles.COUNSEL, roles.API_CLIENT):
        return None
    if roles.has_role(user, roles.INTAKE):
        if analysed or status != Status.INTAKE:
            return "The case has been analysed: only counsel may correct its facts now."
        return None
    return "Your role does not allow correcting a demand's facts."


@transaction.atomic
def amend_demand(
    *,
    case: Case,
    facts: Mapping[str, Any] | None = None,
    accounts: Sequence[AccountToLog] | None = None,
    orders: Sequence[NondisclosureOrder] | None = None,
    reason: str,
    by,
    expected_version: int | None,
) -> CaseEvent:
    """Correct the facts of a case's demand, all or nothing, and say why.

    `facts` maps the demand's fields to change (AMENDABLE_FACTS) to their new values
    (model instances for the catalogue's rows and the provider's map). `accounts`,
    when given, is the demand's whole new list of accounts with their holdings, and
    `orders` the whole new list of nondisclosure orders; None leaves them as they are.
    A row given again is kept and changed in place: an account by its identifier, a
    holding by its category and place, then by its `pk` when it carries one of the
    demand's rows (the edit page's), then, without any `pk`, by position (the API's,
    so "holding 2 moved from IE to US" is said so); what is left is added or removed.

    Under the rules of intake (`demand_errors`), the role's (`amend_refusal`) and the
    case's (closed: refused; `expected_version`: StaleCase). Writes one "demand_amended"
    event listing every change, old → new; voids the sign-off of the latest analysis;
    and re-analyses the case after commit, as intake does (in-process without a broker,
    so the new answer exists when the request returns). An amendment that changes
    nothing is refused.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the correction."})
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "case", "its demand")
    analysed = Analysis.objects.filter(case=locked).exists()
    if refusal := amend_refusal(by, analysed=analysed, status=locked.status):
        raise PermissionDenied(refusal)

    current = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("instrument", "issuing_jurisdiction", "court", "served_entity")
        .get(pk=locked.demand_id)
    )
    amended = _amended_demand(current, facts or {})
    settle_amended_kind(amended, chosen=(facts or {}).get("request_kind"))
    old_accounts = list(TargetAccount.objects.filter(demand=current).select_related("residence").order_by("pk"))
    old_holdings: dict[int, list[Holding]] = {a.pk: [] for a in old_accounts}
    for holding in (
        Holding.objects.filter(account__demand=current)
        .select_related("data_location", "controlled_by")
        .order_by("account_id", "pk")
    ):
        old_holdings[holding.account_id].append(holding)
    old_orders = list(NondisclosureOrder.objects.filter(demand=current).order_by("starts_on", "pk"))
    new_accounts = (
        list(accounts)
        if accounts is not None
        else [AccountToLog(account=a, holdings=old_holdings[a.pk]) for a in old_accounts]
    )
    new_orders = list(orders) if orders is not None else old_orders

    _check(amended, new_accounts, new_orders, locked, moved=_compare(current, amended, ["served_at", "received_at"]))

    changes = _Changes()
    demand_changes = _compare(current, amended, [f for f in AMENDABLE_FACTS if f != "document"])
    if _document_changed(current, amended):
        demand_changes["document"] = (current.document, amended.document)
    for field, (old, new) in demand_changes.items():
        changes.add(f"{FACT_WORDS[field]} {_shown(old)} → {_shown(new)}", ("demand", field), _plain(old), _plain(new))
    write_accounts = None
    if accounts is not None:
        write_accounts = _account_changes(current, old_accounts, old_holdings, new_accounts, changes)
    write_orders = _order_changes(current, old_orders, new_orders, changes) if orders is not None else None
    if not changes.words:
        raise ValidationError({"non_field_errors": "Nothing to amend: every fact given is already the fact on file."})

    # The re-analysis, as intake's: through the outbox, after commit (in-process without
    # a broker). Asked first, so that the saves' own requests (cases/signals.py) join
    # this one, which says why and who.
    enqueue(
        "cases.tasks.analyse_case",
        locked.pk,
        dedupe=f"analyse:{locked.pk}",
        trigger="facts amended",
        by_id=getattr(by, "pk", None),
    )
    # --- Write: the demand, then what goes, what changes, what comes.
    if demand_changes:
        _history_user(amended, by)
        amended.save()
    if write_accounts is not None:
        write_accounts(by)
    if write_orders is not None:
        write_orders(by)
        sync_ndo_expiry_deadline(locked, by=by)  # the expiry deadline follows the orders as amended
    if "emergency" in demand_changes and amended.emergency:
        notify_of_emergency(case=locked)  # now an emergency: counsel is told at once, as when one is logged
    if "follows_preservation" in demand_changes:
        fulfil_preservation(follower=amended, by=by)  # now follows one: that preservation is fulfilled

    short = "; ".join(changes.words)
    short = short if len(short) <= SHORT else short[: SHORT - 1].rstrip() + "…"
    voided = void_sign_off(locked, reason=f"the facts were amended: {short}")
    _save(case, locked, [], by)
    start = amended.served_at or amended.received_at
    occurred_on = max(timezone.localdate(), timezone.localdate(start)) if start else timezone.localdate()
    event = _event(
        locked,
        kind="demand_amended",
        occurred_on=occurred_on,
        by=by,
        where=_where(None, "", "", f"Facts amended: {changes_in_words(changes.words)} Reason: {reason}", None),
        data={
            "reason": reason,
            "changes": changes.words,
            "amended": changes.structured,
            "sign_off_voided": voided.pk if voided is not None else None,
        },
    )
    return event


# --- Checks ---------------------------------------------------------------------------


def _amended_demand(current: Demand, facts: Mapping[str, Any]) -> Demand:
    """A copy of the demand with the new facts set (unsaved)."""
    amended = copy.copy(current)  # a model's copy has its own state and cached relations
    for field, value in facts.items():
        if field == "reference":
            if (value or "").strip() != current.reference:
                raise ValidationError(
                    {"reference": f"The reference is fixed: the demand stays {current.reference}; log a new demand "
                     "for another reference."}
                )  # fmt: skip
            continue
        if field not in AMENDABLE_FACTS:
            raise ValidationError({field: "Not a fact of the demand that can be amended."})
        setattr(amended, field, value)
    return amended


def _check(
    amended: Demand, accounts: list[AccountToLog], orders: list[NondisclosureOrder], locked: Case, *, moved: dict
) -> None:
    """The rules of intake on the amended facts, each value's own (lengths, choices), and,
    when the arrival `moved`, that no step of the case predates the demand as amended."""
    errors = demand_errors(demand=amended, accounts=accounts, orders=orders)

    def add(field: str, messages: list[str]) -> None:
        for message in messages:
            if message not in errors.get(field, []):
                errors.setdefault(field, []).append(message)

    for field, messages in _field_errors(amended, exclude=["created_by", "reference"]).items():
        add(field, messages)
    for index, entry in enumerate(accounts):
        for field, messages in _field_errors(entry.account, exclude=["demand"]).items():
            add(f"accounts[{index}].{field}", messages)
        for number, holding in enumerate(entry.holdings):
            for field, messages in _field_errors(holding, exclude=["account"]).items():
                add(f"accounts[{index}].holdings[{number}].{field}", messages)
    for index, order in enumerate(orders):
        for field, messages in _field_errors(order, exclude=["demand"]).items():
            add(f"nondisclosure_orders[{index}].{field}", messages)
    start = amended.served_at or amended.received_at
    if moved and start is not None and "served_at" not in errors and "received_at" not in errors:
        first = (
            CaseEvent.objects.filter(case=locked, by__isnull=False)
            .exclude(kind__in=AUTOMATIC_EVENTS | MAY_PREDATE_DEMAND)
            .aggregate(first=Min("occurred_on"))["first"]
        )
        if first is not None and timezone.localdate(start) > first:
            field = "served_at" if amended.served_at else "received_at"
            add(
                field,
                [
                    f"The case has a step dated {first.isoformat()}: the demand cannot have been served after it "
                    f"({timezone.localdate(start).isoformat()})."
                ],
            )
    if errors:
        raise ValidationError(errors)


def _field_errors(instance, *, exclude: list[str]) -> dict[str, list[str]]:
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return exc.message_dict
    return {}


# --- What changed ---------------------------------------------------------------------


class _Changes:
    """The changes in words (the event's note and `changes`) and as data (`amended`)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.structured: dict[str, Any] = {"demand": {}, "accounts": [], "nondisclosure_orders": []}

    def add(self, words: str, where: tuple[str, str], old, new) -> None:
        self.words.append(words)
        self.structured[where[0]][where[1]] = {"old": old, "new": new}


def _value(instance, field: str):
    """A field's value as compared: the row's key for a relation, the value otherwise."""
    attname = instance._meta.get_field(field).attname
    return getattr(instance, attname)


def _compare(old, new, fields: Sequence[str]) -> dict[str, tuple[Any, Any]]:
    """The fields whose values differ, with the old and the new value (related rows as
    instances, for their names)."""
    changed = {}
    for field in fields:
        if _value(old, field) != _value(new, field):
            changed[field] = (getattr(old, field), getattr(new, field))
    return changed


def _document_changed(current: Demand, amended: Demand) -> bool:
    """A new upload (not yet stored), or the document removed."""
    new = amended.document
    return not getattr(new, "_committed", True) or (new.name or "") != (current.document.name or "")


def _instant(value: dt.datetime) -> str:
    shown = value.astimezone(dt.UTC)
    return f"{shown:%Y-%m-%d %H:%M:%S} UTC" if shown.second or shown.microsecond else f"{shown:%Y-%m-%d %H:%M} UTC"


def _shown(value) -> str:
    """A value as the timeline says it."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return _instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, LegalInstrument | Jurisdiction):
        return value.code
    if isinstance(value, DataLocation):
        return f"{value.country_id} ({value.name})"
    if isinstance(value, Court | ControllingEntity):
        return value.name
    if isinstance(value, FieldFile):
        return value.name or "none"
    if isinstance(value, str):
        return f'"{value}"'
    return str(getattr(value, "name", value))


def _plain(value):
    """A value for the event's data (JSON): codes and names, dates in ISO 8601."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, LegalInstrument | Jurisdiction):
        return value.code
    if isinstance(value, DataLocation):
        return {"name": value.name, "country": value.country_id}
    if isinstance(value, FieldFile):
        return value.name or None
    return str(getattr(value, "name", value))


def _holding_words(holding: Holding) -> str:
    return f"{holding.category} stored in {_place(holding.data_location)}, controlled by {holding.controlled_by.name}"


def _place(location: DataLocation | None) -> str:
    return _shown(location) if location is not None else "unknown place"


def _field_words(field: str, old, new) -> str:
    if field in CHOSEN:
        return f"{FACT_WORDS[field]} {old or 'none'} → {new or 'none'}"
    if field == "data_location":
        return f"stored in {_place(old)} → {_place(new)}"
    if field == "us_person":
        return f"US person {_person(old)} → {_person(new)}"
    if field == "residence":
        return f"residence {old.code if old else 'unknown'} → {new.code if new else 'unknown'}"
    return f"{FACT_WORDS[field]} {_shown(old)} → {_shown(new)}"


def _person(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _fields_plain(changed: dict[str, tuple[Any, Any]]) -> dict[str, dict]:
    return {field: {"old": _plain(old), "new": _plain(new)} for field, (old, new) in changed.items()}


def _pair(old: list, new: list, *, key: Callable[[Any], Any], positional: bool) -> tuple[list[tuple[Any, Any]], list]:
    """Each new row with the old row it corrects (or None: added), and the old rows
    left over (removed). First by `key` (what identifies the row), then by the `pk` a
    new row carries when it is one of `old`'s, then, if `positional`, in order."""
    left = list(old)
    pairs: list[list] = [[None, row] for row in new]
    by_key = {key(row): row for row in old}
    for pair in pairs:
        match = by_key.get(key(pair[1]))
        if match is not None and match in left:
            pair[0] = match
            left.remove(match)
    by_pk = {row.pk: row for row in left}
    for pair in pairs:
        match = by_pk.get(pair[1].pk) if pair[0] is None and pair[1].pk is not None else None
        if match is not None and match in left:
            pair[0] = match
            left.remove(match)
    if positional:
        for pair in pairs:
            if pair[0] is None and left:
                pair[0] = left.pop(0)
    return [(o, n) for o, n in pairs], left


def _holding_key(holding: Holding) -> tuple:
    return (holding.category, holding.data_location_id)


def _account_changes(
    demand: Demand,
    old_accounts: list[TargetAccount],
    old_holdings: dict[int, list[Holding]],
    new_accounts: list[AccountToLog],
    changes: _Changes,
) -> Callable[[Any], None]:
    """Compare the accounts and their holdings, say what changed, and return what
    writes it. Accounts are identified by their identifier (or the `pk` a page gives),
    never by position: another identifier is another account."""
    pairs, removed = _pair(
        old_accounts, [entry.account for entry in new_accounts], key=lambda a: a.identifier, positional=False
    )
    holdings_of = {id(entry.account): list(entry.holdings) for entry in new_accounts}
    plan: list[Callable[[Any], None]] = []
    deletions: list[Holding | TargetAccount] = []
    creations: list[tuple[TargetAccount, list[Holding]]] = []
    holding_creations: list[Holding] = []

    for old in removed:
        rows = old_holdings[old.pk]
        changes.words.append(
            f"Account {old.identifier} removed, with its {len(rows)} holding{'s' if len(rows) != 1 else ''}"
        )
        changes.structured["accounts"].append({"account": old.identifier, "change": "removed"})
        deletions.extend(rows)
        deletions.append(old)
    for old, given in pairs:
        new_holdings = holdings_of[id(given)]
        if old is None:
            account = TargetAccount(
                demand=demand, identifier=given.identifier, service=given.service or "",
                us_person=given.us_person, residence=given.residence,
            )  # fmt: skip
            rows = [_fresh_holding(h) for h in new_holdings]
            described = "; ".join(_holding_words(h) for h in rows)
            changes.words.append(f"Account {given.identifier} added: {described}")
            changes.structured["accounts"].append(
                {
                    "account": given.identifier,
                    "change": "added",
                    "holdings": [{field: _plain(getattr(h, field)) for field in HOLDING_FIELDS} for h in rows],
                }
            )
            creations.append((account, rows))
            continue
        entry: dict[str, Any] = {"account": given.identifier, "change": "changed"}
        changed = _compare(old, given, ACCOUNT_FIELDS)
        if changed:
            changes.words.append(
                f"Account {given.identifier}: " + "; ".join(_field_words(f, *values) for f, values in changed.items())
            )
            entry["fields"] = _fields_plain(changed)
            plan.append(_updater(old, given, list(changed)))
        entry["holdings"] = _holding_changes(
            old, old_holdings[old.pk], new_holdings, given.identifier, changes, plan, deletions, holding_creations
        )
        if changed or entry["holdings"]:
            changes.structured["accounts"].append(entry)

    def write(by) -> None:
        for row in deletions:  # holdings before their account (PROTECT)
            _history_user(row, by)
            row.delete()
        for step in plan:
            step(by)
        if creations:
            saved = bulk_create_with_history([account for account, _ in creations], TargetAccount, default_user=by)
            for account, (_, rows) in zip(saved, creations, strict=True):
                for holding in rows:
                    holding.account = account
                    holding_creations.append(holding)
        if holding_creations:
            bulk_create_with_history(holding_creations, Holding, default_user=by)

    return write


def _holding_changes(
    account: TargetAccount,
    old: list[Holding],
    new: list[Holding],
    identifier: str,
    changes: _Changes,
    plan: list,
    deletions: list,
    creations: list[Holding],
) -> list[dict]:
    """One account's holdings compared: each change in words ("Holding 2 of
    target@example.com: stored in IE (Dublin) → US (Quincy)"), numbered as the account
    listed them before (an added one has no number yet; its data, its place in the new list)."""
    entries: list[dict] = []
    pairs, removed = _pair(old, new, key=_holding_key, positional=not any(h.pk for h in new))
    number = {holding.pk: index for index, holding in enumerate(old, start=1)}
    for holding in removed:
        label = f"Holding {number[holding.pk]} of {identifier}"
        changes.words.append(f"{label} removed: {_holding_words(holding)}")
        entries.append({"holding": number[holding.pk], "change": "removed", "was": _holding_plain(holding)})
        deletions.append(holding)
    for index, (was, given) in enumerate(pairs, start=1):
        if was is None:
            fresh = _fresh_holding(given, account=account)
            changes.words.append(f"Holding added to {identifier}: {_holding_words(fresh)}")
            entries.append({"holding": index, "change": "added", "now": _holding_plain(fresh)})
            creations.append(fresh)
            continue
        changed = _compare(was, given, HOLDING_FIELDS)
        if changed:
            label = f"Holding {number[was.pk]} of {identifier}"
            changes.words.append(f"{label}: " + "; ".join(_field_words(f, *values) for f, values in changed.items()))
            entries.append({"holding": number[was.pk], "change": "changed", "fields": _fields_plain(changed)})
            plan.append(_updater(was, given, list(changed)))
    return entries


def _holding_plain(holding: Holding) -> dict:
    return {field: _plain(getattr(holding, field)) for field in HOLDING_FIELDS}


def _fresh_holding(given: Holding, account: TargetAccount | None = None) -> Holding:
    """A new row with the given values: never the given instance, whose `pk` may name
    another demand's row."""
    fresh = Holding(category=given.category, data_location=given.data_location, controlled_by=given.controlled_by)
    if account is not None:
        fresh.account = account
    return fresh


def _updater(row, given, fields: list[str]) -> Callable[[Any], None]:
    """Set `fields` of the stored `row` from `given` and save it with its history."""

    def update(by) -> None:
        for field in fields:
            setattr(row, field, getattr(given, field))
        _history_user(row, by)
        row.save(update_fields=fields)

    return update


def _order_changes(
    demand: Demand, old_orders: list[NondisclosureOrder], new_orders: list[NondisclosureOrder], changes: _Changes
) -> Callable[[Any], None]:
    """The nondisclosure orders compared: one given with the `pk` of one on file
    corrects it; the others, in order (an order has no other identity). An order a
    customer-notice task was opened for is not removed (correct its dates instead)."""
    plan: list[Callable[[Any], None]] = []
    entries = changes.structured["nondisclosure_orders"]
    pairs, removed = _pair(old_orders, new_orders, key=lambda order: order.pk, positional=True)
    number = {order.pk: index for index, order in enumerate(old_orders, start=1)}
    for was in removed:
        if CaseTask.objects.filter(nondisclosure_order=was).exists():
            raise ValidationError(
                {
                    "nondisclosure_orders": f"{was.basis} has a customer-notice task: it cannot be removed; "
                    "correct its dates instead."
                }
            )
        changes.words.append(f"Nondisclosure order removed: {_order_words(was)}")
        entries.append({"order": number[was.pk], "change": "removed", "was": _order_plain(was)})
        plan.append(_deleter(was))
    for index, (was, given) in enumerate(pairs, start=1):
        if was is None:
            fresh = NondisclosureOrder(
                demand=demand, basis=given.basis, starts_on=given.starts_on, expires_on=given.expires_on,
                note=given.note or "",
            )  # fmt: skip
            changes.words.append(f"Nondisclosure order added: {_order_words(fresh)}")
            entries.append({"order": index, "change": "added", "now": _order_plain(fresh)})
            plan.append(_creator(fresh))
            continue
        changed = _compare(was, given, ORDER_FIELDS)
        if changed:
            changes.words.append(
                f"Nondisclosure order {was.basis}: "
                + "; ".join(f"{FACT_WORDS[f]} {_shown(old)} → {_shown(new)}" for f, (old, new) in changed.items())
            )
            entries.append({"order": number[was.pk], "change": "changed", "fields": _fields_plain(changed)})
            plan.append(_updater(was, given, list(changed)))

    def write(by) -> None:
        for step in plan:
            step(by)

    return write


def _order_words(order: NondisclosureOrder) -> str:
    until = order.expires_on.isoformat() if order.expires_on else "no end date"
    return f"{order.basis} from {order.starts_on.isoformat()} until {until}"


def _order_plain(order: NondisclosureOrder) -> dict:
    return {field: _plain(getattr(order, field)) for field in ORDER_FIELDS}


def _creator(order: NondisclosureOrder) -> Callable[[Any], None]:
    def create(by) -> None:
        _history_user(order, by)
        order.save()

    return create


def _deleter(row) -> Callable[[Any], None]:
    def delete(by) -> None:
        _history_user(row, by)
        row.delete()

    return delete
