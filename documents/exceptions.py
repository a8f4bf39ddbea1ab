"""The one error type of documents: a file the person must replace, with a message saying why."""


class UploadRejected(Exception):
    """An upload (or a document operation) was refused.

    `message` is a translated sentence for the person: what is wrong and how to fix it. `code`
    is a short stable key for callers and tests ("type", "size", "quota", "pdf_active", ...).
    """

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code

    def __str__(self):
        return self.message


class StorageUnavailable(UploadRejected):
    """The file storage (local folder or S3) failed or did not answer in time; nothing was stored.

    An UploadRejected, so every form that shows upload refusals shows this one too, with what the
    person typed; documents.middleware then answers the request with 503 instead of 200, and turns
    the exception into the 503 page where nobody caught it (a download).
    """

    def __init__(self, message, *, code: str = "storage"):
        super().__init__(message, code=code)
