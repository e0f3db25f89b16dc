"""M3: failures slow whoever makes them, not the user they aim at.

Failures are counted by user name at an address, by address, and by user name from
anywhere (accounts/security.py): an attacker's wrong passwords lock the attacker's
address, the user still logs in from their own; guessing one name from many addresses
still stops at the per-name limit. Behind the TLS proxy the address is the client's,
from X-Forwarded-For as the trusted proxy wrote it.
"""

import pytest
from django.test import Client

from accounts.models import LoginThrottle
from conftest import PASSWORD

ATTACKER = "203.0.113.66"
USER = "198.51.100.7"
PROXY = "10.0.0.1"


def login(username: str, password: str, address: str = USER, forwarded: str | None = None, path="/login/"):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    client = Client(REMOTE_ADDR=address, headers=headers)
    response = client.post(path, {"username": username, "password": password})
    return response, client


def test_an_attackers_failures_lock_the_attacker_not_the_user(counsel_user, settings):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES * 2):
        login("carl.counsel", "wrong-password", ATTACKER)
    refused, client = login("carl.counsel", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    response, client = login("carl.counsel", PASSWORD, USER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(counsel_user.pk)


def test_the_admin_login_too(admin_user_, settings):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login("ada.admin", "wrong-password", ATTACKER, path="/admin/login/")
    refused, client = login("ada.admin", PASSWORD, ATTACKER, path="/admin/login/")
    assert "Too many failed logins" in refused.text and "_auth_user_id" not in client.session
    response, client = login("ada.admin", PASSWORD, USER, path="/admin/login/")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(admin_user_.pk)


def test_guessing_from_many_addresses_stops_at_the_per_user_limit(counsel_user, viewer_user, settings):
    """Distributed guessing: one failure from each of many addresses. The per-name
    count (higher than the per-address one) locks the name wherever the next try comes from."""
    assert settings.LOGIN_THROTTLE_USER_FAILURES > settings.LOGIN_THROTTLE_FAILURES
    for n in range(settings.LOGIN_THROTTLE_USER_FAILURES):
        response, _ = login("carl.counsel", "wrong-password", f"192.0.2.{n + 1}")
        assert response.status_code == 200
    refused, client = login("carl.counsel", PASSWORD, "192.0.2.250")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # Another name from those addresses is not locked.
    assert login("vera.viewer", PASSWORD, "192.0.2.1")[0].status_code == 302


def test_one_address_trying_many_names_is_locked_for_every_name(counsel_user, settings):
    for n in range(settings.LOGIN_THROTTLE_ADDRESS_FAILURES):
        login(f"someone{n}", "wrong-password", ATTACKER)
    assert login("carl.counsel", PASSWORD, ATTACKER)[0].status_code == 429
    assert login("carl.counsel", PASSWORD, USER)[0].status_code == 302


def test_logging_in_to_ones_own_account_buys_no_more_guesses(counsel_user, intake_user, settings):
    """A success clears the name's counts, not the address's: an insider cannot reset
    the address's count by logging in to their own account between guesses."""
    answered = 0
    for n in range(settings.LOGIN_THROTTLE_ADDRESS_FAILURES * 2):
        if login(f"victim{n}", "wrong-password", ATTACKER)[0].status_code == 429:
            break
        answered += 1
        login("ivy.intake", PASSWORD, ATTACKER)  # the insider's own account, between guesses
    assert answered == settings.LOGIN_THROTTLE_ADDRESS_FAILURES
    assert login("ivy.intake", PASSWORD, ATTACKER)[0].status_code == 429


def test_a_success_clears_the_names_count(counsel_user, settings):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        login("carl.counsel", "wrong-password", USER)
    assert login("carl.counsel", PASSWORD, USER)[0].status_code == 302
    assert not LoginThrottle.objects.exclude(kind=LoginThrottle.Kind.ADDRESS).exists()
    assert LoginThrottle.objects.get(kind=LoginThrottle.Kind.ADDRESS).failures == settings.LOGIN_THROTTLE_FAILURES - 1


# --- behind the TLS proxy -----------------------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(counsel_user, settings, behind_proxy):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login("carl.counsel", "wrong-password", PROXY, forwarded=ATTACKER)
    assert login("carl.counsel", PASSWORD, PROXY, forwarded=ATTACKER)[0].status_code == 429
    response, client = login("carl.counsel", PASSWORD, PROXY, forwarded=USER)
    assert response.status_code == 302
    assert set(LoginThrottle.objects.values_list("address", flat=True)) == {ATTACKER}


def test_a_forwarded_address_the_client_wrote_is_not_believed(counsel_user, settings, behind_proxy):
    """The proxy appends the address it saw: what the attacker put before it is ignored,
    so the attacker cannot have its failures counted against the user's address."""
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login("carl.counsel", "wrong-password", PROXY, forwarded=f"{USER}, {ATTACKER}")
    assert login("carl.counsel", PASSWORD, PROXY, forwarded=USER)[0].status_code == 302
    assert login("carl.counsel", PASSWORD, PROXY, forwarded=f"{USER}, {ATTACKER}")[0].status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(counsel_user, settings):
    """A client talking to the app directly cannot dodge its count with a header."""
    settings.TRUSTED_PROXIES = []
    for n in range(settings.LOGIN_THROTTLE_FAILURES):
        login("carl.counsel", "wrong-password", ATTACKER, forwarded=f"192.0.2.{n + 1}")
    assert login("carl.counsel", PASSWORD, ATTACKER, forwarded="192.0.2.200")[0].status_code == 429
