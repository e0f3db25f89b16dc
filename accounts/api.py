"""What every endpoint of the REST API shares: the error shape, pagination, the
login-middleware exemption (the API authenticates itself), ETags, and the contract
the OpenAPI schema publishes (formats, ranges, links between operations)."""

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.contrib.auth.decorators import login_not_required
from django.core.cache.backends.redis import RedisCacheClient
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError, models
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from redis.exceptions import RedisError
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param

from accounts import tokens
from accounts.models import ApiToken

log = logging.getLogger(__name__)


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="`invalid`, `conflict`, `not_found`, `permission_denied`, ...")
    message = serializers.CharField(help_text="The first problem, for people.")
    # DRF's serializer metaclass pops declared fields from the class, so this one does
    # not replace `Serializer.fields`; the stubs cannot know that.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text='What is wrong, by field: `{"accounts[0].holdings[1].category": ["..."]}`.',
    )


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers has this shape (see `exception_handler`)."""

    error = ErrorDetailSerializer()


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


# The error responses every endpoint documents (see exception_handler for the shape).
ERRORS = {
    400: error("Bad input; `fields` names each offending field or parameter"),
    401: error("Not authenticated"),
    403: error("Your role or token scope does not allow this"),
    404: error("No such record"),
    429: error("Too many requests for this token: retry after `Retry-After` seconds"),
    503: error("The database is unavailable for a moment: retry after `Retry-After` seconds"),
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


# A page's cursor: `f` (forwards) or `r` (backwards), the id it continues from, and
# `o<n>` when it skips n rows with that id. Every cursor of this shape is a valid one.
CURSOR_PATTERN = r"^[fr][0-9]{0,18}(o[0-9]{1,4})?$"


class IdCursorPagination(CursorPagination):
    """Cursor pages in creation order: rows inserted while a client pages through
    appear at the end, never shifting or repeating what it has already seen."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        """`page_size` from 1 to 200; anything else is a 400 naming it (not silently the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def encode_cursor(self, cursor: Cursor) -> str:
        # DRF's cursor positions are strings (`str(attr)`, or the query's `p`); the
        # stubs say `int | None`, here and in `decode_cursor`.
        token = ("r" if cursor.reverse else "f") + (cursor.position or "")  # type: ignore[operator]
        if cursor.offset:
            token += f"o{cursor.offset}"
        # Set by `paginate_queryset`, which runs before any link is made.
        return replace_query_param(cast(str, self.base_url), self.cursor_query_param, token)

    def decode_cursor(self, request) -> Cursor | None:
        """A cursor the client altered is bad input (400 naming `cursor`), not a missing page."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        match = re.fullmatch(r"([fr])([0-9]{0,18})(?:o([0-9]{1,4}))?", encoded)
        if match is None:
            message = "Invalid cursor: follow the `next` or `previous` link as given."
            raise exceptions.ValidationError({self.cursor_query_param: [message]})
        direction, position, offset = match.groups()
        return Cursor(
            offset=min(int(offset or 0), self.offset_cutoff),
            reverse=direction == "r",
            position=position or None,  # type: ignore[arg-type]  # a str, as DRF's own (see encode_cursor)
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page after or before another: take it from a page's `next` or `previous`.",
                "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


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


if TYPE_CHECKING:
    from rest_framework.views import APIView

    _ApiViewBase = APIView  # what ApiView is mixed into
else:
    _ApiViewBase = object


class ApiView(_ApiViewBase):
    # Mixin for API views: exempt from LoginRequiredMiddleware, which would redirect
    # token-authenticated clients to the login page; DRF's authentication and
    # permission classes enforce access instead (401/403, never a redirect). A comment,
    # not a docstring: drf-spectacular would show a docstring to API clients as the
    # description of every view that has none of its own.

    # Query parameters as the schema has them: each one at most once, with a value
    # (`?page_size=` or `?updated_since=` is a mistake, not "no filter"). The API docs'
    # pages take drf-spectacular's own (`?script`), so they set this off.
    strict_query = True

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def initial(self, request, *args, **kwargs):
        for name, values in request.query_params.lists():
            if _has_nul(name) or _has_nul(values):
                raise exceptions.ValidationError({name.replace("\x00", ""): ["May not contain NUL characters."]})
        super().initial(request, *args, **kwargs)  # who is asking, and may they, before what they ask
        for name, values in request.query_params.lists() if self.strict_query else ():
            if len(values) > 1:
                raise exceptions.ValidationError({name: ["Give this parameter once."]})
            if values[0] == "":
                raise exceptions.ValidationError({name: ["Give a value, or leave the parameter out."]})


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
    """`Authorization: Token llk_<prefix>_<secret>`: from the cache by the key's digest,
    else looked up by prefix with its user and roles in one query and compared by hash
    in constant time; refused when revoked or expired, or its user inactive
    (accounts/tokens.py, which also drops what it cached when any of that changes)."""

    keyword = "Token"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        parts = key.split("_")
        if len(parts) < 3 or parts[0] != "llk" or len(parts[1]) != ApiToken.PREFIX_LENGTH:
            raise exceptions.AuthenticationFailed("Malformed token.")
        try:
            resolved = tokens.resolve(parts[1], key)
        except tokens.Invalid as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return resolved.user, resolved.token

    def authenticate_header(self, request) -> str:
        return self.keyword


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (or per user for browser sessions), rate from settings,
    counted in the default cache: Redis shared by every machine when REDIS_URL is set.

    A counter per period (a sliding window estimated from this period's count and the
    previous one's, weighted by how much of it still falls within the last period):
    one atomic increment, not DRF's list of every request's time read and written back
    whole (which grows with the rate and races between processes). On Redis the
    increment, its expiry and the previous count are one round trip. A refused request
    is not counted, as DRF's throttle does not count it.

    A cache that fails (Redis down, or hanging past its short socket timeout) lets the
    request through rather than failing it, and is left alone for `cache_pause`
    seconds in this process, so an outage costs one timeout, not one per request."""

    scope = "client"
    cache_pause = 5.0
    _cache_paused_until = 0.0  # per process, shared by its threads
    num_requests: int  # set by SimpleRateThrottle.__init__ from the rate
    duration: int

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        if time.monotonic() < TokenRateThrottle._cache_paused_until:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            return self._count()
        except (RedisError, OSError) as exc:
            TokenRateThrottle._cache_paused_until = time.monotonic() + self.cache_pause
            log.warning("API throttle off for %ss: the cache did not answer (%r)", self.cache_pause, exc)
            return True

    def _keys(self) -> tuple[str, str]:
        period = int(self.now // self.duration)
        return f"{self.key}:{period}", f"{self.key}:{period - 1}"

    def _count(self) -> bool:
        self.now = self.timer()
        current_key, previous_key = self._keys()
        lifetime = 2 * self.duration + 1  # the next period still reads it as its previous one
        self.current, self.previous = self._incr(current_key, previous_key, lifetime)
        if self.estimate() > self.num_requests:
            self.current -= 1
            try:
                self.cache.decr(current_key)  # refused: not counted
            except ValueError:  # the count expired meanwhile: nothing to take back
                pass
            return False
        return True

    def _incr(self, current_key: str, previous_key: str, lifetime: int) -> tuple[int, int]:
        """This period's count after adding one, and the previous period's."""
        backend = getattr(self.cache, "_cache", None)
        if isinstance(backend, RedisCacheClient):
            current = self.cache.make_and_validate_key(current_key)
            previous = self.cache.make_and_validate_key(previous_key)
            pipe = backend.get_client(current, write=True).pipeline(transaction=False)
            pipe.set(current, 0, ex=lifetime, nx=True)  # created with its expiry, or left as it is
            pipe.incr(current)
            pipe.get(previous)
            _, count, before = pipe.execute()
            return int(count), int(before or 0)
        # Local memory (and any other backend): add, then an increment under its lock.
        self.cache.add(current_key, 0, lifetime)
        try:
            count = self.cache.incr(current_key)
        except ValueError:  # expired between the two: start again
            self.cache.add(current_key, 0, lifetime)
            count = self.cache.incr(current_key)
        return count, int(self.cache.get(previous_key) or 0)

    def estimate(self) -> float:
        """Requests within the last period: this period's, and the previous period's
        weighted by how much of it lies within the last `duration` seconds."""
        elapsed = (self.now % self.duration) / self.duration
        return self.current + self.previous * (1 - elapsed)

    def wait(self):
        """Seconds until one more request fits in the window (after a refusal)."""
        elapsed = self.now % self.duration
        room = self.num_requests - self.current - 1  # what the previous period may still weigh
        if room >= 0:
            # Within this period, once previous * (1 - t / duration) <= room.
            if self.previous <= room:
                return 0.0
            return max(0.0, self.duration * (1 - room / self.previous) - elapsed)
        # This period alone is full: into the next one, until this one weighs little enough.
        decay = max(0.0, 1 - (self.num_requests - 1) / self.current) if self.current else 0.0
        return self.duration - elapsed + self.duration * decay

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


# --- The contract the schema publishes --------------------------------------------------

RFC3339_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RFC3339_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class DateField(serializers.DateField):
    """A day exactly as the schema's `format: date` (RFC 3339 `YYYY-MM-DD`), not the
    other ISO 8601 spellings Python would also read (`20260105`, `2026-W01-1`)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not RFC3339_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class DateTimeField(serializers.DateTimeField):
    """An instant exactly as the schema's `format: date-time` (RFC 3339): with seconds
    and an offset, so it never depends on the server's time zone."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not RFC3339_DATE_TIME.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm")
        try:
            return super().to_internal_value(value)
        except exceptions.ValidationError as exc:
            if exc.get_codes() == ["overflow"]:
                raise exceptions.ValidationError("In UTC this instant falls outside the years 1 to 9999.") from None
            raise


def _json_type(field) -> tuple[type, str] | None:
    """The JSON type the schema gives a field's value (None: the field checks it itself)."""
    if isinstance(field, serializers.BooleanField):
        return bool, "true or false"
    if isinstance(field, serializers.IntegerField):
        return int, "a whole number"
    if isinstance(field, serializers.ListSerializer | serializers.ListField | serializers.ManyRelatedField):
        return list, "a list"
    if isinstance(field, serializers.Serializer | serializers.DictField):
        return dict, "an object"
    text = (serializers.CharField, serializers.ChoiceField, serializers.DecimalField, serializers.RelatedField)
    if isinstance(field, text + (serializers.DateField, serializers.DateTimeField)):
        return str, "a string"
    return None


class RequestSerializer(serializers.Serializer):
    """A request body read as the schema types it: DRF would take `1` for a string,
    `"yes"` or `1` for a boolean and `"7"` for a number; the API answers 400 naming the
    field instead, so a value is valid exactly when the schema says it is."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or field.field_name not in data:
                    continue
                value, expected = data[field.field_name], _json_type(field)
                if value is None or expected is None:
                    continue
                kind, label = expected
                if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                    errors[name] = [f"Must be {label}."]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


class RequestModelSerializer(RequestSerializer, serializers.ModelSerializer):
    """A ModelSerializer for request bodies: JSON types as above, and dates and instants
    in RFC 3339 only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


def _values_named(data, key: str, found: set[str], limit: int) -> None:
    """Every string under `key` anywhere in a request body (dicts and lists), up to
    `limit` of them."""
    stack = [data]
    while stack and len(found) < limit:
        item = stack.pop()
        if isinstance(item, dict):
            value = item.get(key)
            if isinstance(value, str):
                found.add(value)
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))


class KnownSlugField(serializers.SlugRelatedField):
    """A catalogue row or an entity of the provider's map named by its code or name. The
    schema lists the values the database holds when it is generated (`KnownSlugEnum`).

    A body naming many rows (a demand's holdings each name a location and an entity)
    costs one query per field name, not one per row: the first lookup reads every row
    the body names under this field's name at once, and the rest come from that map,
    kept in the serializer's context for the request."""

    # Beyond this many distinct names under one key, rows are looked up one by one.
    BATCH_LIMIT = 1000

    def to_internal_value(self, data):
        if not isinstance(data, str) or self.parent is None:
            return super().to_internal_value(data)
        rows = self._batch()
        if rows is not None and data in rows:
            return rows[data]
        return super().to_internal_value(data)  # unknown (its error), or beyond the batch

    def _batch(self) -> dict | None:
        root = self.root
        body = getattr(root, "initial_data", None)
        if body is None or not isinstance(self.context, dict):
            return None
        queryset = cast(models.QuerySet, self.get_queryset())  # a writable field's: never None here
        field_name = cast(str, self.field_name)  # bound: the caller checked the parent
        key = ("known-slugs", field_name, queryset.model._meta.label, self.slug_field)
        cache = self.context.setdefault("_known_slugs", {})
        if key not in cache:
            names: set[str] = set()
            _values_named(body, field_name, names, self.BATCH_LIMIT)
            rows = queryset.filter(**{f"{self.slug_field}__in": names}) if names else []
            cache[key] = {getattr(row, self.slug_field): row for row in rows}
        return cache[key]


class KnownSlugEnum(OpenApiSerializerFieldExtension):
    """The values as one named component per model and field (`JurisdictionCode`), which
    the fields naming the same rows share."""

    target_class = KnownSlugField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction != "request":
            return {"type": "string"}
        try:
            values = sorted(field.get_queryset().values_list(field.slug_field, flat=True))
        except DatabaseError:  # generated without a database (an offline build): no list
            log.debug("schema generated without the %s values", field.slug_field)
            return {"type": "string"}
        model = field.get_queryset().model
        name = f"{model.__name__}{field.slug_field.title()}"
        description = f"A {model._meta.verbose_name}'s {field.slug_field}, as the database has them."
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={"type": "string", "enum": values, "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class ListLengths(OpenApiSerializerFieldExtension):
    """Nested lists (`many=True, min_length=1`) with their item counts in the schema."""

    target_class = serializers.ListSerializer
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            if self.target.min_length is not None:
                schema["minItems"] = self.target.min_length
            elif not self.target.allow_empty:
                schema["minItems"] = 1
            if self.target.max_length is not None:
                schema["maxItems"] = self.target.max_length
        return schema


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: the response of `source` gives values for a request to `target`
    (path parameters, and body members merged into the client's body)."""

    source: str
    name: str
    target: str
    parameters: dict = field(default_factory=dict)
    body: dict | None = None
    status: int = 200
    description: str = ""


LINKS: list[Link] = []


def link(source: str, name: str, target: str, **kwargs) -> None:
    """Declare that `source`'s response leads to `target` (operation ids)."""
    LINKS.append(Link(source, name, target, **kwargs))


NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"  # a required text is more than white space
ID_PATTERN = "^[0-9]{1,18}$"  # the router's lookup_value_regex: beyond 64-bit ids the database would overflow


def _text_in_body(schema: dict) -> None:
    """Strings in a body may not contain NUL (`JSONParser`), and one that may not be
    blank may not be only white space either (the serializers trim it): say so."""
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL
    for sub in (*schema.get("properties", {}).values(), *schema.get("allOf", []), *schema.get("oneOf", [])):
        _text_in_body(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _text_in_body(schema[key])


def _text_in_query(schema: dict) -> None:
    """A query parameter comes with a value and without NUL (`ApiView.initial`)."""
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("minLength", 1)
        if not {"format", "pattern"} & set(schema):
            schema["pattern"] = NO_NUL


def publish_contract(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing: what the views cannot say one by one. Strings
    without NUL; ids as the integers they are; and the links from one operation to the
    next (`LINKS`), so a client, or schemathesis, can go from a list to a record to each
    step on it."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _text_in_body(component)
    operations = {}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            operations[operation["operationId"]] = operation
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    _text_in_query(parameter["schema"])
                elif parameter["in"] == "path" and parameter["schema"].get("pattern") == ID_PATTERN:
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                _text_in_body(content.get("schema", {}))
    for item in LINKS:
        if item.source not in operations or item.target not in operations:
            raise ValueError(f"link {item.name}: no operation {item.source} or {item.target}")
        responses = operations[item.source]["responses"]
        definition: dict = {"operationId": item.target, "description": item.description or item.name}
        if item.parameters:
            definition["parameters"] = dict(item.parameters)
        if item.body is not None:
            definition["requestBody"] = dict(item.body)
        responses[str(item.status)].setdefault("links", {})[item.name] = definition
    return result
