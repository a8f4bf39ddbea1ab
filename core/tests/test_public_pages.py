from html.parser import HTMLParser

from django.urls import reverse

from core.masking import mask_id_number, mask_phone
from core.navigation import ENTRIES


def test_home_shows_the_six_entries_of_the_manual(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    text = response.content.decode()
    for title in ["信息采集", "信息查询", "信息变更", "继续教育", "诚信录入", "手机号更换申请"]:
        assert title in text
    assert len(ENTRIES) == 6


def test_home_entries_without_a_page_say_so_instead_of_linking_to_an_error(client):
    response = client.get(reverse("core:home"))
    text = response.content.decode()
    for entry in ENTRIES:
        if entry.url is None:
            assert f'data-testid="entry-{entry.key}"' in text
    assert "尚未开放" in text or all(entry.url for entry in ENTRIES)


def test_notice_page_lists_what_to_prepare_and_the_local_principle(client):
    response = client.get(reverse("core:notice"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "采集须知" in text
    assert "属地化" in text
    assert "20 KB" in text


def test_pages_carry_security_headers(client):
    response = client.get(reverse("core:home"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_no_inline_script_in_the_base_layout(client):
    text = client.get(reverse("core:home")).content.decode()
    assert "<script>" not in text
    assert "cdn" not in text.lower()


def test_id_numbers_are_masked_without_the_birth_date():
    assert mask_id_number("42010219900101123X") == "420***********123X"
    assert "19900101" not in mask_id_number("42010219900101123X")
    assert mask_id_number("") == ""


def test_phones_are_masked_in_the_middle():
    assert mask_phone("13812345678") == "138****5678"


def test_notice_page_ends_with_the_way_on_to_register_and_sign_in(client):
    text = client.get(reverse("core:notice")).content.decode()
    tail = text[text.index('data-testid="notice-next"') :]
    assert f'href="{reverse("identity:register")}"' in tail
    assert f'href="{reverse("identity:login")}"' in tail
    assert "去注册" in tail
    assert "去登录" in tail


def test_a_browser_asking_for_english_gets_the_chinese_pages(client):
    for accept in ("en", "en-US,en;q=0.9", "en-GB,fr;q=0.5"):
        response = client.get(reverse("core:notice"), headers={"accept-language": accept})
        text = response.content.decode()
        assert response["Content-Language"] == "zh-hans"
        assert '<html lang="zh-hans">' in text
        assert "采集须知" in text and "去注册" in text


def test_pages_link_the_favicon_and_favicon_ico_leads_to_it(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    assert finders.find("core/favicon.svg")
    icon = static("core/favicon.svg")
    assert f'<link rel="icon" href="{icon}"' in client.get(reverse("core:home")).content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == icon


class _EntryLinks(HTMLParser):
    """The links inside the 导航页 entry cards with their accessible names: aria-label when
    present, otherwise the text content (visually hidden text included, aria-hidden excluded)."""

    def __init__(self):
        super().__init__()
        self.links = []  # [card key, accessible name]
        self._stack = []  # (tag, card key or None, hidden) per open element
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent_card = self._stack[-1][1] if self._stack else None
        testid = attrs.get("data-testid") or ""
        card = testid.removeprefix("entry-") if testid.startswith("entry-") else parent_card
        hidden = (self._stack[-1][2] if self._stack else False) or attrs.get("aria-hidden") == "true"
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        self._stack.append((tag, card, hidden))
        if tag == "a" and card:
            self._link = [card, attrs.get("aria-label"), []]

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if tag == "a" and self._link is not None:
            card, label, parts = self._link
            self.links.append([card, label if label else " ".join("".join(parts).split())])
            self._link = None

    def handle_data(self, data):
        if self._link is not None and not (self._stack and self._stack[-1][2]):
            self._link[2].append(data)


def test_the_six_entries_have_distinct_accessible_names_naming_each_entry(client):
    """A screen reader's links list must not read six times 「进入」 (WCAG 2.4.4, 2.4.9)."""
    parser = _EntryLinks()
    parser.feed(client.get(reverse("core:home")).content.decode())

    names = {card: name for card, name in parser.links}
    assert len(parser.links) == len(ENTRIES) == 6  # one link per entry, each entry open
    assert set(names) == {entry.key for entry in ENTRIES}
    assert len(set(names.values())) == 6, names
    for entry in ENTRIES:
        assert str(entry.title) in names[entry.key] and names[entry.key].startswith("进入"), names[entry.key]
