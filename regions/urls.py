from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("unit-options/", views.unit_options, name="unit_options"),
]
