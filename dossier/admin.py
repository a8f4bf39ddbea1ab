from django.contrib import admin

from core.options import OptionListAdminBase

from .models import OptionItem


@admin.register(OptionItem)
class OptionItemAdmin(OptionListAdminBase):
    """The option lists of the 信息采集 forms. A value in use must not change: correct the label."""
