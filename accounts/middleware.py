"""HTTP guards every response goes through: a cap on the request body, checked on its
declared length before anything reads it, and `Cache-Control: no-store` on what only a
signed-in person or an API client may see.

Django reads a body lazily: `CsrfViewMiddleware.process_view` is the first to touch
`request.POST`, and a multipart body's files are then streamed to temporary files on
disk, which `DATA_UPLOAD_MAX_MEMORY_SIZE` does not count. `RequestSizeLimitMiddleware`
runs before any `process_view` and refuses a body over its limit with 413 without
reading a byte of it. The limits are settings (config/settings.py):

- `UPLOAD_REQUEST_MAX_BYTES`: the pages that take a document (`UPLOAD_PATHS`), for a
  signed-in person;
- `REQUEST_MAX_BYTES`: every other request of a signed-in person, and the API (whose
  token is checked later, by DRF);
- `ANONYMOUS_REQUEST_MAX_BYTES`: anything else (the login form is a few hundred bytes).
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from accounts.time_zones import is_zone

if TYPE_CHECKING:
    from django.contrib.auth.models import User

API_PREFIX = "/api/"
NO_STORE = "no-store, private"


def _declared_length(request: HttpRequest) -> int | None:
    """The body's declared length; None when absent (Django then reads no body)."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw) if raw else None
    except ValueError:
        return -1  # not a number: refused below, whatever the limit


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class RequestSizeLimitMiddleware:
    """413 for a body whose Content-Length is over the limit of its request (see the
    module docstring); 400 for a Content-Length that is not a number. Placed after
    AuthenticationMiddleware (to tell a signed-in person) and before anything that
    reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.upload_paths = [re.compile(pattern) for pattern in settings.UPLOAD_PATHS]

    def limit_for(self, request: HttpRequest) -> int:
        if _signed_in(request):
            if any(p.match(request.path_info) for p in self.upload_paths):
                return settings.UPLOAD_REQUEST_MAX_BYTES
            return settings.REQUEST_MAX_BYTES
        if request.path_info.startswith(API_PREFIX):
            return settings.REQUEST_MAX_BYTES
        return settings.ANONYMOUS_REQUEST_MAX_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.META.get("CONTENT_LENGTH"):
            return self.get_response(request)  # no body declared (a GET, a poll): nothing to measure
        length = _declared_length(request)
        if length is not None:
            limit = self.limit_for(request)
            if length < 0:
                return self._refuse(request, 400, "bad_request", "The Content-Length header is not a number.")
            if length > limit:
                return self._refuse(
                    request,
                    413,
                    "too_large",
                    f"The request body is {length} bytes; this address takes at most {limit}.",
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            response: HttpResponse = JsonResponse(
                {"error": {"status": status, "code": code, "message": message, "fields": {}}}, status=status
            )
        else:
            response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        # The unread body stays on the socket: gunicorn drains a bounded amount and
        # otherwise closes the connection (it ignores a Connection header from the app).
        response["Cache-Control"] = NO_STORE
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in person and on
    every API response (whose client is known only to DRF, after the middleware), so no
    browser or shared cache keeps case data. A view's own header stays when it already
    says `no-store`. ETags are untouched: a client may still send If-None-Match and get
    a 304."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The path first: an API request is answered no-store whoever asks, without
        # touching the lazy user (a session lookup for a request that has a cookie).
        if request.path_info.startswith(API_PREFIX) or _signed_in(request):
            current = response.get("Cache-Control", "")
            if "no-store" not in current.lower():
                response["Cache-Control"] = NO_STORE
        return response


class UserTimeZoneMiddleware:
    """Pages in the signed-in person's time zone: `django.utils.timezone.activate` with
    their profile's zone for the request (UTC while they have none), so templates,
    `|date`, `|when` (cases/templatetags/zones.py) and forms' datetime fields read and
    show wall-clock times there; deactivated after the response.

    No query of its own: the session's user is loaded with the profile in one query
    (`accounts.security.FoldedUsernameBackend.get_user`), and the zone is kept on the
    request (`request.user_time_zone`: the stored name, "" when not yet set). The API
    (token or not) is left in UTC and never loads the user here: its instants are
    ISO-8601 UTC. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def zone_of(request: HttpRequest) -> str:
        """The person's stored zone name ("" when none yet or not signed in), cached on the request."""
        cached = getattr(request, "user_time_zone", None)
        if cached is not None:
            return cached
        name = ""
        if _signed_in(request):
            try:
                profile = cast("User", request.user).profile  # loaded with the user; no query when absent either
            except ObjectDoesNotExist:
                profile = None
            name = profile.time_zone if profile is not None else ""
        request.user_time_zone = name  # type: ignore[attr-defined]
        return name

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            timezone.deactivate()
            return self.get_response(request)
        name = self.zone_of(request)
        if name and is_zone(name):
            timezone.activate(name)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
