"""503 for requests during which the file storage failed.

A storage failure (documents.storage) raises StorageUnavailable, an UploadRejected: the forms that
show upload refusals show it next to the file with everything the person typed, like a validation
error. This middleware makes the status of such a page 503 (with Retry-After), and turns a
StorageUnavailable that nobody caught (a download, an unforeseen path) into the 503 page instead
of a 500. Files written during the request whose rows did not survive it are deleted at its end.
Add it to MIDDLEWARE after the session, auth and message middleware.
"""

from django.shortcuts import render

from .exceptions import StorageUnavailable
from .services import delete_unclaimed_files
from .storage import request_scope

RETRY_AFTER_SECONDS = 60


def storage_unavailable_response(request, exception: StorageUnavailable | None = None):
    """The 503 page: the storage is unavailable, try again later."""
    response = render(
        request,
        "documents/storage_unavailable.html",
        {"message": exception.message if exception is not None else ""},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class StorageUnavailableMiddleware:
    """Answer 503 when the file storage failed during the request (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope() as state:
            response = self.get_response(request)
        # Bytes whose row was rolled back with the caller's transaction go now, not at the nightly purge.
        delete_unclaimed_files(state.written)
        if state.failed and response.status_code == 200:
            # A page re-rendered with the storage error on its form: same page, honest status.
            response.status_code = 503
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            return storage_unavailable_response(request, exception)
        return None
