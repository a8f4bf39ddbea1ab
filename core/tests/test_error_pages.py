"""What people see when something fails: a clear 503 while the database is down, never a stack trace."""

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_closed(request):
    raise InterfaceError("connection already closed")


def broken(request):
    raise ValueError("a bug")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("t/database-down/", database_down),
    path("t/connection-closed/", connection_closed),
    path("t/broken/", broken),
    path("t/fine/", fine),
    *project_urlpatterns,
]
handler500 = "core.views.server_error"


@pytest.fixture
def client_without_raising(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/t/database-down/", "/t/connection-closed/"])
def test_an_unreachable_database_answers_a_clear_503_that_asks_to_retry(client_without_raising, url):
    response = client_without_raising.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "系统繁忙" in text
    assert "请稍候一分钟后重试" in text
    assert "5432" not in text and "Traceback" not in text


def test_any_other_error_is_the_plain_500_page_without_details(client_without_raising):
    response = client_without_raising.get("/t/broken/")

    assert response.status_code == 500
    text = response.content.decode()
    assert "出错了" in text
    assert "a bug" not in text


def test_favicon_ico_is_resolved_per_request_not_when_the_urls_are_imported(client_without_raising):
    assert client_without_raising.get("/t/fine/").status_code == 200
    assert client_without_raising.get("/favicon.ico").status_code == 301
