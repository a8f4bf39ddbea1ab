from django.urls import path

from .views import accountant, staff

app_name = "integrity"

urlpatterns = [
    # The accountant's 诚信录入 (manual §8).
    path("", accountant.index, name="index"),
    path("new/", accountant.new, name="new"),
    path("<int:pk>/edit/", accountant.edit, name="edit"),
    path("<int:pk>/delete/", accountant.delete, name="delete"),
    # Staff: people in scope and their negative records.
    path("staff/", staff.search, name="staff_search"),
    path("staff/people/<int:pk>/", staff.person, name="staff_person"),
    path("staff/people/<int:pk>/negative/new/", staff.negative_new, name="negative_new"),
    path("staff/negative/<int:pk>/revoke/", staff.negative_revoke, name="negative_revoke"),
]
