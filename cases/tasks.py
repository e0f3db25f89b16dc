"""Celery tasks: they take primary keys, re-read the rows and call an action."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.actions import open_customer_notice_task, remind_of_deadline
from cases.analysis import analyse_case
from cases.models import Case, CaseTask, Deadline, Notification, ReminderKind
from requests_app.models import NondisclosureOrder

log = logging.getLogger(__name__)


# A database restart mid-task is retried (with backoff) rather than losing the analysis.
@shared_task(
    name="cases.tasks.analyse_case", autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=8
)
def analyse_case_task(case_id: int, trigger: str = "facts changed", by_id: int | None = None) -> int | None:
    """Idempotent: a second delivery finds the same answer and stores nothing. `by_id`
    names who caused it (counsel amending the facts); none for the system."""
    from django.contrib.auth import get_user_model

    case = Case.objects.select_related("demand").filter(pk=case_id).first()
    if case is None:
        log.warning("analyse_case: case %s does not exist", case_id)
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id is not None else None
    return analyse_case(case=case, trigger=trigger, by=by).analysis.pk


@shared_task(name="cases.tasks.reanalyse_after_catalogue_change")
def reanalyse_after_catalogue_change(version_id: int) -> int:
    """Re-run every open case against a new catalogue version; returns how many changed."""
    changed = 0
    for case in Case.objects.open().select_related("demand").order_by("pk").iterator():
        outcome = analyse_case(case=case, trigger=f"catalogue version {version_id}")
        changed += bool(outcome.changes)
    return changed


@shared_task(name="cases.tasks.reanalyse_open_cases")
def reanalyse_open_cases() -> int:
    """Nightly: the law is point-in-time, so an open case's answer can change with the date."""
    changed = 0
    today = timezone.localdate()
    for case in Case.objects.open().select_related("demand").order_by("pk").iterator():
        changed += bool(analyse_case(case=case, as_of=today, trigger="nightly re-analysis").changes)
    return changed


@shared_task(name="cases.tasks.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Every few minutes: remind counsel of open deadlines due within 72 hours, within
    24 hours, and overdue, once each, in the app and by e-mail. Returns e-mails sent.

    Safe to run twice or concurrently: the reminder rows are unique per (deadline,
    kind, person) and are created before any e-mail; each e-mail is claimed by locking
    its row (skipping rows another run holds) and marked sent in the same transaction.
    """
    now = timezone.now()
    due = Deadline.objects.needing_reminder(now=now).select_related("case__demand", "case__counsel").order_by("due_at")
    for deadline in due:
        remind_of_deadline(deadline=deadline, kind=deadline.reminder_kind)
    # Every notice not yet e-mailed: an emergency's e-mail that failed is retried here too.
    return _email_pending(Notification.objects.all())


@shared_task(name="cases.tasks.email_emergency_notice")
def email_emergency_notice(case_id: int) -> int:
    """Right after an emergency demand is logged (enqueued by `notify_of_emergency`):
    e-mail its notices now, not at the next reminder run. Returns e-mails sent; safe
    to run twice (a notice is e-mailed once)."""
    return _email_pending(Notification.objects.filter(case_id=case_id, kind=ReminderKind.EMERGENCY))


def _email_pending(notifications) -> int:
    """E-mail those of `notifications` that have an address and are not sent yet."""
    sent = 0
    pending = notifications.filter(emailed_at__isnull=True).exclude(email_to="")
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True).filter(pk=pk, emailed_at__isnull=True).first()
            )
            if notification is None:
                continue  # another run is sending or has sent it
            subject, _, body = notification.message.partition("\n\n")
            try:
                send_mail(f"[Lexloci] {subject}", body or subject, None, [notification.email_to])
            except Exception:
                # Left unsent: the next run tries again. One bad address must not
                # hold up everyone else's reminders.
                log.exception("notification %s to %s could not be e-mailed", notification.pk, notification.email_to)
                continue
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@shared_task(name="cases.tasks.open_customer_notice_tasks")
def open_customer_notice_tasks() -> int:
    """Hourly: each expired nondisclosure order gets one customer-notice task on its
    case. Returns how many tasks were opened."""
    today = timezone.localdate()
    already = CaseTask.objects.filter(
        kind=CaseTask.Kind.CUSTOMER_NOTICE, nondisclosure_order=OuterRef("pk"), ndo_expired_on=OuterRef("expires_on")
    )
    expired = (
        NondisclosureOrder.objects.filter(expires_on__lte=today, demand__case__isnull=False)
        .exclude(Exists(already))
        .order_by("pk")
    )
    opened = 0
    for order in expired:
        opened += open_customer_notice_task(order=order) is not None
    return opened


# outside_requests: without Redis the relay after a web request's commit leaves it to
# the scheduler's relay job (outbox/relay.py): a hanging receiver never holds a request.
@shared_task(name="cases.tasks.deliver_webhook", outside_requests=True)
def deliver_webhook(endpoint_id: int, event_id: int) -> int | None:
    """One attempt at POSTing a case event to a webhook endpoint; safe to run twice."""
    from cases.webhooks import deliver

    delivery = deliver(endpoint_id=endpoint_id, event_id=event_id)
    return delivery.pk if delivery else None
