from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import views as case_views

urlpatterns = [
    path("", case_views.home, name="home"),
    path("healthz", case_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("cases/", include("cases.urls")),
    path("demands/", include("requests_app.urls")),
    path("catalogue/", include("jurisdictions.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]
