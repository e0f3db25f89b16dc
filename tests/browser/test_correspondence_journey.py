"""Documents and correspondence in a real browser: counsel adds a court order to the
case file, logs an incoming e-mail with an attachment, writes a redirect letter from
the case (drafted with the controlling entity the analysis names), edits it and saves
it as sent; the letter shows in the log and its PDF downloads with the hash on record."""

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.models import Analysis, CaseDocument, Correspondence
from cases.tests.builders import result
from jurisdictions.models import CatalogueVersion
from tests.browser.test_demand_flow import log_in
from tests.factories import CaseFactory
from tests.security import pdfs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDIRECTED = {
    **result()["items"][0],
    "account": "redirect.me@example.com",
    "controlled_by": "Nimbus Ireland Ltd",
    "reach": "none",
    "route": "redirect",
    "conflicts": [],
    "reasons": [{"code": "route", "text": "Route: redirect to Nimbus Ireland Ltd.", "citation": "RULES §2"}],
}


@pytest.fixture
def case(db):
    case = CaseFactory(demand__reference="EPO-DE-2026-7", demand__issuing_authority="Staatsanwaltschaft Berlin")
    version = CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")
    Analysis.objects.create(
        case=case,
        as_of=dt.date(2026, 1, 5),
        catalogue_version=version,
        doctrine="control-based",
        result={**result(), "items": [REDIRECTED]},
        fingerprint="x",
    )
    return case


def test_counsel_files_an_order_logs_an_email_and_sends_a_redirect_letter(
    page: Page, live_server, counsel_user, case, tmp_path
):
    log_in(page, live_server, counsel_user)
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    # --- A court order joins the file.
    order = pdfs.clean_pdf()
    page.click("#add-document summary")
    page.select_option("#id_document-kind", "court_order")
    page.fill("#id_document-title", "Order to produce of 5 January")
    page.set_input_files("#id_document-file", {"name": "order.pdf", "mimeType": "application/pdf", "buffer": order})
    page.click("#add-document button[type=submit]")
    row = page.locator("#documents-table tbody tr").first
    expect(row).to_contain_text("Court order")
    expect(row).to_contain_text("Order to produce of 5 January")
    expect(row).to_contain_text(hashlib.sha256(order).hexdigest())

    # --- An incoming e-mail, with its attachment.
    page.click("#log-correspondence summary")
    page.select_option("#id_correspondence-direction", "in")
    page.fill("#id_correspondence-occurred_on", "2026-01-06")
    page.select_option("#id_correspondence-channel", "email")
    page.fill("#id_correspondence-counterpart", "Oberstaatsanwältin Roe")
    page.fill("#id_correspondence-summary", "Asks why nothing was produced.")
    page.set_input_files(
        "#id_correspondence-attachments",
        {"name": "email.pdf", "mimeType": "application/pdf", "buffer": pdfs.clean_pdf()},
    )
    page.click("#log-correspondence button[type=submit]")
    log = page.locator("#correspondence-log")
    expect(log).to_contain_text("Oberstaatsanwältin Roe")
    expect(log.locator(".attachment-download")).to_have_text("email.pdf")

    # --- A redirect letter, drafted from the analysis, edited, saved as sent.
    page.click("#write-letter summary")
    page.click("#letter-redirect")
    expect(page.locator("h1")).to_contain_text("Redirect to the entity that controls the data")
    body = page.locator("#id_letter-body")
    expect(body).to_have_value(re.compile("redirect the demand to Nimbus Ireland Ltd"))
    body.fill(body.input_value().replace("Yours faithfully,", "Our contact: legal@example.com\n\nYours faithfully,"))
    page.click("#save-letter")
    letter = Correspondence.objects.get(letter="redirect")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/#correspondence")
    row = page.locator(f"#correspondence-{letter.pk}")
    expect(row).to_contain_text("Redirect to the entity that controls the data")
    assert "Our contact: legal@example.com" in letter.body and letter.direction == "out"

    # --- Its PDF downloads, the bytes hashing to the SHA-256 on record.
    document = CaseDocument.objects.get(correspondence=letter)
    with page.expect_download() as info:
        row.locator(".attachment-download").click()
    path = Path(info.value.path())
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == document.sha256
