"""The whole flow in a real browser: intake logs a demand, the analysis appears by
itself, counsel signs off and moves the tracks, the case list finds the case, and a
viewer cannot log demands."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from jurisdictions.models import ControllingEntity, DataLocation
from tests.security.pdfs import clean_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = clean_pdf()  # a real one-page PDF: uploads are parsed (tests/security/pdfs.py)


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    return {
        "msft": msft,
        "ireland": ireland,
        "quincy": DataLocation.objects.create(name="Quincy, Washington", country_id="US", operated_by=msft),
        "dublin": DataLocation.objects.create(name="Dublin (North Europe)", country_id="IE", operated_by=ireland),
    }


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("header .who")).to_contain_text(user.username)


def log_out(page: Page) -> None:
    page.click("header .who button")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_intake_to_sign_off_to_litigation(page: Page, live_server, intake_user, counsel_user, data_map):
    m = data_map
    # --- Intake logs a demand: two accounts, three holdings, a warrant PDF.
    log_in(page, live_server, intake_user)
    page.click("nav >> text=Log a demand")
    page.fill("#id_reference", "13-MAG-2814")
    page.select_option("#id_instrument", "US-SCA-WARRANT")
    page.select_option("#id_issuing_jurisdiction", "US")
    page.fill("#id_issuing_authority", "U.S. Attorney, S.D.N.Y.")
    page.select_option("#id_served_entity", str(m["msft"].pk))
    page.fill("#id_served_at", "2026-11-02T09:00")
    page.fill("#id_received_at", "2026-11-02T10:30")
    page.set_input_files("#id_document", {"name": "warrant.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.fill("#id_accounts-0-identifier", "target@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-data_location", str(m["dublin"].pk))
    # Picking a location suggests its operator as the controller.
    expect(page.locator("#id_accounts-0-holdings-0-controlled_by")).to_have_value(str(m["ireland"].pk))
    page.select_option("#id_accounts-0-holdings-0-controlled_by", str(m["msft"].pk))

    page.click("#account-0 .add-holding")
    page.select_option("#id_accounts-0-holdings-1-category", "subscriber")
    page.select_option("#id_accounts-0-holdings-1-data_location", str(m["quincy"].pk))
    expect(page.locator("#id_accounts-0-holdings-1-controlled_by")).to_have_value(str(m["msft"].pk))

    # A holding added by mistake: ticking "Remove" greys it out and leaves it out.
    page.click("#account-0 .add-holding")
    page.select_option("#id_accounts-0-holdings-2-category", "traffic")
    page.check("#id_accounts-0-holdings-2-DELETE")
    mistaken = page.locator("#id_accounts-0-holdings-2-category").locator("xpath=ancestor::td")
    expect(mistaken).to_have_css("opacity", "0.4")

    page.click("#add-account")
    page.fill("#id_accounts-1-identifier", "other@example.com")
    page.select_option("#id_accounts-1-us_person", "no")
    page.select_option("#id_accounts-1-holdings-0-category", "content")
    page.select_option("#id_accounts-1-holdings-0-controlled_by", str(m["ireland"].pk))
    expect(page.locator("#id_accounts-TOTAL_FORMS")).to_have_value("2")
    page.click("#save-demand")

    # --- The case file: the analysis panel fills in without a reload.
    expect(page.locator("h1")).to_have_text("13-MAG-2814")
    case_url = page.url
    expect(page.locator("#analysis table.analysis-table tbody tr")).to_have_count(3, timeout=20_000)
    expect(page.locator("#document-link")).to_be_visible()
    expect(page.locator("#sign-off-form")).to_have_count(0)  # intake does not sign off
    log_out(page)

    # --- Counsel signs off.
    log_in(page, live_server, counsel_user)
    page.goto(case_url)
    page.fill("#sign-off-form textarea", "Checked both accounts; the Dublin content is within reach.")
    page.click("#sign-off-form button")
    expect(page.locator("#signed-off")).to_contain_text(counsel_user.username)

    # --- A motion, a contempt finding and an appeal.
    page.click("text=Record a court event")
    page.select_option("#id_event-kind", "motion_filed")
    page.select_option("#id_event-motion_type", "quash")
    page.fill("#id_event-court_name", "S.D.N.Y.")
    page.fill("#id_event-note", "Motion to vacate the warrant as to the Dublin content")
    page.set_input_files("#id_event-document", {"name": "motion.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("details.court-event button")
    expect(page.locator("#timeline")).to_contain_text("Motion to vacate the warrant")
    expect(page.locator("#timeline")).to_contain_text("Motion to quash filed")
    expect(page.locator("#timeline a.event-document")).to_have_count(1)

    page.click("#track-contempt >> text=→ Held in contempt")
    page.select_option("#id_contempt-held-kind", "civil")
    page.check("#id_contempt-held-by_stipulation")
    page.fill("#id_contempt-held-court_name", "S.D.N.Y.")
    page.click("#track-contempt details[open] form button")
    expect(page.locator("#track-contempt")).to_contain_text("Held in contempt")
    expect(page.locator("#track-contempt")).to_contain_text("by stipulation")

    page.click("#track-appeal >> text=→ Notice of appeal filed")
    page.fill("#id_appeal-notice_filed-court_name", "2d Cir.")
    page.fill("#id_appeal-notice_filed-citation", "No. 14-2985")
    page.click("#track-appeal details[open] form button")
    expect(page.locator("#track-appeal")).to_contain_text("Notice of appeal filed")
    expect(page.locator("#timeline")).to_contain_text("No. 14-2985")

    # --- The case list finds it by filters and by account.
    page.click("nav >> text=Cases")
    page.select_option("#id_contempt_status", "held")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-table")).to_contain_text("13-MAG-2814")
    page.fill("#id_q", "other@example")
    expect(page).to_have_url(re.compile(r"q=other%40example"))
    expect(page.locator("#case-table")).to_contain_text("13-MAG-2814")
    page.fill("#id_q", "nobody")
    expect(page.locator("#case-table")).to_contain_text("No cases match.")


def test_intake_errors_are_shown_and_nothing_saved(page: Page, live_server, intake_user, data_map):
    from requests_app.models import Demand

    log_in(page, live_server, intake_user)
    page.goto(f"{live_server.url}/demands/new/")
    page.fill("#id_reference", "BAD-1")
    page.select_option("#id_instrument", "US-SCA-WARRANT")
    page.select_option("#id_issuing_jurisdiction", "US")
    page.fill("#id_issuing_authority", "DOJ")
    page.select_option("#id_served_entity", str(data_map["msft"].pk))
    page.fill("#id_served_at", "2026-11-02T09:00")
    page.fill("#id_received_at", "2026-11-01T09:00")
    page.set_input_files("#id_document", {"name": "x.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a"})
    page.fill("#id_accounts-0-identifier", "target@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-controlled_by", str(data_map["msft"].pk))
    page.click("#save-demand")
    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved")
    expect(page.locator("#intake-form")).to_contain_text("Received before it was served")
    expect(page.locator("#intake-form")).to_contain_text("not a PDF")
    assert not Demand.objects.exists()


def test_viewer_cannot_log_demands(page: Page, live_server, viewer_user, catalogue):
    log_in(page, live_server, viewer_user)
    expect(page.locator("nav")).not_to_contain_text("Log a demand")
    response = page.goto(f"{live_server.url}/demands/new/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")


def test_api_client_has_no_browser_pages(page: Page, live_server, api_user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", api_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    # A machine account is refused at the login (M2), and so stays logged out.
    expect(page.locator("form")).to_contain_text("This account is an API client")
    page.goto(f"{live_server.url}/cases/")
    assert "/login/" in page.url


def test_the_intake_page_fits_the_form_to_the_instrument(page: Page, live_server, intake_user, data_map):
    """The browser offers only the issuers the instrument allows, "Preservation extended"
    for preservations only and "Proceeding pending since" for Indian process only (the
    server checks all of it again)."""
    log_in(page, live_server, intake_user)
    page.goto(f"{live_server.url}/demands/new/")
    issuer = page.locator("#id_issuing_jurisdiction")
    extended = page.locator("[data-field=extended]")
    pending = page.locator("[data-field=pending_since]")

    page.select_option("#id_instrument", "US-SCA-WARRANT")
    expect(issuer).to_have_value("US")  # its only issuer, picked
    expect(issuer.locator("option[value=GB]")).to_be_disabled()
    expect(extended).to_be_hidden()
    expect(pending).to_be_hidden()

    page.select_option("#id_instrument", "US-SCA-PRESERVATION")
    expect(extended).to_be_visible()
    page.check("#id_extended")

    page.select_option("#id_instrument", "EU-EPO")
    expect(issuer).to_have_value("")  # US may not issue an EPO
    expect(issuer.locator("option[value=DE]")).to_be_enabled()
    expect(issuer.locator("option[value=US]")).to_be_disabled()
    expect(extended).to_be_hidden()
    expect(page.locator("#id_extended")).not_to_be_checked()

    page.select_option("#id_instrument", "IN-BNSS-94")
    expect(issuer).to_have_value("IN")
    expect(pending).to_be_visible()
