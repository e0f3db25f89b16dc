"""Correcting a fact in a real browser: counsel opens a signed-off demo case, corrects a
holding's storage location with a reason, and sees the answer change, the correction on
the timeline and the sign-off no longer standing."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cases import actions
from cases.models import Analysis, Case
from jurisdictions.models import DataLocation
from tests.browser.test_demand_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "PRES-WDWA-2026-0311"  # content in Dublin (North Europe), subscriber in Quincy


@pytest.fixture
def signed_off_case(catalogue, counsel_user) -> Case:
    call_command("load_demo", stdout=io.StringIO())
    case = Case.objects.get(demand__reference=REFERENCE)
    latest = case.analyses.newest_first().first()
    actions.sign_off_analysis(
        case=case,
        analysis_id=latest.pk,
        note="Dublin content within reach under §2713.",
        by=counsel_user,
        expected_version=case.version,
    )
    return case


def test_counsel_corrects_a_storage_location_and_the_sign_off_no_longer_stands(
    page: Page, live_server, counsel_user, signed_off_case
):
    case = signed_off_case
    signed = case.analyses.newest_first().first()
    san_antonio = DataLocation.objects.get(name="San Antonio, Texas (US South)")

    log_in(page, live_server, counsel_user)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    content = page.locator("#analysis #holding-0")
    expect(content).to_contain_text("IE")
    expect(content).to_contain_text("control")
    expect(page.locator("#sign-off-form")).to_have_count(0)  # signed off: nothing to sign

    page.click("#amend-link")
    expect(page.locator("h1")).to_have_text(f"Correct the facts of {REFERENCE}")
    location = page.locator("#id_accounts-0-holdings-0-data_location")
    expect(location.locator("option:checked")).to_contain_text("Dublin (North Europe)")
    location.select_option(str(san_antonio.pk))
    # A blank reason (spaces pass the browser's own check): refused, and what was picked is kept.
    page.fill("#id_reason", "   ")
    page.click("#save-amendment")
    expect(page.locator("#error-summary")).to_contain_text("Nothing was saved")
    expect(page.locator("[data-field=reason]")).to_contain_text("This field is required")
    expect(location).to_have_value(str(san_antonio.pk))
    page.fill("#id_reason", "The data map puts this mailbox's content in San Antonio, not Dublin.")
    page.click("#save-amendment")

    # Back on the case file: analysed again on the corrected facts.
    expect(page.locator("h1")).to_have_text(REFERENCE)
    expect(content).to_contain_text("US")
    expect(content).to_contain_text("storage")
    amended = page.locator("#timeline tr.event-demand_amended")
    expect(amended).to_have_count(1)
    expect(amended).to_contain_text("Facts amended")
    expect(amended).to_contain_text(
        "Holding 1 of preserve.me@example.com: stored in IE (Dublin (North Europe)) → "
        "US (San Antonio, Texas (US South))"
    )
    expect(amended).to_contain_text("The data map puts this mailbox's content in San Antonio")
    expect(page.locator("#timeline tr.event-analysis_changed")).to_contain_text("Re-analysis (facts amended)")
    # The answer counsel signed no longer stands: the new analysis awaits a sign-off.
    expect(page.locator("#sign-off-form")).to_be_visible()
    latest = Analysis.objects.filter(case=case).newest_first().first()
    assert latest.pk != signed.pk and latest.signed_off_at is None
    signed.refresh_from_db()
    assert signed.sign_off_voided_at is not None and not signed.sign_off_stands
