"""The three tracks of a case: its status, its appeal and its contempt proceedings."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from cases import workflow
from cases.actions.common import (
    _check_date,
    _check_order,
    _event,
    _lock,
    _one_of,
    _refuse_if_closed,
    _save,
    _where,
)
from cases.models import (
    AppealDisposition,
    AppealStatus,
    Case,
    CaseEvent,
    ContemptKind,
    ContemptStatus,
    Outcome,
    Status,
    TrackName,
    default_currency,
)
from jurisdictions.models import Court

# --- Status -------------------------------------------------------------------------


@transaction.atomic
def change_status(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    outcome: str | None = None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """Move the case along its status track; closing it needs an outcome."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    current = locked.status
    workflow.STATUS.check(current, to)
    if to == Status.CLOSED:
        if outcome not in Outcome.values:
            raise ValidationError(
                {"outcome": f"Closing a case needs an outcome, one of: {', '.join(Outcome.values)}; got {outcome!r}."}
            )
    elif outcome:
        raise ValidationError({"outcome": "Only closing a case takes an outcome."})
    _check_order(locked, workflow.STATUS, occurred_on)
    locked.status, locked.outcome = to, outcome or ""
    _save(case, locked, ["status", "outcome"], by)
    data = {"outcome": outcome} if outcome else {}
    return _event(
        locked,
        kind="status_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track=TrackName.STATUS,
        from_state=current,
        to_state=to,
        data=data,
    )


# --- Appeal -------------------------------------------------------------------------


@transaction.atomic
def advance_appeal(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    disposition: str | None = None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """One step of the appeal track, in the court where it happened.

    A decision needs its disposition, except a denied rehearing petition, which
    returns the track to `decided` with the earlier decision standing.
    """
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "appeal_status", "its appeal track")  # first: on a closed case nothing else matters
    if where["court"] is None and not where["court_name"]:
        raise ValidationError({"court": "An appeal step names its court (a catalogue court or court_name)."})
    current = locked.appeal_status
    workflow.APPEAL.check(current, to)
    fields = ["appeal_status"]
    if to == AppealStatus.DECIDED and disposition:
        if disposition not in AppealDisposition.values:
            raise ValidationError(
                {"disposition": f"'{disposition}' is not a disposition; use one of: {_one_of(AppealDisposition)}."}
            )
        locked.appeal_disposition = disposition
        fields.append("appeal_disposition")
    elif to == AppealStatus.DECIDED and current != AppealStatus.REHEARING_PETITION:
        raise ValidationError(
            {"disposition": f"A decision needs a disposition, one of: {', '.join(AppealDisposition.values)}."}
        )
    elif disposition:
        raise ValidationError({"disposition": "Only a decision takes a disposition."})
    _check_order(locked, workflow.APPEAL, occurred_on)
    locked.appeal_status = to
    _save(case, locked, fields, by)
    data: dict[str, str | bool] = {"disposition": locked.appeal_disposition} if to == AppealStatus.DECIDED else {}
    if to == AppealStatus.DECIDED and not disposition:
        data["rehearing_denied"] = True
    return _event(
        locked,
        kind="appeal_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track=TrackName.APPEAL,
        from_state=current,
        to_state=to,
        data=data,
    )


def file_appeal(
    *,
    case: Case,
    filed_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """A notice of appeal: the first appeal, or a further one after a decision."""
    return advance_appeal(
        case=case,
        to=AppealStatus.NOTICE_FILED,
        occurred_on=filed_on,
        by=by,
        expected_version=expected_version,
        court=court,
        court_name=court_name,
        citation=citation,
        note=note,
        document=document,
    )


# --- Contempt -----------------------------------------------------------------------


def _sanctions(amount) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"sanctions_amount": f"'{amount}' is not an amount."}) from None
    if value < 0 or not value.is_finite():
        raise ValidationError({"sanctions_amount": "Sanctions cannot be negative."})
    return value


def _currency(currency: str, amount: Decimal | None, case: Case) -> str:
    """The sanctions' ISO 4217 code: as given (three letters), else the issuing
    jurisdiction's; none without an amount."""
    if currency:
        code = currency.strip().upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise ValidationError({"sanctions_currency": f"'{currency}' is not an ISO 4217 code (e.g. USD, EUR)."})
        return code
    if amount is None:
        return ""
    return default_currency(case.demand.issuing_jurisdiction_id)


@transaction.atomic
def change_contempt(
    *,
    case: Case,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    kind: str = "",
    by_stipulation: bool = False,
    sanctions_amount=None,
    sanctions_period: str = "",
    sanctions_currency: str = "",
    stayed: bool = False,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """One step of the contempt track. Holding in contempt says how: civil or
    criminal, by stipulation or not, sanctions (amount, currency and period) and
    whether stayed. The currency defaults to the issuing jurisdiction's."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "contempt_status", "its contempt track")
    current = locked.contempt_status
    workflow.CONTEMPT.check(current, to)
    amount = _sanctions(sanctions_amount)
    currency = _currency(sanctions_currency, amount, locked)
    details = {
        "contempt_kind": kind or "",
        "contempt_by_stipulation": bool(by_stipulation),
        "contempt_sanctions_amount": amount,
        "contempt_sanctions_period": sanctions_period or "",
        "contempt_sanctions_currency": currency,
        "contempt_stayed": bool(stayed),
    }
    data: dict = {}
    if to == ContemptStatus.HELD:
        if kind not in ContemptKind.values:
            kinds = " or ".join(label.lower() for label in ContemptKind.labels)
            raise ValidationError({"kind": f"Contempt is {kinds}; got {kind!r}."})
        data = {
            "kind": kind,
            "by_stipulation": bool(by_stipulation),
            "sanctions_amount": str(details["contempt_sanctions_amount"])
            if sanctions_amount not in (None, "")
            else None,
            "sanctions_period": sanctions_period or "",
            "sanctions_currency": currency,
            "stayed": bool(stayed),
        }
    elif any([kind, by_stipulation, sanctions_amount not in (None, ""), sanctions_period, sanctions_currency, stayed]):
        raise ValidationError({"kind": "Only holding in contempt takes its kind, stipulation, sanctions and stay."})
    elif to in (ContemptStatus.NONE, ContemptStatus.MOTION_PENDING):
        pass  # a new motion (or none): the details of an earlier finding no longer apply
    else:
        # Purged or vacated: the finding's details stay on record; nothing is left to stay.
        details = {"contempt_stayed": False}
    _check_order(locked, workflow.CONTEMPT, occurred_on)
    locked.contempt_status = to
    for name, value in details.items():
        setattr(locked, name, value)
    _save(case, locked, ["contempt_status", *details], by)
    return _event(
        locked,
        kind="contempt_changed",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track=TrackName.CONTEMPT,
        from_state=current,
        to_state=to,
        data=data,
    )


def move_for_contempt(*, case: Case, filed_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    """A motion to hold the provider in contempt is pending."""
    return change_contempt(
        case=case,
        to=ContemptStatus.MOTION_PENDING,
        occurred_on=filed_on,
        by=by,
        expected_version=expected_version,
        **where,
    )


def deny_contempt_motion(*, case: Case, denied_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case, to=ContemptStatus.NONE, occurred_on=denied_on, by=by, expected_version=expected_version, **where
    )


def hold_in_contempt(
    *,
    case: Case,
    held_on: dt.date,
    by,
    expected_version: int | None,
    kind: str,
    by_stipulation: bool,
    sanctions_amount=None,
    sanctions_period: str = "",
    sanctions_currency: str = "",
    stayed: bool = False,
    **where,
) -> CaseEvent:
    return change_contempt(
        case=case,
        to=ContemptStatus.HELD,
        occurred_on=held_on,
        by=by,
        expected_version=expected_version,
        kind=kind,
        by_stipulation=by_stipulation,
        sanctions_amount=sanctions_amount,
        sanctions_period=sanctions_period,
        sanctions_currency=sanctions_currency,
        stayed=stayed,
        **where,
    )


def purge_contempt(*, case: Case, purged_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case, to=ContemptStatus.PURGED, occurred_on=purged_on, by=by, expected_version=expected_version, **where
    )


def vacate_contempt(*, case: Case, vacated_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return change_contempt(
        case=case,
        to=ContemptStatus.VACATED,
        occurred_on=vacated_on,
        by=by,
        expected_version=expected_version,
        **where,
    )


@transaction.atomic
def _set_contempt_stay(
    *,
    case: Case,
    stayed: bool,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "contempt_stayed", "its contempt track")
    if locked.contempt_status != ContemptStatus.HELD:
        raise ValidationError(
            {"contempt_stayed": f"Only a contempt finding can be stayed; contempt is '{locked.contempt_status}'."}
        )
    if locked.contempt_stayed == stayed:
        raise ValidationError(
            {
                "contempt_stayed": "The contempt finding is already stayed."
                if stayed
                else "The contempt finding is not stayed."
            }
        )
    _check_order(locked, workflow.CONTEMPT, occurred_on)
    locked.contempt_stayed = stayed
    _save(case, locked, ["contempt_stayed"], by)
    return _event(
        locked,
        kind="contempt_stayed" if stayed else "contempt_stay_lifted",
        occurred_on=occurred_on,
        by=by,
        where=where,
        track=TrackName.CONTEMPT,
        from_state=ContemptStatus.HELD,
        to_state=ContemptStatus.HELD,
        data={"stayed": stayed},
    )


def stay_contempt(*, case: Case, stayed_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    """The contempt finding (and its sanctions) is stayed, e.g. pending appeal."""
    return _set_contempt_stay(
        case=case, stayed=True, occurred_on=stayed_on, by=by, expected_version=expected_version, **where
    )


def lift_contempt_stay(*, case: Case, lifted_on: dt.date, by, expected_version: int | None, **where) -> CaseEvent:
    return _set_contempt_stay(
        case=case, stayed=False, occurred_on=lifted_on, by=by, expected_version=expected_version, **where
    )


# --- One entry point for a step on a track ------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where and on what authority a step happened: a catalogue court or another
    court's name, a citation, a note and the order's PDF. Travels as one value from
    a page, the API or the admin to the action."""

    court: Court | None = None
    court_name: str = ""
    citation: str = ""
    note: str = ""
    document: File | None = None

    def as_kwargs(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TrackDetails:
    """What a target state takes besides the date: a closing outcome (status), an appeal
    decision's disposition (appeal), the contempt finding's terms (contempt)."""

    outcome: str | None = None
    disposition: str | None = None
    kind: str = ""
    by_stipulation: bool = False
    sanctions_amount: Decimal | str | None = None
    sanctions_period: str = ""
    sanctions_currency: str = ""
    stayed: bool = False

    @classmethod
    def from_values(cls, values: dict) -> "TrackDetails":
        """From a form's or serializer's data: its members named as these fields, blank ones left out."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if values.get(f.name) not in (None, "")})


_CONTEMPT_TERMS = ("kind", "by_stipulation", "sanctions_amount", "sanctions_period", "sanctions_currency", "stayed")
_TRACK_DETAILS: dict[str, tuple[str, ...]] = {
    TrackName.STATUS: ("outcome",),
    TrackName.APPEAL: ("disposition",),
    TrackName.CONTEMPT: _CONTEMPT_TERMS,
}


def take_track_step(
    *,
    case: Case,
    track: str,
    to: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    place: Place = Place(),  # noqa: B008 - frozen, so one shared default is safe
    details: TrackDetails = TrackDetails(),  # noqa: B008
) -> CaseEvent:
    """Move the status, appeal or contempt track to `to`: the one door the pages, the
    API and the admin go through. A detail that belongs to another track is refused
    (naming it) rather than dropped."""
    if track not in workflow.TRACKS:
        raise ValidationError({"track": f"No track '{track}'; the tracks are {', '.join(workflow.TRACKS)}."})
    takes = _TRACK_DETAILS[track]
    given = {f.name: getattr(details, f.name) for f in fields(details)}
    default = TrackDetails()
    for name, value in given.items():
        if name not in takes and value != getattr(default, name):
            raise ValidationError({name: f"The {track} track does not take {name.replace('_', ' ')}."})
    steps: dict[str, Callable[..., CaseEvent]] = {
        TrackName.STATUS: change_status,
        TrackName.APPEAL: advance_appeal,
        TrackName.CONTEMPT: change_contempt,
    }
    step = steps[track]
    return step(
        case=case,
        to=to,
        occurred_on=occurred_on,
        by=by,
        expected_version=expected_version,
        **place.as_kwargs(),
        **{name: given[name] for name in takes},
    )
