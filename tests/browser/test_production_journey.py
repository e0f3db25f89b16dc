"""A production in a real browser: counsel records what was handed over on a case in
response (one holding produced, one withheld with a reason, two files), sees the files'
SHA-256 on the case file, and closes the case with the outcome derived from it."""

import hashlib

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, CaseDocument, Production
from tests.browser.test_demand_flow import log_in
from tests.factories import AccountFactory, CaseFactory, HoldingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = b"account,ip,at\ntarget@example.com,192.0.2.1,2026-01-01T00:00:00Z\n"
JSON = b'{"subscriber": {"name": "A. Target", "since": "2019-03-01"}}'


@pytest.fixture
def responding_case() -> Case:
    case = CaseFactory(status="responding", demand__reference="WARRANT-2026-0042")
    account = AccountFactory(demand=case.demand, identifier="target@example.com")
    case.subscriber = HoldingFactory(account=account, category="subscriber")
    case.content = HoldingFactory(account=account, category="content", data_location=None)
    return case


def test_counsel_records_a_production_and_closes_with_the_derived_outcome(
    page: Page, live_server, counsel_user, responding_case, tmp_path
):
    case = responding_case
    calls, subscriber = tmp_path / "calls.csv", tmp_path / "subscriber.json"
    calls.write_bytes(CSV)
    subscriber.write_bytes(JSON)

    log_in(page, live_server, counsel_user)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    section = page.locator("#productions")
    expect(section).to_contain_text("No production recorded.")

    # --- Record production B-0001: subscriber data produced, content withheld, two files.
    section.locator("summary", has_text="Record a production").click()
    page.fill("#id_production-number", "B-0001")
    page.fill("#id_production-recipient", "FBI Seattle Field Office")
    page.select_option("#id_production-method", "portal")
    page.select_option(f"#production-disposition-{case.content.pk}", "withheld")
    page.fill(f"#production-reason-{case.content.pk}", "Stored in Ireland: to be sought through the MLAT")
    page.set_input_files("#id_production-documents", str(calls))
    page.set_input_files("#id_production-more_documents", str(subscriber))
    page.click("#production-form button[type=submit]")

    production = section.locator(".production", has_text="Production B-0001")
    expect(production).to_be_visible()
    expect(production.locator(".production-items")).to_contain_text("Stored in Ireland")
    files = production.locator(".production-files")
    expect(files).to_contain_text(hashlib.sha256(CSV).hexdigest())
    expect(files).to_contain_text(hashlib.sha256(JSON).hexdigest())
    expect(files.locator("a.document-download")).to_have_count(2)
    expect(page.locator("#production-derived")).to_contain_text("Produced in part")
    assert Production.objects.get(case=case).number == "B-0001"
    assert CaseDocument.objects.filter(production__case=case).count() == 2
    expect(page.locator("#timeline")).to_contain_text("Production B-0001 to FBI Seattle Field Office")

    # --- Close the case: the outcome offered is the one the production points to.
    status = page.locator("#track-status")
    status.locator("summary", has_text="Closed").click()
    outcome = page.locator("#id_status-closed-outcome")
    expect(outcome).to_have_value("produced_in_part")
    expect(status).to_contain_text("derived from production B-0001: data produced for 1 of 2 holdings")
    status.locator("button", has_text="Closed").click()
    expect(page.locator("#track-status")).to_contain_text("Produced in part")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "produced_in_part")
    expect(page.locator("#production-form")).to_have_count(0)  # a closed case takes no production
