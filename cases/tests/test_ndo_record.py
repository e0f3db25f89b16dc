"""Nondisclosure orders on the case record: the expiry deadline that follows each order
(logged, amended, extended, expired, removed), the customer-notice task and its
completion (action, case file, queue, export), and the extension page."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import actions
from cases.actions.orders import sync_ndo_expiry_deadline
from cases.export import case_record
from cases.models import Case, CaseTask, Deadline
from cases.queues import QUEUES
from cases.tasks import open_customer_notice_tasks
from tests.factories import AccountFactory, CaseFactory, HoldingFactory, NdoFactory

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)


def _ndo_deadlines(case: Case):
    return case.deadlines.filter(kind=Deadline.Kind.NDO_EXPIRY).order_by("pk")


@pytest.fixture
def ndo_case(counsel_user):
    """A case with one order ending on 1 April 2026 and its expiry deadline."""
    with time_machine.travel(NOW, tick=False):
        case = CaseFactory(counsel=counsel_user)
        order = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 4, 1))
        sync_ndo_expiry_deadline(case, by=counsel_user)
    case.refresh_from_db()
    return case, order


# --- The expiry deadline --------------------------------------------------------------------


def test_an_order_with_an_end_date_has_an_expiry_deadline(ndo_case):
    case, order = ndo_case
    deadline = _ndo_deadlines(case).get()
    assert (deadline.state, deadline.source, deadline.computation["order"]) == ("open", "computed", order.pk)
    assert deadline.computation["expires_on"] == "2026-04-01"
    assert deadline.due_at.date() in (dt.date(2026, 3, 31), dt.date(2026, 4, 1))  # the day begins in the court's zone


def test_logging_a_demand_creates_the_deadline_and_none_without_an_end_date(catalogue, intake_user):
    from django.utils import timezone

    from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
    from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    quincy = DataLocation.objects.create(name="Quincy", country_id="US", operated_by=msft)
    served = timezone.now() - dt.timedelta(hours=1)
    demand = Demand(
        reference="NDO-LOGGED-1", instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        issuing_jurisdiction_id="US", issuing_authority="DOJ", served_entity=msft, served_at=served,
        received_at=served,
    )  # fmt: skip
    holdings = [Holding(category="content", data_location=quincy, controlled_by=msft)]
    accounts = [actions.AccountToLog(account=TargetAccount(identifier="a@example.com"), holdings=holdings)]
    orders = [
        NondisclosureOrder(basis="§2705(b)", starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2099, 9, 1)),
        NondisclosureOrder(basis="§2705(b) other", starts_on=dt.date(2026, 1, 1), expires_on=None),
    ]
    case = actions.log_demand(demand=demand, accounts=accounts, orders=orders, by=intake_user, via="in a test")
    deadline = _ndo_deadlines(case).get()
    assert (deadline.state, deadline.computation["expires_on"]) == ("open", "2099-09-01")


def test_extending_moves_the_deadline(ndo_case, counsel_user):
    case, order = ndo_case
    with time_machine.travel(NOW, tick=False):
        actions.extend_nondisclosure_order(
            order=order, expires_on=dt.date(2026, 10, 1), occurred_on=dt.date(2026, 3, 9), by=counsel_user,
            expected_version=case.version,
        )  # fmt: skip
    old, new = _ndo_deadlines(case)
    assert (old.state, new.state, new.previous_id) == ("superseded", "open", old.pk)
    assert new.computation["expires_on"] == "2026-10-01" and new.computation["extensions"] == ["2026-04-01"]
    assert case.events.filter(kind="ndo_extended").count() == 1


def test_the_expiry_marks_the_deadline_met_and_the_next_order_takes_over(ndo_case, counsel_user):
    case, first = ndo_case
    second = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 6, 1))
    with time_machine.travel(NOW, tick=False):
        sync_ndo_expiry_deadline(case, by=None)
    assert _ndo_deadlines(case).get(state="open").computation["order"] == first.pk  # the earliest first
    with time_machine.travel(AFTER, tick=False):
        assert open_customer_notice_tasks() == 1
    met, following = _ndo_deadlines(case)
    assert (met.state, met.completed_on) == ("met", dt.date(2026, 4, 1))
    assert (following.state, following.computation["order"]) == ("open", second.pk)


def test_removing_the_order_cancels_its_deadline(ndo_case):
    case, order = ndo_case
    order.delete()
    with time_machine.travel(NOW, tick=False):
        assert sync_ndo_expiry_deadline(case, by=None) is None
    assert _ndo_deadlines(case).get().state == "cancelled"


def test_amending_the_orders_moves_the_deadline(ndo_case, counsel_user):
    case, order = ndo_case
    HoldingFactory(account=AccountFactory(demand=case.demand))
    from requests_app.models import NondisclosureOrder

    corrected = NondisclosureOrder(pk=order.pk, basis=order.basis, starts_on=order.starts_on,
                                   expires_on=dt.date(2026, 5, 1))  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        actions.amend_demand(
            case=case, orders=[corrected], reason="The order ends in May.", by=counsel_user,
            expected_version=case.version,
        )  # fmt: skip
    assert _ndo_deadlines(case).get(state="open").computation["expires_on"] == "2026-05-01"
    with time_machine.travel(NOW, tick=False):
        case.refresh_from_db()
        actions.amend_demand(
            case=case, orders=[], reason="No order after all.", by=counsel_user, expected_version=case.version
        )
    assert not _ndo_deadlines(case).filter(state="open").exists()
    assert _ndo_deadlines(case).filter(state="cancelled").count() == 1


# --- The customer's notice --------------------------------------------------------------------


@pytest.fixture
def expired(ndo_case):
    case, order = ndo_case
    with time_machine.travel(AFTER, tick=False):
        open_customer_notice_tasks()
    case.refresh_from_db()
    return case, order, CaseTask.objects.get(case=case)


def test_counsel_records_the_notice(expired, counsel_user):
    case, order, task = expired
    with time_machine.travel(AFTER, tick=False):
        event = actions.complete_customer_notice(
            task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="email", note="Told by e-mail.",
            by=counsel_user, expected_version=case.version,
        )  # fmt: skip
    task.refresh_from_db()
    assert (task.notice_given_on, task.notice_means, task.done_by) == (dt.date(2026, 4, 2), "email", counsel_user)
    assert (event.kind, event.data["order"], event.data["means"]) == ("customer_notified", order.pk, "email")
    assert case.events.filter(kind="customer_notified").count() == 1
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError, match="already told"):
        actions.complete_customer_notice(
            task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="email", by=counsel_user,
            expected_version=None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("given", "means", "field"),
    [
        (dt.date(2026, 3, 31), "email", "notice_given_on"),  # before the order expired
        (dt.date(2026, 5, 1), "email", "notice_given_on"),  # in the future
        (dt.date(2026, 4, 2), "pigeon", "notice_means"),
    ],
)
def test_a_bad_notice_is_refused_naming_the_field(expired, counsel_user, given, means, field):
    case, _, task = expired
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as refused:
        actions.complete_customer_notice(
            task=task, notice_given_on=given, notice_means=means, by=counsel_user, expected_version=case.version
        )
    assert field in refused.value.message_dict
    task.refresh_from_db()
    assert task.done_at is None


def test_an_extension_after_the_expiry_postpones_the_notice(expired, counsel_user):
    case, order, task = expired
    with time_machine.travel(AFTER, tick=False):
        actions.extend_nondisclosure_order(
            order=order, expires_on=dt.date(2026, 7, 1), occurred_on=dt.date(2026, 4, 2), by=counsel_user,
            expected_version=None,
        )  # fmt: skip
        with pytest.raises(ValidationError, match="in force"):
            actions.complete_customer_notice(
                task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="email", by=counsel_user,
                expected_version=None,
            )  # fmt: skip


def test_only_counsel_records_a_notice(expired, viewer_user, intake_user):
    case, _, task = expired
    for user in (viewer_user, intake_user):
        with time_machine.travel(AFTER, tick=False), pytest.raises(PermissionDenied):
            actions.complete_customer_notice(
                task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="email", by=user, expected_version=None
            )


def test_a_stale_version_is_refused(expired, counsel_user):
    case, _, task = expired
    with time_machine.travel(AFTER, tick=False), pytest.raises(actions.StaleCase):
        actions.complete_customer_notice(
            task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="email", by=counsel_user,
            expected_version=case.version - 1,
        )  # fmt: skip


def test_the_queue_holds_cases_with_an_open_notice_task(expired, counsel_user):
    case, _, task = expired
    queue = QUEUES["customer_notice"]
    with time_machine.travel(AFTER, tick=False):
        assert list(Case.objects.filter(queue.of(counsel_user, AFTER)).values_list("pk", flat=True)) == [case.pk]
        actions.complete_customer_notice(
            task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="letter", by=counsel_user,
            expected_version=None,
        )  # fmt: skip
        assert not Case.objects.filter(queue.of(counsel_user, AFTER)).exists()


def test_the_export_lists_the_tasks_with_their_completion(expired, counsel_user):
    case, order, task = expired
    with time_machine.travel(AFTER, tick=False):
        actions.complete_customer_notice(
            task=task, notice_given_on=dt.date(2026, 4, 2), notice_means="phone", by=counsel_user,
            expected_version=None,
        )  # fmt: skip
    (row,) = case_record(case.pk)["tasks"]
    assert (row["nondisclosure_order"], row["notice_given_on"], row["notice_means"], row["done_by"]) == (
        order.pk, dt.date(2026, 4, 2), "phone", counsel_user.username,
    )  # fmt: skip


# --- Pages ---------------------------------------------------------------------------------------


def test_the_case_file_shows_the_task_and_its_form(client, expired, counsel_user):
    case, _, task = expired
    client.force_login(counsel_user)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="tasks"' in page and f'id="task-{task.pk}"' in page and "Record the notice" in page
    assert f"/cases/{case.pk}/ndo/" in page  # counsel may extend the order


def test_a_viewer_sees_the_task_without_a_form(client, expired, viewer_user):
    case, _, task = expired
    client.force_login(viewer_user)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'id="task-{task.pk}"' in page and "Record the notice" not in page and "/ndo/" not in page


def test_counsel_completes_the_task_on_the_case_file(client, expired, counsel_user):
    case, _, task = expired
    client.force_login(counsel_user)
    key = f"task-{task.pk}"
    body = {f"{key}-version": case.version, f"{key}-notice_given_on": "2026-04-02", f"{key}-notice_means": "email"}
    with time_machine.travel(AFTER, tick=False):
        early = client.post(
            f"/cases/{case.pk}/tasks/{task.pk}/complete/", {**body, f"{key}-notice_given_on": "2026-03-30"}
        )
        assert early.status_code == 422 and "in force" in early.content.decode()
        stale = client.post(f"/cases/{case.pk}/tasks/{task.pk}/complete/", {**body, f"{key}-version": case.version - 1})
        assert stale.status_code == 409
        done = client.post(f"/cases/{case.pk}/tasks/{task.pk}/complete/", body)
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.notice_means == "email" and task.done_at is not None


def test_the_refused_roles_cannot_complete_or_extend(client, expired, viewer_user, intake_user):
    case, order, task = expired
    for user in (viewer_user, intake_user):
        client.force_login(user)
        assert client.post(f"/cases/{case.pk}/tasks/{task.pk}/complete/", {}).status_code == 403
        assert client.get(f"/cases/{case.pk}/ndo/{order.pk}/extend/").status_code == 403
        assert client.post(f"/cases/{case.pk}/ndo/{order.pk}/extend/", {}).status_code == 403


def test_counsel_extends_an_order_on_its_page(client, ndo_case, counsel_user):
    case, order = ndo_case
    client.force_login(counsel_user)
    url = f"/cases/{case.pk}/ndo/{order.pk}/extend/"
    body = {"version": case.version, "expires_on": "2026-09-01", "occurred_on": "2026-03-09", "citation": "No. 26-1"}
    with time_machine.travel(NOW, tick=False):
        assert client.get(url).status_code == 200
        refused = client.post(url, {**body, "expires_on": "2026-03-01"})
        assert refused.status_code == 422 and "after the current expiry" in refused.content.decode()
        assert client.post(url, {**body, "version": case.version + 5}).status_code == 409
        assert client.post(url, body).status_code == 302
    order.refresh_from_db()
    assert order.expires_on == dt.date(2026, 9, 1)
    assert _ndo_deadlines(case).get(state="open").computation["expires_on"] == "2026-09-01"
    assert client.get(f"/cases/{case.pk}/ndo/999999/extend/").status_code == 404


def test_the_queue_page_lists_the_case(client, expired, counsel_user):
    case, _, _ = expired
    client.force_login(counsel_user)
    with time_machine.travel(AFTER, tick=False):
        page = client.get("/cases/?queue=customer_notice")
    assert page.status_code == 200 and case.demand.reference in page.content.decode()
