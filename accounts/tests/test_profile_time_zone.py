"""A person's time zone: picked on the profile page, taken from the browser while none
is set, activated on every page by the middleware; the API stays in UTC."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import UserTimeZoneMiddleware
from accounts.models import ApiToken, Profile
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _zone(user: User) -> str:
    return Profile.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""


# ------------------------------------------------------------------ the profile page


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user", "viewer_user", "outsider_user"])
def test_everyone_who_signs_in_picks_a_zone_and_is_sent_back(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert "You have not picked a time zone yet: times are shown in UTC" in page.content.decode()
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page.content.decode()

    response = client.post(reverse("profile"), {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302 and response.url == reverse("profile")  # PRG: a reload posts nothing
    assert _zone(user) == "Europe/Berlin"
    again = client.get(response.url)
    body = again.content.decode()
    assert "Time zone saved: Europe/Berlin" in body
    assert "Times are shown in <strong>Europe/Berlin</strong>" in body
    assert '<option value="Europe/Berlin" selected>' in body


def test_the_header_links_the_profile(client, viewer_user):
    client.force_login(viewer_user)
    body = client.get(reverse("notifications:list")).content.decode()
    assert f'<a href="{reverse("profile")}" id="profile-link">Profile</a>' in body


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "europe/berlin", "Europe/Berlin " * 10])
def test_a_bad_zone_is_a_400_naming_the_field_and_changes_nothing(client, counsel_user, bad):
    Profile.objects.create(user=counsel_user, time_zone="America/New_York")
    client.force_login(counsel_user)
    response = client.post(reverse("profile"), {"time_zone": bad})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"time_zone"}
    assert 'id="id_time_zone_error"' in response.content.decode() or "errorlist" in response.content.decode()
    assert _zone(counsel_user) == "America/New_York"


def test_anonymous_is_sent_to_the_login_and_nothing_is_stored(client):
    for name in ("profile", "profile_browser_time_zone"):
        response = client.post(reverse(name), {"time_zone": "Europe/Berlin"})
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("profile")).status_code == 302
    assert not Profile.objects.exists()


def test_an_api_client_account_has_no_profile_page(client, api_user):
    client.force_login(api_user)  # it cannot log in; a session of one is still refused
    assert client.get(reverse("profile")).status_code == 403
    assert client.post(reverse("profile_browser_time_zone"), {"time_zone": "Europe/Berlin"}).status_code == 403
    assert not Profile.objects.exists()


# ------------------------------------------------------------------ the browser's zone


def test_the_browser_zone_is_taken_only_while_none_is_set(client, counsel_user):
    client.force_login(counsel_user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "js/timezone.js" in page and f'data-url="{reverse("profile_browser_time_zone")}"' in page

    url = reverse("profile_browser_time_zone")
    first = client.post(url, {"time_zone": "Asia/Tokyo"})
    assert first.status_code == 200 and first.json() == {"time_zone": "Asia/Tokyo", "stored": True}
    # Another tab, another browser: the zone already set stays.
    second = client.post(url, {"time_zone": "America/Chicago"})
    assert second.json() == {"time_zone": "Asia/Tokyo", "stored": False}
    assert _zone(counsel_user) == "Asia/Tokyo"
    # Once set, pages no longer load the script.
    assert "js/timezone.js" not in client.get(reverse("notifications:list")).content.decode()


def test_the_browser_zone_never_replaces_one_picked(client, counsel_user):
    client.force_login(counsel_user)
    client.post(reverse("profile"), {"time_zone": "Europe/Dublin"})
    response = client.post(reverse("profile_browser_time_zone"), {"time_zone": "Asia/Tokyo"})
    assert response.json() == {"time_zone": "Europe/Dublin", "stored": False}
    assert _zone(counsel_user) == "Europe/Dublin"


def test_a_bad_browser_zone_is_a_400_naming_the_field(client, counsel_user):
    client.force_login(counsel_user)
    response = client.post(reverse("profile_browser_time_zone"), {"time_zone": "Nowhere/Atlantis"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["time_zone"]
    assert client.get(reverse("profile_browser_time_zone")).status_code == 405
    assert _zone(counsel_user) == ""


def test_the_browser_endpoint_needs_the_csrf_token(counsel_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(counsel_user)
    assert strict.post(reverse("profile_browser_time_zone"), {"time_zone": "Asia/Tokyo"}).status_code == 403
    assert _zone(counsel_user) == ""


# ------------------------------------------------------------------ the middleware


def test_pages_are_shown_in_the_users_zone_without_a_query_of_their_own(client, counsel_user):
    case = CaseFactory(demand__served_at=dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC))
    client.force_login(counsel_user)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)  # warm the caches (catalogue, content types) before counting
    with CaptureQueriesContext(connection) as before:
        utc_page = client.get(url)
    assert "7 Jan 2026, 09:00 UTC" in utc_page.content.decode()

    Profile.objects.create(user=counsel_user, time_zone="Europe/Berlin")
    with CaptureQueriesContext(connection) as after:
        berlin_page = client.get(url)
    body = berlin_page.content.decode()
    assert "7 Jan 2026, 10:00 CET" in body and "7 Jan 2026, 09:00 UTC" not in body
    # The profile comes with the session's user (one query either way).
    assert len(after.captured_queries) == len(before.captured_queries)
    user_loads = [q["sql"] for q in after.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert any("accounts_profile" in sql for sql in user_loads)
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the response


def test_the_middleware_activates_the_zone_for_the_view(rf, counsel_user):
    Profile.objects.create(user=counsel_user, time_zone="America/Sao_Paulo")
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get("/cases/")
    request.user = User.objects.select_related("profile").get(pk=counsel_user.pk)
    UserTimeZoneMiddleware(view)(request)
    assert seen["zone"] == "America/Sao_Paulo" and request.user_time_zone == "America/Sao_Paulo"
    assert timezone.get_current_timezone_name() == "UTC"

    # An API path is left in UTC and never loads the user.
    api_request = rf.get("/api/v1/cases/")
    api_request.user = None  # would fail if the middleware looked at it
    UserTimeZoneMiddleware(view)(api_request)
    assert seen["zone"] == "UTC"


def test_the_api_stays_utc_and_costs_no_profile_query(client, counsel_user):
    Profile.objects.create(user=counsel_user, time_zone="Europe/Berlin")
    case = CaseFactory(demand__served_at=dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC))
    _, key = ApiToken.issue(user=counsel_user, name="tracker")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("v1:demand-detail", args=[case.demand.pk]), headers={"Authorization": f"Token {key}"}
        )
    assert response.status_code == 200
    assert '"served_at":"2026-01-07T09:00:00Z"' in response.content.decode().replace(" ", "")
    assert not any("accounts_profile" in q["sql"] for q in queries.captured_queries)
    # Signed in with a session too: the API answers in UTC, not in the person's zone.
    client.force_login(counsel_user)
    export = client.get(reverse("case-export", args=[case.pk]))
    assert export.status_code == 200
    assert '"served_at":"2026-01-07T09:00:00Z"' in export.content.decode().replace(" ", "")
