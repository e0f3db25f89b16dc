"""An emergency disclosure request in a real browser: intake logs a US government's
request to disclose voluntarily (18 U.S.C. §2702(b)(8), (c)(4)); it is an emergency;
counsel records the decision, its good-faith basis and how the requester was verified."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cases.models import EmergencyDisclosureDecision
from jurisdictions.models import ControllingEntity, DataLocation
from tests.browser.test_demand_flow import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "EDR-2026-JOURNEY"


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    return {
        "msft": msft,
        "quincy": DataLocation.objects.create(name="Quincy, Washington (US West)", country_id="US", operated_by=msft),
    }


def test_counsel_decides_an_emergency_disclosure_request(page: Page, live_server, intake_user, counsel_user, data_map):
    received = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")

    # --- Intake logs the request, choosing its kind.
    log_in(page, live_server, intake_user)
    page.click("nav >> text=Log a demand")
    page.fill("#id_reference", REFERENCE)
    page.select_option("#id_instrument", "US-SCA-SUBPOENA")
    page.select_option("#id_issuing_jurisdiction", "US")
    page.fill("#id_issuing_authority", "FBI Seattle Field Office")
    page.select_option("#id_served_entity", str(data_map["msft"].pk))
    page.fill("#id_received_at", received)
    page.select_option("#id_request_kind", "emergency_disclosure")
    page.fill("#id_accounts-0-identifier", "victim@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-data_location", str(data_map["quincy"].pk))
    page.click("#save-demand")
    expect(page.locator("h1")).to_have_text(REFERENCE)
    case_url = page.url
    expect(page.locator("#emergency .pill.emergency")).to_have_text("Emergency")
    expect(page.locator("#request-kind")).to_contain_text("Emergency disclosure request")
    expect(page.locator("#record-disclosure-decision")).to_have_count(0)  # intake does not decide
    log_out(page)

    # --- Counsel records the decision with its verification.
    log_in(page, live_server, counsel_user)
    page.goto(case_url)
    section = page.locator("#disclosure")
    expect(section).to_contain_text("No decision recorded yet")
    section.locator("input[name='disclosure-decision'][value='disclose']").check()
    page.fill("#id_disclosure-basis", "Kidnapping in progress: the victim's phone used this account an hour ago.")
    page.select_option("#id_disclosure-verification", "call_back")
    page.fill(
        "#id_disclosure-verification_detail", "Called the FBI duty desk on its published number; SA Doe confirmed."
    )
    page.click("#record-disclosure-decision button[type=submit]")
    expect(page).to_have_url(case_url + "#disclosure")
    decision = EmergencyDisclosureDecision.objects.get()
    shown = page.locator(f"#disclosure-decision-{decision.pk}")
    expect(shown).to_contain_text("Disclose")
    expect(shown).to_contain_text("Call-back to a known number: Called the FBI duty desk")
    expect(page.locator("#timeline")).to_contain_text("Disclosure decided")
