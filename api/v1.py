"""The data-exchange API, version 1 (django-ninja): /api/v1/…, schema /api/v1/openapi.json, docs /api/v1/docs.

Views are thin: authentication (`auth.SignedRequest`), scope checks, then a selector or a service of
the app that owns the data. Every refusal is JSON {"code", "message"} (api.errors).
"""

import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from ninja import Header, NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.responses import NinjaJSONEncoder

from institutions import services as institution_services

from . import selectors
from .auth import SignedRequest, require_scope
from .constants import IDEMPOTENCY_KEY_PATTERN, Scope
from .errors import ApiError, error_response, response_for
from .models import IdempotencyRecord
from .schemas import (
    AttendeePage,
    AttendeesIn,
    CePage,
    CourseIn,
    CourseOut,
    Error,
    RecordPage,
    RegistrationOut,
    VerificationOut,
)

api = NinjaAPI(
    title="湖北省会计人员管理系统 数据交换接口",
    version="1",
    description=(
        "Signed requests (HMAC-SHA256; headers X-Client-Id, X-Timestamp, X-Nonce, X-Signature), scopes per "
        "client, per-client rate limits, idempotent POSTs (Idempotency-Key). Errors: JSON {code, message}. "
        "See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=SignedRequest(),
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ERRORS_COMMON = {400: Error, 401: Error, 403: Error, 429: Error, 503: Error}
ERRORS_ONE = {**ERRORS_COMMON, 404: Error}
ERRORS_POST = {**ERRORS_ONE, 409: Error, 422: Error}


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return response_for(exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors]
    return error_response("invalid_request", errors=errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error_response("missing_credentials")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 404:
        return error_response("not_found")
    return error_response("invalid_request")


# --------------------------------------------------------------------------- helpers

_CURSOR_RE = re.compile(r"^[0-9]{1,18}$")
_CE_CURSOR_RE = re.compile(r"^([0-9]{1,18})\.([0-9]{1,18})$")
_IDEMPOTENCY_RE = re.compile(IDEMPOTENCY_KEY_PATTERN)


def _cursor(value: str) -> int:
    if not _CURSOR_RE.fullmatch(value or "0"):
        raise ApiError("invalid_cursor")
    return int(value or "0")


def _idempotent(request, client, key: str, operation, status: int):
    """Run `operation` once per (client, key): replay its stored response, refuse another request (409).

    Only successful responses are stored, in the transaction of the write itself: a refused request
    changes nothing and may be sent again, corrected, with the same key.
    """
    if not _IDEMPOTENCY_RE.fullmatch(key or ""):
        raise ApiError("missing_idempotency_key")
    digest = hashlib.sha256(f"{request.method}\n{request.path}\n".encode() + request.body).hexdigest()

    def replay(record):
        if record.request_hash != digest:
            raise ApiError("idempotency_conflict")
        response = JsonResponse(record.response, status=record.status_code, json_dumps_params={"ensure_ascii": False})
        response["Idempotent-Replayed"] = "true"
        return response

    existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            body = operation()
            # Stored as the renderer writes it, so a replay is byte-for-byte the first answer's JSON.
            data = json.loads(json.dumps(body.model_dump(), cls=NinjaJSONEncoder))
            IdempotencyRecord.objects.create(
                client=client, key=key, request_hash=digest, status_code=status, response=data
            )
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if existing is None:
            raise
        return replay(existing)
    return Status(status, body)


def _institution_error(exc: institution_services.InstitutionError):
    if exc.code == "row_errors":
        errors = [{"row": r.get("row"), "errors": r["errors"]} for r in exc.results if r.get("errors")]
        return ApiError("rejected", str(exc.message), errors=errors)
    if exc.code == "invalid":
        return ApiError("invalid_request", str(exc.message), errors=getattr(exc, "errors", None))
    return ApiError("rejected", str(exc.message))


# --------------------------------------------------------------------------- institutions


@api.post("/courses", response={201: CourseOut, **ERRORS_POST}, tags=["institutions"], operation_id="create_course")
def create_course(
    request,
    payload: CourseIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN),
):
    """Register a course of the client's institution (scope `institution`). Credits follow the course rule."""
    client = require_scope(request, Scope.INSTITUTION)
    if client.institution is None:
        raise ApiError("insufficient_scope")

    def operation():
        try:
            course = institution_services.create_course(
                institution=client.institution,
                actor=client.service_user,
                data=institution_services.CourseInput(**payload.dict()),
                request=request,
            )
        except institution_services.InstitutionError as exc:
            raise _institution_error(exc) from None
        return CourseOut(**selectors.course_dict(course))

    return _idempotent(request, client, idempotency_key, operation, 201)


@api.get("/courses/{course_id}", response={200: CourseOut, **ERRORS_ONE}, tags=["institutions"])
def get_course(request, course_id: int = Path(..., ge=1, le=2**62)):
    """A course of the client's institution with its attendee counts (another institution's: 404)."""
    client = require_scope(request, Scope.INSTITUTION)
    return Status(200, selectors.course_dict(selectors.course_for_client(client, course_id)))


@api.post(
    "/courses/{course_id}/attendees",
    response={200: RegistrationOut, **ERRORS_POST},
    tags=["institutions"],
    operation_id="register_attendees",
)
def register_attendees(
    request,
    payload: AttendeesIn,
    course_id: int = Path(..., ge=1, le=2**62),
    idempotency_key: str = Header(..., alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY_PATTERN),
):
    """Register attendees, all or nothing (422 `rejected` with the errors of each row); already registered
    people are skipped."""
    client = require_scope(request, Scope.INSTITUTION)
    course = selectors.course_for_client(client, course_id)

    def operation():
        rows = [
            {"row": n, "id_type": a.id_type, "id_number": a.id_number, "name": a.name, "date": a.date.isoformat()}
            for n, a in enumerate(payload.attendees, start=1)
        ]
        try:
            result = institution_services.register_attendees(
                course=course, rows=rows, actor=client.service_user, request=request
            )
        except institution_services.InstitutionError as exc:
            raise _institution_error(exc) from None
        return RegistrationOut(registered=result.registered, already=result.already)

    return _idempotent(request, client, idempotency_key, operation, 200)


@api.get("/courses/{course_id}/attendees", response={200: AttendeePage, **ERRORS_ONE}, tags=["institutions"])
def list_attendees(
    request,
    course_id: int = Path(..., ge=1, le=2**62),
    cursor: str = Query("0", pattern=r"^[0-9]{1,18}$"),
    limit: int = Query(100, ge=1, le=500),
):
    """The course's attendees and their status, by id (keyset pages)."""
    client = require_scope(request, Scope.INSTITUTION)
    course = selectors.course_for_client(client, course_id)
    return Status(200, selectors.attendees_page(course, after=_cursor(cursor), limit=limit))


# --------------------------------------------------------------------------- records


@api.get("/records/changes", response={200: RecordPage, **ERRORS_COMMON}, tags=["records"])
def record_changes(
    request,
    cursor: str = Query("0", pattern=r"^[0-9]{1,18}$", description="0 for the beginning, then next_cursor"),
    limit: int = Query(100, ge=1, le=500),
):
    """Approved records and their approved changes since `cursor` (scope `records:read`; a client limited
    to a unit sees that unit and the units below it). No version is skipped or repeated (docs/api.md)."""
    client = require_scope(request, Scope.RECORDS_READ)
    return Status(200, selectors.records_feed(client, after=_cursor(cursor), limit=limit))


@api.get("/ce/changes", response={200: CePage, **ERRORS_COMMON}, tags=["records"])
def ce_changes(
    request,
    cursor: str = Query("0.0", pattern=r"^[0-9]{1,18}\.[0-9]{1,18}$", description="0.0, then next_cursor"),
    limit: int = Query(100, ge=1, le=500),
):
    """继续教育: events that changed a person's credits of a year, with that year's summary now."""
    client = require_scope(request, Scope.RECORDS_READ)
    match = _CE_CURSOR_RE.fullmatch(cursor or "")
    if match is None:
        raise ApiError("invalid_cursor")
    return Status(
        200, selectors.ce_feed(client, after_review=int(match[1]), after_attendance=int(match[2]), limit=limit)
    )


# --------------------------------------------------------------------------- certificates


@api.get("/certificates/verify", response={200: VerificationOut, **ERRORS_ONE}, tags=["certificates"])
def verify_certificate(request, token: str = Query(..., min_length=1, max_length=200)):
    """Whether a certificate (the signed token of its verification URL) is valid now."""
    require_scope(request, Scope.CERTIFICATES_VERIFY)
    from certificates import selectors as certificate_selectors

    raw = certificate_selectors.unsigned_token(token)
    certificate = certificate_selectors.certificate_for_token(raw) if raw else None
    if certificate is None:
        raise ApiError("not_found")
    verification = certificate_selectors.validity_of(certificate)
    return Status(
        200,
        {
            "valid": verification.is_valid,
            "validity": verification.validity,
            "kind": certificate.kind,
            "serial": certificate.serial,
            "name": certificate.person.full_name,
            "year": certificate.year,
            "credits": certificate.credits,
            "record_version": certificate.record_version,
            "issued_at": certificate.issued_at,
        },
    )
