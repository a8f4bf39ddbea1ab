from django.views.generic import TemplateView

from .navigation import ENTRIES


class HomeView(TemplateView):
    """导航页 (manual §3)."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(entries=ENTRIES, **kwargs)


class NoticeView(TemplateView):
    """采集须知 (manual §2)."""

    template_name = "core/notice.html"
