"""Errors of the data-exchange API: JSON {"code", "message"} with the code's HTTP status, never HTML."""

from django.http import JsonResponse

from .constants import ERRORS


class ApiError(Exception):
    """A refusal with a machine code (api.constants.ERRORS); `message` overrides the code's default."""

    def __init__(self, code: str, message: str | None = None, *, headers: dict | None = None, errors=None):
        status, default = ERRORS[code]
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message or default
        self.headers = headers or {}
        self.errors = errors


def error_response(code: str, message: str | None = None, *, headers: dict | None = None, errors=None):
    exc = ApiError(code, message, headers=headers, errors=errors)
    return response_for(exc)


def response_for(exc: ApiError) -> JsonResponse:
    body = {"code": exc.code, "message": str(exc.message)}
    if exc.errors:
        body["errors"] = exc.errors
    response = JsonResponse(body, status=exc.status, json_dumps_params={"ensure_ascii": False})
    for name, value in exc.headers.items():
        response[name] = value
    return response
