from django.urls import path

from jurisdictions import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue, name="index"),
    path("what-if/", views.what_if, name="what_if"),
]
