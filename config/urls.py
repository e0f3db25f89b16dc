import sys

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.defaults import page_not_found, server_error
from django.views.generic import RedirectView

from accounts import views as account_views
from accounts.security import SignedOutView, ThrottledAdminAuthenticationForm, ThrottledLoginView
from cases import views as case_views
from cases.urls import notification_patterns, report_patterns

admin.site.login_form = ThrottledAdminAuthenticationForm  # the admin's login is throttled too

urlpatterns = [
    path("", case_views.home, name="home"),
    path("healthz", case_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says: the vendored icon, to anyone.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=False)),
        name="favicon",
    ),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", SignedOutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", account_views.profile, name="profile"),
    path("profile/browser-time-zone/", account_views.browser_time_zone, name="profile_browser_time_zone"),
    path("cases/", include("cases.urls")),
    path("demands/", include("requests_app.urls")),
    path("reports/", include((report_patterns, "reports"))),
    path("notifications/", include((notification_patterns, "notifications"))),
    path("catalogue/", include("jurisdictions.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]


# Seconds a client is asked to wait when the database is unreachable (a restart or
# failover takes a few seconds: tests/fault/test_postgres_restart.py).
RETRY_AFTER_SECONDS = 5


def _database_unavailable() -> bool:
    """True while handling an error from a database that cannot be reached or
    answer (a restart, a failover, a timeout): worth retrying, unlike a bug."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def _json_for_api(default):
    """API paths answer errors in the API's JSON shape, pages keep Django's pages.
    A database that is down for a moment answers 503 with Retry-After, not 500."""

    def handler(request, *args, **kwargs):
        if default is server_error and _database_unavailable():
            status, code = 503, "unavailable"
            message = f"The database is unavailable for a moment; retry in {RETRY_AFTER_SECONDS} seconds."
        elif default is server_error:
            status, code, message = 500, "error", "Server error."
        else:
            status, code, message = 404, "not_found", "Not found."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"status": status, "code": code, "message": message, "fields": {}}}, status=status
            )
        elif status == 503:
            # A page that needs nothing from the database: no user, no session.
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        else:
            return default(request, *args, **kwargs)
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return handler


handler404 = _json_for_api(page_not_found)
handler500 = _json_for_api(server_error)
