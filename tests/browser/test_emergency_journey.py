"""An emergency in a real browser: intake logs an 8-hour emergency European Production
Order at the intake page; counsel sees the unread count in the header, the notice on
the notifications page, and on the case file the emergency with a live countdown to
its response deadline."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cases.models import Notification
from jurisdictions.models import ControllingEntity, DataLocation
from tests.browser.test_demand_flow import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "EPO-DE-2026-URGENT"


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    return {
        "ireland": ireland,
        "dublin": DataLocation.objects.create(name="Dublin (North Europe)", country_id="IE", operated_by=ireland),
    }


def test_an_emergency_epo_reaches_counsel_at_once(page: Page, live_server, intake_user, counsel_user, data_map):
    served = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    # --- Intake logs the emergency order (times in UTC, the form's default zone).
    log_in(page, live_server, intake_user)
    page.click("nav >> text=Log a demand")
    page.fill("#id_reference", REFERENCE)
    page.select_option("#id_instrument", "EU-EPO")
    page.select_option("#id_issuing_jurisdiction", "DE")
    page.fill("#id_issuing_authority", "Staatsanwaltschaft Berlin")
    page.select_option("#id_served_entity", str(data_map["ireland"].pk))
    page.fill("#id_served_at", served)
    page.fill("#id_received_at", served)
    page.check("#id_emergency")
    page.fill("#id_accounts-0-identifier", "target@example.com")
    page.select_option("#id_accounts-0-holdings-0-category", "content")
    page.select_option("#id_accounts-0-holdings-0-data_location", str(data_map["dublin"].pk))
    page.click("#save-demand")
    expect(page.locator("h1")).to_have_text(REFERENCE)
    case_url = page.url
    expect(page.locator("#emergency")).to_contain_text("Emergency")
    expect(page.locator("#unread-count")).to_have_count(0)  # intake is not told: counsel is
    log_out(page)

    # Counsel was told at once: in the app, and by e-mail after the intake committed.
    notice = Notification.objects.get(kind="emergency")
    assert notice.user == counsel_user and notice.emailed_at is not None
    assert [m.to for m in mail.outbox if "Emergency demand" in m.subject] == [[counsel_user.email]]

    # --- Counsel sees the count in the header of the first page, and the notice.
    log_in(page, live_server, counsel_user)
    expect(page.locator("header #unread-count")).to_have_text("1")
    page.click("header #notifications-link")
    expect(page.locator("h1")).to_have_text("Notifications")
    item = page.locator(f"#notification-{notice.pk}")
    expect(item).to_have_class(re.compile(r"\bunread\b"))
    expect(item).to_contain_text(f"Emergency demand logged: EU-EPO {REFERENCE} from Staatsanwaltschaft Berlin")

    # --- Its case file: the emergency near the title, counting down to the response.
    item.locator("a.case-link").click()
    expect(page).to_have_url(case_url)
    banner = page.locator("#emergency")
    expect(banner.locator(".pill.emergency")).to_have_text("Emergency")
    expect(banner).to_contain_text("Response due")
    countdown = page.locator("#emergency-countdown")
    # The script has taken over the server's "7 hours, 1 minute left": it counts seconds.
    expect(countdown).to_have_attribute("data-live", "true")
    expect(countdown).to_have_text(re.compile(r"^\d+ h \d+ min \d+ s left$"))
    first = countdown.text_content()
    page.wait_for_timeout(1500)
    assert countdown.text_content() != first  # live

    # --- Marked read, the count goes.
    page.click("header #notifications-link")
    page.locator(f"#notification-{notice.pk} form.mark-read button").click()
    expect(page.locator(f"#notification-{notice.pk}")).to_have_class(re.compile(r"\bread\b"))
    expect(page.locator("header #unread-count")).to_have_count(0)
