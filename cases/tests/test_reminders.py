"""Deadline reminders and customer-notice tasks: each one exactly once, however often
the periodic jobs run."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from cases import actions
from cases.models import CaseTask, Deadline, Notification
from cases.tasks import open_customer_notice_tasks, send_deadline_reminders
from tests.factories import CaseFactory, DemandFactory, NdoFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _deadline(case, hours: float, **fields) -> Deadline:
    fields = {"label": f"Due {hours:+}h", **fields}
    return Deadline.objects.create(
        case=case, kind="custom", due_at=NOW + dt.timedelta(hours=hours), source="manual", **fields
    )


def _reminded() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("deadline__label", "kind"))


def test_each_reminder_is_sent_once_in_the_app_and_by_mail(counsel_user):
    case = CaseFactory(counsel=counsel_user)
    for hours in (80, 60, 10, -5):
        _deadline(case, hours)
    _deadline(case, -5, state="met", label="met already")
    _deadline(CaseFactory(counsel=counsel_user, status="closed", outcome="moot"), 10, label="closed case")

    with time_machine.travel(NOW, tick=False):
        assert send_deadline_reminders() == 3
        assert send_deadline_reminders() == 0  # the job runs again: nothing new
    assert _reminded() == {("Due +60h", "due_in_72h"), ("Due +10h", "due_in_24h"), ("Due -5h", "overdue")}
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"carl@example.com"}
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0].startswith("[Lexloci] Due +10h due within 24 hours (2026-03-02 22:00 UTC)")
    assert "+60h due within 72 hours" in subjects[1] and "-5h is overdue (was due 2026-03-02 07:00 UTC)" in subjects[2]
    notification = Notification.objects.get(kind="overdue")
    assert (notification.user, notification.case, notification.read_at) == (counsel_user, case, None)
    assert notification.emailed_at == NOW

    # Fifty hours later each deadline has moved into the next window: one more each.
    with time_machine.travel(NOW + dt.timedelta(hours=50), tick=False):
        assert send_deadline_reminders() == 3
        assert send_deadline_reminders() == 0
    assert len(mail.outbox) == 6
    assert _reminded() == {
        ("Due +80h", "due_in_72h"),
        ("Due +60h", "due_in_72h"), ("Due +60h", "due_in_24h"),
        ("Due +10h", "due_in_24h"), ("Due +10h", "overdue"),
        ("Due -5h", "overdue"),
    }  # fmt: skip


def test_a_deadline_met_in_time_gets_no_further_reminder(counsel_user):
    case = CaseFactory(counsel=counsel_user)
    deadline = _deadline(case, 10)
    with time_machine.travel(NOW, tick=False):
        send_deadline_reminders()
        actions.complete_deadline(deadline=deadline, by=counsel_user, expected_version=None)
    with time_machine.travel(NOW + dt.timedelta(hours=20), tick=False):
        assert send_deadline_reminders() == 0
    assert _reminded() == {("Due +10h", "due_in_24h")}


def test_without_counsel_every_member_of_counsel_is_reminded(counsel_user, intake_user):
    _deadline(CaseFactory(counsel=None), 10)
    with time_machine.travel(NOW, tick=False):
        send_deadline_reminders()
    assert list(Notification.objects.values_list("user", flat=True)) == [counsel_user.pk]


def test_no_address_means_in_app_only(counsel_user):
    counsel_user.email = ""
    counsel_user.save()
    _deadline(CaseFactory(counsel=counsel_user), -1)
    with time_machine.travel(NOW, tick=False):
        assert send_deadline_reminders() == 0
        assert send_deadline_reminders() == 0
    assert Notification.objects.get().kind == "overdue" and mail.outbox == []


def test_an_email_that_fails_is_retried_by_the_next_run(counsel_user, monkeypatch):
    _deadline(CaseFactory(counsel=counsel_user), 10)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    with time_machine.travel(NOW, tick=False):
        with monkeypatch.context() as patch:
            patch.setattr("cases.tasks.send_mail", refuse)
            assert send_deadline_reminders() == 0
        assert Notification.objects.get().emailed_at is None
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_the_database_refuses_a_second_reminder_of_a_kind(counsel_user):
    case = CaseFactory(counsel=counsel_user)
    deadline = _deadline(case, 10)
    Notification.objects.create(user=counsel_user, case=case, deadline=deadline, kind="due_in_24h", message="m")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=counsel_user, case=case, deadline=deadline, kind="due_in_24h", message="m")


# --- Nondisclosure orders that expire ---------------------------------------------------------


def test_an_expired_order_gets_exactly_one_customer_notice_task(counsel_user):
    case = CaseFactory(counsel=counsel_user)
    expired = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 3, 1))
    NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 4, 1))
    NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=None)
    NdoFactory(demand=DemandFactory(), starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 2, 1))  # no case

    with time_machine.travel(NOW, tick=False):
        assert open_customer_notice_tasks() == 1
        assert open_customer_notice_tasks() == 0
    task = CaseTask.objects.get()
    assert (task.case, task.kind, task.nondisclosure_order, task.due_on) == (
        case, "customer_notice", expired, dt.date(2026, 3, 1),
    )  # fmt: skip
    assert task.done_at is None
    event = case.events.get(kind="ndo_expired")
    assert (event.occurred_on, event.data["task"]) == (dt.date(2026, 3, 1), task.pk)

    # Extended after all: the new expiry gets its own task when it comes.
    with time_machine.travel(NOW, tick=False):
        actions.extend_nondisclosure_order(
            order=expired, expires_on=dt.date(2026, 6, 1), occurred_on=dt.date(2026, 3, 2), by=counsel_user,
            expected_version=None,
        )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 6, 2, 9, tzinfo=dt.UTC), tick=False):
        assert open_customer_notice_tasks() == 2  # this one and the one that expired on 1 April
        assert open_customer_notice_tasks() == 0
    assert sorted(CaseTask.objects.filter(nondisclosure_order=expired).values_list("ndo_expired_on", flat=True)) == [
        dt.date(2026, 3, 1), dt.date(2026, 6, 1),
    ]  # fmt: skip

    actions.complete_case_task(task=task, by=counsel_user, expected_version=None, note="Customer told by e-mail.")
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == counsel_user
    assert case.events.filter(kind="customer_notice_done").count() == 1


def test_a_task_for_an_order_not_yet_expired_is_refused(counsel_user):
    case = CaseFactory()
    order = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 4, 1))
    with time_machine.travel(NOW, tick=False), pytest.raises(Exception, match="has not expired"):
        actions.open_customer_notice_task(order=order)
    assert not CaseTask.objects.exists()


def test_the_database_refuses_a_second_task_for_one_expiry():
    case = CaseFactory()
    order = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 3, 1))
    fields = {"case": case, "kind": "customer_notice", "due_on": dt.date(2026, 3, 1), "nondisclosure_order": order,
              "ndo_expired_on": dt.date(2026, 3, 1)}  # fmt: skip
    CaseTask.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseTask.objects.create(**fields)
