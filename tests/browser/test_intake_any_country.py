"""Process from any country, in a real browser (issue 15): a German EPO logged with a
German court picked from the courts the page offers for Germany, and a US warrant
issued by GB refused with a message on the page."""

import re

import pytest
from playwright.sync_api import Page, expect

from jurisdictions.models import Court
from tests.browser import test_demand_flow
from tests.browser.test_demand_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

data_map = test_demand_flow.data_map  # the intake journeys' entities and locations (a fixture)


def fill_account(page: Page, data_map) -> None:
    page.fill("#id_accounts-0-identifier", "target@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-data_location", str(data_map["dublin"].pk))
    page.select_option("#id_accounts-0-holdings-0-controlled_by", str(data_map["ireland"].pk))


def test_a_german_court_is_picked_for_a_german_epo(page: Page, live_server, intake_user, data_map):
    from requests_app.models import Demand

    munich = Court.objects.get(name="Amtsgericht München")
    log_in(page, live_server, intake_user)
    page.goto(f"{live_server.url}/demands/new/")
    court = page.locator("#id_court")
    document_label = page.locator('label[for="id_document"]:not(.kept-replace)')

    page.fill("#id_reference", "DE-EPO-BROWSER-1")
    page.select_option("#id_instrument", "EU-EPO")
    expect(document_label).to_contain_text("European Production Order Certificate (EPOC)")
    issuer = page.locator("#id_issuing_jurisdiction")
    expect(issuer.locator("option[value=EU]")).to_have_count(0)  # the EU itself issues nothing
    expect(issuer.locator("option[value=US]")).to_be_disabled()  # not a member state
    page.select_option("#id_issuing_jurisdiction", "DE")

    # Only Germany's courts and authorities are offered now.
    expect(court.locator(f'option[value="{munich.pk}"]')).to_be_enabled()
    expect(court.locator('option[data-jurisdiction="US"]').first).to_be_disabled()
    expect(court.locator('optgroup[label="United States (US)"]')).to_be_hidden()
    offered = court.locator("option:not([disabled])")
    names = offered.all_inner_texts()
    assert "Staatsanwaltschaft Berlin" in names and "S.D.N.Y." not in names
    # Times read in "the issuing court's zone" follow the court picked.
    page.select_option("#id_time_zone", "")
    page.select_option("#id_court", str(munich.pk))
    expect(page.locator("#id_time_zone")).to_have_value("Europe/Berlin")

    page.fill("#id_issuing_authority", "Staatsanwaltschaft München I")
    page.select_option("#id_served_entity", str(data_map["ireland"].pk))
    page.fill("#id_served_at", "2026-11-02T09:00")
    page.fill("#id_received_at", "2026-11-02T10:30")
    fill_account(page, data_map)
    page.click("#save-demand")

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    demand = Demand.objects.get(reference="DE-EPO-BROWSER-1")
    assert demand.court_id == munich.pk and demand.issuing_jurisdiction_id == "DE"
    assert demand.instrument.code == "EU-EPO"
    assert demand.served_at.isoformat() == "2026-11-02T08:00:00+00:00"  # 09:00 in Berlin


def test_a_us_warrant_issued_by_gb_is_refused_with_a_visible_message(page: Page, live_server, intake_user, data_map):
    from requests_app.models import Demand

    log_in(page, live_server, intake_user)
    page.goto(f"{live_server.url}/demands/new/")
    page.fill("#id_reference", "US-GB-BROWSER-1")
    page.select_option("#id_instrument", "US-SCA-WARRANT")
    expect(page.locator('label[for="id_document"]:not(.kept-replace)')).to_contain_text("Warrant (PDF")
    # The page offers US only for a US warrant; a stale or scripted choice of GB is
    # refused by the server: force it in, as a browser without the script would send it.
    page.eval_on_selector(
        "#id_issuing_jurisdiction",
        "el => { for (const o of el.options) { o.disabled = false; o.hidden = false; } el.value = 'GB'; }",
    )
    page.fill("#id_issuing_authority", "Metropolitan Police")
    page.select_option("#id_served_entity", str(data_map["msft"].pk))
    page.fill("#id_served_at", "2026-11-02T09:00")
    fill_account(page, data_map)
    page.click("#save-demand")

    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved")
    message = page.locator("#id_issuing_jurisdiction_error")
    expect(message).to_be_visible()
    expect(message).to_have_text("GB cannot issue this demand: US-SCA-WARRANT is issued by US only.")
    expect(page.locator("#id_issuing_jurisdiction")).to_have_attribute("aria-invalid", "true")
    assert not Demand.objects.filter(reference="US-GB-BROWSER-1").exists()


def test_an_unallowed_issuer_is_replaced_with_a_note(page: Page, live_server, intake_user, catalogue):
    """Picking the instrument after the issuer: a jurisdiction that cannot issue it is
    not dropped silently; the page says why beside the field."""
    log_in(page, live_server, intake_user)
    page.goto(f"{live_server.url}/demands/new/")
    page.select_option("#id_instrument", "EU-EPO")
    page.select_option("#id_issuing_jurisdiction", "DE")
    expect(page.locator("#issuer-note")).to_be_hidden()
    page.select_option("#id_instrument", "US-SCA-WARRANT")
    expect(page.locator("#id_issuing_jurisdiction")).to_have_value("US")
    expect(page.locator("#issuer-note")).to_have_text(
        re.compile(r"^Germany \(DE\) cannot issue US-SCA-WARRANT: set to US, its only issuer\.$")
    )
    expect(page.locator("#issuer-note")).to_have_attribute("role", "status")
