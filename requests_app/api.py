from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.api import ERRORS, ApiView, error, link
from cases.actions import amend_demand, amend_refusal
from requests_app.models import Demand, TargetAccount
from requests_app.serializers import DemandAmendmentSerializer, DemandSerializer


@extend_schema_view(
    list=extend_schema(summary="List demands", responses={200: DemandSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(
        summary="One demand with its accounts and holdings", responses={200: DemandSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Log a demand with its accounts and holdings (all or nothing); opens its case",
        description="Catalogue rows are named by their codes, the provider's entities and data locations by their "
        "names, as the schema lists them. Refused (400 naming the field) besides bad values: a reference already "
        "logged, received before served, an account or a holding listed twice, an order expiring before it starts, "
        "an issuing jurisdiction the instrument does not allow on the day served, `extended` on a demand that is "
        "not a preservation, `pending_since` on process other than Indian (IN-CRPC-91, IN-BNSS-94), "
        "and what the case's intake refuses (e.g. an instrument not in force).",
        examples=[
            OpenApiExample(
                "A warrant served on the US parent",
                request_only=True,
                value={
                    "reference": "2026-WAR-0001",
                    "instrument": "US-SCA-WARRANT",
                    "issuing_jurisdiction": "US",
                    "issuing_authority": "FBI Seattle",
                    "court": "W.D. Wash.",
                    "served_entity": "Microsoft Corporation",
                    "served_at": "2026-01-05T15:00:00Z",
                    "received_at": "2026-01-05T15:05:00Z",
                    "accounts": [
                        {
                            "identifier": "alice@example.com",
                            "residence": "GB",
                            "holdings": [
                                {
                                    "category": "content",
                                    "data_location": "London (UK South)",
                                    "controlled_by": "Microsoft Limited",
                                }
                            ],
                        }
                    ],
                },
            ),
            OpenApiExample(
                "A preservation request, extended once",
                request_only=True,
                value={
                    "reference": "2026-PRES-0001",
                    "instrument": "US-SCA-PRESERVATION",
                    "issuing_jurisdiction": "US",
                    "issuing_authority": "FBI Seattle",
                    "court": "W.D. Wash.",
                    "served_entity": "Microsoft Corporation",
                    "served_at": "2026-01-05T15:00:00Z",
                    "extended": True,
                    "accounts": [
                        {
                            "identifier": "alice@example.com",
                            "holdings": [
                                {
                                    "category": "content",
                                    "data_location": "Quincy, Washington (US West)",
                                    "controlled_by": "Microsoft Corporation",
                                }
                            ],
                        }
                    ],
                },
            ),
        ],
        responses={
            201: DemandSerializer,
            **ERRORS,
            409: error("The reference was logged by a concurrent request"),
        },
    ),
)
class DemandViewSet(
    ApiView, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DemandSerializer
    permission_classes = [roles.CanLogDemands]
    lookup_value_regex = "[0-9]{1,18}"  # beyond 64-bit ids the database would overflow

    def create(self, request: Request, *args, **kwargs) -> Response:
        """Logs the demand (`DemandSerializer.create`) and answers with it read back in the
        list's few queries, however many accounts and holdings it has."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = serializer.save()
        body = self.get_serializer(self.get_queryset().get(pk=demand.pk)).data
        return Response(body, status=201, headers=self.get_success_headers(body))

    def get_queryset(self):
        accounts = TargetAccount.objects.select_related("residence").prefetch_related(
            "holdings__data_location", "holdings__controlled_by"
        )
        return Demand.objects.select_related(
            "instrument", "issuing_jurisdiction", "court", "served_entity", "case"
        ).prefetch_related(Prefetch("accounts", queryset=accounts))

    @extend_schema(
        summary="Correct a demand's facts, with a reason; its case is analysed again",
        description="The fields to change (the reference stays as logged), `accounts` as the whole new list when "
        "given, the `reason` and the case's `version` as `expected_version`. The case's timeline gets one "
        '"Facts amended" event listing each change (old → new), every row keeps its audit history, the case is '
        "analysed again on the corrected facts and a standing sign-off is voided. Refused: 409 when the case "
        "changed since `expected_version`; 400 naming the field under the rules of intake (as `POST`), for a "
        "closed case (`case`), or when nothing would change; 403 for intake once the case is analysed "
        "(counsel corrects it then), a viewer, or a read-only token.",
        request=DemandAmendmentSerializer,
        examples=[
            OpenApiExample(
                "A storage location corrected",
                request_only=True,
                value={
                    "accounts": [
                        {
                            "identifier": "alice@example.com",
                            "holdings": [
                                {
                                    "category": "content",
                                    "data_location": "Quincy, Washington (US West)",
                                    "controlled_by": "Microsoft Corporation",
                                }
                            ],
                        }
                    ],
                    "reason": "Intake typed Dublin; the data map says Quincy.",
                    "expected_version": 3,
                },
            ),
            OpenApiExample(
                "The service time corrected",
                request_only=True,
                value={
                    "served_at": "2026-09-01T09:00:00Z",
                    "reason": "Served at 09:00 per the process server's return.",
                    "expected_version": 3,
                },
            ),
        ],
        responses={
            200: DemandSerializer,
            **ERRORS,
            409: error("The case changed since `expected_version`: read it again"),
        },
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Calls `cases.actions.amend_demand`; its refusals are 400 naming the field, 403 or 409."""
        demand = self.get_object()
        try:
            case = demand.case
        except ObjectDoesNotExist:
            raise NotFound("This demand has no case.") from None
        if refusal := amend_refusal(request.user, analysed=case.analyses.exists(), status=case.status):
            raise PermissionDenied(refusal)
        given = request.data.get("reference") if isinstance(request.data, dict) else None
        if given is not None and (not isinstance(given, str) or given.strip() != demand.reference):
            raise ValidationError({"reference": f"The reference is fixed: the demand stays {demand.reference}."})
        serializer = DemandAmendmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            amend_demand(case=case, by=request.user, **serializer.amendment(demand))
        except ValidationError as exc:
            raise _as_api_fields(exc) from None
        return Response(
            DemandSerializer(self.get_queryset().get(pk=demand.pk), context=self.get_serializer_context()).data
        )


def _as_api_fields(refusal: ValidationError) -> ValidationError:
    """The action names the nondisclosure orders as a list; the API has one order."""
    if not hasattr(refusal, "error_dict"):
        return refusal
    fields: dict[str, list[str]] = {}
    for field, messages in refusal.message_dict.items():
        name = field.replace("nondisclosure_orders[0]", "nondisclosure_order", 1)
        name = "nondisclosure_order" if name == "nondisclosure_orders" else name
        fields.setdefault(name, []).extend(messages)
    return ValidationError(fields)


# Links: from a list or a new demand to the demand and to its case.
link("v1_demands_list", "FirstDemand", "v1_demands_retrieve", parameters={"path.id": "$response.body#/results/0/id"})
link("v1_demands_create", "Demand", "v1_demands_retrieve", status=201, parameters={"path.id": "$response.body#/id"})
link(
    "v1_demands_create", "Case", "v1_cases_status_retrieve", status=201, parameters={"path.id": "$response.body#/case"}
)
link("v1_demands_retrieve", "Case", "v1_cases_retrieve", parameters={"path.id": "$response.body#/case"})
link("v1_demands_retrieve", "CaseStatus", "v1_cases_status_retrieve", parameters={"path.id": "$response.body#/case"})
link(
    "v1_demands_retrieve",
    "Correct",
    "v1_demands_partial_update",
    parameters={"path.id": "$response.body#/id"},
    body={"expected_version": "$response.body#/version"},
)
