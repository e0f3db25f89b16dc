"""The REST API, versioned under /api/v1/, with its OpenAPI schema and offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases.api import CaseExportView, CaseViewSet, TransparencyReportView, WhoAmIView
from config.api import ApiView
from jurisdictions.api import (
    AgreementViewSet,
    ConflictRuleViewSet,
    CourtViewSet,
    InstrumentViewSet,
    JurisdictionViewSet,
    WhatIfView,
)
from requests_app.api import DemandViewSet

router = DefaultRouter()
router.include_root_view = False
# No ".json" suffix routes: the API speaks JSON only, and the workflow actions take no
# `format` argument (a suffixed URL was a 500).
router.include_format_suffixes = False
router.register("cases", CaseViewSet, basename="case")
router.register("demands", DemandViewSet, basename="demand")
router.register("catalogue/jurisdictions", JurisdictionViewSet, basename="jurisdiction")
router.register("catalogue/instruments", InstrumentViewSet, basename="instrument")
router.register("catalogue/agreements", AgreementViewSet, basename="agreement")
router.register("catalogue/conflict-rules", ConflictRuleViewSet, basename="conflict-rule")
router.register("catalogue/courts", CourtViewSet, basename="court")


class SchemaView(ApiView, SpectacularAPIView):
    pass


class SwaggerView(ApiView, SpectacularSwaggerView):
    pass


class RedocView(ApiView, SpectacularRedocView):
    pass


urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="v1")),
    path("v1/what-if/", WhatIfView.as_view(), name="what-if"),
    path("v1/whoami/", WhoAmIView.as_view(), name="whoami"),
    path("v1/cases/<int:pk>/export/", CaseExportView.as_view(), name="case-export"),
    path("v1/reports/transparency/", TransparencyReportView.as_view(), name="transparency-report"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
]
