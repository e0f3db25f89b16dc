"""Browser tests: Debian's Chromium driven by pytest-playwright's sync API.

The browser is never downloaded (no `playwright install`): the launch arguments
point Playwright at /usr/bin/chromium. A failing test leaves a screenshot in
test-results/.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# the fixtures would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"needs Debian's Chromium at {CHROMIUM}")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(page, request):
    """pytest-playwright's page, with a screenshot in test-results/ when the test fails."""
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid.split("::")[-1])
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """The analysis runs in the live server's thread after commit, even when REDIS_URL
    points at a broker no worker of this test consumes."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_catalogue_cache():
    """These tests commit (transactional_db), so the catalogue version they load gets a
    primary key later tests will not reuse: leave no cached copy of it behind."""
    from jurisdictions import loader

    loader._cache.clear()
    yield
    loader._cache.clear()
