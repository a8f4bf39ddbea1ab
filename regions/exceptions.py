"""The one error type of regions: a rule refused the input; `field` says where to show it."""


class RegionError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
