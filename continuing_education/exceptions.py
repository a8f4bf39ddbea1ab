"""The one error type of 继续教育: what the person (or reviewer) must correct, next to the field."""


class CreditError(Exception):
    """A refused entry, correction, deletion or settlement. `field` names the form field it belongs to."""

    def __init__(self, message, *, field: str | None = None, code: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self):
        return str(self.message)
