from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("courses/<int:pk>/template.xlsx", views.template, name="template"),
    path("courses/<int:pk>/upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/progress/", views.upload_progress, name="upload_progress"),
    path("uploads/<int:pk>/errors.xlsx", views.upload_errors, name="upload_errors"),
    path("uploads/<int:pk>/commit/", views.upload_commit, name="upload_commit"),
    path("attendees/<int:pk>/", views.attendee, name="attendee"),
    path("manage/", views.admin_list, name="admin_list"),
    path("manage/new/", views.admin_new, name="admin_new"),
    path("manage/<int:pk>/", views.admin_detail, name="admin_detail"),
    path("manage/<int:pk>/status/", views.admin_status, name="admin_status"),
]
