"""Preservation requests: extending one once on a renewed request, and fulfilling one
when the demand it was made ahead of arrives.

The expiry is the engine's `preservation_expires` (RULES.md §5.1), a computed deadline
of kind PRESERVATION_EXPIRES: 90 days from service under 18 U.S.C. §2703(f)(2), 180
when extended; 60 days from receipt under Art. 11(1) of Regulation (EU) 2023/1543,
90 when extended. Extending sets the demand's `extended` and re-analyses the case at
once: the engine's extended expiry supersedes the earlier one (cases/analysis.py
`_sync_computed_deadlines`).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from cases.actions.common import _check_date, _event, _history_user, _lock, _refuse_if_closed, _save, _where
from cases.analysis import analyse_case
from cases.models import Case, CaseEvent, Deadline, EmergencyDisclosureDecision
from requests_app.models import Demand, RequestKind

# How much longer one renewal keeps the data, by instrument (RULES.md §5.1), in words.
EXTENSIONS = {
    "US-SCA-PRESERVATION": "a further 90 days on a renewed request (18 U.S.C. §2703(f)(2))",
    "EU-EPO-PR": "a further 30 days (Regulation (EU) 2023/1543, Art. 11(1))",
}


def extension_refusal(user, case: Case) -> str | None:
    """Why `user` may not extend this case's preservation; None when they may
    (counsel and API clients, on an open, not yet extended preservation request)."""
    if user is not None and not roles.has_role(user, roles.COUNSEL, roles.API_CLIENT):
        return "Only counsel may record the extension of a preservation."
    return None


def open_expiry(case: Case) -> Deadline | None:
    """The case's open computed preservation expiry, if any."""
    return (
        case.deadlines.filter(
            kind=Deadline.Kind.PRESERVATION_EXPIRES, source=Deadline.Source.COMPUTED, state=Deadline.State.OPEN
        )
        .order_by("due_at")
        .first()
    )


@transaction.atomic
def extend_preservation(
    *, case: Case, received_on: dt.date, note: str = "", by, expected_version: int | None
) -> CaseEvent:
    """The requester renewed the preservation request (received on `received_on`,
    before the preservation expired): the preservation is extended once, and its
    expiry moves to the extended period's end (counted from service, RULES.md §5.1).

    Preservation requests only, once, on an open case. Writes one
    "preservation_extended" event; the re-analysis it runs supersedes the expiry
    deadline (an "analysis_changed" entry of the engine's own, as every re-analysis)."""
    if refusal := extension_refusal(by, case):
        raise PermissionDenied(refusal)
    received_on = _check_date(received_on, "received_on")
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "case", "its preservation")
    demand = Demand.objects.select_for_update(of=("self",)).select_related("instrument").get(pk=locked.demand_id)
    if demand.request_kind != RequestKind.PRESERVATION:
        raise ValidationError({"case": "Only a preservation request is extended; this case's demand is not one."})
    if demand.extended:
        raise ValidationError(
            {"case": "The preservation was already extended once; the law allows one extension (RULES.md §5.1)."}
        )
    if demand.followed_by.exists():
        raise ValidationError({"case": "The preservation is fulfilled: the demand it was made ahead of is logged."})
    expiry = open_expiry(locked)
    if expiry is not None and received_on > expiry.due_at.astimezone(dt.UTC).date():
        raise ValidationError(
            {
                "received_on": f"The preservation expired at {expiry.due_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC: "
                "a renewal received after that cannot extend it."
            }
        )
    previous = expiry.due_at.isoformat() if expiry is not None else None
    demand.extended = True
    _history_user(demand, by)
    demand.save(update_fields=["extended", "updated_at"])
    _save(case, locked, [], by)
    outcome = analyse_case(case=locked, trigger="preservation extended", by=by)
    expiry = open_expiry(locked)
    for name in ("status", "version", "updated_at"):  # the first analysis may move the case on
        setattr(case, name, getattr(locked, name))
    return _event(
        locked,
        kind="preservation_extended",
        occurred_on=received_on,
        by=by,
        where=_where(None, "", "", note, None),
        data={
            "instrument": demand.instrument.code,
            "extension": EXTENSIONS.get(demand.instrument.code, "the extended period"),
            "previous_expiry": previous,
            "expires": expiry.due_at.isoformat() if expiry is not None else None,
            "analysis": outcome.analysis.pk,
        },
    )


def fulfil_preservation(*, follower: Demand, by) -> CaseEvent | None:
    """The demand `follower` follows a preservation request: the preservation is
    fulfilled. Its case gets one "preservation_fulfilled" event, and its open expiry
    deadline is marked met (a re-analysis then leaves it met); the case itself stays
    open, for counsel to close with the outcome the workflow offers. A preservation
    already fulfilled (by an earlier demand) is left as it is. Called by intake and
    amendment inside their transaction, so it takes no version of its own."""
    if follower.follows_preservation_id is None:
        return None
    locked = Case.objects.select_for_update().filter(demand_id=follower.follows_preservation_id).first()
    if locked is None:
        return None
    if locked.events.filter(kind="preservation_fulfilled").exists():
        return None
    # Dated the day the later demand arrived (not before the preservation's own).
    preserved = Demand.objects.filter(pk=locked.demand_id).values_list("served_at", "received_at").get()
    days = [
        timezone.localdate(t) for t in (follower.served_at or follower.received_at, preserved[0] or preserved[1]) if t
    ]
    day = max(days) if days else timezone.localdate()
    met = []
    for deadline in locked.deadlines.filter(kind=Deadline.Kind.PRESERVATION_EXPIRES, state=Deadline.State.OPEN):
        deadline.state = Deadline.State.MET
        deadline.completed_on = day
        deadline.save(update_fields=["state", "completed_on"])
        met.append(deadline.pk)
    _save(None, locked, [], by)
    return _event(
        locked,
        kind="preservation_fulfilled",
        occurred_on=day,
        by=by,
        where=_where(None, "", "", f"Followed by {follower.instrument.code} {follower.reference}.", None),
        data={"followed_by": follower.pk, "reference": follower.reference, "deadlines_met": met},
    )


# --- The record ---------------------------------------------------------------------


def request_record(demand: Demand) -> dict:
    """The export's and the memo's `request` key: the kind, the preservation it follows
    or the demands following it, and the disclosure decisions. No query for a
    compulsory demand that follows nothing (the demand is the caller's); one otherwise."""
    record: dict = {
        "kind": demand.request_kind,
        "kind_label": RequestKind(demand.request_kind).label,
        "follows_preservation": (
            Demand.objects.filter(pk=demand.follows_preservation_id).values_list("reference", flat=True).first()
            if demand.follows_preservation_id is not None
            else None
        ),
    }
    if demand.request_kind == RequestKind.PRESERVATION:
        record["extended"] = demand.extended
        followers = Demand.objects.filter(follows_preservation_id=demand.pk).order_by("pk")
        record["followed_by"] = list(followers.values_list("reference", flat=True))
    if demand.request_kind == RequestKind.EMERGENCY_DISCLOSURE:
        record["disclosure_decisions"] = [
            {
                "decision": row.decision,
                "decision_label": row.get_decision_display(),
                "basis": row.basis,
                "verification": row.verification,
                "verification_label": row.get_verification_display(),
                "verification_detail": row.verification_detail,
                "decided_by": row.decided_by.username,
                "decided_at": row.decided_at.isoformat(),
            }
            for row in EmergencyDisclosureDecision.objects.filter(case__demand=demand)
            .select_related("decided_by")
            .order_by("decided_at", "pk")
        ]
    return record
