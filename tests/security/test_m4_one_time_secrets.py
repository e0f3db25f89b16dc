"""M4: a new API token's key or webhook signing secret is shown once, in the response
to the request that made it, and travels nowhere else.

It used to go through Django's messages framework: into the signed but unencrypted
`messages` cookie (or the session), and onto the next page. Now the admin's response to
the POST that issued or rotated it shows it, and no cookie, session or later page does.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import ApiToken
from cases.models import WebhookEndpoint


@pytest.fixture
def admin_client_(admin_user_):
    client = Client()
    client.force_login(admin_user_)
    return client


def assert_only_in_the_response(client: Client, response, secret: str, follow_up: str) -> None:
    assert response.status_code == 200
    assert secret in response.text
    assert "shown this once" in response.text
    assert "no-store" in response.headers.get("Cache-Control", "")
    # Not in any cookie the response sets, nor in any the client now holds.
    assert "Set-Cookie" not in response.headers or secret not in str(response.cookies)
    assert "messages" not in response.cookies
    assert all(secret not in morsel.value for morsel in client.cookies.values())
    # Not in any session.
    for session in Session.objects.all():
        assert secret not in str(session.get_decoded())
    # The page onward, and a reload of it, do not show it.
    for _ in range(2):
        page = client.get(follow_up)
        assert page.status_code == 200
        assert secret not in page.text
        assert "messages" not in page.cookies or secret not in page.cookies["messages"].value


def test_a_new_tokens_key_is_shown_in_the_response_only(admin_client_, api_user):
    response = admin_client_.post(
        "/admin/accounts/apitoken/add/", {"name": "ticketing", "user": api_user.pk, "scope": "read"}
    )
    token = ApiToken.objects.get()
    key = re.search(rf"llk_{token.prefix}_[A-Za-z0-9_-]+", response.text)[0]
    assert ApiToken.hash_key(key) == token.digest  # the key shown is the token's
    assert_only_in_the_response(admin_client_, response, key, "/admin/accounts/apitoken/")
    assert admin_client_.get(f"/admin/accounts/apitoken/{token.pk}/change/").text.count(key) == 0


@pytest.mark.parametrize("button", ["_save", "_continue", "_addanother"])
def test_every_save_button_shows_the_key_and_nothing_carries_it(admin_client_, api_user, button):
    response = admin_client_.post(
        "/admin/accounts/apitoken/add/", {"name": "ticketing", "user": api_user.pk, "scope": "read", button: "1"}
    )
    prefix = ApiToken.objects.get().prefix
    assert f"llk_{prefix}_" in response.text
    assert "messages" not in response.cookies


@pytest.fixture
def receivers_anywhere(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the test's receiver is on loopback


def test_a_new_webhooks_secret_is_shown_in_the_response_only(admin_client_, receivers_anywhere):
    response = admin_client_.post(
        "/admin/cases/webhookendpoint/add/", {"name": "Ticketing", "url": "https://127.0.0.1:9/hook", "active": "on"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert_only_in_the_response(admin_client_, response, endpoint.secret, "/admin/cases/webhookendpoint/")
    assert endpoint.secret not in admin_client_.get(f"/admin/cases/webhookendpoint/{endpoint.pk}/change/").text


def test_a_rotated_secret_is_shown_in_the_response_only(admin_client_, admin_user_):
    endpoint = WebhookEndpoint.objects.create(name="Ticketing", url="https://127.0.0.1:9/hook", created_by=admin_user_)
    old = endpoint.secret
    response = admin_client_.post(
        "/admin/cases/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk], "index": "0"},
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert old not in response.text
    assert_only_in_the_response(admin_client_, response, endpoint.secret, "/admin/cases/webhookendpoint/")
