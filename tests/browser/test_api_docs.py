"""The API docs (Swagger UI and Redoc, from the vendored sidecar) render under the
site's Content-Security-Policy, log no violation and fetch nothing from outside; the
transparency report's legend and tables fit their panels."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.test_demand_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KNOWN_PATH = "/api/v1/cases/{id}/status/"


class Watch:
    """What a page reports: CSP violations (as events and as console errors), other
    console errors, and requests to anywhere but the live server."""

    def __init__(self, page: Page, origin: str):
        self.page, self.origin = page, origin
        self.console: list[str] = []
        self.outside: list[str] = []
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"
        )
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("request", self._request)

    def _request(self, request) -> None:
        if not request.url.startswith((self.origin, "data:", "blob:")):
            self.outside.append(request.url)

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__csp")
        assert violations == [], violations
        assert not [m for m in self.console if "Content Security Policy" in m], self.console
        assert self.outside == [], self.outside


def test_swagger_ui_renders_the_operations(page: Page, live_server, viewer_user):
    log_in(page, live_server, viewer_user)
    watch = Watch(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    operation = page.locator(f'.opblock-summary-path[data-path="{KNOWN_PATH}"]')
    expect(operation).to_be_visible(timeout=20_000)
    expect(page.locator("#swagger-ui")).to_contain_text("Lexloci API")
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    assert watch.console == []


def test_redoc_renders_the_operations(page: Page, live_server, viewer_user):
    log_in(page, live_server, viewer_user)
    watch = Watch(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/redoc/")
    assert response.status == 200
    expect(page.locator("#redoc-container h1")).to_contain_text("Lexloci API", timeout=20_000)
    expect(page.locator("#redoc-container")).to_contain_text(KNOWN_PATH)
    expect(page.locator("#redoc-container")).not_to_contain_text("Something went wrong")
    page.wait_for_load_state("networkidle")
    watch.assert_clean()  # no Google Fonts, no Redocly logo from its CDN
    assert watch.console == []


def test_api_docs_need_a_login(page: Page, live_server, db):
    """A browser without a session is sent to the login page (not a bare 401), and
    comes back to the documentation after it."""
    for path in ("/api/docs/", "/api/redoc/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200 and response.request.redirected_from is not None
        url = urlsplit(page.url)
        assert (url.path, parse_qs(url.query)["next"]) == ("/login/", [path])
        expect(page.get_by_label("Username")).to_be_visible()


def test_transparency_report_fits_at_1024px(page: Page, live_server, viewer_user, catalogue):
    call_command("load_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": 1024, "height": 800})
    log_in(page, live_server, viewer_user)
    watch = Watch(page, live_server.url)
    page.goto(f"{live_server.url}/reports/transparency/?start=2000-01-01&end=2099-12-31")
    expect(page.locator("svg.chart rect").first).to_be_visible()

    # Each legend (the countries' chart and the trend's) names the five outcomes, and
    # its entries do not overlap.
    legends = page.locator(".chart-legend").all()
    assert len(legends) == 2
    for legend in legends:
        boxes = [item.bounding_box() for item in legend.locator("li").all()]
        assert len(boxes) == 5
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert a["y"] != b["y"] or a["x"] + a["width"] <= b["x"], (a, b)

    # The page itself does not scroll sideways; a wide table scrolls inside its panel.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    for table in ("#lines", "#countries"):
        panel = page.locator(table).locator("xpath=ancestor::section").bounding_box()
        scroller = page.locator(table).locator("xpath=..").bounding_box()
        assert scroller["x"] + scroller["width"] <= panel["x"] + panel["width"]
    watch.assert_clean()
