"""Nondisclosure orders and the tasks they open (notice to the customer)."""

import datetime as dt
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from cases.actions.common import (
    _check_date,
    _event,
    _history_user,
    _lock,
    _save,
    _where,
)
from cases.actions.deadlines import _calendar
from cases.models import (
    Case,
    CaseEvent,
    CaseTask,
    Deadline,
)
from jurisdictions.models import Court
from requests_app.models import NondisclosureOrder

NOTICE_MEANS = tuple(value for value, _ in CaseTask._meta.get_field("notice_means").choices or ())
# Who may record that the customer was told: counsel, and client systems with a read-write token.
NOTICE_ROLES = (roles.COUNSEL, roles.API_CLIENT)
NDO_RULE = "nondisclosure_order"


def tasks_record(case_id: int) -> list[dict]:
    """The case's tasks with their completion, for the export and the memo (1 query)."""
    return [
        {
            "id": task.pk,
            "kind": task.kind,
            "label": task.get_kind_display(),
            "due_on": task.due_on,
            "nondisclosure_order": task.nondisclosure_order_id,
            "order_basis": task.nondisclosure_order.basis if task.nondisclosure_order else "",
            "ndo_expired_on": task.ndo_expired_on,
            "note": task.note,
            "created_at": task.created_at,
            "done_at": task.done_at,
            "done_by": task.done_by.get_username() if task.done_by else None,
            "notice_given_on": task.notice_given_on,
            "notice_means": task.notice_means,
            "notice_means_label": task.get_notice_means_display() if task.notice_means else "",
        }
        for task in CaseTask.objects.filter(case_id=case_id)
        .select_related("nondisclosure_order", "done_by")
        .order_by("due_on", "pk")
    ]


# --- The case's next nondisclosure-order expiry, as a deadline --------------------------


def _expiry_due(case: Case, expires_on: dt.date) -> tuple[dt.datetime, str]:
    """The order ends as its last day begins, in the court's (or issuer's) time zone:
    from that day on the customer may be told (`open_customer_notice_task`)."""
    time_zone, _ = _calendar(case, None, None)
    zone = zoneinfo.ZoneInfo(time_zone)
    return dt.datetime.combine(expires_on, dt.time.min, tzinfo=zone), time_zone


def sync_ndo_expiry_deadline(locked_case: Case, *, by) -> Deadline | None:
    """Keep the case's computed `ndo_expiry` deadline on its next pending expiry.

    Called by the actions that change orders (logging, amending, extending) and by
    the one that opens a customer-notice task, inside their transaction and after
    their case lock; it writes no event of its own (theirs says what happened).

    A case holds one open computed deadline per kind (`deadline_one_open_computed_per_kind`),
    so with several orders the deadline follows the earliest expiry still pending: one
    no customer-notice task was opened for, and no deadline of which was already met or
    cancelled. The deadline it replaces is marked met (its expiry came and its task
    was opened), superseded (the order was extended, corrected, or another one now
    expires first) or cancelled (the order was removed or has no end date any more).
    Returns the open deadline, or None when no order is pending.
    """
    today = timezone.localdate()
    orders = {
        order.pk: order
        for order in NondisclosureOrder.objects.filter(demand_id=locked_case.demand_id, expires_on__isnull=False)
    }
    noticed = set(
        CaseTask.objects.filter(
            kind=CaseTask.Kind.CUSTOMER_NOTICE, nondisclosure_order_id__in=list(orders)
        ).values_list("nondisclosure_order_id", "ndo_expired_on")
    )
    mine = list(locked_case.deadlines.filter(kind=Deadline.Kind.NDO_EXPIRY, source=Deadline.Source.COMPUTED))
    dealt = {
        (d.computation.get("order"), d.computation.get("expires_on"))
        for d in mine
        if d.state in (Deadline.State.MET, Deadline.State.CANCELLED)
    }
    # (expiry, order) of each order whose expiry is still to come or to be dealt with.
    pending = [
        (o.expires_on, o)
        for o in orders.values()
        if o.expires_on is not None
        and (o.pk, o.expires_on) not in noticed
        and (o.pk, o.expires_on.isoformat()) not in dealt
    ]
    expires_on, target = min(pending, key=lambda pair: (pair[0], pair[1].pk), default=(None, None))
    current = next((d for d in mine if d.state == Deadline.State.OPEN), None)
    due = _expiry_due(locked_case, expires_on) if expires_on is not None else None
    if current is not None and target is not None and due is not None:
        if current.computation.get("order") == target.pk and current.due_at == due[0]:
            return current
    previous = None
    if current is not None:
        order_id, expired = current.computation.get("order"), current.computation.get("expires_on")
        order = orders.get(order_id)
        if expired and (order_id, dt.date.fromisoformat(expired)) in noticed:
            current.state, current.completed_on = Deadline.State.MET, dt.date.fromisoformat(expired)
        elif order is None or order.expires_on is None:
            current.state, current.completed_on = Deadline.State.CANCELLED, today
        else:
            current.state, current.completed_on = Deadline.State.SUPERSEDED, today
            previous = current if target is not None and target.pk == order_id else None
        current.save(update_fields=["state", "completed_on"])
    if target is None or expires_on is None or due is None:
        return None
    due_at, time_zone = due
    computation = {
        "rule": NDO_RULE,
        "order": target.pk,
        "basis": target.basis,
        "start": target.starts_on.isoformat(),
        "expires_on": expires_on.isoformat(),
        "time_zone": time_zone,
        "explanation": f"{target.basis} (from {target.starts_on.isoformat()}) expires on "
        f"{expires_on.isoformat()}: extend it, or tell the customer from that day.",
    }
    if target.extensions:
        computation["extensions"] = list(target.extensions)
    if previous is not None:
        computation["moved_from"] = previous.due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        computation["reason"] = "the order was extended" if target.extensions else "the order was corrected"
    return Deadline.objects.create(
        case=locked_case,
        kind=Deadline.Kind.NDO_EXPIRY,
        label=f"{target.basis} from {target.starts_on.isoformat()}",
        due_at=due_at,
        source=Deadline.Source.COMPUTED,
        computation=computation,
        created_by=by,
        previous=previous,
    )


# --- Nondisclosure orders and tasks ------------------------------------------------------


def _case_of(order: NondisclosureOrder) -> Case:
    case = Case.objects.filter(demand_id=order.demand_id).first()
    if case is None:
        raise ValidationError({"demand": f"The demand of {order} has no case yet."})
    return case


@transaction.atomic
def extend_nondisclosure_order(
    *,
    order: NondisclosureOrder,
    expires_on: dt.date,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
) -> CaseEvent:
    """A court extends a nondisclosure order; the earlier expiry joins `extensions`."""
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    if isinstance(expires_on, dt.datetime) or not isinstance(expires_on, dt.date):
        raise ValidationError({"expires_on": "expires_on must be a date."})
    locked_case = _lock(_case_of(order), expected_version)
    locked = NondisclosureOrder.objects.select_for_update().get(pk=order.pk)
    if locked.expires_on is None:
        raise ValidationError({"expires_on": "The order has no end date; there is nothing to extend."})
    if expires_on <= locked.expires_on:
        raise ValidationError(
            {"expires_on": f"An extension ends after the current expiry ({locked.expires_on.isoformat()})."}
        )
    previous = locked.expires_on
    locked.extensions = [*locked.extensions, previous.isoformat()]
    locked.expires_on = expires_on
    _history_user(locked, by)
    locked.save(update_fields=["extensions", "expires_on"])
    order.extensions, order.expires_on = locked.extensions, locked.expires_on
    sync_ndo_expiry_deadline(locked_case, by=by)
    _save(None, locked_case, [], by)
    return _event(
        locked_case,
        kind="ndo_extended",
        occurred_on=occurred_on,
        by=by,
        where=where,
        data={"order": locked.pk, "basis": locked.basis, "from": previous.isoformat(), "to": expires_on.isoformat()},
    )


@transaction.atomic
def open_customer_notice_task(
    *, order: NondisclosureOrder, by=None, expected_version: int | None = None
) -> CaseTask | None:
    """Once a nondisclosure order has expired, counsel must tell the customer: one task
    per expiry. Returns None when the task for this expiry already exists."""
    locked_case = _lock(_case_of(order), expected_version)
    locked = NondisclosureOrder.objects.get(pk=order.pk)
    today = timezone.localdate()
    if locked.expires_on is None or locked.expires_on > today:
        raise ValidationError({"expires_on": f"{locked} has not expired."})
    if CaseTask.objects.filter(
        kind=CaseTask.Kind.CUSTOMER_NOTICE, nondisclosure_order=locked, ndo_expired_on=locked.expires_on
    ).exists():
        return None
    task = CaseTask.objects.create(
        case=locked_case,
        kind=CaseTask.Kind.CUSTOMER_NOTICE,
        due_on=locked.expires_on,
        nondisclosure_order=locked,
        ndo_expired_on=locked.expires_on,
        note=f"{locked.basis} expired on {locked.expires_on.isoformat()}: notify the customer unless it is extended.",
    )
    sync_ndo_expiry_deadline(locked_case, by=by)
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind="ndo_expired",
        occurred_on=locked.expires_on,
        by=by,
        where=_where(None, "", "", task.note, None),
        data={"order": locked.pk, "task": task.pk},
    )
    return task


@transaction.atomic
def complete_case_task(
    *, task: CaseTask, by, expected_version: int | None, occurred_on: dt.date | None = None, note: str = ""
) -> CaseTask:
    occurred_on = _check_date(occurred_on or timezone.localdate())
    locked_case = _lock(task.case_id, expected_version)
    locked = CaseTask.objects.select_for_update().get(pk=task.pk)
    if locked.done_at is not None:
        raise ValidationError({"done_at": "The task is already done."})
    locked.done_at, locked.done_by = timezone.now(), by
    locked.save(update_fields=["done_at", "done_by"])
    task.done_at, task.done_by = locked.done_at, locked.done_by
    _save(None, locked_case, [], by)
    _event(
        locked_case,
        kind=f"{locked.kind}_done",
        occurred_on=occurred_on,
        by=by,
        where=_where(None, "", "", note, None),
        data={"task": locked.pk},
    )
    return locked


@transaction.atomic
def complete_customer_notice(
    *,
    task: CaseTask,
    notice_given_on: dt.date,
    notice_means: str,
    by,
    expected_version: int | None,
    note: str = "",
) -> CaseEvent:
    """Counsel told the customer once their nondisclosure order had expired: when and
    how. Refused before the order's expiry (as it stands now: an extension after the
    task was opened postpones the notice), and for a task already done."""
    if by is None or not roles.has_role(by, *NOTICE_ROLES):
        raise PermissionDenied("Only counsel and read-write API clients may record a customer notice.")
    notice_given_on = _check_date(notice_given_on, "notice_given_on")
    if notice_means not in NOTICE_MEANS:
        raise ValidationError({"notice_means": f"notice_means must be one of: {', '.join(NOTICE_MEANS)}."})
    locked_case = _lock(task.case_id, expected_version)
    locked = CaseTask.objects.select_for_update(of=("self",)).select_related("nondisclosure_order").get(pk=task.pk)
    if locked.kind != CaseTask.Kind.CUSTOMER_NOTICE:
        raise ValidationError({"task": f"Task {locked.pk} is not a customer-notice task."})
    if locked.done_at is not None:
        raise ValidationError(
            {"task": f"The customer was already told ({locked.notice_given_on or locked.done_at:%Y-%m-%d})."}
        )
    order = locked.nondisclosure_order
    if order is None or locked.ndo_expired_on is None:  # task_customer_notice_names_its_order forbids it
        raise ValidationError({"task": f"Task {locked.pk} names no nondisclosure order."})
    ends = max(locked.ndo_expired_on, order.expires_on or locked.ndo_expired_on)
    if notice_given_on < ends:
        raise ValidationError(
            {
                "notice_given_on": f"{notice_given_on.isoformat()} is before {order.basis} expired "
                f"({ends.isoformat()}): the customer may not be told while it is in force."
            }
        )
    locked.notice_given_on, locked.notice_means = notice_given_on, notice_means
    locked.done_at, locked.done_by = timezone.now(), by
    locked.save(update_fields=["notice_given_on", "notice_means", "done_at", "done_by"])
    for name in ("notice_given_on", "notice_means", "done_at", "done_by"):
        setattr(task, name, getattr(locked, name))
    _save(None, locked_case, [], by)
    return _event(
        locked_case,
        kind="customer_notified",
        occurred_on=notice_given_on,
        by=by,
        where=_where(None, "", "", note, None),
        data={
            "task": locked.pk,
            "order": order.pk,
            "basis": order.basis,
            "expired_on": locked.ndo_expired_on.isoformat(),
            "means": notice_means,
        },
    )
