from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from accounts import roles
from accounts.api import ERRORS, ApiView
from requests_app.models import Demand, TargetAccount
from requests_app.serializers import DemandSerializer


@extend_schema_view(
    list=extend_schema(summary="List demands", responses={200: DemandSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(
        summary="One demand with its accounts and holdings", responses={200: DemandSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Log a demand with its accounts and holdings (all or nothing); opens its case",
        responses={201: DemandSerializer, 409: OpenApiResponse(description="Reference already logged"), **ERRORS},
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
