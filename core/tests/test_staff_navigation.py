import pytest
from django.urls import reverse

from identity.tests.factories import AccountantFactory, StaffFactory, sign_in_verified_staff

pytestmark = pytest.mark.django_db


def test_every_staff_page_shows_the_same_staff_menu(client):
    sign_in_verified_staff(client, StaffFactory())

    for url in [reverse("identity:staff_home"), reverse("reviews:inbox"), reverse("integrity:staff_search")]:
        text = client.get(url).content.decode()
        assert "工作台" in text and "待审核事项" in text and "诚信记录管理" in text, url
        assert "系统管理" not in text  # only system administrators reach the Django admin


def test_accountants_do_not_see_the_staff_menu(client):
    client.force_login(AccountantFactory())
    text = client.get(reverse("core:home")).content.decode()
    assert "待审核事项" not in text


def test_signed_in_accountants_get_the_modules_as_a_menu(client):
    client.force_login(AccountantFactory())
    text = client.get(reverse("core:notice")).content.decode()
    for title, url_name in [
        ("信息采集", "dossier:collect"),
        ("信息查询", "dossier:record"),
        ("信息变更", "dossier:change"),
        ("继续教育", "continuing_education:index"),
        ("诚信录入", "integrity:index"),
    ]:
        assert f'href="{reverse(url_name)}">{title}</a>' in text


def test_only_the_most_specific_menu_entry_is_marked_current():
    from types import SimpleNamespace

    from core.navigation import staff_links

    reviewer = SimpleNamespace(is_superuser=False, role="reviewer")
    links = staff_links(reviewer, "/reports/people/")
    current = [link["title"] for link in links if link["active"]]
    assert [str(title) for title in current] == ["人员查询"]
    assert not any(link["active"] for link in staff_links(reviewer, "/nowhere/"))


def test_training_institution_staff_see_their_own_menu_and_reach_their_account(client):
    from institutions.tests.conftest import institution_user, make_institution, sign_in

    member = institution_user(make_institution(1))
    sign_in(client, member)

    text = client.get(reverse("institutions:home")).content.decode()
    assert f'href="{reverse("identity:staff_account")}"' in text and "账号管理" in text
    for finance_only in ("待审核事项", "统计分析", "诚信记录管理", "工作台"):
        assert finance_only not in text, finance_only

    account = client.get(reverse("identity:staff_account"))
    assert account.status_code == 200 and member.username in account.content.decode()
    new_password = "Institution-Chosen-2026"
    changed = client.post(
        reverse("identity:staff_password"),
        {"old_password": "wrong-password", "new_password1": new_password, "new_password2": new_password},
    )
    assert changed.status_code == 200 and "旧密码不正确" in changed.content.decode()
    member.refresh_from_db()
    assert not member.check_password(new_password)  # nothing changed on a wrong current password
    from identity.tests.factories import STAFF_PASSWORD

    done = client.post(
        reverse("identity:staff_password"),
        {"old_password": STAFF_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 200 and reverse("institutions:home") in done.content.decode()
    member.refresh_from_db()
    assert member.check_password(new_password)
    # Still none of the finance bureau's pages.
    assert client.get(reverse("reviews:inbox")).status_code == 404
