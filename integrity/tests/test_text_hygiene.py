"""Text hygiene of the revoke reason in the service itself (issue #8; the form cleans it too)."""

import pytest

from integrity import services

from .factories import collected_person, negative_record, staff_of

pytestmark = pytest.mark.django_db


def test_the_revoke_reason_is_cleaned_by_the_service(units):
    reviewer = staff_of("420102")
    record = negative_record(collected_person("420102"), actor=reviewer)
    with pytest.raises(services.IntegrityRecordError) as refused:
        services.revoke_negative_record(actor=reviewer, record=record, reason="误\u202e录")
    assert refused.value.field == "reason" and "改变文字显示方向" in str(refused.value)
    record.refresh_from_db()
    assert not record.is_revoked
    revoked = services.revoke_negative_record(actor=reviewer, record=record, reason="\u200b录入\u00a0错误 ")
    assert revoked.revoke_reason == "录入 错误"
