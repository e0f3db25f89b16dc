"""What every endpoint of the REST API shares: the error shape, pagination, the
login-middleware exemption (the API authenticates itself) and ETags."""

import datetime as dt
import hashlib
import hmac
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken

log = logging.getLogger(__name__)

# The error responses every endpoint documents (see exception_handler for the shape).
ERRORS = {
    400: OpenApiResponse(description="Bad input: `{error: {status, code, message, fields}}`"),
    401: OpenApiResponse(description="Not authenticated"),
    403: OpenApiResponse(description="Your role or token scope does not allow this"),
    404: OpenApiResponse(description="No such record"),
    503: OpenApiResponse(description="The database is unavailable for a moment: retry after `Retry-After` seconds"),
}


class ConflictingChange(Exception):
    """Raised by an action when the change collides with another one (a record changed
    since the caller read it). The API answers 409; pages show the message."""


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it; reload it and try again."
    default_code = "conflict"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"accounts[0].holdings[1].category": ["..."]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"  # DRF keys list errors by index
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            for k, v in _flatten(value, name).items():
                fields.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    fields.update(_flatten(item, f"{prefix}[{index}]"))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def _django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc, context):
    """One JSON error shape for every failure a client can cause:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

    Django's ValidationError and PermissionDenied (raised by models and actions) map
    to 400 and 403; a stale write to 409; an integrity error the validation did not
    catch (a race on a unique value) to 409 rather than a 500.
    """
    from rest_framework.views import exception_handler as drf_exception_handler  # not at import: DRF loads us

    if isinstance(exc, ConflictingChange):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_fields(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError):
        log.warning("data error turned into 400: %s", type(exc).__name__)
        exc = exceptions.ValidationError({"non_field_errors": ["A value is out of range or malformed."]})
    elif isinstance(exc, IntegrityError):
        log.warning("integrity error turned into 409: %s", type(exc).__name__)
        exc = Conflict("The change conflicts with existing data (a duplicate or a concurrent change).")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("", ["Invalid input."]))
        message = f"{first[0]}: {first[1][0]}" if first[0] != "non_field_errors" else first[1][0]
        body = {"status": response.status_code, "code": "invalid", "message": message, "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "status": response.status_code,
            "code": code if isinstance(code, str) else "error",
            "message": str(detail),
            "fields": {},
        }
    response.data = {"error": body}
    return response


class IdCursorPagination(CursorPagination):
    """Cursor pages in creation order: rows inserted while a client pages through
    appear at the end, never shifting or repeating what it has already seen."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """A cursor the client altered is bad input (400 naming `cursor`), not a missing page."""
        message = "Invalid cursor: follow the `next` or `previous` link as given."
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.cursor_query_param: [message]}) from None
        if cursor is not None and cursor.position is not None and not cursor.position.isdigit():
            raise exceptions.ValidationError({self.cursor_query_param: [message]})
        return cursor


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    """JSON, refusing NUL characters in any string: PostgreSQL cannot store them, and
    they have no business in a legal record."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError("Text may not contain NUL (\\u0000) characters.")
        return data


class ApiView:
    # Mixin for API views: exempt from LoginRequiredMiddleware, which would redirect
    # token-authenticated clients to the login page; DRF's authentication and
    # permission classes enforce access instead (401/403, never a redirect). A comment,
    # not a docstring: drf-spectacular would show a docstring to API clients as the
    # description of every view that has none of its own.

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        for name, values in request.query_params.lists():
            if _has_nul(name) or _has_nul(values):
                raise exceptions.ValidationError({name.replace("\x00", ""): ["May not contain NUL characters."]})
        super().initial(request, *args, **kwargs)


def etag_for(*parts) -> str:
    return '"' + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32] + '"'


def not_modified(request, etag: str) -> Response | None:
    """A 304 when the client's If-None-Match already names this ETag."""
    header = request.headers.get("If-None-Match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag in candidates or "*" in candidates:
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
        response["ETag"] = etag
        return response
    return None


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token llk_<prefix>_<secret>`: looked up by prefix, compared by hash
    in constant time; refused when revoked or expired."""

    keyword = "Token"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        parts = key.split("_")
        if len(parts) < 3 or parts[0] != "llk" or len(parts[1]) != ApiToken.PREFIX_LENGTH:
            raise exceptions.AuthenticationFailed("Malformed token.")
        token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.digest, ApiToken.hash_key(key)):
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if not token.is_usable(now):
            raise exceptions.AuthenticationFailed("This token is revoked or expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is inactive.")
        # Record use at most once a minute: a write per request would cost more than the read.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (or per user for browser sessions), rate from settings."""

    scope = "client"

    def get_cache_key(self, request, view):
        if getattr(request.auth, "pk", None) is not None:
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenScheme(OpenApiAuthenticationExtension):
    """Declares the token scheme in the OpenAPI schema."""

    target_class = "accounts.api.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token llk_<prefix>_<secret>`, issued by an admin (read or read-write scope).",
        }
