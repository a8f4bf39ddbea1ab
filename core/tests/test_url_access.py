"""Every URL of the project refuses people who may not see it (SECURITY.md "Access").

The test walks the whole URL configuration, so a page added later is checked without anyone
remembering to add it here. It builds one URL per pattern (dummy values for the parameters) and
asks for it:

- anonymously: everything except the short PUBLIC list must redirect to a sign-in page or answer
  404 (405 for POST-only endpoints, which show nothing on GET) — never 200;
- as a signed-in accountant: staff pages answer 404; pages for neither kind never answer 200;
- as a verified staff member: accountant pages answer 404; the same for pages for neither kind.

Which kind a page is for is read from the guard it carries (`identity.permissions`):
`accountant_required` / `staff_required` or their mixins.
"""

import functools
import itertools
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from identity.constants import UserKind
from identity.models import User
from identity.permissions import accountant_required, any_staff_required, staff_required
from identity.tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

# Pages anyone may open: keep this list short, and add to it only pages meant for the public.
PUBLIC = {
    "core:home",
    "core:notice",
    "identity:login",
    "identity:register",
    "identity:send_code",
    "identity:staff_login",
    # 首次登录: username + one-time password of a new or reset staff account; its later steps
    # (new password, authenticator) send anyone without that pending sign-in back here.
    "identity:staff_first_sign_in",
    "regions:unit_options",
    # 手机号更换 (manual §9): for people who can no longer sign in.
    "phone_change:apply",
    "phone_change:submitted",
    "phone_change:status",
    "phone_change:status_result",
    "admin:login",  # the admin's own sign-in page (password + TOTP)
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
    # Probes (core.health): load balancers ask without signing in; /readyz shows details only to
    # system administrators, /metrics answers only internal addresses (the test client is 127.0.0.1).
    "healthz",
    "readyz",
    "metrics",
    "favicon",  # /favicon.ico: a redirect to the static icon
    # The data-exchange API's schema and its documentation page describe the API, nothing else; every
    # endpoint answers 401 (JSON) without a signed request.
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    # /verify/<signed token>/: anyone holding a printed certificate checks it (certificates; rate-limited,
    # a forged token is refused before any lookup, the person shown masked).
    "certificates:verify",
}
# Exists only with DEBUG on; without it the page answers 404 like any unknown URL.
DEBUG_ONLY = {"notifications:dev_outbox"}

SIGN_IN_PAGES = ("identity:login", "identity:staff_login", "identity:staff_first_sign_in", "admin:login")
DUMMY_VALUES = ("1", "x", "abc", str(uuid.UUID(int=1)), "2026-01-01", "a/b")


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name", or the route when the pattern has no name
    url: str
    callback: object

    def __str__(self):
        return f"{self.name} ({self.url})"


def _candidates() -> list[str]:
    # Values for a parameter: common dummies, then every app label (the admin's app index
    # pattern accepts only those).
    labels = [config.label for config in apps.get_app_configs()]
    return [*DUMMY_VALUES, *labels]


def _fill(pattern) -> list[str]:
    """Possible URL pieces for one pattern segment, each matching the segment's regex."""
    if isinstance(pattern, RoutePattern):
        regex_text = pattern.regex.pattern
    elif isinstance(pattern, RegexPattern):
        regex_text = pattern._regex  # type: ignore[attr-defined]  # the source text; .regex compiles it per language
    else:  # e.g. LocalePrefixPattern
        return [str(pattern)]
    regex = re.compile(regex_text)
    pieces = []
    for template, params in normalize(regex_text):
        if not params:
            pieces.append(template)
            continue
        for values in itertools.product(_candidates(), repeat=len(params)):
            piece = template % dict(zip(params, values, strict=True))
            if regex.match(piece):
                pieces.append(piece)
                break
    return pieces


def _walk(resolver, prefix_pieces=("",), namespace=""):
    for entry in resolver.url_patterns:
        pieces = [p + q for p in prefix_pieces for q in _fill(entry.pattern)][:20]
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, pieces, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}{entry.pattern}"
            yield name, pieces, entry.callback


@functools.cache
def all_endpoints() -> tuple[list[Endpoint], list[str]]:
    """One URL per pattern that resolves back to that pattern's view; and the patterns we could not build."""
    endpoints, unbuildable = [], []
    seen_urls = set()
    for name, pieces, callback in _walk(get_resolver()):
        shadowed = False
        for piece in pieces:
            url = "/" + piece
            try:
                match = resolve(url)
            except Exception:  # noqa: S112 - try the next candidate
                continue
            if match.func is callback:
                endpoints.append(Endpoint(name, url, callback))
                seen_urls.add(url)
                break
            # django-ninja registers one pattern per operation; the first pattern of a path answers
            # every method of it (GET and POST /courses/<id>/attendees), so a later one is never reached.
            shadowed = shadowed or (url in seen_urls and callback.__module__.startswith("ninja"))
        else:
            if not shadowed:
                unbuildable.append(name)
    return endpoints, unbuildable


def _guards(view) -> set[str]:
    # Walk the decorator chain (functools.wraps sets __wrapped__) looking for our two guards.
    staff_codes = {
        staff_required(lambda request: None).__code__,
        any_staff_required(lambda request: None).__code__,  # staff of every role, institution staff too
    }
    accountant_code = accountant_required(lambda request: None).__code__
    found, seen = set(), set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        code = getattr(view, "__code__", None)
        if code in staff_codes:
            found.add("staff")
        elif code is accountant_code:
            found.add("accountant")
        view = getattr(view, "__wrapped__", None)
    return found


def _sign_in_paths() -> set[str]:
    return {reverse(name) for name in SIGN_IN_PAGES}


def _refuses(client, url: str) -> tuple[bool, int, str]:
    """GET the URL; refused = 404, 405, or redirects (within the site) that end at a sign-in page.

    Returns (refused, first status, where it ended) for the failure message.
    """
    response = client.get(url)
    status = response.status_code
    for _hop in range(3):
        # 401: the API's answer to a request without a valid signature (it has no sign-in page).
        if response.status_code in (401, 404, 405):
            return True, status, url
        if response.status_code not in (301, 302):
            return False, status, url
        target = urlsplit(response["Location"])
        if target.netloc:
            return False, status, response["Location"]
        if target.path in _sign_in_paths():
            return True, status, target.path
        # e.g. the admin's logout sends an anonymous visitor to the admin index, which sends
        # them on to its sign-in page.
        url = target.path
        response = client.get(url)
    return False, status, url


def _check(client, endpoint, *, must_be_404=False) -> str | None:
    refused, status, where = _refuses(client, endpoint.url)
    # A POST-only endpoint answers every GET with 405, whoever asks: that shows nothing either.
    if not refused or (must_be_404 and status not in (404, 405)):
        return f"{endpoint} -> {status} ({where})"
    return None


def endpoints() -> list[Endpoint]:
    return all_endpoints()[0]


def protected() -> list[Endpoint]:
    return [e for e in endpoints() if e.name not in PUBLIC | DEBUG_ONLY]


def test_every_url_pattern_could_be_built_and_checked():
    assert all_endpoints()[1] == [], "teach DUMMY_VALUES a value these patterns accept"
    names = {e.name for e in endpoints()}
    # The walk does see the project's pages (a broken walk must not pass quietly).
    assert {
        "core:home",
        "identity:staff_login",
        "identity:staff_home",
        "admin:index",
        "admin:identity_user_change",
    } <= names


def test_the_public_allowlist_names_only_pages_that_exist():
    names = {e.name for e in endpoints()}
    assert sorted(PUBLIC - names) == []


def test_anonymous_visitors_are_refused_everywhere_except_public_pages(client):
    leaks = []
    for endpoint in protected():
        problem = _check(client, endpoint)
        if problem:
            leaks.append(problem)
    assert leaks == []


def test_public_pages_answer_anonymous_visitors(client):
    for name in ("core:home", "core:notice", "identity:staff_login"):
        assert client.get(reverse(name)).status_code == 200


def test_the_developer_outbox_is_404_without_debug(client):
    for endpoint in (e for e in endpoints() if e.name in DEBUG_ONLY):
        assert client.get(endpoint.url).status_code == 404


def test_an_accountant_gets_404_on_staff_pages_and_nothing_outside_their_own(client):
    accountant = User.objects.create(username="acc-url-test", kind=UserKind.ACCOUNTANT, full_name="张三")
    client.force_login(accountant)
    staff_pages = [e for e in protected() if "staff" in _guards(e.callback)]
    assert staff_pages, "no staff page found: is the guard detection broken?"

    leaks = []
    for endpoint in protected():
        guards = _guards(endpoint.callback)
        if "accountant" in guards:
            continue
        problem = _check(client, endpoint, must_be_404="staff" in guards)
        if problem:
            leaks.append(problem)
    assert leaks == []


def test_staff_get_404_on_accountant_pages_and_nothing_outside_their_own(client):
    reviewer = StaffFactory()
    response = client.post(
        reverse("identity:staff_login"),
        {"username": reviewer.username, "password": STAFF_PASSWORD, "otp_token": StaffFactory.code_for(reviewer)},
    )
    assert response.status_code == 302

    leaks = []
    for endpoint in protected():
        guards = _guards(endpoint.callback)
        if "staff" in guards:
            continue
        problem = _check(client, endpoint, must_be_404="accountant" in guards)
        if problem:
            leaks.append(problem)
    assert leaks == []


def test_the_guard_detection_recognises_both_guards():
    @staff_required
    def staff_view(request):
        return None

    @accountant_required
    def accountant_view(request):
        return None

    @any_staff_required
    def any_staff_view(request):
        return None

    assert _guards(staff_view) == {"staff"}
    assert _guards(any_staff_view) == {"staff"}
    assert _guards(accountant_view) == {"accountant"}
    assert _guards(lambda request: None) == set()


def test_static_files_are_not_served_by_a_url_pattern_in_production():
    assert not any(e.url.startswith(settings.STATIC_URL) for e in endpoints())
