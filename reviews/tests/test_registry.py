import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test.utils import isolate_apps

from reviews.registry import ApplicationKind, all_kinds, get_kind, kind_label, register_kind, unregister_kind


@pytest.fixture
def cleanup():
    names = []
    yield names
    for name in names:
        unregister_kind(name)


def test_a_kind_registers_once_and_is_found_by_name(cleanup):
    kind = register_kind(ApplicationKind(name="sample", label="样例申请"))
    cleanup.append("sample")

    assert get_kind("sample") is kind
    assert kind in all_kinds()
    assert kind_label("sample") == "样例申请"
    assert kind.sla_working_days == 5
    assert kind.exclusive is True


def test_a_second_kind_with_the_same_name_is_refused(cleanup):
    register_kind(ApplicationKind(name="sample", label="样例申请"))
    cleanup.append("sample")

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        register_kind(ApplicationKind(name="sample", label="另一个"))
    assert get_kind("sample").label == "样例申请"


@pytest.mark.parametrize("name", ["", "has space", "信息采集", "x" * 41, "semi;colon"])
def test_a_kind_name_must_be_a_short_ascii_slug(name):
    with pytest.raises(ImproperlyConfigured):
        register_kind(ApplicationKind(name=name, label="x"))


def test_a_kind_needs_at_least_one_working_day_to_be_reviewed():
    with pytest.raises(ImproperlyConfigured, match="sla_working_days"):
        register_kind(ApplicationKind(name="instant", label="x", sla_working_days=0))


@isolate_apps("reviews")
def test_a_payload_model_without_a_link_to_the_application_is_refused():
    class Orphan(models.Model):
        note = models.CharField(max_length=10)

        class Meta:
            app_label = "reviews"

        def __str__(self):
            return self.note

    with pytest.raises(ImproperlyConfigured, match="OneToOneField"):
        register_kind(ApplicationKind(name="orphan", label="x", payload_model=Orphan))
    with pytest.raises(LookupError):
        get_kind("orphan")


def test_an_unknown_kind_is_a_lookup_error_and_shows_its_raw_name():
    with pytest.raises(LookupError):
        get_kind("never-registered")
    assert kind_label("never-registered") == "never-registered"


def test_a_kind_without_payload_proofs_or_photo_has_none_of_them():
    kind = ApplicationKind(name="bare", label="x")

    assert kind.payload_field is None
    assert kind.get_payload(object()) is None
    assert kind.proofs(object()) == []
    assert kind.photo(object()) is None


@isolate_apps("reviews")
def test_the_payload_link_is_found_whatever_its_name():
    from reviews.models import Application

    class SamplePayload(models.Model):
        envelope = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="sample_payload")

        class Meta:
            app_label = "reviews"

        def __str__(self):
            return str(self.envelope_id)

    assert ApplicationKind(name="withpayload", label="x", payload_model=SamplePayload).payload_field == "envelope"
