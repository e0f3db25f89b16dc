"""Every page, for every role that may open it, at a desktop width (1366 px) and a phone
width (390 px): the page is no wider than the viewport (nothing scrolls sideways), and
axe-core finds no serious or critical accessibility violation.

One test for all roles, so the demo data is loaded once: one browser context and one
login per role, every page at both widths. It reports every failing page, role, width
and rule at once rather than stopping at the first. Screenshots of the main pages at
both widths are left in test-results/screenshots/ for the run's artefacts (taken for
counsel, who sees every page and every form)."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from cases import export
from tests.browser.conftest import RESULTS
from tests.browser.pages import (
    ADMIN,
    ANONYMOUS,
    COUNSEL,
    INTAKE,
    OUTSIDER,
    PAGES,
    VIEWER,
    WIDTHS,
    SitePage,
    duplicate_ids,
    first_tab_stop,
    horizontal_overflow,
    load_demo_cases,
    serious_violations,
)
from tests.browser.test_demand_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = RESULTS / "screenshots"
ROLES = {  # role -> the persona fixture that logs in (None: not logged in)
    ANONYMOUS: None,
    INTAKE: "intake_user",
    COUNSEL: "counsel_user",
    VIEWER: "viewer_user",
    ADMIN: "admin_user_",
    OUTSIDER: "outsider_user",
}
SCREENSHOT_ROLE = COUNSEL
SKIP_LINK = "Skip to main content"


@pytest.fixture
def demo_cases(catalogue) -> dict[str, int]:
    return load_demo_cases()


def check_page(page, axe: Axe, site_page: SitePage, url: str, role: str) -> list[str]:
    """The page at each width: its problems, one line each, naming page, role and width."""
    problems = []
    for width, height in WIDTHS.items():
        where = f"{site_page.name} as {role} at {width} px"
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url, wait_until="load")
        if site_page.memo:  # the memo's HTML (printed to the PDF), on the site's origin
            record = export.case_record(int(url.rstrip("/").rsplit("/", 1)[-1]))
            page.set_content(export.memo_html(record), wait_until="load")
        elif response is None or response.status != site_page.status:
            got = response.status if response else "no response"
            problems.append(f"{where}: answered {got}, expected {site_page.status} ({url})")
            continue
        try:  # what htmx loads after the page (the analysis panel) is part of it
            page.wait_for_load_state("networkidle", timeout=10_000)
        except PlaywrightError:
            pass  # a busy machine or a request that stays open: the page is checked as drawn
        phone = width < max(WIDTHS)
        if not (site_page.memo and phone) and (overflow := horizontal_overflow(page)):
            problems.append(f"{where}: scrolls sideways: {overflow}")
        problems += [f"{where}: axe {line}" for line in serious_violations(axe, page)]
        if site_page.screenshot and role == SCREENSHOT_ROLE:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{site_page.name}-{width}.png"), full_page=True)
        if ids := duplicate_ids(page):
            problems.append(f"{where}: ids used more than once: {', '.join(ids[:10])}")
        if site_page.skip_link and not phone and (first := first_tab_stop(page)) != SKIP_LINK:
            problems.append(f"{where}: the first Tab reaches {first!r}, not {SKIP_LINK!r}")
    return problems


def test_every_page_for_every_role_fits_a_phone_and_passes_axe(request, browser: Browser, live_server, demo_cases):
    axe = Axe()
    problems: list[str] = []
    for role, persona in ROLES.items():
        started = time.monotonic()
        context = browser.new_context(viewport={"width": 1366, "height": WIDTHS[1366]})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            if persona is not None:
                log_in(page, live_server, request.getfixturevalue(persona))
            reached = [p for p in PAGES if role in p.roles]
            assert reached, f"no page for {role}"
            for site_page in reached:
                problems += check_page(page, axe, site_page, live_server.url + site_page.path(demo_cases), role)
        finally:
            context.close()
        print(f"{role}: {len(reached)} pages at {len(WIDTHS)} widths in {time.monotonic() - started:.0f} s")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
