"""Logging in: user names compared one way, login throttling, machine accounts refused.

User names. Django's login form NFKC-normalises the name it is given; its model
backend then looks it up exactly. Here a name is compared as `fold_username` makes it
(NFKC, case-folded, NFKC again): `ｖｉｅｗｅｒ`, `Viewer` and `viewer` are one user
name, for the throttle and for `FoldedUsernameBackend`, which logs in by it. A user
name another user already has in that form is refused when users are created or
renamed (accounts/admin.py, and a unique index on the folded name: migration 0003).

Throttling (ASVS 2.2.1). Failures are counted three ways, each a row of
`accounts.LoginThrottle` updated under a row lock (every web process and host counts
the same failures exactly):

- one user name at one address: LOGIN_THROTTLE_FAILURES (5) within
  LOGIN_THROTTLE_WINDOW seconds lock that name at that address for
  LOGIN_THROTTLE_LOCKOUT seconds. This slows whoever guesses from there; the user
  logs in from any other address.
- one address, whatever the user names: LOGIN_THROTTLE_ADDRESS_FAILURES (20) lock the
  address, for every name (one address trying many names).
- one user name, from any address: LOGIN_THROTTLE_USER_FAILURES (20) lock the name
  everywhere (guessing spread over many addresses). With the lockout that bounds
  guesses at one account to 20 per 30 minutes (ASVS: fewer than 100 an hour), at the
  price that a distributed attacker can lock a user out; the limit is four times the
  per-address one so one address alone never can.

A lock is checked before the password is looked at (a locked name answers the same
whatever the password). A success clears the user name's counts (at that address and
everywhere); the address's count runs out with its window, so logging in to one's own
account does not buy more guesses at another. An admin unlocks by deleting a row.

The address is the client's: REMOTE_ADDR, or, when REMOTE_ADDR is one of
TRUSTED_PROXIES (the TLS proxy in front), the last address in X-Forwarded-For that is
not one of them. Without TRUSTED_PROXIES every client behind a proxy has the proxy's
address and shares its counts.

Machine accounts (the api-client role without a human role) use API tokens only:
both login forms refuse them with a message saying so (M2).
"""

import datetime as dt
import hashlib
import ipaddress
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import roles
from accounts.models import LoginThrottle

# --- user names ------------------------------------------------------------------------


def fold_username(username: str) -> str:
    """The form user names are compared in: NFKC (as Django normalises them), then
    case-folded and NFKC again (folding can undo the normal form)."""
    name = unicodedata.normalize("NFKC", (username or "").strip())
    return unicodedata.normalize("NFKC", name.casefold())


def users_named(username: str, *, exclude_pk=None):
    """The users whose name folds to the same as `username` (one at most, but for names
    made before the unique index)."""
    name = unicodedata.normalize("NFKC", (username or "").strip())
    folded = fold_username(name)
    if not folded:
        return []
    candidates = get_user_model()._default_manager.filter(username__iexact=name)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [user for user in candidates[:10] if fold_username(user.username) == folded]


class FoldedUsernameBackend(ModelBackend):
    """Django's model backend, finding the user by the folded name (`fold_username`)
    rather than the exact one: the name the throttle counts is the name that logs in.
    When names made before the unique index differ only in case, the exact one wins and
    otherwise nobody logs in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        name = unicodedata.normalize("NFKC", username.strip())
        found = users_named(name)
        exact = [user for user in found if user.get_username() == name]
        user = exact[0] if exact else (found[0] if len(found) == 1 else None)
        if user is None:
            # Hash anyway, so an unknown name takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user of a session, with their profile in the same query (the
        time zone every page is shown in: accounts.middleware.UserTimeZoneMiddleware)."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("profile").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


# --- the client's address ------------------------------------------------------------


@cache
def _trusted_proxies(configured: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in configured)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _is_trusted(address: str, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind a trusted proxy the client it forwarded for: the last
    X-Forwarded-For entry that is not itself a trusted proxy (entries further left are
    whatever the client sent, so never believed)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = _trusted_proxies(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if remote is None or not proxies or not _is_trusted(remote, proxies):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if _is_trusted(hop, proxies):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a proxy we trust wrote something that is no address: count it as the proxy's
    return remote


# --- login throttling -----------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _key(kind: str, username: str, address: str | None) -> str:
    return hashlib.sha256(f"{kind}|{username}|{address or ''}".encode()).hexdigest()


def _counts(username: str, address: str | None) -> list[tuple[str, str, str | None, int]]:
    """(kind, user name, address, limit) of each count a login attempt adds to."""
    name = fold_username(username)
    return [
        (LoginThrottle.Kind.USER_AT_ADDRESS, name, address, _setting("LOGIN_THROTTLE_FAILURES", 5)),
        (LoginThrottle.Kind.USER, name, None, _setting("LOGIN_THROTTLE_USER_FAILURES", 20)),
        (LoginThrottle.Kind.ADDRESS, "", address, _setting("LOGIN_THROTTLE_ADDRESS_FAILURES", 20)),
    ]


def is_locked(username: str, address: str | None) -> bool:
    keys = [_key(kind, name, addr) for kind, name, addr, _ in _counts(username, address)]
    return LoginThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now()).exists()


def record_failure(username: str, address: str | None) -> None:
    """Count a failure three ways; the one that reaches a count's limit locks it. Rows
    whose window and lock have both passed are removed on the way."""
    now = timezone.now()
    window = dt.timedelta(seconds=_setting("LOGIN_THROTTLE_WINDOW", 900))
    lockout = dt.timedelta(seconds=_setting("LOGIN_THROTTLE_LOCKOUT", 900))
    with transaction.atomic():
        LoginThrottle.objects.filter(window_ends__lte=now).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now)
        ).delete()
        # Rows locked in key order, the same in every process: no deadlock between two logins.
        for kind, name, addr, limit in sorted(_counts(username, address), key=lambda c: _key(*c[:3])):
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                key=_key(kind, name, addr),
                defaults={"kind": kind, "username": name[:150], "address": addr, "window_ends": now + window},
            )
            if row.window_ends <= now:
                row.failures, row.window_ends = 0, now + window
            row.failures += 1
            if row.failures >= limit:
                # The count stays on the row for the admin to see; a new window starts after the lockout.
                row.locked_until = now + lockout
                row.window_ends = max(row.window_ends, row.locked_until)
            row.save()


def clear_failures(username: str, address: str | None) -> None:
    """After a success: the user name's counts go, the address's stays (see the module)."""
    keys = [_key(kind, name, addr) for kind, name, addr, _ in _counts(username, address)]
    LoginThrottle.objects.filter(key__in=keys).exclude(kind=LoginThrottle.Kind.ADDRESS).delete()


class LoginThrottled(ValidationError):
    pass


if TYPE_CHECKING:
    _ThrottleBase = AuthenticationForm
else:
    _ThrottleBase = object


class ThrottleMixin(_ThrottleBase):
    """For AuthenticationForm subclasses (they keep the request as self.request)."""

    throttled = False

    def clean(self):
        username = self.data.get("username", "") or ""
        address = client_address(self.request)
        if is_locked(username, address):
            self.throttled = True
            minutes = max(1, _setting("LOGIN_THROTTLE_LOCKOUT", 900) // 60)
            raise LoginThrottled(
                f"Too many failed logins: try again in {minutes} minutes or ask an administrator.",
                code="throttled",
            )
        try:
            data = super().clean()
        except ValidationError:
            record_failure(username, address)
            raise
        clear_failures(username, address)
        return data

    def confirm_login_allowed(self, user):
        if roles.is_machine_user(user):
            raise ValidationError(
                "This account is an API client: it uses the REST API with an API token and cannot "
                "log in to the site or the admin.",
                code="machine_account",
            )
        super().confirm_login_allowed(user)


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    pass


class SignedOutView(LogoutView):
    """Logout (a POST, as Django requires) that says so on the login page it leads to."""

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            # The session was flushed: the message rides in the messages cookie.
            messages.info(request, "You have been signed out.")
        return response


class ThrottledLoginView(LoginView):
    """The login page; a locked user name or address gets 429 Too Many Requests."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response
