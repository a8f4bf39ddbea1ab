import datetime
import json

import pytest

from api.constants import Scope
from api.models import ApiClient
from audit.models import AuditEvent
from institutions.models import Attendance, Course

from .conftest import Signed, make_client, make_course, make_institution, row

pytestmark = pytest.mark.django_db
COURSE = {
    "name": "2026年政府会计准则培训",
    "subject": "professional",
    "mode": "face_to_face",
    "start_date": "2026-05-01",
    "end_date": "2026-05-03",
    "hours": 8,
}


def _body(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


# --------------------------------------------------------------------------- authentication


def test_bad_signature_is_401_json(institution_api):
    response = institution_api.get("/api/v1/courses/1", **{"X-Signature": "0" * 64})
    assert response.status_code == 401
    assert _body(response) == {"code": "invalid_signature", "message": "签名无效"}


def test_replayed_nonce_is_refused(institution_api):
    headers = institution_api.headers("GET", "/api/v1/records/changes")
    first = institution_api.http.get("/api/v1/records/changes", headers=headers)
    assert first.status_code == 403  # signed correctly, wrong scope: the nonce is used
    again = institution_api.http.get("/api/v1/records/changes", headers=headers)
    assert again.status_code == 401 and _body(again)["code"] == "replayed_nonce"


def test_expired_timestamp_is_refused(institution_api):
    import time

    headers = institution_api.headers("GET", "/api/v1/courses/1", timestamp=time.time() - 301)
    response = institution_api.http.get("/api/v1/courses/1", headers=headers)
    assert response.status_code == 401 and _body(response)["code"] == "invalid_timestamp"


def test_unknown_and_inactive_clients_are_refused(client, institution):
    api_client, secret = make_client([Scope.INSTITUTION], institution=institution)
    unknown = Signed(client, "hbkj_nobody", secret).get("/api/v1/courses/1")
    assert unknown.status_code == 401 and _body(unknown)["code"] == "unknown_client"
    ApiClient.objects.filter(pk=api_client.pk).update(is_active=False)
    inactive = Signed(client, api_client.client_id, secret).get("/api/v1/courses/1")
    assert inactive.status_code == 401 and _body(inactive)["code"] == "unknown_client"


def test_missing_headers_and_unknown_paths_answer_json(client, db):
    response = client.get("/api/v1/records/changes")
    assert response.status_code == 401 and _body(response)["code"] == "missing_credentials"
    assert _body(client.get("/api/v1/nothing-here"))["code"] == "not_found"
    assert _body(client.get("/api/other"))["code"] == "not_found"


def test_wrong_scope_is_403(records_api):
    response = records_api.get("/api/v1/courses/1")
    assert response.status_code == 403
    assert _body(response) == {"code": "insufficient_scope", "message": "客户端无权访问该接口"}


def test_a_rotated_secret_stops_the_old_one(client, institution):
    from api import services

    api_client, secret = make_client([Scope.INSTITUTION], institution=institution)
    new_secret = services.rotate_secret(actor=None, client=api_client)
    assert Signed(client, api_client.client_id, secret).get("/api/v1/courses/1").status_code == 401
    assert Signed(client, api_client.client_id, new_secret).get("/api/v1/courses/1").status_code == 404


def test_the_database_does_not_hold_the_secret(institution):
    api_client, secret = make_client([Scope.INSTITUTION], institution=institution)
    stored = json.dumps(list(ApiClient.objects.filter(pk=api_client.pk).values().first().values()), default=str)
    assert secret not in stored


# --------------------------------------------------------------------------- rate limit and cache


def test_rate_limit_answers_429_with_retry_after(client, institution):
    api_client, secret = make_client([Scope.INSTITUTION], institution=institution, rate=3)
    signed = Signed(client, api_client.client_id, secret)
    statuses = [signed.get("/api/v1/courses/1").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    limited = signed.get("/api/v1/courses/1")
    assert _body(limited)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_nonce_store_down_refuses_with_503(institution_api, settings):
    settings.CACHES = {
        **settings.CACHES,
        "broken": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:19849/0",  # nothing listens here
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
    }
    settings.SMS_RATELIMIT_CACHE = "broken"
    response = institution_api.get("/api/v1/courses/1")
    assert response.status_code == 503 and _body(response)["code"] == "service_unavailable"


# --------------------------------------------------------------------------- institutions


def test_create_course_then_replay_and_conflict(institution_api, institution):
    created = institution_api.post("/api/v1/courses", COURSE, key="course-0001")
    assert created.status_code == 201, created.content
    course = _body(created)
    assert course["credits"] == 24 and Course.objects.get(pk=course["id"]).institution == institution
    replayed = institution_api.post("/api/v1/courses", COURSE, key="course-0001")
    assert replayed.status_code == 201 and _body(replayed) == course
    assert replayed["Idempotent-Replayed"] == "true"
    assert Course.objects.filter(institution=institution).count() == 1
    conflict = institution_api.post("/api/v1/courses", {**COURSE, "hours": 9}, key="course-0001")
    assert conflict.status_code == 409 and _body(conflict)["code"] == "idempotency_conflict"
    assert Course.objects.filter(institution=institution).count() == 1


def test_post_without_idempotency_key_is_400(institution_api):
    response = institution_api.post("/api/v1/courses", COURSE)
    assert response.status_code == 400 and _body(response)["code"] == "invalid_request"
    assert not Course.objects.exists()


def test_bad_course_gets_chinese_messages_and_writes_nothing(institution_api):
    response = institution_api.post("/api/v1/courses", {**COURSE, "end_date": "2026-04-01"}, key="course-bad-1")
    assert response.status_code == 400
    body = _body(response)
    assert body["code"] == "invalid_request" and "结束日期" in json.dumps(body, ensure_ascii=False)
    assert not Course.objects.exists()


def test_register_attendees_all_or_nothing_and_read_back(institution_api, institution):
    course = make_course(institution)
    url = f"/api/v1/courses/{course.pk}/attendees"
    bad = institution_api.post(url, {"attendees": [row(1), row(2, id_number="420103199001011230")]}, key="att-0001")
    assert bad.status_code == 422
    body = _body(bad)
    assert body["code"] == "rejected" and body["errors"][0]["row"] == 2
    assert not Attendance.objects.exists()
    good = institution_api.post(url, {"attendees": [row(1), row(2)]}, key="att-0002")
    assert good.status_code == 200 and _body(good) == {"registered": 2, "already": 0}
    again = institution_api.post(url, {"attendees": [row(1)]}, key="att-0003")
    assert _body(again) == {"registered": 0, "already": 1}
    listed = _body(institution_api.get(url, {"limit": 1}))
    assert len(listed["items"]) == 1 and listed["has_more"] is True
    rest = _body(institution_api.get(url, {"limit": 5, "cursor": listed["next_cursor"]}))
    assert [a["name"] for a in listed["items"] + rest["items"]] == ["学员1", "学员2"]
    assert _body(institution_api.get(f"/api/v1/courses/{course.pk}"))["attendees_active"] == 2


def test_another_institutions_course_is_404(institution_api):
    other = make_course(make_institution(2))
    assert institution_api.get(f"/api/v1/courses/{other.pk}").status_code == 404
    response = institution_api.post(f"/api/v1/courses/{other.pk}/attendees", {"attendees": [row(1)]}, key="att-x-01")
    assert response.status_code == 404 and _body(response)["code"] == "not_found"
    assert not Attendance.objects.exists()


def test_every_call_is_audited(institution_api, institution):
    institution_api.post("/api/v1/courses", COURSE, key="course-0002")
    institution_api.get("/api/v1/records/changes")
    calls = AuditEvent.objects.filter(action__startswith="api.").order_by("id")
    assert [(e.action, e.detail["status"], e.detail["path"]) for e in calls if e.action != "api.client_create"] == [
        ("api.call", 201, "/api/v1/courses"),
        ("api.denied", 403, "/api/v1/records/changes"),
    ]
    client = ApiClient.objects.get()
    assert calls.last().actor == client.service_user
    # The service writes its own row too, naming the client's service account.
    assert AuditEvent.objects.get(action="institutions.course_create").actor == client.service_user


def test_docs_page_uses_local_assets(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/records/changes" in schema["paths"]


def test_dates_are_checked(institution_api):
    assert datetime.date(2026, 5, 1)  # keeps the import honest
    response = institution_api.post("/api/v1/courses", {**COURSE, "start_date": "not a date"}, key="course-bad-2")
    assert response.status_code == 400 and _body(response)["errors"]
