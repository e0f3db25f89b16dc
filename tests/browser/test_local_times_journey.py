"""Local times in a real browser: counsel in Berlin signs in for the first time, the
browser's zone becomes theirs, and the §2703(h)(2) comity deadline of an S.D.N.Y.
warrant shows its last day in New York and counsel's own time; a zone picked on the
profile page then rules every page."""

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import Profile
from cases.tests import builders
from tests.browser.conftest import RESULTS
from tests.browser.test_demand_flow import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sdny_warrant(catalogue):
    return builders.sdny_warrant()


def test_the_comity_deadline_in_new_york_and_in_berlin(browser: Browser, live_server, counsel_user, sdny_warrant):
    context = browser.new_context(timezone_id="Europe/Berlin", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # --- First sign-in: the browser's zone is taken, since counsel has none yet.
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", counsel_user.username)
        page.fill("#id_password", PASSWORD)
        # The dashboard's script sends the browser's zone once the page has loaded.
        # (no_wait_after, and polling the profile: Playwright's wait for that navigation,
        # or for the script's response, never ends in this Chromium.)
        page.click("form button[type=submit]", no_wait_after=True)
        page.wait_for_url(f"{live_server.url}/")
        for _ in range(100):
            if Profile.objects.filter(user=counsel_user, time_zone="Europe/Berlin").exists():
                break
            page.wait_for_timeout(100)
        assert Profile.objects.get(user=counsel_user).time_zone == "Europe/Berlin"

        # --- The case file: the deadline in the court's zone, and in counsel's.
        page.goto(f"{live_server.url}/cases/{sdny_warrant.pk}/")
        row = page.locator("#deadlines tr.deadline-open", has_text="Comity motion")
        expect(row).to_contain_text("ends 9 Dec 2026, end of day, New York — 10 Dec 2026, 06:00 CET in your zone")
        expect(page.locator("#engine-comity_motion_due")).to_contain_text("ends 9 Dec 2026, end of day, New York")
        expect(page.locator("#deadlines")).not_to_contain_text("05:00 UTC")
        expect(page.locator("script[src*='timezone.js']")).to_have_count(0)  # set: not sent again

        # --- Counsel travels: the profile page's zone rules from now on.
        page.click("#profile-link")
        page.select_option("#id_time_zone", "America/Los_Angeles")
        page.click("#profile-form button[type=submit]")
        expect(page.locator("#profile-zone-now")).to_contain_text("America/Los_Angeles")
        page.goto(f"{live_server.url}/cases/{sdny_warrant.pk}/")
        expect(row).to_contain_text("ends 9 Dec 2026, end of day, New York — 9 Dec 2026, 21:00 PST in your zone")
    except Exception:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / "test_the_comity_deadline_in_new_york_and_in_berlin.png"), full_page=True)
        raise
    finally:
        context.close()
