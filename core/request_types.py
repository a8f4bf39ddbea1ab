"""Request types for annotations.

django-stubs types `request.user` as `AbstractBaseUser | AnonymousUser` and knows nothing of
what the project's middleware adds. Views annotate their request with these classes; they exist
for the type checker only (Django still passes a `WSGIRequest`).
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class ProjectHttpRequest(HttpRequest):
    """Any request that went through the project's middleware (`config.settings.MIDDLEWARE`)."""

    htmx: HtmxDetails
    request_id: str
    # Set by a view whose page shows personal data typed in by an anonymous visitor (NoStoreMiddleware).
    personal_data: bool
