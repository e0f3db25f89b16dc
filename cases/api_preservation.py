"""A preservation extended on a renewed request, and counsel's decision on an
emergency disclosure request, through the API: the same actions as the case file's
forms (cases/actions/preservation.py, cases/actions/disclosure.py)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ApiView, DateField, RequestSerializer, error
from cases.actions.disclosure import record_disclosure_decision
from cases.actions.preservation import extend_preservation, open_expiry
from cases.api import WRITE_ERRORS
from cases.models import Case, EmergencyDisclosureDecision
from cases.serializers import EventSerializer

MAX_VERSION = 2**31 - 1
STEP_ERRORS = {**WRITE_ERRORS, 404: error("No such case")}


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text="The case's `version` you last read; a stale one is a 409."
    )


class ExtendPreservationSerializer(RequestSerializer):
    received_on = DateField(help_text="When the renewed request was received (before the preservation expired).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    expected_version = _version_field()


class ExtendPreservationResultSerializer(serializers.Serializer):
    event = EventSerializer()
    preservation_expires = serializers.DateTimeField(
        allow_null=True, help_text="The extended expiry (the engine's `preservation_expires`)."
    )
    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")


class DisclosureDecisionSerializer(RequestSerializer):
    decision = serializers.ChoiceField(choices=EmergencyDisclosureDecision.Decision.choices)
    basis = serializers.CharField(
        max_length=10000,
        help_text="The good-faith belief that an emergency involving danger of death or serious physical injury "
        "requires disclosure without delay (18 U.S.C. §2702(b)(8), (c)(4)), and what supports it.",
    )
    verification = serializers.ChoiceField(choices=EmergencyDisclosureDecision.Verification.choices)
    verification_detail = serializers.CharField(
        max_length=10000, help_text="How the requester's identity was confirmed: number called, by whom, when."
    )
    expected_version = _version_field()


class DisclosureDecisionResultSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)
    version = serializers.IntegerField(source="case.version", read_only=True)

    class Meta:
        model = EmergencyDisclosureDecision
        fields = [
            "id",
            "decision",
            "basis",
            "verification",
            "verification_detail",
            "decided_by",
            "decided_at",
            "version",
        ]


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ExtendPreservationView(ApiView, APIView):
    permission_classes = [roles.CanTakeWorkflowSteps]

    @extend_schema(
        summary="Extend a preservation once on a renewed request (§2703(f)(2): 90 more days; Art. 11(1): 30)",
        request=ExtendPreservationSerializer,
        responses={201: ExtendPreservationResultSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _valid(ExtendPreservationSerializer, request)
        event = extend_preservation(
            case=case,
            received_on=data["received_on"],
            note=data["note"],
            by=request.user,
            expected_version=data["expected_version"],
        )
        expiry = open_expiry(case)
        body = {
            "event": EventSerializer(event).data,
            "preservation_expires": expiry.due_at if expiry is not None else None,
            "version": Case.objects.filter(pk=case.pk).values_list("version", flat=True).get(),
        }
        return Response(ExtendPreservationResultSerializer(body).data, status=201)


class DisclosureDecisionView(ApiView, APIView):
    permission_classes = [roles.CanTakeWorkflowSteps]

    @extend_schema(
        summary="Record counsel's decision on an emergency disclosure request (18 U.S.C. §2702(b)(8), (c)(4))",
        request=DisclosureDecisionSerializer,
        responses={201: DisclosureDecisionResultSerializer, **STEP_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        data = _valid(DisclosureDecisionSerializer, request)
        row = record_disclosure_decision(case=case, by=request.user, **data)
        row = EmergencyDisclosureDecision.objects.select_related("decided_by", "case").get(pk=row.pk)
        return Response(DisclosureDecisionResultSerializer(row).data, status=201)
