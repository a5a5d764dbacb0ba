"""Return targets (``next``) cannot send anyone to another site (issue 14).

Every known way of writing "another site" as a path — tabs and newlines that
browsers drop, backslashes they read as slashes, encoded slashes, schemes,
``//``, zero-width and full-width look-alikes — is tried through each place a
``next`` is followed: the login (on the real local wiki), the OAuth callback,
the language chooser. The ``Location`` the app sends is then read the way a
browser reads it (WHATWG URL rules for http(s): controls stripped, tabs and
newlines removed, backslash as slash) and must land on this site.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.test_web_units import FakeHandshaker, make_settings
from tests.web_support import csrf_token
from webservice.return_targets import local_path

ORIGIN = "https://tool.example"

BYPASSES = [
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\n/evil.example/x",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/\x0b/evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%09/evil.example",
    "/%0A/x",
    "/%0D%0A/evil.example",
    "/%252F/evil.example",
    "/%25252F%25252Fevil.example",
    "https://evil.example",
    "HTTPS://evil.example/",
    "http:evil.example",
    "http:/evil.example",
    "https:\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@tool.example",
    "/／evil.example",
    "／／evil.example",
    "//evil。example",
    "\u200b//evil.example",
    "/\u2028/evil.example",
    "/\u202e/evil.example",
    "@evil.example",
    "evil.example",
    "?next=//evil.example",
]


def browser_target(location: str) -> str:
    """Where a browser goes for ``Location: location`` on a page of ``ORIGIN``."""
    text = location.strip("".join(chr(c) for c in range(0x21)))
    text = re.sub(r"[\t\n\r]", "", text).replace("\\", "/")
    return urljoin(f"{ORIGIN}/login", text)


def assert_local(location: str) -> None:
    """The redirect lands on this site, on a path of this app."""
    target = urlsplit(browser_target(location))
    assert (target.scheme, target.netloc) == ("https", "tool.example"), location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not re.search(r"[\x00-\x20\x7f\\]", location), location


def test_at_least_25_bypass_forms_are_tried():
    assert len(set(BYPASSES)) >= 25


@pytest.mark.parametrize("target", BYPASSES)
def test_a_bypass_is_never_a_local_path(target):
    assert local_path(target) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/campaign/Àdàkọ X?uselang=ar", "/campaign/%C3%80d%C3%A0k%E1%BB%8D%20X?uselang=ar"),
        ("/my-submissions", "/my-submissions"),
        ("/event/yowiki/A%2FB/edit", "/event/yowiki/A%2FB/edit"),
        ("/campaign/A\tB", "/campaign/AB"),
    ],
)
def test_local_paths_survive_cleaned_and_encoded(target, expected):
    assert local_path(target) == expected


@pytest.fixture
def unit_client(tmp_path):
    from webservice.app import create_app

    return create_app(make_settings(tmp_path), retry_worker=False).test_client()


def test_language_chooser_returns_only_to_local_pages(unit_client):
    token = csrf_token(unit_client.get("/login").text)
    for target in [*BYPASSES, "/my-submissions?x=1"]:
        answer = unit_client.post(
            "/language", data={"csrf_token": token, "language": "ar", "next": target}
        )
        assert answer.status_code == 302, (target, answer.status_code)
        assert_local(answer.headers["Location"])
    assert answer.headers["Location"] == "/my-submissions?x=1"


def test_the_footers_get_language_chooser_returns_only_to_local_pages(unit_client):
    for target in BYPASSES:
        answer = unit_client.get("/language", query_string={"language": "yo", "next": target})
        assert answer.status_code == 302, (target, answer.status_code)
        assert_local(answer.headers["Location"])
        assert "campaignkit_lang=yo" in answer.headers["Set-Cookie"]
    unknown = unit_client.get("/language", query_string={"language": "xx", "next": "/login"})
    assert unknown.headers["Location"] == "/login" and "Set-Cookie" not in unknown.headers


def test_a_page_without_a_form_starts_no_session(unit_client):
    page = unit_client.get("/no/such/page")  # the error page: base.html with its footer
    assert page.status_code == 404 and "Set-Cookie" not in page.headers
    footer = unit_client.get("/login").text.split("<footer>", 1)[1]
    assert 'method="get"' in footer and "csrf_token" not in footer


def test_oauth_callback_returns_only_to_local_pages(tmp_path, monkeypatch):
    from campaignkit.submissions import logins
    from webservice.app import create_app

    monkeypatch.setenv("CAMPAIGNKIT_OAUTH_CONSUMER_SECRET", "consumer-SECRET")
    settings = make_settings(
        tmp_path, login="oauth", oauth_consumer_key="consumer-key", write_limit="1000 per minute"
    )
    monkeypatch.setattr(logins, "oauth_handshaker", lambda *args: FakeHandshaker())
    client = create_app(settings, retry_worker=False).test_client()
    for target in BYPASSES:
        start = client.get("/login", query_string={"next": target})
        assert start.status_code == 302
        back = client.get("/oauth/callback?oauth_verifier=v&oauth_token=req-key")
        assert back.status_code == 302, (target, back.status_code)
        assert_local(back.headers["Location"])
        assert back.headers["Location"] == "/", target  # the campaigns list


def test_a_newline_in_next_is_not_a_server_error(unit_client):
    token = csrf_token(unit_client.get("/login").text)
    answer = unit_client.post(
        "/language", data={"csrf_token": token, "language": "en", "next": "/\n/x"}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
