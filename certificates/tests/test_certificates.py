"""Certificates anyone can verify (issue #11): the PDFs read back, their QR codes decoded and followed."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from certificates.constants import SIGNING_SALT, Kind, Status
from certificates.models import Certificate
from core.masking import mask_id_number, mask_name
from dossier.tests.factories import approved_person, change
from identity.tests.factories import AccountantFactory, StaffFactory, review_unit

from .helpers import (
    institution_credits,
    needs_zbarimg,
    pdf_images,
    pdf_text,
    person_with_credits,
    verify_path_in,
)

pytestmark = pytest.mark.django_db

INVALID_NUMBER = "无效的证书编号"


def download_ce(person, year=2026):
    client = Client()
    client.force_login(person)
    return client.get(reverse("certificates:ce", args=[year]))


def download_registration(person):
    client = Client()
    client.force_login(person)
    return client.get(reverse("certificates:registration"))


def content_of(response) -> bytes:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def public_get(path, ip="203.0.113.7"):
    """The verification page as an anonymous visitor from `ip`."""
    return Client(REMOTE_ADDR=ip).get(path)


def validity(response) -> str:
    text = response.content.decode()
    assert response.status_code == 200, text[:500]
    marker = 'data-validity="'
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


# --------------------------------------------------------------------------- 继续教育学分证明


@needs_zbarimg
def test_the_credit_certificate_names_the_person_year_and_credits_and_its_qr_code_verifies_it():
    person = person_with_credits(1)  # item 1: 90 专业科目 credits, approved
    content = content_of(download_ce(person))

    text = pdf_text(content)
    assert "继续教育学分证明" in text
    assert person.full_name in text
    assert "2026年度" in text
    assert "90 学分" in text
    assert person.id_number not in text  # masked on paper too
    assert mask_id_number(person.id_number) in text

    path = verify_path_in(content)
    response = public_get(path)
    assert validity(response) == "valid"
    page = response.content.decode()
    assert mask_name(person.full_name) in page
    assert mask_id_number(person.id_number) in page
    assert person.id_number not in page
    assert person.full_name not in page
    assert "2026" in page and "90" in page
    certificate = Certificate.objects.get(person=person)
    assert certificate.serial in page and certificate.serial in text
    assert AuditEvent.objects.filter(action="certificates.verify", object_id=str(certificate.pk)).exists()


@needs_zbarimg
def test_credits_revoked_below_the_requirement_invalidate_the_years_certificate():
    from institutions.services import revoke_attendance

    person = approved_person()
    attendance, institution_staff = institution_credits(person, hours=30)  # 机构登记: 90 credits
    content = content_of(download_ce(person))
    assert "90 学分" in pdf_text(content)
    path = verify_path_in(content)
    assert validity(public_get(path)) == "valid"

    revoke_attendance(attendance=attendance, actor=institution_staff, reason="误登记")

    response = public_get(path)
    assert validity(response) == "invalid"
    assert "不再有效" in response.content.decode()
    # And no new certificate for that year now.
    assert download_ce(person).status_code == 404


def test_a_year_that_does_not_meet_the_requirement_gets_no_certificate_and_says_why():
    person = person_with_credits(10)  # item 10: 30 credits
    response = download_ce(person)
    assert response.status_code == 404
    page = response.content.decode()
    assert "2026" in page and "90" in page and "30" in page
    assert "不能出具" in page
    assert not Certificate.objects.exists()
    refused = AuditEvent.objects.get(action="certificates.refused")
    assert refused.result == AuditEvent.Result.DENIED and refused.detail["reason"] == "not_met"


def test_pending_credits_do_not_count_towards_a_certificate():
    from continuing_education.tests.factories import record

    person = approved_person()
    record(person, 1)  # pending
    assert download_ce(person).status_code == 404


def test_downloading_again_reuses_the_certificate_and_every_issue_is_audited():
    person = person_with_credits(1)
    content_of(download_ce(person))
    content_of(download_ce(person))
    assert Certificate.objects.filter(person=person, kind=Kind.CE_YEAR).count() == 1
    events = AuditEvent.objects.filter(action="certificates.issue", actor=person)
    assert events.count() == 2
    assert [e.detail["new"] for e in events.order_by("id")] == [True, False]


def test_more_credits_later_give_a_new_certificate_with_the_new_figures():
    from continuing_education.tests.factories import record

    person = person_with_credits(1)
    content_of(download_ce(person))
    record(person, 10, status="approved")
    text = pdf_text(content_of(download_ce(person)))
    assert "120 学分" in text
    assert Certificate.objects.filter(person=person, kind=Kind.CE_YEAR).count() == 2


# --------------------------------------------------------------------------- 会计人员信息登记表


@needs_zbarimg
def test_the_registration_form_shows_the_record_and_photo_and_is_superseded_by_an_approved_change():
    person = approved_person()
    content = content_of(download_registration(person))
    text = pdf_text(content)
    assert "会计人员信息登记表" in text
    assert person.full_name in text
    assert "武汉大学" in text and "会计学" in text  # the 学历 row
    assert "第 1 版" in text
    assert len(pdf_images(content)) == 2  # the photo and the QR code
    path = verify_path_in(content)
    assert validity(public_get(path)) == "valid"

    change(person, state="approved", employer_name="武汉新单位有限公司")

    response = public_get(path)
    assert validity(response) == "superseded"
    assert "已被取代" in response.content.decode() or "取代" in response.content.decode()
    newer = content_of(download_registration(person))
    assert "武汉新单位有限公司" in pdf_text(newer)
    assert "第 2 版" in pdf_text(newer)
    assert validity(public_get(verify_path_in(newer))) == "valid"


def test_no_registration_form_before_the_record_is_approved():
    person = AccountantFactory()
    response = download_registration(person)
    assert response.status_code == 404
    assert "尚未审核通过" in response.content.decode()
    assert not Certificate.objects.exists()


def test_an_administrator_revocation_shows_on_the_verification_page():
    from certificates.selectors import verify_path

    person = approved_person()
    content_of(download_registration(person))
    certificate = Certificate.objects.get(person=person)
    certificate.status = Status.REVOKED
    certificate.save()
    assert validity(public_get(verify_path(certificate))) == "revoked"


# --------------------------------------------------------------------------- forged tokens, rate limit


def _signed_path(token: str) -> str:
    return reverse("certificates:verify", args=[signing.Signer(salt=SIGNING_SALT).sign(token)])


def test_a_forged_or_altered_token_is_refused_before_any_database_access(django_assert_num_queries):
    from certificates.selectors import signed_token

    person = approved_person()
    content_of(download_registration(person))
    good = signed_token(Certificate.objects.get(person=person))
    token, signature = good.split(":")
    altered = [
        f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}:{signature}",  # token changed
        f"{token}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # signature changed
        token,  # no signature
        signing.Signer(salt="something.else").sign(token),  # signed for something else
        "x" * 43 + ":" + "y" * 43,
    ]
    for value in altered:
        path = reverse("certificates:verify", args=[value])
        with django_assert_num_queries(0):
            response = public_get(path)
        assert response.status_code == 404, value
        assert INVALID_NUMBER in response.content.decode()


def test_a_well_signed_token_of_no_certificate_is_an_invalid_number():
    response = public_get(_signed_path("no-such-certificate-token-000000000000000000"))
    assert response.status_code == 404
    assert INVALID_NUMBER in response.content.decode()


def test_verification_is_rate_limited_per_ip_address(settings):
    settings.CERTIFICATES_VERIFY_LIMIT = 3
    path = _signed_path("no-such-certificate-token-000000000000000000")
    for _ in range(3):
        assert public_get(path, ip="198.51.100.1").status_code == 404
    response = public_get(path, ip="198.51.100.1")
    assert response.status_code == 429
    assert "请稍后" in response.content.decode() or "过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    assert public_get(path, ip="198.51.100.2").status_code == 404  # another address is not limited


# --------------------------------------------------------------------------- who may download


def test_another_accountant_cannot_download_my_certificate():
    mine = person_with_credits(1)
    content_of(download_ce(mine))
    other = approved_person()
    response = download_ce(other)
    assert response.status_code == 404
    assert mine.full_name not in response.content.decode()
    assert not Certificate.objects.filter(person=other).exists()


def test_staff_get_404_and_anonymous_visitors_are_sent_to_sign_in():
    staff = StaffFactory(unit=review_unit("420102"))
    client = Client()
    client.force_login(staff)
    # An unverified staff session is sent to the staff sign-in; a verified one gets 404 (test_url_access).
    response = client.get(reverse("certificates:ce", args=[2026]))
    assert response.status_code in (302, 404)
    response = Client().get(reverse("certificates:registration"))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


# --------------------------------------------------------------------------- where the downloads are


def test_the_ce_page_offers_the_certificate_only_for_a_year_that_meets_the_requirement():
    met = person_with_credits(1)
    client = Client()
    client.force_login(met)
    page = client.get(reverse("continuing_education:index") + "?year=2026").content.decode()
    assert reverse("certificates:ce", args=[2026]) in page

    short = person_with_credits(10)
    client.force_login(short)
    page = client.get(reverse("continuing_education:index") + "?year=2026").content.decode()
    assert reverse("certificates:ce", args=[2026]) not in page


def test_the_record_page_offers_the_registration_form():
    person = approved_person()
    client = Client()
    client.force_login(person)
    page = client.get(reverse("dossier:record")).content.decode()
    assert reverse("certificates:registration") in page


def test_mask_name_keeps_the_surname_only():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修") == "欧**"
    assert mask_name("") == ""
