"""Login throttling, which Django does not give us by default.

`ThrottledAuthenticationForm` refuses logins for a username from one IP address after
LOGIN_THROTTLE_FAILURES failures within LOGIN_THROTTLE_WINDOW seconds, for
LOGIN_THROTTLE_LOCKOUT seconds, checked before the password is even looked at (a
locked account answers the same whatever the password). The counters live in the
cache named by LOGIN_THROTTLE_CACHE. With the default local-memory cache that is per
process: under gunicorn with N workers an attacker gets at most N x the limit. Point
LOGIN_THROTTLE_CACHE at a shared cache (Redis) to make it exact across processes.
The site's login page and the admin's login both use it.
"""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import caches
from django.core.exceptions import ValidationError

# --- login throttling -----------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _key(request, username: str) -> str:
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"lexloci:login:{digest}"


class LoginThrottled(ValidationError):
    pass


class ThrottleMixin:
    """For AuthenticationForm subclasses (they keep the request as self.request)."""

    throttled = False

    def clean(self):
        cache = caches[getattr(settings, "LOGIN_THROTTLE_CACHE", "default")]
        username = self.data.get("username", "") or ""
        key = _key(self.request, username)
        if cache.get(f"{key}:locked"):
            self.throttled = True
            minutes = max(1, _setting("LOGIN_THROTTLE_LOCKOUT", 900) // 60)
            raise LoginThrottled(
                f"Too many failed logins: try again in {minutes} minutes or ask an administrator.",
                code="throttled",
            )
        try:
            data = super().clean()
        except ValidationError:
            window = _setting("LOGIN_THROTTLE_WINDOW", 900)
            cache.add(f"{key}:failures", 0, timeout=window)
            try:
                failures = cache.incr(f"{key}:failures")
            except ValueError:  # expired between add and incr
                cache.set(f"{key}:failures", failures := 1, timeout=window)
            if failures >= _setting("LOGIN_THROTTLE_FAILURES", 5):
                cache.set(f"{key}:locked", True, timeout=_setting("LOGIN_THROTTLE_LOCKOUT", 900))
                cache.delete(f"{key}:failures")
            raise
        cache.delete(f"{key}:failures")
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
