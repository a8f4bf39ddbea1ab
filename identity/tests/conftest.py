import datetime

import pytest
import time_machine


@pytest.fixture
def clock():
    """09:00:00 UTC, on the hour (17:00 in Hubei), the clock stopped: `clock.shift(seconds)` moves it."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller
