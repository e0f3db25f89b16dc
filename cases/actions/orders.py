"""Nondisclosure orders and the tasks they open (notice to the customer)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.common import (
    _check_date,
    _event,
    _history_user,
    _lock,
    _save,
    _where,
)
from cases.models import (
    Case,
    CaseEvent,
    CaseTask,
)
from jurisdictions.models import Court
from requests_app.models import NondisclosureOrder

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
