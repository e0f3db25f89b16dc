"""Login throttling, which Django does not give us by default.

`ThrottledAuthenticationForm` refuses logins for a username from one IP address after
LOGIN_THROTTLE_FAILURES failures within LOGIN_THROTTLE_WINDOW seconds, for
LOGIN_THROTTLE_LOCKOUT seconds, checked before the password is even looked at (a
locked account answers the same whatever the password). The counts are rows of
`accounts.LoginThrottle`, updated under a row lock, so every web process and host counts
the same failures exactly; an admin unlocks a username by deleting its row. The
site's login page and the admin's login both use it.
"""

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import LoginThrottle

# --- login throttling -----------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _address(request) -> str | None:
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _key(username: str, address: str | None) -> str:
    return hashlib.sha256(f"{username.strip().lower()}|{address or ''}".encode()).hexdigest()


def is_locked(username: str, address: str | None) -> bool:
    return LoginThrottle.objects.filter(key=_key(username, address), locked_until__gt=timezone.now()).exists()


def record_failure(username: str, address: str | None) -> None:
    """Count a failure; the one that reaches the limit locks the username at the address.
    Rows whose window and lock have both passed are removed on the way."""
    now = timezone.now()
    window = dt.timedelta(seconds=_setting("LOGIN_THROTTLE_WINDOW", 900))
    with transaction.atomic():
        LoginThrottle.objects.filter(window_ends__lte=now).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now)
        ).delete()
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=_key(username, address),
            defaults={"username": username.strip()[:150], "address": address, "window_ends": now + window},
        )
        if row.window_ends <= now:
            row.failures, row.window_ends = 0, now + window
        row.failures += 1
        if row.failures >= _setting("LOGIN_THROTTLE_FAILURES", 5):
            # The count stays on the row for the admin to see; a new window starts after the lockout.
            lockout = dt.timedelta(seconds=_setting("LOGIN_THROTTLE_LOCKOUT", 900))
            row.locked_until = now + lockout
            row.window_ends = max(row.window_ends, row.locked_until)
        row.save()


def clear_failures(username: str, address: str | None) -> None:
    LoginThrottle.objects.filter(key=_key(username, address)).delete()


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
        address = _address(self.request)
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


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    pass


class ThrottledLoginView(LoginView):
    """The login page; a locked username+address gets 429 Too Many Requests."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response
