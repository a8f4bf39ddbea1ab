from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.middleware import IDLE_KEY, IDLE_RESOLUTION_SECONDS
from identity.constants import UserKind
from identity.models import User

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_last_seen_stamp_is_written_at_most_once_a_minute(client, django_assert_num_queries):
    client.force_login(User.objects.create(username="acc-idle", kind=UserKind.ACCOUNTANT))
    with time_machine.travel(START, tick=False) as traveller:
        client.get(reverse("core:home"))
        stamped = client.session[IDLE_KEY]

        traveller.shift(timedelta(seconds=IDLE_RESOLUTION_SECONDS - 1))
        with django_assert_num_queries(2):  # session, user: no session write
            client.get(reverse("core:home"))
        assert client.session[IDLE_KEY] == stamped

        traveller.shift(timedelta(seconds=1))
        client.get(reverse("core:home"))
        assert client.session[IDLE_KEY] == stamped + IDLE_RESOLUTION_SECONDS


def test_activity_keeps_a_session_alive_past_the_idle_limit_in_total(client):
    client.force_login(User.objects.create(username="acc-busy", kind=UserKind.ACCOUNTANT))
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):  # 4 × 20 minutes of work, never 30 idle
            assert client.get(reverse("core:home")).wsgi_request.user.is_authenticated
            traveller.shift(timedelta(minutes=20))
        assert client.get(reverse("core:home")).wsgi_request.user.is_authenticated
