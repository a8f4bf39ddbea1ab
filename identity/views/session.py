from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from audit.services import record_event
from core.request_types import ProjectHttpRequest


@require_POST
def logout_view(request: ProjectHttpRequest) -> HttpResponse:
    """Sign out: ends the session server-side. POST only (no state change on GET)."""
    if request.user.is_authenticated:
        record_event(action="auth.logout", request=request)
    logout(request)
    return redirect("core:home")
