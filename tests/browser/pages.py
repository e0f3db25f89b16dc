"""The pages of the site, who may open them, and the checks run on each page in a real
browser: no horizontal scroll, and axe-core (axe-playwright-python, which bundles it)
with no serious or critical violation. Used by test_pages_responsive_a11y.py."""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command

WIDTHS = {1366: 900, 390: 844}  # width -> height of the viewport
ANONYMOUS, INTAKE, COUNSEL, VIEWER, ADMIN, OUTSIDER = "anonymous", "intake", "counsel", "viewer", "admin", "outsider"
READERS = frozenset({INTAKE, COUNSEL, VIEWER, ADMIN})
LOGGERS = frozenset({INTAKE, COUNSEL, ADMIN})
COUNSELS = frozenset({COUNSEL, ADMIN})
SIGNED_IN = frozenset({INTAKE, COUNSEL, VIEWER, ADMIN, OUTSIDER})

RICH_CASE = "13-MAG-2814"  # Microsoft Ireland: three analyses, the whole history, closed
OPEN_CASE = "COPO-2026-0142"  # open, two accounts and three holdings: override and step forms
AMENDABLE_CASE = "PRES-WDWA-2026-0311"  # open and analysed: counsel may correct its facts


@dataclass(frozen=True)
class SitePage:
    """A page, the roles that may open it, and how to reach it."""

    name: str
    path: Callable[[dict], str]
    roles: frozenset[str]
    screenshot: bool = False
    status: int = 200
    # The memo's HTML (cases.export.memo_html), not served at a URL: WeasyPrint prints it
    # on A4 pages and a phone shows the PDF, so its width is checked at the desktop only.
    memo: bool = False
    skip_link: bool = True  # the site's layout (or the admin's): a Tab first reaches "Skip to main content"


PAGES: tuple[SitePage, ...] = (
    SitePage("login", lambda ids: "/login/", frozenset({ANONYMOUS})),
    SitePage("dashboard", lambda ids: "/", READERS, screenshot=True),
    SitePage("case-list", lambda ids: "/cases/", READERS, screenshot=True),
    SitePage("case-list-queue", lambda ids: "/cases/?queue=awaiting_sign_off", READERS),
    SitePage("case-file", lambda ids: f"/cases/{ids[RICH_CASE]}/", READERS, screenshot=True),
    SitePage("case-file-open", lambda ids: f"/cases/{ids[OPEN_CASE]}/", READERS),
    SitePage("memo", lambda ids: f"/cases/{ids[RICH_CASE]}/", READERS, memo=True, skip_link=False),
    SitePage("intake", lambda ids: "/demands/new/", LOGGERS, screenshot=True),
    SitePage("amend", lambda ids: f"/cases/{ids[AMENDABLE_CASE]}/amend/", COUNSELS),
    SitePage("what-if", lambda ids: "/catalogue/what-if/", READERS, screenshot=True),
    SitePage("catalogue", lambda ids: "/catalogue/", READERS),
    SitePage("report", lambda ids: "/reports/transparency/", READERS, screenshot=True),
    SitePage("notifications", lambda ids: "/notifications/", SIGNED_IN),
    SitePage("profile", lambda ids: "/profile/", SIGNED_IN),
    SitePage("password-change", lambda ids: "/password/", SIGNED_IN),
    SitePage("refused", lambda ids: "/", frozenset({OUTSIDER}), status=403),
    SitePage("api-docs", lambda ids: "/api/docs/", READERS, skip_link=False),  # Swagger UI's own page
    SitePage("admin-index", lambda ids: "/admin/", frozenset({ADMIN})),
)


def load_demo_cases() -> dict[str, int]:
    """The demo cases (load_demo; the catalogue must be loaded), as reference -> case id."""
    from cases.models import Case

    call_command("load_demo", stdout=io.StringIO())
    return dict(Case.objects.values_list("demand__reference", "pk"))


# The element that runs furthest past the right edge of the viewport, leaving out those
# clipped by a scrolling (or clipping) ancestor: what makes the page scroll sideways.
WIDEST_OFFENDER_JS = """
() => {
  const limit = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  let worst = null;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= limit + 0.5 || r.width === 0 || clipped(el)) continue;
    if (!worst || r.right > worst.right + 0.5 || (Math.abs(r.right - worst.right) <= 0.5 && r.width > worst.width)) {
      worst = {el, right: r.right, width: r.width};
    }
  }
  if (!worst) return null;
  const el = worst.el;
  let name = el.tagName.toLowerCase();
  if (el.id) name += '#' + el.id;
  if (el.classList.length) name += '.' + Array.from(el.classList).join('.');
  const path = [];
  for (let p = el.parentElement; p && p !== document.body && path.length < 4; p = p.parentElement) {
    path.unshift(p.tagName.toLowerCase() + (p.id ? '#' + p.id : '') + (p.classList.length ? '.' + p.classList[0] : ''));
  }
  return `${path.concat([name]).join(' > ')} (right edge ${Math.round(worst.right)} px, ` +
         `${Math.round(worst.width)} px wide): "${(el.innerText || '').trim().slice(0, 60)}"`;
}
"""

# axe-core rule ids to leave out: none. Every serious or critical violation fails.
SERIOUS = ("serious", "critical")


def horizontal_overflow(page) -> str | None:
    """None when the page is no wider than the viewport, else what sticks out."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width <= inner_width:
        return None
    offender = page.evaluate(WIDEST_OFFENDER_JS) or "no single element found"
    return f"{scroll_width} px wide in a {inner_width} px viewport; widest: {offender}"


def serious_violations(axe, page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per rule."""
    results = axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = ["".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = ", ".join(targets[:6]) + (f" … (+{len(targets) - 6})" if len(targets) > 6 else "")
        lines.append(f"{violation['id']} ({violation['impact']}, {len(targets)}×): {shown}")
    return lines


def duplicate_ids(page) -> list[str]:
    """Ids that more than one element on the page carries (a label then names the first)."""
    return page.evaluate(
        """() => {
          const seen = new Map();
          for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
          return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n}×)`);
        }"""
    )


def first_tab_stop(page) -> str:
    """The text of what the first Tab from the top of the page focuses."""
    # Chromium starts sequential navigation after the last focused element (an autofocus
    # field), even once blurred: focus a marker placed first in the body, then Tab.
    page.evaluate(
        """() => {
          window.scrollTo(0, 0);
          const start = document.createElement('span');
          start.id = 'tab-start-marker';
          start.tabIndex = -1;
          document.body.prepend(start);
          start.focus();
        }"""
    )
    page.keyboard.press("Tab")
    reached = page.evaluate("() => (document.activeElement.innerText || document.activeElement.tagName).trim()")
    page.evaluate("() => document.getElementById('tab-start-marker')?.remove()")
    return reached
