"""Schemathesis against our OpenAPI schema: every operation, signed requests, no 500, schema-conformant answers.

Bounded (25 examples per operation) and derandomised (the project's hypothesis profile, conftest.py).
The auth hook signs each generated request with a test client's secret, so the generated data reaches
the endpoints instead of stopping at 401; one client holds every scope.
"""

import json
import secrets
import time
from collections import Counter
from urllib.parse import unquote, urlencode

import pytest
import schemathesis
from hypothesis import settings as hypothesis_settings
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import signing
from api.constants import Scope
from api.v1 import api
from config.wsgi import application

from .conftest import make_client, make_course, make_institution

pytestmark = pytest.mark.django_db

# The schema the API serves at /api/v1/openapi.json (built here: ALLOWED_HOSTS is empty while tests are collected).
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
)
schema.app = application
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CREDENTIALS: dict[str, str] = {}
# Per operation: how many generated requests got past authentication (checked by the last test).
ACCEPTED: Counter[str] = Counter()


@schemathesis.auth(refresh_interval=None)
class SignedRequests:
    """Signs the final request: method, path, query, timestamp, nonce and the exact body bytes sent."""

    def get(self, case, ctx):
        return CREDENTIALS

    def set(self, case, data, ctx):
        if not data:  # while collecting: no client yet
            return
        body = b""
        if isinstance(case.body, bytes):
            body = case.body
        elif not isinstance(case.body, NotSet):
            body = json.dumps(case.body, ensure_ascii=False).encode()
            case.body = body
        query = urlencode(
            [
                (k, str(v))
                for k, values in (case.query or {}).items()
                for v in (values if isinstance(values, list) else [values])
            ]
        )
        case.headers = {
            **(case.headers or {}),
            **signing.signed_headers(
                client_id=data["client_id"],
                secret=data["secret"],
                method=case.method,
                path=unquote(case.formatted_path),
                query_string=query,
                body=body,
                timestamp=time.time(),
                nonce=secrets.token_hex(16),
            ),
        }


@pytest.fixture
def django_request_signals_keep_the_test_connection():
    """Schemathesis calls the WSGI handler itself, which sends request_started/request_finished; their
    close_old_connections receiver would close the test transaction's connection on PostgreSQL. Django's
    test client disconnects it the same way for the length of a request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_client_with_every_scope(db, django_request_signals_keep_the_test_connection):
    institution = make_institution(1)
    make_course(institution)
    client, secret = make_client(
        [Scope.INSTITUTION, Scope.RECORDS_READ, Scope.CERTIFICATES_VERIFY], institution=institution, rate=100_000
    )
    CREDENTIALS.update(client_id=client.client_id, secret=secret)
    yield client
    CREDENTIALS.clear()


@schema.parametrize()
@hypothesis_settings(max_examples=25)
def test_api_conforms_to_its_schema(case, api_client_with_every_scope, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # Schemathesis's WSGI requests say Host: localhost
    # Cases built while collecting (explicit and coverage examples) had no client yet: sign every case now.
    SignedRequests().set(case, CREDENTIALS, None)
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if response.status_code != 401:
        ACCEPTED[case.operation.label] += 1


def test_every_operation_was_reached_with_a_valid_signature():
    """Negative cases (a removed header, a multipart body) may answer 401; the others must get through."""
    labels = [operation.ok().label for operation in schema.get_all_operations()]
    assert labels and all(ACCEPTED[label] > 0 for label in labels), ACCEPTED
