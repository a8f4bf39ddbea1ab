from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/ce/<int:year>/", views.ce_certificate, name="ce"),
    path("certificates/registration/", views.registration_form, name="registration"),
    # Public: anyone holding the printed certificate checks it here (core/tests/test_url_access.py).
    path("verify/<str:signed>/", views.verify, name="verify"),
]
