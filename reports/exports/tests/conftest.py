import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def export(client, login_staff, django_capture_on_commit_callbacks):
    """`export(user, export_kind, **fields)`: post the export form as `user`; the task runs after the commit (eager)."""

    def run(user, export_kind="roster", /, **fields):
        login_staff(client, user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/reports/exports/", {"export": export_kind, **fields})
        return response

    return run
