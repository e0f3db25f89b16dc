from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/analysis/", views.case_analysis, name="analysis"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign_off"),
]
