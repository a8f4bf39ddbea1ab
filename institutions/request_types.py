"""Request type of the institutions' own pages (see `core.request_types`)."""

from identity.request_types import SignedInRequest

from .models import Institution


class InstitutionRequest(SignedInRequest):
    """A request through `permissions.institution_required`: `request.institution` is the staff member's."""

    institution: Institution
