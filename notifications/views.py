from django.conf import settings
from django.http import Http404
from django.views.generic import ListView

from .models import DevSmsMessage


class DevOutboxView(ListView):
    """Developer outbox: what the console backend sent. Exists only with DEBUG on."""

    template_name = "notifications/dev_outbox.html"
    context_object_name = "sms_messages"

    def dispatch(self, request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return DevSmsMessage.objects.all()[:50]

    def get_context_data(self, **kwargs):
        # Developer aid only (this view is 404 without DEBUG): the demo staff's current TOTP codes.
        from identity.staff_selectors import demo_staff_totp_codes

        return super().get_context_data(demo_totp_codes=demo_staff_totp_codes(), **kwargs)
