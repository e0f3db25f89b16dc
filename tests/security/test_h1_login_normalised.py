"""H1: the login throttle counts the user name the login uses.

Django's login form NFKC-normalises the user name (`ｖｉｅｗｅｒ` is `viewer`), while the
throttle keyed on the name as typed: a locked `viewer` logged in as `ｖｉｅｗｅｒ`, and each
spelling had its own five tries. Names are now compared in one folded form (NFKC,
case-folded) by the throttle and by the login itself, on the site and in the admin, and
no two users may have names that fold alike.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import LoginThrottle
from accounts.security import fold_username
from conftest import PASSWORD


def fullwidth(text: str) -> str:
    """`viewer` as `ｖｉｅｗｅｒ`: ASCII to the fullwidth forms NFKC maps back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def login(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password})


def fail_until_locked(settings, username: str, path: str = "/login/") -> None:
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login(Client(), username, "wrong-password", path)


def test_the_fullwidth_spelling_is_refused_once_the_name_is_locked(viewer_user, settings):
    fail_until_locked(settings, "vera.viewer")
    client = Client()
    response = login(client, fullwidth("vera.viewer"), PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("spelling", ["VERA.VIEWER", "Vera.Viewer", " vera.viewer ", fullwidth("Vera.Viewer")])
def test_every_spelling_is_refused_once_the_name_is_locked(viewer_user, settings, spelling):
    fail_until_locked(settings, "vera.viewer")
    client = Client()
    assert login(client, spelling, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_spellings_share_one_count(viewer_user, settings):
    spellings = ["vera.viewer", fullwidth("vera.viewer"), "VERA.VIEWER", fullwidth("VERA.viewer"), "Vera.Viewer"]
    for spelling in spellings[: settings.LOGIN_THROTTLE_FAILURES]:
        assert login(Client(), spelling, "wrong-password").status_code == 200
    assert login(Client(), "vera.viewer", PASSWORD).status_code == 429
    row = LoginThrottle.objects.get(kind=LoginThrottle.Kind.USER_AT_ADDRESS)
    assert (row.username, row.failures) == ("vera.viewer", settings.LOGIN_THROTTLE_FAILURES)


def test_the_admin_login_refuses_the_fullwidth_spelling_once_locked(admin_user_, settings):
    fail_until_locked(settings, "ada.admin", "/admin/login/")
    client = Client()
    response = login(client, fullwidth("ada.admin"), PASSWORD, "/admin/login/")
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login


def test_the_admin_login_counts_every_spelling_once(admin_user_, settings):
    for spelling in ["ADA.ADMIN", fullwidth("ada.admin"), "Ada.Admin", "ada.admin", fullwidth("ADA.ADMIN")][
        : settings.LOGIN_THROTTLE_FAILURES
    ]:
        login(Client(), spelling, "wrong-password", "/admin/login/")
    client = Client()
    response = login(client, "ada.admin", PASSWORD, "/admin/login/")
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("spelling", ["vera.viewer", "VERA.VIEWER", fullwidth("vera.viewer")])
def test_the_login_itself_ignores_case_and_width(viewer_user, spelling):
    client = Client()
    response = login(client, spelling, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(viewer_user.pk)


def test_a_wrong_password_in_another_spelling_still_fails(viewer_user):
    client = Client()
    assert login(client, "VERA.VIEWER", "wrong-password").status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_folded_form():
    assert fold_username(fullwidth("Vera.Viewer")) == "vera.viewer"
    assert fold_username("  STRASSE ") == fold_username("straße")


def test_no_two_users_may_have_names_that_differ_only_in_case(viewer_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user(username="Vera.Viewer", password=PASSWORD)


@pytest.mark.parametrize("spelling", ["VERA.VIEWER", fullwidth("vera.viewer")])
def test_the_admin_refuses_a_user_name_another_user_has_in_another_spelling(admin_user_, viewer_user, spelling):
    client = Client()
    client.force_login(admin_user_)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": spelling, "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert get_user_model().objects.count() == 2


def test_the_admin_refuses_renaming_a_user_to_another_spelling_of_a_taken_name(admin_user_, viewer_user):
    client = Client()
    client.force_login(admin_user_)
    page = client.get(f"/admin/auth/user/{admin_user_.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(username="VERA.VIEWER", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["groups"] = []
    data["user_permissions"] = []
    response = client.post(f"/admin/auth/user/{admin_user_.pk}/change/", data)
    assert response.status_code == 200
    assert "already exists" in response.text
    admin_user_.refresh_from_db()
    assert admin_user_.username == "ada.admin"
