"""What a walk through the pages found: the login page's errors, the 403 page's
reason, the transparency report's half-year picker and layout, and the API docs
pages under the site's Content-Security-Policy (their rendering in a browser is in
tests/browser/test_api_docs.py)."""

import re

import pytest
import time_machine
from django.urls import reverse

from conftest import PASSWORD

WRONG_LOGIN = "Please enter a correct username and password"


# --- login ---------------------------------------------------------------------------


def test_login_error_is_shown_once(client, viewer_user):
    response = client.post(reverse("login"), {"username": viewer_user.username, "password": "wrong"})
    assert response.status_code == 200
    assert response.content.decode().count(WRONG_LOGIN) == 1


def test_admin_login_error_is_shown_once(client, admin_user_):
    response = client.post(reverse("admin:login"), {"username": admin_user_.username, "password": "wrong"})
    assert response.status_code == 200
    # The admin has its own template and wording ("the correct ... for a staff account").
    assert response.content.decode().count("correct username and password") == 1


def test_login_still_logs_in(client, viewer_user):
    response = client.post(reverse("login"), {"username": viewer_user.username, "password": PASSWORD})
    assert response.status_code == 302


# --- the 403 page --------------------------------------------------------------------


def reason(response) -> str:
    match = re.search(r'<p id="forbidden-reason">(.*?)</p>', response.content.decode(), re.S)
    assert match, "the 403 page says why"
    return " ".join(match[1].split())


def test_viewer_is_told_their_role_does_not_allow_the_page(client, viewer_user):
    client.force_login(viewer_user)
    response = client.get(reverse("demands:new"))
    assert response.status_code == 403
    text = reason(response)
    assert "Your role (viewer) does not allow this page." in text
    assert "add you to" not in text


def test_only_page_roles_are_named(client, viewer_user):
    from django.contrib.auth.models import Group

    viewer_user.groups.add(Group.objects.get_or_create(name="api-client")[0])
    client.force_login(viewer_user)
    assert "Your role (viewer) does not allow" in reason(client.get(reverse("demands:new")))


@pytest.mark.parametrize("path", ["home", "cases:list"])
def test_api_client_is_told_it_has_no_pages(client, api_user, path):
    client.force_login(api_user)
    response = client.get(reverse(path))
    assert response.status_code == 403
    text = reason(response)
    assert "no access to Lexloci's pages: it is an API client" in text
    assert "ask an administrator to add you to the intake, counsel or viewer group" in text
    assert "Your role" not in text


def test_user_without_a_group_is_told_to_ask_an_administrator(client, outsider_user):
    client.force_login(outsider_user)
    text = reason(client.get(reverse("home")))
    assert "Your account has no access to Lexloci's pages." in text
    assert "ask an administrator" in text and "API client" not in text


def test_api_client_is_told_at_the_login_that_it_uses_the_api(client, api_user):
    """A machine account does not log in to the pages at all (M2): the login says why."""
    response = client.post(reverse("login"), {"username": api_user.username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "This account is an API client: it uses the REST API with an API token" in response.text
    assert "_auth_user_id" not in client.session


# --- transparency report -------------------------------------------------------------


def selected_halves(response) -> list[str]:
    select = re.search(r'<select name="half" id="half">(.*?)</select>', response.content.decode(), re.S)[1]
    return re.findall(r'<option value="([^"]*)" selected>', select)


@pytest.fixture
def in_2026_h2():
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False):
        yield


def test_half_year_select_shows_the_half_reported_by_default(client, viewer_user, in_2026_h2):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:transparency"))
    assert 'Transparency report <span class="muted">2026-H2</span>' in response.content.decode()
    assert selected_halves(response) == ["2026-H2"]


def test_half_year_select_shows_the_half_asked_for(client, viewer_user, in_2026_h2):
    client.force_login(viewer_user)
    assert selected_halves(client.get(reverse("reports:transparency"), {"half": "2025-H1"})) == ["2025-H1"]
    # A half older than the list offers is still the one shown.
    assert selected_halves(client.get(reverse("reports:transparency"), {"half": "2019-H2"})) == ["2019-H2"]


def test_half_year_select_shows_no_half_for_a_range_of_days(client, viewer_user, in_2026_h2):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:transparency"), {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert selected_halves(response) == []  # the first option, "—"
    page = response.content.decode()
    assert 'name="start" id="start" value="2026-01-01"' in page


def test_half_year_and_days_are_separate_forms(client, viewer_user, in_2026_h2):
    """With the half preselected, one form would send it with the dates (refused as
    "not both"): each form sends only its own fields."""
    client.force_login(viewer_user)
    page = client.get(reverse("reports:transparency")).content.decode()
    half_form = page[page.index('id="half-form"') : page.index("</form>", page.index('id="half-form"'))]
    range_form = page[page.index('id="range-form"') : page.index("</form>", page.index('id="range-form"'))]
    assert 'name="half"' in half_form and 'name="start"' not in half_form
    assert 'name="start"' in range_form and 'name="end"' in range_form and 'name="half"' not in range_form


def test_report_tables_scroll_inside_their_panels_and_legend_wraps(client, viewer_user, in_2026_h2):
    client.force_login(viewer_user)
    page = client.get(reverse("reports:transparency")).content.decode()
    for table in ("lines", "countries"):
        assert re.search(rf'<div class="table-scroll">\s*<table class="grid compact" id="{table}">', page)
    assert "style=" not in page  # CSP: no inline styles


# --- API docs under the site's CSP ---------------------------------------------------


def csp(response) -> dict[str, str]:
    return {d.split()[0]: d for d in (p.strip() for p in response["Content-Security-Policy"].split(";")) if d}


def test_swagger_page_has_nothing_inline(client, viewer_user):
    client.force_login(viewer_user)
    response = client.get(reverse("api-docs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<style" not in page and "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "every script is a file"
    assert '<script src="/api/docs/?script="></script>' in page
    assert csp(response)["style-src"] == "style-src 'self'"  # the site's policy, untouched
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode() and "/api/schema/" in script.content.decode()


def test_redoc_page_relaxes_styles_for_itself_only_and_fetches_no_fonts(client, viewer_user):
    client.force_login(viewer_user)
    response = client.get(reverse("api-redoc"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    policy = csp(response)
    assert policy["style-src"] == "style-src 'self' 'unsafe-inline'"
    assert policy["script-src"].startswith("script-src 'self' 'nonce-")
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])[1]
    assert f'<script nonce="{nonce}">' in page
    # Every other page keeps the site's policy.
    assert csp(client.get(reverse("reports:transparency")))["style-src"] == "style-src 'self'"
    assert csp(client.get(reverse("api-docs")))["style-src"] == "style-src 'self'"
