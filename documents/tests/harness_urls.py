"""A page hosting the upload partials the way an application form does, for the browser tests only."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from identity.permissions import accountant_required

PAGE = """{% extends "base.html" %}{% load i18n %}
{% block title %}Upload harness{% endblock %}
{% block head %}{% include "documents/_assets.html" %}{% endblock %}
{% block content %}
<form method="post" action="" class="form-narrow" data-testid="application-form">{% csrf_token %}
  <input type="text" name="full_name" value="" class="form-control mb-3" data-testid="typed-field">
  {% include "documents/_photo_picker.html" with name="photo" %}
  {% include "documents/_proof_upload.html" with slot="diploma:1" label="毕业证书" help="JPG、PNG 或 PDF" %}
  <button type="submit" class="btn btn-primary">提交</button>
</form>
{% endblock %}"""


@accountant_required
def harness(request):
    return HttpResponse(engines["django"].from_string(PAGE).render({}, request))


urlpatterns = [*project_urlpatterns, path("harness/documents/", harness, name="documents_harness")]
