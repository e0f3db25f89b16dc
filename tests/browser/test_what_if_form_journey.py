"""The what-if page in a real browser, filled in as a lawyer would, with no JSON: the
demand, the provider's entities, two accounts with their holdings added by the page's
buttons; then a bad row refused naming it."""

import pytest
from playwright.sync_api import Page, expect

from jurisdictions.models import ControllingEntity, DataLocation
from tests.browser.test_demand_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    return {
        "quincy": DataLocation.objects.create(name="Quincy, Washington", country_id="US", operated_by=msft),
        "dublin": DataLocation.objects.create(name="Dublin (North Europe)", country_id="IE", operated_by=ireland),
    }


def test_what_if_filled_in_as_a_form(page: Page, live_server, viewer_user, data_map):
    log_in(page, live_server, viewer_user)
    page.goto(f"{live_server.url}/catalogue/what-if/")
    page.select_option("#id_instrument", "US-SCA-WARRANT")
    page.select_option("#id_issuing_jurisdiction", "US")
    page.select_option("#id_court", "S.D.N.Y.")
    page.select_option("#id_served_entity", "Microsoft Corporation")
    page.fill("#id_served_at", "2013-12-04T00:00")
    page.fill("#id_as_of", "2016-07-15")
    expect(page.locator("#entities input[type=checkbox]:checked")).to_have_count(2)

    page.fill("#id_accounts-0-identifier", "target@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-location", str(data_map["dublin"].pk))
    # Picking a location suggests its operator; counsel picks the parent instead.
    expect(page.locator("#id_accounts-0-holdings-0-controlled_by")).to_have_value(
        "Microsoft Ireland Operations Limited"
    )
    page.select_option("#id_accounts-0-holdings-0-controlled_by", "Microsoft Corporation")

    # The script adds rows in place (no round trip: what was typed stays).
    page.click("#account-0 .add-holding")
    page.select_option("#id_accounts-0-holdings-1-category", "subscriber")
    page.select_option("#id_accounts-0-holdings-1-location", str(data_map["quincy"].pk))
    expect(page.locator("#id_accounts-0-holdings-1-controlled_by")).to_have_value("Microsoft Corporation")
    page.click("#add-account")
    expect(page.locator("#account-1 legend")).to_have_text("Account 2")
    page.fill("#id_accounts-1-identifier", "other@example.com")
    page.select_option("#id_accounts-1-holdings-0-category", "content")
    page.select_option("#id_accounts-1-holdings-0-location", str(data_map["quincy"].pk))
    expect(page.locator("#id_accounts-0-identifier")).to_have_value("target@example.com")

    page.click("#run-what-if")
    result = page.locator("#what-if-result")
    expect(result).to_contain_text("storage-based")
    rows = result.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("target@example.com")
    expect(rows.nth(0).locator(".pill")).to_have_text("none")  # content in Ireland: the MLAT
    expect(rows.nth(1).locator(".pill")).to_have_text("storage")
    expect(rows.nth(2)).to_contain_text("other@example.com")
    expect(page.locator("#advanced")).not_to_have_attribute("open", "")

    # A holding with no controller: refused, naming the row and the field; nothing run.
    page.click("#account-1 .add-holding")
    page.select_option("#id_accounts-1-holdings-1-category", "traffic")
    page.click("#run-what-if")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Account 2, holding 2, Controlled by: Which entity controls this data?")
    expect(page.locator("#what-if-result")).to_have_count(0)
    expect(page.locator("#id_accounts-1-holdings-1-controlled_by")).to_have_attribute("aria-invalid", "true")


def test_add_buttons_work_without_the_script(browser, live_server, viewer_user, data_map):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, viewer_user)
        page.goto(f"{live_server.url}/catalogue/what-if/")
        page.fill("#id_accounts-0-identifier", "target@example.com")
        page.click("#account-0 .add-holding")
        expect(page.locator("#id_accounts-0-holdings-1-category")).to_have_count(1)
        page.click("#add-account")
        expect(page.locator("#id_accounts-1-identifier")).to_have_count(1)
        expect(page.locator("#id_accounts-0-identifier")).to_have_value("target@example.com")
        expect(page.locator("#error-summary")).to_have_count(0)
    finally:
        context.close()
