from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from . import services
from .hooks import dev_outbox_panels, system_admin_required
from .models import DevSmsMessage, Notification
from .selectors import failed_notifications

FAILED_PAGE_SIZE = 50


class DevOutboxView(ListView[DevSmsMessage]):
    """Developer outbox: what the console backend sent. Exists only with DEBUG on."""

    template_name = "notifications/dev_outbox.html"
    context_object_name = "sms_messages"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.DEBUG:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DevSmsMessage]:
        return DevSmsMessage.objects.all()[:50]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Developer aid only (this view is 404 without DEBUG): what the apps above add (notifications.hooks).
        return super().get_context_data(dev_outbox_panels=dev_outbox_panels(self.request), **kwargs)


@system_admin_required
@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    """SMS that could not be sent after every attempt (or were refused for good), with a resend button."""
    page = Paginator(failed_notifications(), FAILED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/failed_list.html", {"page": page, "notifications": page.object_list})


@system_admin_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    try:
        services.resend_failed(notification=notification, request=request)
    except services.NotResendable:
        messages.info(request, _("This SMS is no longer failed: it has already been resent."))
    else:
        messages.success(request, _("The SMS has been queued to be sent again."))
    return redirect("notifications:failed_list")
