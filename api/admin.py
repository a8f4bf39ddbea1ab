"""System administrators register API clients here; the secret is shown once, on the page after saving."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .constants import Scope
from .models import ApiClient


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiClient
        fields = ("name", "scopes", "institution", "unit", "is_active", "rate_limit_per_minute")

    def clean(self):
        data = super().clean()
        scopes = data.get("scopes") or []
        if Scope.INSTITUTION in scopes and not data.get("institution"):
            self.add_error("institution", _("A client with the institution scope must be tied to an institution."))
        if Scope.INSTITUTION not in scopes and data.get("institution"):
            self.add_error("institution", _("Only a client with the institution scope is tied to an institution."))
        return data


def _show_secret(request, client, secret):
    messages.warning(
        request,
        _("Client id %(client_id)s, secret %(secret)s — copy it now: it is shown only this once.")
        % {"client_id": client.client_id, "secret": secret},
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "client_id", "scopes", "institution", "unit", "is_active", "rate_limit_per_minute")
    list_filter = ("is_active",)
    search_fields = ("name", "client_id")
    readonly_fields = ("client_id", "secret_fingerprint", "secret_issued_at", "created_at")
    actions = ["issue_new_secret"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        client, secret = services.create_client(
            actor=request.user,
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            institution=obj.institution,
            unit=obj.unit,
            rate_limit_per_minute=obj.rate_limit_per_minute,
            is_active=obj.is_active,
            request=request,
        )
        obj.pk, obj.client_id, obj.service_user = client.pk, client.client_id, client.service_user
        obj._state.adding = False
        _show_secret(request, client, secret)

    @admin.action(description=_("Issue a new secret (the old one stops working)"))
    def issue_new_secret(self, request, queryset):
        for client in queryset:
            _show_secret(request, client, services.rotate_secret(actor=request.user, client=client, request=request))
