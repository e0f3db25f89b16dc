"""Counsel's day in a real browser: logging in lands on the dashboard, built from the
queues; counsel takes an unassigned case, assigns it to themselves from the case file,
and finds it under "Mine"."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Analysis
from cases.tests.builders import result
from jurisdictions.models import CatalogueVersion
from tests.browser.test_demand_flow import log_in
from tests.factories import CaseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def unassigned_case(db):
    case = CaseFactory(demand__reference="2026-WAR-042")
    version = CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")
    Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 5), catalogue_version=version, result=result(), fingerprint="f"
    )
    return case


def test_counsel_assigns_a_case_to_themselves_and_finds_it_under_mine(
    page: Page, live_server, counsel_user, unassigned_case
):
    # --- Logging in lands on the dashboard: nothing is counsel's yet, one case is unassigned.
    log_in(page, live_server, counsel_user)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("#queue-mine .queue-count")).to_have_text("0")
    expect(page.locator("#queue-unassigned .queue-count")).to_have_text("1")
    expect(page.locator("#queue-awaiting_sign_off .queue-count")).to_have_text("1")

    # --- The unassigned queue leads to the case.
    page.click("#queue-unassigned")
    expect(page).to_have_url(re.compile(r"/cases/\?queue=unassigned$"))
    expect(page.locator("#queue-unassigned")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    page.click("#case-table >> text=2026-WAR-042")
    expect(page.locator("h1")).to_have_text("2026-WAR-042")
    expect(page.locator("#counsel")).to_contain_text("unassigned")

    # --- Counsel assigns it to themselves.
    page.click("#counsel summary")
    page.select_option("#id_assign-counsel", label=counsel_user.username)
    page.click("#assign-form button")
    expect(page.locator(".messages")).to_contain_text(f"Assigned to {counsel_user.username}.")
    expect(page.locator("#counsel")).to_contain_text(counsel_user.username)
    expect(page.locator("#timeline")).to_contain_text(f"Assigned to {counsel_user.username} (was unassigned).")

    # --- The dashboard counts it as counsel's own, and "Mine" lists it.
    page.click("header .brand")
    expect(page.locator("#queue-mine .queue-count")).to_have_text("1")
    expect(page.locator("#queue-unassigned .queue-count")).to_have_text("0")
    page.click("#queue-mine")
    expect(page.locator("#queue-mine")).to_have_attribute("aria-current", "page")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text("2026-WAR-042")
