from django.contrib.auth import logout
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from audit.services import record_event


@require_POST
def logout_view(request):
    """Sign out: ends the session server-side. POST only (no state change on GET)."""
    if request.user.is_authenticated:
        record_event(action="auth.logout", request=request)
    logout(request)
    return redirect("core:home")
