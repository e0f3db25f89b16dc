from django.urls import path

from requests_app import views

app_name = "demands"

urlpatterns = [
    path("new/", views.demand_new, name="new"),
    path("new/account/", views.account_form, name="account_form"),
    path("new/account/<int:account>/holding/", views.holding_form, name="holding_form"),
    path("<int:pk>/document/", views.demand_document, name="document"),
]
