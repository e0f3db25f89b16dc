from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.defaults import page_not_found, server_error

from cases import views as case_views
from cases.urls import report_patterns
from config.security import ThrottledAdminAuthenticationForm, ThrottledLoginView

admin.site.login_form = ThrottledAdminAuthenticationForm  # the admin's login is throttled too

urlpatterns = [
    path("", case_views.home, name="home"),
    path("healthz", case_views.healthz, name="healthz"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("cases/", include("cases.urls")),
    path("demands/", include("requests_app.urls")),
    path("reports/", include((report_patterns, "reports"))),
    path("catalogue/", include("jurisdictions.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]


def _json_for_api(default):
    """API paths answer errors in the API's JSON shape, pages keep Django's pages."""

    def handler(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            status = 404 if default is page_not_found else 500
            message = "Not found." if status == 404 else "Server error."
            body = {
                "error": {
                    "status": status,
                    "code": "not_found" if status == 404 else "error",
                    "message": message,
                    "fields": {},
                }
            }
            return JsonResponse(body, status=status)
        return default(request, *args, **kwargs)

    return handler


handler404 = _json_for_api(page_not_found)
handler500 = _json_for_api(server_error)
