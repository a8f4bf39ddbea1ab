"""Text hygiene of the return reason, through the reviewer's return view (`core.text`)."""

import pytest
from django.urls import reverse

from reviews import services
from reviews.constants import Status
from reviews.tests.factories import make_application, reviewer_for

pytestmark = pytest.mark.django_db


def test_a_return_reason_with_a_bidi_override_is_refused_and_kept_for_correction(jiangan_client, test_kind):
    application = make_application(status=Status.PENDING)
    typed = "请补充\u202e料材明证"
    response = jiangan_client.post(
        reverse("reviews:return", args=[application.pk]), {"version": application.version, "detail": typed}
    )
    assert response.status_code == 200
    assert "“退回原因说明”含有改变文字显示方向的不可见字符" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.PENDING

    response = jiangan_client.post(
        reverse("reviews:return", args=[application.pk]),
        {"version": application.version, "detail": "  请补充\u00a0证明材料\u200b "},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.return_reason == "请补充 证明材料"


def test_a_return_through_the_service_alone_refuses_a_bidi_reason(test_kind):
    application = make_application(status=Status.PENDING)
    reviewer = reviewer_for("420102")
    with pytest.raises(services.ReviewError, match="改变文字显示方向"):
        services.return_for_changes(
            application=application, actor=reviewer, expected_version=application.version, reason="a\u202eb"
        )
    application.refresh_from_db()
    assert application.status == Status.PENDING
    returned = services.return_for_changes(
        application=application, actor=reviewer, expected_version=application.version, reason="照片\u00a0不清晰\u200b"
    )
    assert returned.return_reason == "照片 不清晰"
