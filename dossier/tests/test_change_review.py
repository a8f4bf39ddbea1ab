"""信息变更 on the reviewers' side: old and new side by side, a move lands with the NEW unit and not
the old one, the new unit sees the files carried over, the old unit keeps the history of its time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.access import can_view, unregister_access_rule
from dossier.change_selectors import (
    change_for_display,
    record_versions_for_reviewer,
    staff_may_view_change_document,
    summarise,
)
from dossier.models import PersonRecord, RecordVersion
from identity.tests.factories import StaffFactory, review_unit
from reviews import services as reviews
from reviews.constants import Status
from reviews.models import Application
from reviews.selectors import InboxFilters, inbox_page

from .factories import EducationRecordFactory, change, new_proofs_for, reviewer_of

pytestmark = pytest.mark.django_db

HUANGSHI = "420202"  # 黄石港区: another county of another city


def text(response):
    return response.content.decode()


def detail(application):
    return reverse("reviews:detail", args=[application.pk])


def moved(state="pending"):
    """A change of a 江岸区 accountant to a new employer in 黄石港区."""
    return change(
        state=state, employer_name="黄石某某有限公司", employer_address="黄石港区", unit=review_unit(HUANGSHI)
    )


def pending_for(user) -> list[int]:
    return [a.pk for a in inbox_page(user, filters=InboxFilters(status=Status.PENDING)).items]


# --------------------------------------------------------------------------- the application page


def test_the_reviewer_sees_old_and_new_side_by_side_with_the_changes_marked(client, units, login_staff):
    payload = change(state="pending", employer_name="武汉新单位有限公司", abacus_level="普通一级")
    page = text(login_staff(client, reviewer_of("420102")).get(detail(payload.application)))
    assert 'data-testid="change-list"' in page
    assert page.count('data-testid="change-line"') == 2
    assert 'data-field="employer_name" data-changed="true"' in page
    assert 'data-field="abacus_level" data-changed="true"' in page
    assert page.count('data-changed="true"') == 2
    assert "武汉某某有限公司" in page and "武汉新单位有限公司" in page
    # Every proof is there, the new ones marked; the version history too.
    for proof in payload.dossier.proofs.all():
        assert reverse("documents:view", args=[proof.document_id]) in page
    assert "在岗证明（本次变更新提交）" in page and "珠算等级证书：普通一级（本次变更新提交）" in page
    assert page.count('data-testid="version"') == 1
    assert 'data-testid="approve"' in page


def test_the_reviewer_page_costs_the_same_queries_whatever_the_rows(client, units, login_staff):
    small = change(state="pending")
    large = change(state="complete")
    for position in range(1, 4):
        EducationRecordFactory(dossier=large.dossier, position=position)
    new_proofs_for(change_for_display(large.pk), summarise(change_for_display(large.pk)).required)
    reviews.submit(application=large.application, actor=large.application.applicant)
    login_staff(client, reviewer_of("420102"))
    counts = []
    for payload in (small, large):
        client.get(detail(payload.application))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail(payload.application)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- moving to another unit


def test_a_move_lands_in_the_new_units_inbox_and_not_the_old_ones(client, units, login_staff):
    payload = moved()
    application = payload.application
    application.refresh_from_db()
    assert application.unit.code == HUANGSHI
    old, new = reviewer_of("420102"), reviewer_of(HUANGSHI)
    assert application.pk in pending_for(new)
    assert application.pk not in pending_for(old)
    page = text(login_staff(client, new).get(detail(application)))
    assert 'data-testid="unit-change"' in page and "申请人由江岸区变更至黄石港区" in page
    login_staff(client, old)
    assert client.get(detail(application)).status_code == 404
    response = client.post(reverse("reviews:approve", args=[application.pk]), {"version": application.version})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PENDING


def test_the_new_unit_approves_and_the_person_is_managed_there_from_then_on(client, units, login_staff):
    payload = moved()
    application = payload.application
    application.refresh_from_db()
    login_staff(client, reviewer_of(HUANGSHI))
    response = client.post(reverse("reviews:approve", args=[application.pk]), {"version": application.version})
    assert response.status_code == 302
    record = PersonRecord.objects.get(person=application.applicant)
    assert record.unit.code == HUANGSHI and record.version == 2
    assert record.current.employer_name == "黄石某某有限公司"
    first, second = RecordVersion.objects.filter(record=record).order_by("number")
    assert (first.unit.code, second.unit.code) == ("420102", HUANGSHI)
    assert first.snapshot["post"]["unit"] == {"code": "420102", "name": "江岸区"}


def test_the_new_unit_sees_the_files_carried_over_from_the_old_unit(client, units, login_staff):
    payload = moved()
    carried = [
        p.document_id for p in payload.dossier.proofs.all() if p.document.application_id != payload.application_id
    ]
    assert carried  # ID card, diploma, … handed in with the collection in 江岸区
    new = reviewer_of(HUANGSHI)
    login_staff(client, new)
    for document_id in [*carried, payload.dossier.photo_id]:
        assert client.get(reverse("documents:view", args=[document_id])).status_code == 200
    # Without the dossier rule the new unit could not open them: the rule is what lets it in.
    unregister_access_rule(staff_may_view_change_document)
    try:
        assert client.get(reverse("documents:view", args=[carried[0]])).status_code == 404
    finally:
        from documents.access import register_access_rule

        register_access_rule(staff_may_view_change_document)


def test_a_reviewer_of_another_county_gets_404_on_the_change_and_its_files(client, units, login_staff):
    payload = moved()
    jianghan = StaffFactory(unit=review_unit("420103"))
    login_staff(client, jianghan)
    assert client.get(detail(payload.application)).status_code == 404
    for proof in payload.dossier.proofs.all():
        assert client.get(reverse("documents:view", args=[proof.document_id])).status_code == 404
    assert client.get(reverse("documents:view", args=[payload.dossier.photo_id])).status_code == 404


def test_the_dossier_rule_lets_in_verified_staff_in_scope_only(units):
    payload = moved()
    document = payload.dossier.proofs.get(slot="id_front").document
    new = reviewer_of(HUANGSHI)
    new.is_verified = lambda: True
    assert staff_may_view_change_document(new, document)
    new.is_verified = lambda: False
    assert not staff_may_view_change_document(new, document)
    person = payload.application.applicant
    assert not staff_may_view_change_document(person, document)  # an accountant is no staff
    assert can_view(person, document)  # … but the owner sees their own file anyway
    other = StaffFactory(unit=review_unit("420103"))
    other.is_verified = lambda: True
    assert not staff_may_view_change_document(other, document)


def test_the_old_unit_keeps_the_history_of_its_time_and_the_new_one_sees_it_all(client, units, login_staff):
    payload = moved(state="approved")
    person = payload.application.applicant
    old, new = reviewer_of("420102"), reviewer_of(HUANGSHI)
    assert [v.number for v in record_versions_for_reviewer(new, person.pk)] == [2, 1]
    assert [v.number for v in record_versions_for_reviewer(old, person.pk)] == [1]
    collection_application = Application.objects.get(applicant=person, kind="collection")
    page = text(login_staff(client, old).get(detail(collection_application)))
    assert page.count('data-testid="version"') == 1 and "江岸区" in page
    assert "黄石某某有限公司" not in page
    page = text(login_staff(client, new).get(detail(payload.application)))
    assert page.count('data-testid="version"') == 2
    units_listed = page.split('data-testid="versions"')[1]
    assert "黄石港区" in units_listed and "江岸区" in units_listed


def test_while_a_move_is_pending_both_units_see_the_whole_history(units):
    payload = moved()
    person = payload.application.applicant
    assert [v.number for v in record_versions_for_reviewer(reviewer_of("420102"), person.pk)] == [1]
    assert [v.number for v in record_versions_for_reviewer(reviewer_of(HUANGSHI), person.pk)] == [1]
    assert record_versions_for_reviewer(StaffFactory(unit=review_unit("420103")), person.pk) == []


def test_the_city_above_the_new_county_follows_the_change_but_the_county_decides(client, units, login_staff):
    payload = moved()
    city = StaffFactory(unit=review_unit("420200"))
    page = text(login_staff(client, city).get(detail(payload.application)))
    assert 'data-testid="not-decider"' in page and 'data-testid="approve"' not in page


def test_returning_a_move_keeps_it_with_the_new_unit_and_resubmission_goes_back_there(units):
    payload = moved(state="returned")
    person = payload.application.applicant
    assert PersonRecord.objects.get(person=person).unit.code == "420102"
    new_proofs_for(change_for_display(payload.pk), summarise(change_for_display(payload.pk)).required)
    application = reviews.submit(application=payload.application, actor=person)
    assert application.status == Status.PENDING and application.unit.code == HUANGSHI
    assert application.pk in pending_for(reviewer_of(HUANGSHI))


def test_the_moved_persons_next_change_is_reviewed_by_the_new_unit(units):
    person = moved(state="approved").application.applicant
    second = change(person, state="pending", address="黄石市黄石港区某路1号")
    assert second.application.unit.code == HUANGSHI
    # The new unit sees every file of the new change, the ones from 江岸区 included.
    new = reviewer_of(HUANGSHI)
    new.is_verified = lambda: True
    for proof in second.dossier.proofs.select_related("document"):
        assert can_view(new, proof.document)


def test_an_accountant_gets_404_on_the_reviewer_page_of_their_own_change(client, units):
    payload = change(state="pending")
    client.force_login(payload.application.applicant)
    assert client.get(detail(payload.application)).status_code == 404
