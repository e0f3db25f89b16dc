"""The catalogue, read-only, and the what-if analysis (the engine on posted facts)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ERRORS, ApiView, error
from jurisdictions import reach
from jurisdictions.loader import current_catalogue
from jurisdictions.models import Agreement, ConflictRule, Court, Jurisdiction, LegalInstrument, Membership
from jurisdictions.serializers import (
    AgreementSerializer,
    ConflictRuleSerializer,
    CourtSerializer,
    InstrumentSerializer,
    JurisdictionSerializer,
    WhatIfResultSerializer,
    WhatIfSerializer,
)


def _documented(serializer, lookup: str, example):
    """List and retrieve responses, with the error shapes and a row to look up, for the schema."""
    if lookup == "id":
        kind = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
    else:
        kind = {"type": "string", "pattern": f"^{CatalogueViewSet.lookup_value_regex}$"}
    parameter = OpenApiParameter(
        lookup, kind, OpenApiParameter.PATH, examples=[OpenApiExample(str(example), value=example)]
    )
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **ERRORS}),
        retrieve=extend_schema(parameters=[parameter], responses={200: serializer, **ERRORS}),
    )


class CatalogueViewSet(ApiView, viewsets.ReadOnlyModelViewSet):
    permission_classes = [roles.CanRead]
    pagination_class = None  # the catalogue is small and clients want all of it
    lookup_value_regex = "[A-Za-z0-9-]{1,64}"  # the catalogue's codes


@_documented(JurisdictionSerializer, "code", "US")
class JurisdictionViewSet(CatalogueViewSet):
    serializer_class = JurisdictionSerializer
    queryset = Jurisdiction.objects.prefetch_related(Prefetch("memberships", Membership.objects.order_by("start")))


@_documented(InstrumentSerializer, "code", "US-SCA-WARRANT")
class InstrumentViewSet(CatalogueViewSet):
    serializer_class = InstrumentSerializer
    lookup_field = "code"
    queryset = LegalInstrument.objects.select_related(
        "response_period", "emergency_period", "comity_period", "preservation_period", "objection_period"
    ).prefetch_related("issuing_blocs")


@_documented(AgreementSerializer, "code", "US-GB-DAA")
class AgreementViewSet(CatalogueViewSet):
    serializer_class = AgreementSerializer
    lookup_field = "code"
    queryset = Agreement.objects.prefetch_related("parties", "party_blocs", "designates", "lifts")


@_documented(ConflictRuleSerializer, "code", "EU-GDPR-ART48")
class ConflictRuleViewSet(CatalogueViewSet):
    serializer_class = ConflictRuleSerializer
    lookup_field = "code"
    queryset = ConflictRule.objects.prefetch_related("countries", "except_countries")


@_documented(CourtSerializer, "id", 1)
class CourtViewSet(CatalogueViewSet):
    serializer_class = CourtSerializer
    queryset = Court.objects.all()
    lookup_value_regex = "[0-9]{1,18}"  # beyond 64-bit ids the database would overflow


class WhatIfView(ApiView, APIView):
    permission_classes = [roles.CanUseWhatIf]

    @extend_schema(
        summary="Run the reach engine on posted facts (RULES.md §8 format); nothing is stored",
        request=WhatIfSerializer,
        responses={
            200: WhatIfResultSerializer,
            **ERRORS,
            400: error("Facts the engine cannot read, naming the field (e.g. `accounts[0].holdings[1].controlled_by`)"),
        },
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send one scenario as a JSON object."]})
        WhatIfSerializer(data=request.data).is_valid(raise_exception=True)  # JSON types; the engine reads the rest
        scenario = {"id": "what-if", **request.data}
        _, catalogue = current_catalogue()
        try:
            facts = reach.facts_from_scenario(scenario, catalogue)
            result = reach.evaluate(catalogue, facts)
        except reach.ScenarioError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        except reach.UnknownInstrumentError as exc:
            raise ValidationError({"demand.instrument": [str(exc)]}) from None
        scenario_id = scenario["id"] if isinstance(scenario["id"], str) else "what-if"
        return Response(reach.result_to_contract(scenario_id, result), status=status.HTTP_200_OK)
