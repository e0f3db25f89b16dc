"""Reminders of deadlines, in the app and by e-mail."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import roles
from cases.models import (
    DEADLINE_REMINDER_KINDS,
    Case,
    Deadline,
    Notification,
    ReminderKind,
)
from outbox.relay import enqueue

# --- Reminders ------------------------------------------------------------------------


def _recipients(case: Case) -> list:
    """The case's counsel; with none assigned, every active member of counsel."""
    if case.counsel is not None and case.counsel.is_active:  # no query when none is assigned
        return [case.counsel]
    return list(get_user_model().objects.filter(is_active=True, groups__name=roles.COUNSEL).order_by("pk"))


def remind_of_deadline(*, deadline: Deadline, kind: str) -> list[Notification]:
    """Create the in-app reminders of one kind for one deadline, once per person.

    Not a change to the case's file, so it writes no event and leaves the version.
    Each row is inserted in its own savepoint: the unique constraint on (deadline,
    kind, user) turns a second or concurrent run into a no-op. The e-mail is sent
    afterwards from the stored row (`cases.tasks.send_deadline_reminders`).
    """
    if kind not in DEADLINE_REMINDER_KINDS:
        raise ValidationError({"kind": f"'{kind}' is not a reminder kind."})
    case = deadline.case
    what = deadline.label or deadline.get_kind_display()
    when = deadline.due_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    headline = {
        ReminderKind.DUE_IN_72H: f"{what} due within 72 hours ({when})",
        ReminderKind.DUE_IN_24H: f"{what} due within 24 hours ({when})",
        ReminderKind.OVERDUE: f"{what} is overdue (was due {when})",
    }[ReminderKind(kind)]
    if deadline.kind == Deadline.Kind.PRESERVATION_EXPIRES and kind == ReminderKind.DUE_IN_72H:
        # Its first reminder comes 14 days ahead (PRESERVATION_REMINDER_WINDOW).
        headline = f"{what} within 14 days ({when}): renew the request or expect the demand it precedes"
    message = f"{headline}: {case.demand.reference}\n\nCase {case.pk}, {case.demand.reference}: {what}, due {when}."
    created = []
    for user in _recipients(case):
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, case=case, deadline=deadline, kind=kind, message=message, email_to=user.email or ""
                    )
                )
        except IntegrityError:
            continue  # already reminded by an earlier or concurrent run
    return created


# --- Emergencies ----------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def notify_of_emergency(*, case: Case) -> list[Notification]:
    """Tell the case's counsel (or, with none assigned, every active member of counsel)
    at once that an emergency demand was logged: in the app now, in the caller's
    transaction, and by e-mail right after it commits (through the outbox, so the
    request never waits on a mail server or a broker).

    Once per case and person: the unique constraint on (case, user) for the kind
    makes a second or concurrent call a no-op. A demand that is not an emergency
    gets nothing. Not a change to the case's file: no event, same version.
    """
    demand = case.demand
    if not demand.emergency:
        return []
    instrument = demand.instrument
    served = _utc(demand.served_at) if demand.served_at else "not yet served"
    stated = f" The demand states it is due {_utc(demand.due_at)}." if demand.due_at else ""
    message = (
        f"Emergency demand logged: {instrument.code} {demand.reference} from {demand.issuing_authority}\n\n"
        f"Case {case.pk}, {demand.reference}: an emergency {instrument.name} ({instrument.code}) from "
        f"{demand.issuing_authority} ({demand.issuing_jurisdiction_id}), served {served}.{stated} "
        f"Its response deadline and countdown are on the case file: {reverse('cases:detail', args=[case.pk])}"
    )
    created = []
    for user in _recipients(case):
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, case=case, kind=ReminderKind.EMERGENCY, message=message, email_to=user.email or ""
                    )
                )
        except IntegrityError:
            continue  # already told by an earlier or concurrent call
    if any(n.email_to for n in created):
        enqueue("cases.tasks.email_emergency_notice", case.pk, dedupe=f"emergency:{case.pk}")
    return created
