"""The REST API, versioned under /api/v1/, with its OpenAPI schema and offline docs."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.routers import DefaultRouter

from accounts.api import ApiView
from cases.api import CaseExportView, CaseViewSet, TransparencyReportView, WhoAmIView
from cases.api_documents import CaseCorrespondenceView, CaseDocumentsView
from cases.api_orders import CaseTasksView, CompleteTaskView, ExtendNdoView
from cases.api_preservation import DisclosureDecisionView, ExtendPreservationView
from cases.api_productions import CaseProductionsView
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
    strict_query = False


if TYPE_CHECKING:
    from rest_framework.views import APIView

    _DocsPageBase = APIView  # what DocsPage is mixed into
else:
    _DocsPageBase = object


class DocsPage(_DocsPageBase):
    """A documentation page is for people: an anonymous browser (no token given) is
    sent to the login page and back, not shown a bare 401. The schema itself stays an
    API resource (401 without credentials)."""

    def handle_exception(self, exc):
        anonymous = isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
        if anonymous and "HTTP_AUTHORIZATION" not in self.request.META and "script" not in self.request.GET:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class SwaggerView(DocsPage, ApiView, SpectacularSwaggerSplitView):
    """Swagger UI within the site's CSP as it stands: the split view serves the init
    script from this same URL (`?script`) instead of inline, and the template keeps its
    page rules in a stylesheet."""

    template_name = "api/swagger_ui.html"
    strict_query = False


# Redoc writes its styles into <style> tags at run time, some of them as its bundle
# loads (before any nonce could be handed to it), so this page alone allows inline
# styles; scripts still need the nonce. Its search index runs in a Web Worker made
# from a blob: URL. Everything else stays as in SECURE_CSP.
REDOC_CSP: dict[str, list[str]] = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}


@method_decorator(csp_override(REDOC_CSP), name="dispatch")
class RedocView(DocsPage, ApiView, SpectacularRedocView):
    template_name = "api/redoc.html"
    strict_query = False


@csrf_exempt
@login_not_required
def not_found(request, *args, **kwargs):
    """Any other API path, an id out of range included: the API's 404, also with DEBUG
    on (where Django would answer an unmatched URL with its HTML debug page). This
    route matches every path under /api/, so CommonMiddleware no longer adds a missing
    slash here: a GET of a known path without it is redirected as before, and any other
    method is told, in JSON (where Django would raise with DEBUG on)."""
    message = "Not found."
    path_info = request.path_info
    if not path_info.endswith("/"):
        try:
            match = resolve(f"{path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            message = f"Not found: API paths end with a slash ({request.path}/)."
    return JsonResponse({"error": {"status": 404, "code": "not_found", "message": message, "fields": {}}}, status=404)


urlpatterns = [
    path("v1/", include((router.urls, "api"), namespace="v1")),
    path("v1/what-if/", WhatIfView.as_view(), name="what-if"),
    path("v1/whoami/", WhoAmIView.as_view(), name="whoami"),
    # The router's id pattern: beyond 64-bit ids the database would overflow.
    re_path(r"^v1/cases/(?P<pk>[0-9]{1,18})/export/$", CaseExportView.as_view(), name="case-export"),
    re_path(r"^v1/cases/(?P<pk>[0-9]{1,18})/tasks/$", CaseTasksView.as_view(), name="case-tasks"),
    re_path(
        r"^v1/cases/(?P<pk>[0-9]{1,18})/tasks/(?P<task_id>[0-9]{1,18})/complete/$",
        CompleteTaskView.as_view(),
        name="case-task-complete",
    ),
    re_path(r"^v1/cases/(?P<pk>[0-9]{1,18})/extend-ndo/$", ExtendNdoView.as_view(), name="case-extend-ndo"),
    re_path(r"^v1/cases/(?P<pk>[0-9]{1,18})/documents/$", CaseDocumentsView.as_view(), name="case-documents"),
    re_path(
        r"^v1/cases/(?P<pk>[0-9]{1,18})/correspondence/$", CaseCorrespondenceView.as_view(), name="case-correspondence"
    ),
    re_path(r"^v1/cases/(?P<pk>[0-9]{1,18})/productions/$", CaseProductionsView.as_view(), name="case-productions"),
    re_path(
        r"^v1/cases/(?P<pk>[0-9]{1,18})/extend-preservation/$",
        ExtendPreservationView.as_view(),
        name="case-extend-preservation",
    ),
    re_path(
        r"^v1/cases/(?P<pk>[0-9]{1,18})/disclosure-decision/$",
        DisclosureDecisionView.as_view(),
        name="case-disclosure-decision",
    ),
    path("v1/reports/transparency/", TransparencyReportView.as_view(), name="transparency-report"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
    re_path(r"^.*$", not_found, name="api-not-found"),  # last: every other path under /api/, slash or not
]
