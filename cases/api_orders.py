"""Nondisclosure orders and tasks through the API: a case's tasks, extending one of its
orders, and recording the customer's notice once an order has expired. The steps call
the same actions as the case file (`cases/actions/orders.py`)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ERRORS, ApiView, DateField, RequestSerializer, error
from cases import actions
from cases.models import Case, CaseTask, Deadline
from cases.serializers import MAX_ID, DeadlineSerializer, EventSerializer, WhereMixin, _version
from requests_app.models import NondisclosureOrder

NOTICE_MEANS_CHOICES = list(CaseTask._meta.get_field("notice_means").choices or ())
STEP_ERRORS = {
    **ERRORS,
    400: error(
        "Bad input, or a step the case's state refuses (no end date to extend, an end date not after the "
        "current one, a notice before the order expired or given twice, a date in the future); `fields` names "
        "the field"
    ),
    404: error("No such case, or no such order or task of this case"),
    409: error("The case changed since `expected_version`: reload and retry"),
}


# --- Bodies and answers ---------------------------------------------------------------------


class ExtendNdoSerializer(WhereMixin):
    """A court extended one of the case's nondisclosure orders (`court` or `court_name`,
    `citation` and `note` describe its order)."""

    order = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The nondisclosure order's `id`: one of this case's orders."
    )
    expires_on = DateField(help_text="The new end date: after the current one.")
    occurred_on = DateField(help_text="The date of the court's order (not in the future, not before the demand).")
    expected_version = _version()


class CompleteNoticeSerializer(RequestSerializer):
    """The customer was told: when and how."""

    notice_given_on = DateField(
        help_text="When the customer was told: not before the order expired, not in the future."
    )
    notice_means = serializers.ChoiceField(choices=NOTICE_MEANS_CHOICES, help_text="How the customer was told.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    expected_version = _version()


class NdoSerializer(serializers.ModelSerializer):
    class Meta:
        model = NondisclosureOrder
        fields = ["id", "basis", "starts_on", "expires_on", "extensions", "note"]


class TaskSerializer(serializers.ModelSerializer):
    done_by = serializers.CharField(source="done_by.username", default=None, read_only=True, allow_null=True)
    order_basis = serializers.CharField(
        source="nondisclosure_order.basis", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = CaseTask
        fields = [
            "id",
            "kind",
            "due_on",
            "nondisclosure_order",
            "order_basis",
            "ndo_expired_on",
            "note",
            "created_at",
            "done_at",
            "done_by",
            "notice_given_on",
            "notice_means",
        ]


class ExtendNdoResultSerializer(serializers.Serializer):
    """The extension's timeline event, the order as extended, the case's expiry deadline
    now open (null when none is), and the version to send next."""

    event = EventSerializer()
    order = NdoSerializer()
    deadline = DeadlineSerializer(allow_null=True)
    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")


class CompleteNoticeResultSerializer(serializers.Serializer):
    """The notice's timeline event, the task as done, and the version to send next."""

    event = EventSerializer()
    task = TaskSerializer()
    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")


def _body(serializer_class, request: Request) -> dict:
    # The body first: a bad one is 400 whatever the path names.
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _version_of(case_pk: int) -> int:
    return Case.objects.filter(pk=case_pk).values_list("version", flat=True).get()


# --- Views ------------------------------------------------------------------------------


class CaseTasksView(ApiView, APIView):
    """A case's tasks, open and done (read: every role; counsel completes them)."""

    permission_classes = [roles.CanTakeWorkflowSteps]

    @extend_schema(
        summary="The case's tasks (customer notices), with their completion",
        responses={200: TaskSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        get_object_or_404(Case.objects.only("pk"), pk=pk)
        tasks = CaseTask.objects.filter(case_id=pk).select_related("nondisclosure_order", "done_by")
        return Response(TaskSerializer(tasks.order_by("due_on", "pk"), many=True).data)


class ExtendNdoView(ApiView, APIView):
    """A court extended a nondisclosure order of the case."""

    permission_classes = [roles.CanTakeWorkflowSteps]

    @extend_schema(
        summary="Extend a nondisclosure order of the case (a court's order)",
        description="The earlier end date joins the order's `extensions`; the case's `ndo_expiry` deadline "
        "moves to the new end date; one `ndo_extended` timeline event. Counsel and read-write API clients.",
        request=ExtendNdoSerializer,
        responses={201: ExtendNdoResultSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _body(ExtendNdoSerializer, request)
        case = get_object_or_404(Case.objects.only("pk", "demand_id"), pk=pk)
        order = get_object_or_404(NondisclosureOrder, pk=data["order"], demand_id=case.demand_id)
        event = actions.extend_nondisclosure_order(
            order=order,
            expires_on=data["expires_on"],
            occurred_on=data["occurred_on"],
            by=request.user,
            expected_version=data["expected_version"],
            court=data["court"],
            court_name=data["court_name"],
            citation=data["citation"],
            note=data["note"],
        )
        deadline = Deadline.objects.filter(
            case_id=case.pk, kind=Deadline.Kind.NDO_EXPIRY, source=Deadline.Source.COMPUTED, state=Deadline.State.OPEN
        ).first()
        order.refresh_from_db()
        body = {
            "event": EventSerializer(event).data,
            "order": NdoSerializer(order).data,
            "deadline": DeadlineSerializer(deadline).data if deadline is not None else None,
            "version": _version_of(case.pk),
        }
        return Response(body, status=201)


class CompleteTaskView(ApiView, APIView):
    """Counsel told the customer once their nondisclosure order had expired."""

    permission_classes = [roles.CanTakeWorkflowSteps]

    @extend_schema(
        summary="Complete a customer-notice task: when and how the customer was told",
        description="Refused before the order expired (as it stands now, extensions included) and for a task "
        "already done; one `customer_notified` timeline event. Counsel and read-write API clients.",
        request=CompleteNoticeSerializer,
        responses={201: CompleteNoticeResultSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, pk: int, task_id: int) -> Response:
        data = _body(CompleteNoticeSerializer, request)
        task = get_object_or_404(CaseTask.objects.select_related("nondisclosure_order"), pk=task_id, case_id=pk)
        event = actions.complete_customer_notice(
            task=task,
            notice_given_on=data["notice_given_on"],
            notice_means=data["notice_means"],
            note=data["note"],
            by=request.user,
            expected_version=data["expected_version"],
        )
        task = CaseTask.objects.select_related("nondisclosure_order", "done_by").get(pk=task.pk)
        body = {"event": EventSerializer(event).data, "task": TaskSerializer(task).data, "version": _version_of(pk)}
        return Response(body, status=201)
