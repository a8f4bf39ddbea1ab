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
