"""Optional Sentry: started only with SENTRY_DSN, no personal data collected, phones and IDs masked."""

import os

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from core.logs import init_sentry


class RecordingTransport(Transport):
    """Keeps envelopes instead of sending them (no network in tests)."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def no_sentry_afterwards():
    yield
    client = sentry_sdk.get_client()
    client.close()
    sentry_sdk.get_global_scope().set_client(None)


def test_sentry_is_off_without_a_dsn():
    assert "SENTRY_DSN" not in os.environ
    assert not sentry_sdk.get_client().is_active()
    assert init_sentry("") is False
    assert not sentry_sdk.get_client().is_active()


def test_sentry_starts_with_a_dsn_without_pii_and_masks_events(no_sentry_afterwards):
    # A DSN on loopback and a transport that keeps events: nothing leaves the machine.
    assert init_sentry("http://public@127.0.0.1:18399/1", transport=RecordingTransport) is True
    client = sentry_sdk.get_client()
    assert client.is_active()
    collection = client.options["data_collection"]
    assert collection["user_info"] is False
    assert collection["stack_frame_variables"] is False
    assert collection["http_bodies"] == []
    assert collection["url_query_params"]["mode"] == "off"
    assert collection["cookies"]["mode"] == "off"
    integrations = set(client.integrations)
    assert {"django", "celery"} <= integrations

    sentry_sdk.capture_message("no account for 13812345678 / 420102199001011236")
    client.flush(timeout=5)
    transport = client.transport
    events = [item.payload.json for envelope in transport.envelopes for item in envelope.items if item.type == "event"]
    assert len(events) == 1
    text = str(events[0])
    assert "138****5678" in text and "420***********1236" in text
    assert "13812345678" not in text and "420102199001011236" not in text
