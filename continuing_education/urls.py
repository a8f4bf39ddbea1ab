from django.urls import path

from . import views

app_name = "continuing_education"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/fields/", views.item_fields, name="item_fields"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("review/<int:pk>/settle/", views.settle, name="settle"),
]
