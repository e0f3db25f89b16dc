"""Lower findings of the authentication review: password length, session lifetime, the
API schema for roles only, the demo loader in production, and revocations on record."""

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.management.commands.load_demo import USERS
from cases.models import WebhookEndpoint
from conftest import PASSWORD

# --- passwords: at least 12 characters (ASVS 2.1.1) ------------------------------------------


def test_eleven_characters_are_too_few_and_twelve_enough(db):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("tulip-mirro")
    validate_password("tulip-mirror")


def test_the_password_change_page_refuses_a_short_password(viewer_user):
    client = Client()
    client.force_login(viewer_user)
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "tulip-mirro", "new_password2": "tulip-mirro"}
    )
    assert response.status_code == 200 and "at least 12 characters" in response.text


@pytest.mark.parametrize(("username", "password"), [(u, p) for u, p, *_ in USERS])
def test_the_demo_passwords_pass_the_validators(db, username, password):
    validate_password(password, get_user_model()(username=username, email=f"{username}@localhost"))


# --- sessions end (ASVS 3.3.2) -----------------------------------------------------------------


def test_a_login_lasts_at_most_twelve_hours(settings, viewer_user):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        client = Client()
        assert client.post("/login/", {"username": "vera.viewer", "password": PASSWORD}).status_code == 302
        assert client.get("/cases/").status_code == 200
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/cases/").status_code == 200
        traveller.shift(dt.timedelta(seconds=120))
        response = client.get("/cases/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login/")


def test_the_session_settings_come_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    env = {"DEBUG": "1", "SESSION_COOKIE_AGE": "1800", "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": ""}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1800"


# --- the API schema: a role, not just a login ---------------------------------------------------


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_a_user_without_a_role_cannot_read_the_schema(outsider_user, path):
    client = Client()
    client.force_login(outsider_user)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_a_role_or_a_token_may(catalogue, viewer_user, api_user, path):
    client = Client()
    client.force_login(viewer_user)
    assert client.get(path).status_code == 200
    _, key = ApiToken.issue(user=api_user, name="docs")
    assert APIClient(headers={"Authorization": f"Token {key}"}).get(path).status_code == 200


# --- load_demo in production -----------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.DEMO_PUBLISHED_PASSWORDS = False


def test_load_demo_refuses_with_debug_off_on_a_database_with_cases(catalogue, production):
    from tests.factories import CaseFactory

    CaseFactory()
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("load_demo", stdout=io.StringIO())
    assert get_user_model().objects.count() == users


def test_with_debug_off_a_fresh_database_gets_the_demo_with_random_passwords(catalogue, production):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    for username, published, *_ in USERS:
        user = get_user_model().objects.get(username=username)
        assert not user.check_password(published)
        assert published not in out.getvalue()


def test_with_the_flag_it_never_uses_the_published_passwords(catalogue, production):
    out = io.StringIO()
    call_command("load_demo", allow_production=True, stdout=out)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    for username, published, *_ in USERS:
        user = get_user_model().objects.get(username=username)
        assert not user.check_password(published)
        assert published not in out.getvalue()
        # The random password is printed, once, and is the one that works.
        printed = re.search(rf"^  {re.escape(username)} +/ (\S+)", out.getvalue(), re.M)[1]
        assert user.check_password(printed)
    again = io.StringIO()
    call_command("load_demo", allow_production=True, stdout=again)
    assert admin.password == get_user_model().objects.get(username="admin").password  # kept, not reset
    assert "(unchanged)" in again.getvalue()


def test_with_debug_on_the_demo_is_as_published(catalogue, settings):
    settings.DEMO_PUBLISHED_PASSWORDS = True
    call_command("load_demo", stdout=io.StringIO())
    assert get_user_model().objects.get(username="admin").check_password("admin-demo-pass")


# --- revocation and rotation on record ------------------------------------------------------------


@pytest.fixture
def admin_client_(admin_user_):
    client = Client()
    client.force_login(admin_user_)
    return client


def test_a_token_revocation_records_who_and_when(admin_client_, admin_user_, api_user):
    token, _ = ApiToken.issue(user=api_user, name="ticketing")
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        response = admin_client_.post(
            "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk], "index": "0"}
        )
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.revoked_at, token.revoked_by) == (moment, admin_user_)
    entry = LogEntry.objects.get(object_id=str(token.pk), content_type__model="apitoken")
    assert (entry.user, entry.action_flag, entry.action_time) == (admin_user_, CHANGE, moment)
    assert "Revoked" in entry.get_change_message()
    # Revoking again changes nothing on record.
    admin_client_.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk], "index": "0"})
    token.refresh_from_db()
    assert token.revoked_at == moment
    assert LogEntry.objects.filter(object_id=str(token.pk), content_type__model="apitoken").count() == 1


def test_a_secret_rotation_records_who_and_when(admin_client_, admin_user_):
    endpoint = WebhookEndpoint.objects.create(name="Ticketing", url="https://127.0.0.1:9/hook", created_by=admin_user_)
    moment = dt.datetime(2026, 3, 2, 9, 45, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        admin_client_.post(
            "/admin/cases/webhookendpoint/",
            {"action": "rotate_secret", "_selected_action": [endpoint.pk], "index": "0"},
        )
    entry = LogEntry.objects.get(object_id=str(endpoint.pk), content_type__model="webhookendpoint")
    assert (entry.user, entry.action_flag, entry.action_time) == (admin_user_, CHANGE, moment)
    assert "Rotated the signing secret" in entry.get_change_message()
    assert endpoint.secret not in entry.get_change_message()
    history = admin_client_.get(f"/admin/cases/webhookendpoint/{endpoint.pk}/history/")
    assert "Rotated the signing secret" in history.text
