"""Names of the data-exchange API: scopes, error codes and their Chinese messages, audit actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    INSTITUTION = "institution", _("Training institution: push courses and attendees")
    RECORDS_READ = "records:read", _("Read approved records, changes and continuing-education summaries")
    CERTIFICATES_VERIFY = "certificates:verify", _("Verify certificates")


# Signed requests (api.auth): the headers, the allowed clock skew, how long a nonce is remembered.
HEADER_CLIENT_ID = "X-Client-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_SKEW_SECONDS = 300
NONCE_TTL_SECONDS = 2 * MAX_SKEW_SECONDS + 60
NONCE_PATTERN = r"^[A-Za-z0-9_\-]{16,64}$"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_\-:.]{8,100}$"
# How long a stored idempotent response is replayed (the records are purged after that).
IDEMPOTENCY_TTL_HOURS = 24

# Machine code -> (HTTP status, message). Messages are Chinese by design: the API's users are Chinese
# systems and the brief fixes the wording; the code is the contract, the message is for people.
ERRORS = {
    "missing_credentials": (401, "缺少签名请求头（X-Client-Id、X-Timestamp、X-Nonce、X-Signature）"),
    "unknown_client": (401, "客户端不存在或已停用"),
    "invalid_timestamp": (401, "时间戳无效或与服务器时间相差超过5分钟"),
    "invalid_nonce": (401, "随机串无效：须为16至64位字母、数字、下划线或连字符"),
    "replayed_nonce": (401, "该请求已处理过（随机串重复），请勿重放请求"),
    "invalid_signature": (401, "签名无效"),
    "insufficient_scope": (403, "客户端无权访问该接口"),
    "not_found": (404, "请求的资源不存在"),
    "method_not_allowed": (405, "不支持该请求方法"),
    "invalid_request": (400, "请求参数无效"),
    "invalid_cursor": (400, "游标无效"),
    "missing_idempotency_key": (400, "POST请求须带 Idempotency-Key 请求头（8至100位字母、数字或 _-:.）"),
    "idempotency_conflict": (409, "该 Idempotency-Key 已用于内容不同的请求"),
    "idempotency_in_progress": (409, "相同 Idempotency-Key 的请求正在处理，请稍后重试"),
    "rejected": (422, "请求未被接受"),
    "rate_limited": (429, "请求过于频繁，请稍后重试"),
    "service_unavailable": (503, "服务暂时不可用，请稍后重试"),
}

AUDIT_LABELS = {
    "api.call": _("Called the data-exchange API"),
    "api.denied": _("Refused a data-exchange API call"),
    "api.client_create": _("Registered a data-exchange API client"),
    "api.client_rotate": _("Issued a new secret for a data-exchange API client"),
}
