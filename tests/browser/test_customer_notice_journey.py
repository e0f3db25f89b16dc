"""A nondisclosure order in a real browser: counsel extends it on its page and the
case's expiry deadline moves; then (time-machine) the extended order expires, the
scheduled job opens the customer-notice task, counsel finds the case under the
customer_notice queue, records when and how the customer was told, and the task shows done."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.actions.orders import sync_ndo_expiry_deadline
from cases.models import Case, CaseTask, Deadline
from cases.tasks import open_customer_notice_tasks
from tests.browser.test_demand_flow import log_in
from tests.factories import CaseFactory, NdoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ndo_case(counsel_user) -> Case:
    today = timezone.localdate()
    case = CaseFactory(counsel=counsel_user)
    NdoFactory(demand=case.demand, basis="18 U.S.C. §2705(b)", starts_on=today - dt.timedelta(days=30),
               expires_on=today + dt.timedelta(days=3))  # fmt: skip
    sync_ndo_expiry_deadline(case, by=counsel_user)
    return case


def _open_expiry(case: Case) -> Deadline:
    return case.deadlines.get(kind=Deadline.Kind.NDO_EXPIRY, state=Deadline.State.OPEN)


def test_counsel_extends_the_order_then_tells_the_customer_once_it_expires(
    page: Page, live_server, counsel_user, ndo_case
):
    case = ndo_case
    today = timezone.localdate()
    extended_to = today + dt.timedelta(days=10)
    order = case.demand.nondisclosure_orders.get()
    assert _open_expiry(case).computation["expires_on"] == (today + dt.timedelta(days=3)).isoformat()

    # 1. The court extends the order: counsel records it on the order's page.
    log_in(page, live_server, counsel_user)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click(f"#ndo-{order.pk} a.extend-ndo")
    expect(page.locator("h1")).to_contain_text("Extend a nondisclosure order")
    page.fill("#id_expires_on", extended_to.isoformat())
    page.fill("#id_occurred_on", today.isoformat())
    page.fill("#id_court_name", "W.D. Wash.")
    page.fill("#id_citation", "No. MJ26-0311 (extension)")
    page.click("#extend-ndo button[type=submit]")
    expect(page.locator(f"#ndo-{order.pk} .ndo-expires")).to_have_text(extended_to.isoformat())
    expect(page.locator("#timeline tr.event-ndo_extended")).to_contain_text("Nondisclosure order extended")
    assert _open_expiry(case).computation["expires_on"] == extended_to.isoformat()  # the deadline moved
    expect(page.locator("#deadlines")).to_contain_text("Nondisclosure order expires")

    # 2. The extended order expires; the hourly job opens the task.
    later = timezone.now() + dt.timedelta(days=11)
    with time_machine.travel(later, tick=True):
        notice_day = timezone.localdate()
        assert open_customer_notice_tasks() == 1
        task = CaseTask.objects.get(case=case)

        # 3. Counsel (logged in again: the session has lapsed meanwhile) finds the case in the queue.
        log_in(page, live_server, counsel_user)
        page.goto(f"{live_server.url}/cases/?queue=customer_notice")
        row = page.locator(f"a[href='/cases/{case.pk}/']").first
        expect(row).to_be_visible()
        row.click()
        panel = page.locator(f"#tasks #task-{task.pk}")
        expect(panel).to_contain_text("Notify the customer")
        expect(panel).to_contain_text(f"expired {extended_to.isoformat()}")

        # 4. Counsel records the notice: the date and the means.
        panel.locator("summary").click()
        key = f"task-{task.pk}"
        page.fill(f"#id_{key}-notice_given_on", notice_day.isoformat())
        page.select_option(f"#id_{key}-notice_means", "email")
        page.fill(f"#id_{key}-note", "Told the account holder by e-mail.")
        panel.locator("button[type=submit]").click()

        # 5. The task shows done; the queue is empty.
        done = page.locator(f"#tasks #task-{task.pk}")
        expect(done.locator(".task-state")).to_contain_text(f"customer told on {notice_day.isoformat()} by e-mail")
        expect(page.locator("#timeline tr.event-customer_notified")).to_have_count(1)
        page.goto(f"{live_server.url}/cases/?queue=customer_notice")
        expect(page.locator(f"a[href='/cases/{case.pk}/']")).to_have_count(0)
    task.refresh_from_db()
    assert (task.notice_given_on, task.notice_means, task.done_by) == (notice_day, "email", counsel_user)
