"""A preservation in a real browser: intake logs a §2703(f) preservation request
(US-SCA-PRESERVATION), counsel extends it on the renewed request (90 more days), then
intake logs the warrant that follows it, and the preservation shows fulfilled."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, Deadline
from jurisdictions.models import ControllingEntity, DataLocation
from requests_app.models import Demand
from tests.browser.test_demand_flow import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRESERVATION = "PRES-2026-JOURNEY"
WARRANT = "WAR-2026-JOURNEY"


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    return {
        "msft": msft,
        "quincy": DataLocation.objects.create(name="Quincy, Washington (US West)", country_id="US", operated_by=msft),
    }


def log_demand_page(page: Page, data_map, reference: str, instrument: str, served: str) -> None:
    page.click("nav >> text=Log a demand")
    page.fill("#id_reference", reference)
    page.select_option("#id_instrument", instrument)
    page.select_option("#id_issuing_jurisdiction", "US")
    page.fill("#id_issuing_authority", "FBI Seattle Field Office")
    page.select_option("#id_served_entity", str(data_map["msft"].pk))
    page.fill("#id_served_at", served)
    page.fill("#id_accounts-0-identifier", "preserve.me@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-data_location", str(data_map["quincy"].pk))


def test_preserve_extend_then_the_warrant_follows(page: Page, live_server, intake_user, counsel_user, data_map):
    served = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    # --- Intake logs the preservation request: its kind follows the instrument.
    log_in(page, live_server, intake_user)
    log_demand_page(page, data_map, PRESERVATION, "US-SCA-PRESERVATION", served)
    page.click("#save-demand")
    expect(page.locator("h1")).to_have_text(PRESERVATION)
    preservation_url = page.url
    expect(page.locator("#request-kind")).to_contain_text("Preservation request")
    expect(page.locator("#preservation-state")).to_contain_text("Preserving")
    first_expiry = page.locator("#preservation-expiry time").get_attribute("datetime")
    expect(page.locator("#extend-preservation")).to_have_count(0)  # intake may not extend
    log_out(page)

    # --- Counsel records the renewed request: the expiry moves 90 days on.
    log_in(page, live_server, counsel_user)
    page.goto(preservation_url)
    page.click("#extend-preservation summary")
    page.fill("#id_extend-note", "FBI renewed the request by letter.")
    page.click("#extend-preservation button[type=submit]")
    expect(page.locator("#preservation-extension")).to_contain_text("Extended once")
    second_expiry = page.locator("#preservation-expiry time").get_attribute("datetime")
    assert dt.datetime.fromisoformat(second_expiry) - dt.datetime.fromisoformat(first_expiry) in (
        dt.timedelta(days=90),
        dt.timedelta(days=90, hours=1),
        dt.timedelta(days=90, hours=-1),
    )
    expect(page.locator("#extend-preservation")).to_have_count(0)  # once only
    expect(page.locator("#timeline")).to_contain_text("Preservation extended")
    log_out(page)

    # --- Intake logs the warrant that follows it.
    log_in(page, live_server, intake_user)
    log_demand_page(page, data_map, WARRANT, "US-SCA-WARRANT", served)
    page.select_option("#id_follows_preservation", str(Demand.objects.get(reference=PRESERVATION).pk))
    page.click("#save-demand")
    expect(page.locator("h1")).to_have_text(WARRANT)
    expect(page.locator("#follows-preservation")).to_contain_text(PRESERVATION)

    # --- The preservation shows fulfilled, followed by the warrant.
    page.click(f"#follows-preservation >> text={PRESERVATION}")
    expect(page).to_have_url(preservation_url)
    expect(page.locator("#preservation-state")).to_contain_text("Fulfilled")
    expect(page.locator("#followed-by")).to_contain_text(WARRANT)
    case = Case.objects.get(demand__reference=PRESERVATION)
    assert case.deadlines.get(kind=Deadline.Kind.PRESERVATION_EXPIRES, state="met")
