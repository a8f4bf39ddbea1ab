"""Writes of the data-exchange API: registering clients and issuing their secrets, idempotent responses."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.services import record_event
from identity.constants import UserKind
from identity.models import User
from institutions.models import Institution
from regions.models import ReviewUnit

from .models import ApiClient


def _signing_key() -> bytes:
    """The server key secrets are derived from (API_SIGNING_KEY, else derived from SECRET_KEY)."""
    configured = getattr(settings, "API_SIGNING_KEY", "")
    if configured:
        return configured.encode()
    return salted_hmac("api.signing_key", "v1", algorithm="sha256").digest()


def secret_for(client: ApiClient) -> str:
    """The client's current secret (what it signs with), recomputed from the salt; never stored."""
    return hmac.new(_signing_key(), client.secret_salt.encode(), hashlib.sha256).hexdigest()


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _new_salt(client: ApiClient) -> str:
    client.secret_salt = secrets.token_hex(32)
    secret = secret_for(client)
    client.secret_fingerprint = fingerprint(secret)
    client.secret_issued_at = timezone.now()
    return secret


def create_client(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    institution: Institution | None = None,
    unit: ReviewUnit | None = None,
    rate_limit_per_minute: int = 120,
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> tuple[ApiClient, str]:
    """Register a client; returns it and its secret (shown once, not kept).

    Creates the client's service account: an inactive staff user with an unusable password, named
    after the client, that course and attendee rows record as their author.
    """
    client_id = "hbkj_" + secrets.token_hex(8)
    with transaction.atomic():
        user = User(
            username=f"api-{client_id}",
            full_name=f"API {name}"[:50],
            kind=UserKind.STAFF,
            unit=unit,
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        client = ApiClient(
            name=name,
            client_id=client_id,
            scopes=sorted(set(scopes)),
            institution=institution,
            unit=unit,
            rate_limit_per_minute=rate_limit_per_minute,
            is_active=is_active,
            service_user=user,
        )
        secret = _new_salt(client)
        client.save()
        record_event(
            action="api.client_create",
            request=request,
            actor=actor,
            obj=client,
            detail={"client_id": client_id, "scopes": client.scopes, "fingerprint": client.secret_fingerprint},
        )
    return client, secret


def rotate_secret(*, actor: User, client: ApiClient, request: HttpRequest | None = None) -> str:
    """Issue a new secret (returned, shown once); the old one stops working at once."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        secret = _new_salt(locked)
        locked.save(update_fields=["secret_salt", "secret_fingerprint", "secret_issued_at"])
        record_event(
            action="api.client_rotate",
            request=request,
            actor=actor,
            obj=locked,
            detail={"client_id": locked.client_id, "fingerprint": locked.secret_fingerprint},
        )
    client.secret_salt, client.secret_fingerprint = locked.secret_salt, locked.secret_fingerprint
    client.secret_issued_at = locked.secret_issued_at
    return secret
