"""The one error type of regions: a rule refused the input; `field` says where to show it."""


class RegionError(Exception):
    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
