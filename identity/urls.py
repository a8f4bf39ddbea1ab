from django.urls import path

from .accountant_urls import urlpatterns as accountant_urlpatterns
from .staff_urls import urlpatterns as staff_urlpatterns
from .views.session import logout_view

app_name = "identity"

urlpatterns = [
    path("logout/", logout_view, name="logout"),
    *accountant_urlpatterns,
    *staff_urlpatterns,
]
