"""Case endpoints: list and retrieve with filters, the compact status clients poll,
and each case's events, deadlines and analyses."""

import datetime as dt
import json
from typing import TYPE_CHECKING

import django_filters
import django_filters.fields
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ERRORS, RFC3339_DATE, RFC3339_DATE_TIME, ApiView, error, etag_for, link, not_modified
from accounts.models import ApiToken
from cases import actions, sign_off
from cases.etag_cache import STATUS_ETAGS
from cases.filters import CaseFilter, case_list_queryset
from cases.models import Analysis, Case, CaseEvent, Deadline
from cases.serializers import (
    AddDeadlineSerializer,
    AnalysisSerializer,
    AssignResultSerializer,
    AssignSerializer,
    CancelDeadlineSerializer,
    CaseSerializer,
    CaseStatusSerializer,
    CompleteDeadlineSerializer,
    DeadlineSerializer,
    DeadlineStepResultSerializer,
    EventSerializer,
    ExportSerializer,
    MoveDeadlineSerializer,
    RecordEventSerializer,
    SignOffSerializer,
    StepResultSerializer,
    TransitionSerializer,
    TransparencyReportSerializer,
    WhoAmISerializer,
)

if TYPE_CHECKING:
    from cases.filters import CaseList

WRITE_ERRORS = {
    **ERRORS,
    400: error(
        "Bad input, or a step the case's state refuses (a closed case, a transition its track does not allow, "
        "a date in the future or before the demand); `fields` names the field"
    ),
    409: error("The case changed since `expected_version`: reload and retry"),
}
DEADLINE_ERRORS = {**WRITE_ERRORS, 404: error("No such case, or no such deadline of this case")}
ETAG = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="Send it back in `If-None-Match`."
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, description="The `ETag` you have: 304 when it is still current."
)


class Rfc3339DateTimeField(django_filters.fields.IsoDateTimeField):
    """An instant as the schema's `format: date-time` has it (RFC 3339, with an offset)."""

    def to_python(self, value):
        if isinstance(value, str) and value and not RFC3339_DATE_TIME.fullmatch(value):
            raise DjangoValidationError("An instant such as 2026-01-05T09:00:00Z (RFC 3339, with an offset).")
        return super().to_python(value)


class ApiCaseFilter(CaseFilter):
    """The case list's filters, plus `updated_since` for cheap polling. Ordering is
    the cursor's (by id), so the list's `sort` does not apply. Issuer and instrument
    are codes: an unknown one matches no case (the catalogue may not have it yet)."""

    issuer = django_filters.CharFilter(
        field_name="demand__issuing_jurisdiction", strip=False, label="Issuing jurisdiction's code, e.g. GB"
    )
    instrument = django_filters.CharFilter(
        field_name="demand__instrument__code", strip=False, label="Instrument's code, e.g. US-SCA-WARRANT"
    )
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since", label="Changed at or after this instant (RFC 3339)"
    )
    updated_since.field_class = Rfc3339DateTimeField

    class Meta(CaseFilter.Meta):
        fields: list[str] = []

    def filter_sort(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        return queryset

    def filter_updated_since(self, queryset: "CaseList", name: str, value: dt.datetime) -> "CaseList":
        # In UTC: the database refuses odd offsets such as +23:12 that ISO 8601 allows.
        # An instant beyond the calendar in UTC is before every case, or after all.
        try:
            return queryset.filter(updated_at__gte=value.astimezone(dt.UTC))
        except OverflowError:
            return queryset if value.year == 1 else queryset.none()


# The status endpoint is what client systems poll all day, so it is one SQL statement
# instead of ORM querysets, whose compilation cost more than running them (measured:
# bench/bench_api.py). The next open deadline, the latest event, the latest analysis
# and the newest analysis ever signed off (with its signer: the sign-off) are joined
# through correlated subqueries on cases_deadline(case_id), cases_caseevent(case_id,
# occurred_on) and cases_analysis(case_id).
_STATUS_SQL = """
    SELECT c.id, d.reference, d.emergency, d.request_kind,
           c.status, c.outcome, c.appeal_status, c.appeal_disposition, c.contempt_status,
           c.contempt_kind, c.contempt_by_stipulation, c.contempt_sanctions_amount, c.contempt_sanctions_currency,
           c.contempt_stayed,
           c.version, c.updated_at,
           n.id, n.due_at, n.kind,
           e.kind, e.occurred_on, e.note,
           a.id, a.as_of, v.number, a.signed_off_at, a.summary,
           a.created_at, a.sign_off_voided_at,
           s.id, s.as_of, s.signed_off_at, su.username, s.sign_off_note, s.sign_off_voided_at, s.sign_off_voided_reason
      FROM cases_case c
      JOIN requests_app_demand d ON d.id = c.demand_id
      LEFT JOIN cases_deadline n ON n.id = (
            SELECT dl.id FROM cases_deadline dl WHERE dl.case_id = c.id AND dl.state = 'open'
             ORDER BY dl.due_at, dl.id LIMIT 1)
      LEFT JOIN cases_caseevent e ON e.id = (
            SELECT e2.id FROM cases_caseevent e2 WHERE e2.case_id = c.id
             ORDER BY e2.occurred_on DESC, e2.recorded_at DESC, e2.id DESC LIMIT 1)
      LEFT JOIN cases_analysis a ON a.id = (
            SELECT a2.id FROM cases_analysis a2 WHERE a2.case_id = c.id
             ORDER BY a2.created_at DESC, a2.id DESC LIMIT 1)
      LEFT JOIN jurisdictions_catalogueversion v ON v.id = a.catalogue_version_id
      LEFT JOIN cases_analysis s ON s.id = (
            SELECT a3.id FROM cases_analysis a3 WHERE a3.case_id = c.id AND a3.signed_off_at IS NOT NULL
             ORDER BY a3.created_at DESC, a3.id DESC LIMIT 1)
      LEFT JOIN auth_user su ON su.id = s.signed_off_by_id
     WHERE c.id = %s
"""


def _as_datetime(value):
    """SQLite hands back naive UTC (or text, for computed columns); PostgreSQL an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _as_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _fetch_status_row(case_id: int, sql: str = _STATUS_SQL):
    """On PostgreSQL a prepared statement: planning this query costs more than running
    it (EXPLAIN ANALYZE on 100,000 cases: 0.75 ms against 0.25 ms), and Django's
    client-side binding never prepares. psycopg prepares it once per connection, which
    needs the connection's `prepare_threshold` set (config/settings.py; Django's default
    None turns `prepare=True` into a no-op)."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [case_id], prepare=True)
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        return cursor.fetchone()


# What a status's ETag is made of, by primary key: every change to what the status
# shows bumps the case's version (each action, cases/actions/common.py `_save`) or its
# updated_at (a stored analysis, cases/analysis.py), so a client's ETag that still
# matches these two is still current, and the 304 needs nothing else.
_ETAG_SQL = "SELECT c.version, c.updated_at FROM cases_case c WHERE c.id = %s"


def _status_etag(case_id: int, version, updated_at) -> str:
    return etag_for("case", case_id, version, _as_datetime(updated_at).isoformat())


def _read_status_etag(case_id: int) -> str | None:
    row = _fetch_status_row(case_id, _ETAG_SQL)
    return None if row is None else _status_etag(case_id, *row)


def case_status_etag(case_id: int) -> str | None:
    """The ETag `case_status` would answer with; None when there is no such case. On
    PostgreSQL from this process's cache while the database has not said the case
    changed (cases/etag_cache.py), else from one lookup by primary key."""
    return STATUS_ETAGS.etag(case_id, _read_status_etag)


def case_status(case_id: int) -> dict | None:
    """The compact status of one case, in one query; None when there is no such case."""
    row = _fetch_status_row(case_id)
    if row is None:
        return None
    (
        pk,
        reference,
        emergency,
        request_kind,
        status,
        outcome,
        appeal,
        disposition,
        contempt,
        kind,
        stipulation,
        amount,
        currency,
        stayed,
        version,
        updated_at,
        next_id,
        next_at,
        next_kind,
        event_kind,
        event_on,
        event_note,
        analysis_id,
        as_of,
        catalogue_number,
        signed_off_at,
        summary,
        analysis_created_at,
        analysis_voided_at,
        *signed,
    ) = row
    updated_at = _as_datetime(updated_at)
    next_at = _as_datetime(next_at)
    analysis = None
    if analysis_id is not None:
        summary = summary if isinstance(summary, dict) else json.loads(summary)
        analysis = {
            "id": analysis_id,
            "as_of": _as_date(as_of),
            "catalogue_version": catalogue_number,
            "signed_off": signed_off_at is not None and analysis_voided_at is None,
            **summary,
        }
    return {
        "id": pk,
        "reference": reference,
        "emergency": bool(emergency),
        "request_kind": request_kind,
        "status": status,
        "outcome": outcome,
        "appeal": {"status": appeal, "disposition": disposition},
        "contempt": {
            "status": contempt,
            "kind": kind,
            "by_stipulation": bool(stipulation),
            "sanctions_amount": str(amount) if amount is not None else None,
            "sanctions_currency": currency,
            "stayed": bool(stayed),
        },
        "next_deadline": {"id": next_id, "kind": next_kind, "due_at": next_at} if next_at else None,
        "last_event": {"kind": event_kind, "occurred_on": _as_date(event_on), "note": event_note}
        if event_kind is not None
        else None,
        "analysis": analysis,
        "sign_off": _sign_off(analysis_id, as_of, analysis_created_at, signed, closed=status == "closed"),
        "version": version,
        "updated_at": updated_at,
        "_updated_at_key": updated_at.isoformat(),
    }


def _sign_off(analysis_id, as_of, created_at, signed: list, *, closed: bool = False) -> dict | None:
    """The status's `sign_off`, from the latest analysis and the newest one signed off."""
    signed_id, signed_as_of, signed_at, signer, note, voided_at, voided_because = signed
    row = None
    if signed_id is not None:
        row = sign_off.Signed(
            id=signed_id,
            as_of=_as_date(signed_as_of),
            signed_by=signer,
            signed_at=_as_datetime(signed_at),
            note=note,
            voided_at=_as_datetime(voided_at),
            voided_because=voided_because,
        )
    newer = None
    if signed_id is not None and analysis_id != signed_id:
        newer = sign_off.Newer(analysis_id, _as_date(as_of), _as_datetime(created_at))
    state = sign_off.of_case(analysed=analysis_id is not None, signed=row, newer=newer, closed=closed)
    return state.as_data() if state is not None else None


def _step(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _deadline_step(request: Request, pk: int, serializer_class) -> tuple[Deadline, dict]:
    """The deadline the body names, among the case's own (another case's is 404), and the rest of the body."""
    case = get_object_or_404(Case.objects.only("pk"), pk=pk)
    data = _step(serializer_class, request)
    deadline = get_object_or_404(Deadline, pk=data.pop("deadline"), case_id=case.pk)
    return deadline, {k: v for k, v in data.items() if v is not None}


def _version(case_pk: int) -> int:
    return Case.objects.filter(pk=case_pk).values_list("version", flat=True).get()


def _event_response(case_pk: int, event) -> Response:
    return Response({"event": EventSerializer(event).data, "version": _version(case_pk)}, status=201)


def _deadline_response(deadline: Deadline) -> Response:
    """DeadlineStepResultSerializer's shape: the deadline, then the case's version."""
    return Response({**DeadlineSerializer(deadline).data, "version": _version(deadline.case_id)}, status=201)


class CaseWorkflowMixin:
    """The workflow steps, as POST actions calling the same functions as the UI."""

    @extend_schema(
        summary="Move a track (status, appeal or contempt) to a new state",
        request=TransitionSerializer,
        responses={201: StepResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def transition(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _step(TransitionSerializer, request)
        event = actions.take_track_step(
            case=case,
            track=data["track"],
            to=data["to"],
            occurred_on=data["occurred_on"],
            by=request.user,
            expected_version=data["expected_version"],
            place=actions.Place(
                court=data["court"], court_name=data["court_name"], citation=data["citation"], note=data["note"]
            ),
            details=actions.TrackDetails.from_values(data),
        )
        return _event_response(case.pk, event)

    @extend_schema(
        summary="Record a court event that moves no track (motion, ruling, stay, statute)",
        request=RecordEventSerializer,
        responses={201: StepResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="record-event")
    def record_event(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _step(RecordEventSerializer, request)
        event = actions.record_event(
            case=case,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            by=request.user,
            expected_version=data["expected_version"],
            court=data["court"],
            court_name=data["court_name"],
            citation=data["citation"],
            note=data["note"],
            motion_type=data["motion_type"],
        )
        return _event_response(case.pk, event)

    @extend_schema(
        summary="Add a manual deadline (objection, notice of appeal, custom) with how it is computed",
        request=AddDeadlineSerializer,
        responses={201: DeadlineStepResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="add-deadline")
    def add_deadline(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _step(AddDeadlineSerializer, request)
        deadline = actions.add_deadline(case=case, by=request.user, **{k: v for k, v in data.items() if v is not None})
        return _deadline_response(deadline)

    @extend_schema(
        summary="Move a manual deadline (a court's extension), saying why",
        description="The old deadline is kept, superseded; the response is the new one. Give `due_at`, or a "
        "period (`rule`, or `length` and `unit`) counted from `start` (default: the old deadline's start).",
        request=MoveDeadlineSerializer,
        responses={201: DeadlineStepResultSerializer, **DEADLINE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="move-deadline")
    def move_deadline(self, request: Request, pk: int) -> Response:
        deadline, data = _deadline_step(request, pk, MoveDeadlineSerializer)
        moved = actions.move_deadline(deadline=deadline, by=request.user, **data)
        return _deadline_response(moved)

    @extend_schema(
        summary="Mark a deadline met (the response produced, the objection filed)",
        request=CompleteDeadlineSerializer,
        responses={201: DeadlineStepResultSerializer, **DEADLINE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="complete-deadline")
    def complete_deadline(self, request: Request, pk: int) -> Response:
        deadline, data = _deadline_step(request, pk, CompleteDeadlineSerializer)
        met = actions.complete_deadline(deadline=deadline, by=request.user, **data)
        return _deadline_response(met)

    @extend_schema(
        summary="Cancel a manual deadline that no longer applies, saying why",
        request=CancelDeadlineSerializer,
        responses={201: DeadlineStepResultSerializer, **DEADLINE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="cancel-deadline")
    def cancel_deadline(self, request: Request, pk: int) -> Response:
        deadline, data = _deadline_step(request, pk, CancelDeadlineSerializer)
        cancelled = actions.cancel_deadline(deadline=deadline, by=request.user, **data)
        return _deadline_response(cancelled)

    @extend_schema(
        summary="Assign the case to a member of counsel, or unassign it (`counsel`: null)",
        description="Counsel, and read-write API clients, assign; one timeline event says to whom and from "
        "whom. Refused (400 naming `counsel`): a user who is not active counsel, the assignment the case "
        "already has, a closed case.",
        request=AssignSerializer,
        responses={200: AssignResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def assign(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _step(AssignSerializer, request)
        counsel = None
        if data["counsel"] is not None:
            counsel = get_user_model().objects.filter(pk=data["counsel"]).first()
            if counsel is None:
                raise ValidationError({"counsel": [f"No user has the id {data['counsel']}."]})
        event = actions.assign(case=case, counsel=counsel, by=request.user, expected_version=data["expected_version"])
        assigned = Case.objects.filter(pk=case.pk).values_list("counsel_id", "counsel__username", "version").get()
        return Response(
            {
                "event": EventSerializer(event).data,
                "counsel_id": assigned[0],
                "counsel": assigned[1],
                "version": assigned[2],
            }
        )

    @extend_schema(
        summary="Sign off the latest analysis",
        request=SignOffSerializer,
        responses={201: StepResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None, url_path="sign-off")
    def sign_off(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _step(SignOffSerializer, request)
        event = actions.sign_off_analysis(
            case=case,
            analysis_id=data["analysis"],
            note=data["note"],
            by=request.user,
            expected_version=data["expected_version"],
        )
        return _event_response(case.pk, event)


@extend_schema_view(
    list=extend_schema(summary="List cases", responses={200: CaseSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(
        summary="One case (ETag; send If-None-Match for a 304)",
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: CaseSerializer, 304: OpenApiResponse(description="Not modified"), **ERRORS},
    ),
)
class CaseViewSet(
    ApiView, CaseWorkflowMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The legal team's cases, one per demand: tracks, deadlines, timeline and analyses.
    Writes take the case's `expected_version` and answer 409 when it has moved on."""

    serializer_class = CaseSerializer
    permission_classes = [roles.CanTakeWorkflowSteps]
    filterset_class = ApiCaseFilter
    lookup_value_regex = "[0-9]{1,18}"  # beyond 64-bit ids the database would overflow

    def get_queryset(self) -> QuerySet[Case]:
        # Every role that may read sees every case: the legal team shares one docket.
        return case_list_queryset().select_related("demand__served_entity", "counsel").with_sign_off_keys()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            sign_off.attach(page)  # one query for the page's sign-offs
        return page

    def get_object(self):
        case = super().get_object()
        sign_off.attach([case])
        return case

    def _etag(self, pk: int) -> tuple[Case, str]:
        case = get_object_or_404(Case.objects.only("pk", "version", "updated_at"), pk=pk)
        return case, etag_for("case", case.pk, case.version, case.updated_at.isoformat())

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        _, etag = self._etag(kwargs["pk"])
        if (response := not_modified(request, etag)) is not None:
            return response
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag
        return response

    @extend_schema(
        summary="Compact status for polling (ETag; If-None-Match gives 304)",
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: CaseStatusSerializer, 304: OpenApiResponse(description="Not modified"), **ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def status(self, request: Request, pk: int) -> Response:
        case_id = int(pk)
        if "If-None-Match" in request.headers:
            # A poll that names what it has: answered from the version alone when it is
            # still current, before the status is built.
            etag = case_status_etag(case_id)
            if etag is None:
                raise NotFound()
            if (response := not_modified(request, etag)) is not None:
                return response
        body = case_status(case_id)
        if body is None:
            raise NotFound()
        body.pop("_updated_at_key")
        etag = _status_etag(body["id"], body["version"], body["updated_at"])
        if (response := not_modified(request, etag)) is not None:
            return response
        response = Response(body)
        response["ETag"] = etag
        return response

    @extend_schema(summary="The case's timeline", responses={200: EventSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: int) -> Response:
        get_object_or_404(Case.objects.only("pk"), pk=pk)
        events = CaseEvent.objects.filter(case_id=pk).select_related("by", "court").order_by("occurred_on", "pk")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(summary="The case's deadlines", responses={200: DeadlineSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def deadlines(self, request: Request, pk: int) -> Response:
        get_object_or_404(Case.objects.only("pk"), pk=pk)
        return Response(DeadlineSerializer(Deadline.objects.filter(case_id=pk).order_by("due_at"), many=True).data)

    @extend_schema(
        summary="The case's analyses, newest first", responses={200: AnalysisSerializer(many=True), **ERRORS}
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def analyses(self, request: Request, pk: int) -> Response:
        get_object_or_404(Case.objects.only("pk"), pk=pk)
        analyses = (
            Analysis.objects.filter(case_id=pk)
            .select_related("catalogue_version", "signed_off_by")
            .prefetch_related("overrides__by")
            .newest_first()
        )
        return Response(AnalysisSerializer(analyses, many=True).data)


class WhoAmIView(ApiView, APIView):
    """The authenticated client: a cheap call to check a token (one row)."""

    permission_classes = [roles.CanRead]

    @extend_schema(
        summary="Who the credentials belong to, their roles and the token's scope",
        responses={200: WhoAmISerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            {
                "id": request.user.pk,
                "username": request.user.get_username(),
                "roles": sorted(roles.roles_of(request.user)),
                "token": {"name": token.name, "scope": token.scope, "expires_at": token.expires_at} if token else None,
            }
        )


# What report.period_from accepts: a half of the years 1900 to 9998.
HALF_PATTERN = r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-H[12]$"


class TransparencyReportView(ApiView, APIView):
    """The transparency report as JSON: the same figures as the page and its downloads."""

    permission_classes = [roles.CanRead]

    @extend_schema(
        summary="Transparency report for a half year or a range of days",
        description=(
            "Demands per issuing country and instrument, counted by the day received (else served, else "
            "logged), with outcome buckets, emergency, nondisclosure-order and extraterritorial counts. "
            'Countries below `min_count` demands are grouped as "Other". Without parameters: the current half.'
        ),
        parameters=[
            OpenApiParameter(
                "half",
                {"type": "string", "pattern": HALF_PATTERN},
                description="A half year: `YYYY-H1` or `YYYY-H2`, e.g. `2026-H2` (years 1900 to 9998).",
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (with `end`), instead of `half`."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included (with `start`)."),
            OpenApiParameter(
                "min_count",
                {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
                description='Countries with fewer demands are grouped as "Other" (default: the server\'s '
                "`TRANSPARENCY_MIN_COUNT`; 0 or 1 shows every country).",
            ),
        ],
        responses={
            200: TransparencyReportSerializer,
            **{k: v for k, v in ERRORS.items() if k != 404},
            400: error(
                "A bad parameter; `half` with `start` or `end`; one of `start` and `end`; end before start; "
                "`min_count` not a whole number from 0"
            ),
        },
    )
    def get(self, request: Request) -> Response:
        from django.conf import settings
        from django.utils import timezone

        from cases import report

        for name in ("start", "end"):
            value = request.query_params.get(name)
            if value is not None and not RFC3339_DATE.fullmatch(value):
                raise ValidationError({name: [f"{name} must be a date as YYYY-MM-DD; got {value!r}."]})
        period = report.period_from(request.query_params, today=timezone.localdate())
        min_count = report.min_count_from(request.query_params, default=settings.TRANSPARENCY_MIN_COUNT)
        result = report.transparency_report(period, min_count=min_count)
        return Response(TransparencyReportSerializer(report.as_dict(result)).data)


class CaseExportView(ApiView, APIView):
    """One case's complete record: the same JSON as the case file's export download."""

    permission_classes = [roles.CanRead]

    @extend_schema(
        summary="A case's complete record (facts, analyses, overrides, events, deadlines, audit history)",
        responses={200: ExportSerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        from cases import export

        get_object_or_404(Case.objects.only("pk"), pk=pk)
        return Response(export.as_plain_json(export.case_record(pk)))


# --- Links: from the list to a case, to its status, to each step on it -------------------
# A case has its version for a step; its status has what every step needs: the version,
# the latest analysis and the next open deadline. (No links out of the steps:
# schemathesis would start its scenarios from them, with ids it made up, instead of
# from the lists.)

_CASE = {"path.id": "$response.body#/id"}
_NEXT_VERSION = {"expected_version": "$response.body#/version"}
_DEADLINE_STEPS = ("move_deadline", "complete_deadline", "cancel_deadline")

_FIRST = {"path.id": "$response.body#/results/0/id"}
link("v1_cases_list", "FirstCase", "v1_cases_retrieve", parameters=_FIRST)
link("v1_cases_list", "FirstCaseStatus", "v1_cases_status_retrieve", parameters=_FIRST)
for read in ("status_retrieve", "events_list", "deadlines_list", "analyses_list", "export_retrieve"):
    link("v1_cases_retrieve", read, f"v1_cases_{read}", parameters=_CASE)
for step in ("transition", "record_event", "add_deadline"):
    link("v1_cases_retrieve", step, f"v1_cases_{step}_create", parameters=_CASE, body=_NEXT_VERSION)
    link("v1_cases_status_retrieve", step, f"v1_cases_{step}_create", parameters=_CASE, body=_NEXT_VERSION)
for step in _DEADLINE_STEPS:
    link(
        "v1_cases_status_retrieve",
        step,
        f"v1_cases_{step}_create",
        parameters=_CASE,
        body={"deadline": "$response.body#/next_deadline/id", **_NEXT_VERSION},
    )
for source in ("v1_cases_retrieve", "v1_cases_status_retrieve"):
    link(source, "assign", "v1_cases_assign_create", parameters=_CASE, body=_NEXT_VERSION)
link(
    "v1_cases_status_retrieve",
    "sign_off",
    "v1_cases_sign_off_create",
    parameters=_CASE,
    body={"analysis": "$response.body#/analysis/id", **_NEXT_VERSION},
)
