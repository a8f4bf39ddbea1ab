import json
import secrets
import time
from urllib.parse import urlencode

import pytest

from api import services, signing
from api.constants import Scope
from identity.constants import StaffRole
from identity.tests.factories import StaffFactory, review_unit
from institutions.tests.conftest import (  # noqa: F401 - the institutions fixtures apply here too
    _fast_password_hashing,
    _today,
    hubei_rule,
    make_course,
    make_institution,
    row,
)


def admin_user():
    return StaffFactory(role=StaffRole.SYSTEM_ADMIN, unit=review_unit("420000"))


def make_client(scopes, *, institution=None, unit=None, rate=1000, active=True):
    client, secret = services.create_client(
        actor=admin_user(),
        name="测试客户端",
        scopes=scopes,
        institution=institution,
        unit=unit,
        rate_limit_per_minute=rate,
        is_active=active,
    )
    return client, secret


class Signed:
    """A Django test client that signs each request as an API client."""

    def __init__(self, http, client_id, secret):
        self.http, self.client_id, self.secret = http, client_id, secret

    def headers(self, method, path, query="", body=b"", *, timestamp=None, nonce=None):
        return signing.signed_headers(
            client_id=self.client_id,
            secret=self.secret,
            method=method,
            path=path,
            query_string=query,
            body=body,
            timestamp=timestamp if timestamp is not None else time.time(),
            nonce=nonce or secrets.token_hex(16),
        )

    def get(self, path, params=None, **header_overrides):
        query = urlencode(params or {})
        headers = {**self.headers("GET", path, query), **header_overrides}
        return self.http.get(path + ("?" + query if query else ""), headers=headers)

    def post(self, path, data, *, key=None, **header_overrides):
        body = json.dumps(data).encode()
        headers = {**self.headers("POST", path, "", body), **header_overrides}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def institution(db):
    return make_institution(1)


@pytest.fixture
def institution_api(client, institution):
    api_client, secret = make_client([Scope.INSTITUTION], institution=institution)
    return Signed(client, api_client.client_id, secret)


@pytest.fixture
def records_api(client, db):
    api_client, secret = make_client([Scope.RECORDS_READ])
    return Signed(client, api_client.client_id, secret)
