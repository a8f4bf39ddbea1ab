import pytest

from reviews.tests.factories import KindRecorder


@pytest.fixture(autouse=True)
def testkind():
    """The review engine's test kind (an envelope without payload), as in reviews' tests."""
    recorder = KindRecorder().register()
    yield recorder
    recorder.unregister()
