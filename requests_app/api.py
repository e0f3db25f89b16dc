from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from accounts import roles
from accounts.api import ERRORS, ApiView, error, link
from requests_app.models import Demand, TargetAccount
from requests_app.serializers import DemandSerializer


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

    def get_queryset(self):
        accounts = TargetAccount.objects.select_related("residence").prefetch_related(
            "holdings__data_location", "holdings__controlled_by"
        )
        return Demand.objects.select_related(
            "instrument", "issuing_jurisdiction", "court", "served_entity", "case"
        ).prefetch_related(Prefetch("accounts", queryset=accounts))


# Links: from a list or a new demand to the demand and to its case.
link("v1_demands_list", "FirstDemand", "v1_demands_retrieve", parameters={"path.id": "$response.body#/results/0/id"})
link("v1_demands_create", "Demand", "v1_demands_retrieve", status=201, parameters={"path.id": "$response.body#/id"})
link(
    "v1_demands_create", "Case", "v1_cases_status_retrieve", status=201, parameters={"path.id": "$response.body#/case"}
)
link("v1_demands_retrieve", "Case", "v1_cases_retrieve", parameters={"path.id": "$response.body#/case"})
link("v1_demands_retrieve", "CaseStatus", "v1_cases_status_retrieve", parameters={"path.id": "$response.body#/case"})
