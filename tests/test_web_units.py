"""Unit tests of the webservice: no wiki needed (fakes only at the HTTP boundary)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from requests.adapters import BaseAdapter

from campaignkit.config import ConfigError, parse_settings
from campaignkit.contract import TEMPLATES
from campaignkit.manifest import english_manifest
from campaignkit.submissions import journal, page_texts
from campaignkit.submissions import writer as submissions
from campaignkit.web_settings import load_web_settings
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.organizer_editing import SaveRefused
from campaignkit.wiki.organizer_session import OrganizerWiki
from webservice.campaign_reads import CampaignDashboard
from webservice.feeds import csv_export, icalendar_feed
from webservice.i18n import Messages, choose_plural, direction

I18N = Path(__file__).resolve().parent.parent / "i18n"


def make_settings(tmp_path, **web):
    raw = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": "http://127.0.0.1:9/api.php", "lang": "en"}},
        "bot": {"username": "Bot@x"},
        "services": {"state_dir": str(tmp_path), "redis_url": "memory://"},
        "web": {"retry_interval": 0, **web},
    }
    return parse_settings(raw, tmp_path / "campaignkit.toml")


@pytest.fixture
def unit_app(tmp_path):
    from webservice.app import create_app

    return create_app(make_settings(tmp_path), retry_worker=False)


# --- messages ------------------------------------------------------------------


def test_messages_plural_direction_and_fallback():
    messages = Messages(I18N)
    assert messages.text("en", "totals-line", 1, 2, 0).startswith("1 event · 2 participants")
    assert "فعاليتان" in messages.text("ar", "totals-line", 2, 0, 0)
    assert choose_plural("ar", 11, ["z", "o", "t", "f", "m", "x"]) == "m"
    assert direction("ar") == "rtl" and direction("yo") == "ltr"
    assert messages.text("ar", "no-such-key") == "⧼no-such-key⧽"
    assert "\u2068Ada\u2069" in messages.text("ar", "nav-logout", "Ada")  # isolated in RTL


def test_a_message_key_given_twice_is_refused(tmp_path):
    Messages(I18N)  # the real files: every key once
    (tmp_path / "en.json").write_text(
        '{"events-none": "No events yet.", "events-none": "No event matches."}', encoding="utf-8"
    )
    with pytest.raises(ValueError, match="'events-none' is given twice"):
        Messages(tmp_path)


def test_every_form_field_has_a_label_and_help_and_every_message_is_documented():
    english = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    documented = json.loads((I18N / "qqq.json").read_text(encoding="utf-8"))
    arabic = json.loads((I18N / "ar.json").read_text(encoding="utf-8"))
    for key in ("campaign", "campaign_event", "worklist"):
        for field in TEMPLATES[key].fields:
            assert f"field-{key}-{field.name}" in english
            assert f"field-{key}-{field.name}-help" in english
    assert set(english) == set(documented)
    assert set(arabic) <= set(english)
    templates = Path(__file__).resolve().parent.parent / "webservice" / "templates"
    used = set()
    for template in templates.glob("*.html"):
        used |= set(
            __import__("re").findall(r"msg\('([a-z0-9-]+[a-z0-9])'\s*[,)]", template.read_text())
        )
    assert used <= set(english), used - set(english)


# --- configuration -----------------------------------------------------------------


def test_web_settings_errors_name_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key web\.colour"):
        load_web_settings(make_settings(tmp_path, colour="blue"))
    with pytest.raises(ConfigError, match=r"web\.login is oauth but the consumer is incomplete"):
        load_web_settings(make_settings(tmp_path, login="oauth"))
    key_file = tmp_path / "web-secret-key"
    load_web_settings(make_settings(tmp_path))
    assert oct(key_file.stat().st_mode)[-3:] == "600"


# --- security ------------------------------------------------------------------------


def test_security_headers_cookies_csrf_and_login(unit_app):
    client = unit_app.test_client()
    answer = client.get("/healthz")
    assert answer.json == {"status": "ok"}
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/login")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/new/campaign").status_code == 302  # login first
    assert client.get("/api/v1/campaigns/a%7Cb").json == {"error": "not a page title"}


# --- page texts ------------------------------------------------------------------------


def test_sign_up_goes_in_the_signup_section_outside_the_bot_region():
    manifest = english_manifest()
    text = (
        "{{Campaign event|name=X}}\n\n== Sign up ==\n{{Participant|Ada}}\n"
        "<!-- campaignkit:begin participants -->\n{{Participant|Bot table}}\n"
        "<!-- campaignkit:end participants -->\n\n== Notes ==\nhuman text\n"
    )
    page = PageText("E", True, text)
    added = page_texts.add_participant(page, "Bola", manifest)
    assert added.index("{{Participant|Bola}}") < added.index("campaignkit:begin")
    assert added.endswith("== Notes ==\nhuman text\n")
    assert page_texts.add_participant(PageText("E", True, added), "Bola", manifest) == added
    removed = page_texts.remove_participant(PageText("E", True, added), "Bola", manifest)
    assert removed == text


def test_event_edit_refuses_a_field_someone_else_changed():
    manifest = english_manifest()
    page = PageText("E", True, "{{Campaign event|name=X|location=Other}}")
    with pytest.raises(SaveRefused) as refused:
        page_texts.changed_event_fields(
            page,
            {"name": "X", "location": "Mine before"},
            {"name": "X", "location": "New"},
            manifest,
        )
    assert refused.value.key == "error-edited-meanwhile"
    merged = page_texts.changed_event_fields(
        page, {"name": "X", "location": "Other"}, {"name": "Y", "location": "Other"}, manifest
    )
    assert merged == "{{Campaign event|name=Y|location=Other}}"


# --- feeds ------------------------------------------------------------------------------


def _dashboard() -> CampaignDashboard:
    event = {
        "event": "Lagos",
        "wiki": "metawiki",
        "name": "=HYPERLINK(1)",
        "start": "2027-04-20 10:00",
        "end": "2027-04-20 16:00",
        "timezone": "Africa/Lagos",
        "participants": 3,
        "organizers": ["Ada"],
    }
    return CampaignDashboard("C", True, None, (), [event], {"events": 1}, "", {})


def test_icalendar_and_csv(tmp_path):
    from icalendar import Calendar

    settings = make_settings(tmp_path)
    calendar = Calendar.from_ical(icalendar_feed(settings, _dashboard()))
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == "metawiki/Lagos@campaignkit"
    assert event.decoded("dtstart").utcoffset().total_seconds() == 3600
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Africa/Lagos"
    assert "'=HYPERLINK(1)" in csv_export(_dashboard())


# --- journal: exactly once ------------------------------------------------------------------


class FakeWiki(BaseAdapter):
    """api.php at the HTTP boundary: one page; the first save's answer is lost."""

    def __init__(self) -> None:
        super().__init__()
        self.revisions: list[dict] = []
        self.edits = 0
        self.lose_next_answer = True

    def send(self, request, **kwargs):
        from urllib.parse import parse_qsl, urlsplit

        params = dict(parse_qsl(urlsplit(request.url).query))
        if request.body:
            params.update(
                parse_qsl(request.body if isinstance(request.body, str) else request.body.decode())
            )
        if params.get("action") == "edit":
            self.edits += 1
            self.revisions.append(
                {
                    "revid": len(self.revisions) + 1,
                    "comment": params["summary"],
                    "content": params["text"],
                }
            )
            if self.lose_next_answer:
                self.lose_next_answer = False
                raise requests.ConnectionError("connection reset after the save")
            body = {"edit": {"result": "Success", "newrevid": len(self.revisions)}}
        elif params.get("meta") == "tokens":
            body = {"query": {"tokens": {"csrftoken": "t+\\\\"}}}
        elif "revids" in params:
            body = {
                "query": {
                    "pages": [
                        {
                            "revisions": [
                                {"slots": {"main": {"content": self.revisions[-1]["content"]}}}
                            ]
                        }
                    ]
                }
            }
        elif params.get("rvprop") == "ids|comment|user":
            body = {
                "query": {"pages": [{"title": "E", "revisions": list(reversed(self.revisions))}]}
            }
        else:
            page = {"title": "E", "missing": True}
            if self.revisions:
                last = self.revisions[-1]
                page = {
                    "title": "E",
                    "revisions": [
                        {
                            "revid": last["revid"],
                            "timestamp": "2026-01-01T00:00:00Z",
                            "slots": {"main": {"content": last["content"]}},
                        }
                    ],
                }
            body = {"curtimestamp": "2026-01-01T00:00:01Z", "query": {"pages": [page]}}
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        response.url = request.url
        return response

    def close(self):
        pass


class FakeLogin:
    username = "Ada"

    def __init__(self, settings, adapter):
        self.settings = settings
        self.adapter = adapter

    def wikis(self, settings):
        return ["metawiki"]

    def session_for(self, settings, web, wiki_id):
        session = requests.Session()
        session.mount("http://", self.adapter)
        return OrganizerWiki(settings.wiki(wiki_id), session, username="Ada")


def test_a_lost_answer_is_found_in_the_history_not_written_twice(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    web = load_web_settings(settings)
    wiki = FakeWiki()
    login = FakeLogin(settings, wiki)
    entry = journal.record(
        settings,
        username="Ada",
        kind="new-worklist",
        wiki="metawiki",
        title="E",
        payload={"params": {"wiki": "metawiki", "titles": "Lagos"}},
    )
    first = submissions.attempt(settings, web, entry.id, login=login)
    assert first.status == journal.PENDING and wiki.edits == 1
    assert not journal.claim(settings, entry.id)  # backing off
    second = submissions.attempt(settings, web, entry.id, force=True, login=login)
    assert second.status == journal.SAVED and second.revid == 1
    assert wiki.edits == 1  # found by its marker, not saved again
    assert not journal.claim(settings, entry.id, force=True)  # done is done


# --- OAuth (production login), with a fake handshaker at the HTTP boundary ------------------


class FakeHandshaker:
    """Stands in for mwoauth.Handshaker, which would call Special:OAuth on the wiki."""

    def initiate(self, callback):
        import mwoauth

        assert callback.endswith("/oauth/callback")
        return "https://meta.example/oauth?token=req", mwoauth.RequestToken("req-key", "req-SECRET")

    def complete(self, request_token, query_string):
        import mwoauth

        assert request_token.secret == "req-SECRET" and "oauth_verifier=v" in query_string
        return mwoauth.AccessToken("access-key", "access-SECRET")

    def identify(self, access_token):
        return {"username": "Ada Organizer"}


def _session_cookie(client) -> str:
    from flask.sessions import SecureCookieSessionInterface

    cookie = client.get_cookie("campaignkit_session")
    interface = SecureCookieSessionInterface()
    serializer = interface.get_signing_serializer(client.application)
    return json.dumps(serializer.loads(cookie.value)) + cookie.value


def test_oauth_login_keeps_tokens_on_the_server(tmp_path, monkeypatch):
    from campaignkit.submissions import logins
    from webservice.app import create_app

    monkeypatch.setenv("CAMPAIGNKIT_OAUTH_CONSUMER_SECRET", "consumer-SECRET")
    settings = make_settings(tmp_path, login="oauth", oauth_consumer_key="consumer-key")
    monkeypatch.setattr(logins, "oauth_handshaker", lambda *args: FakeHandshaker())
    client = create_app(settings, retry_worker=False).test_client()
    start = client.get("/login?next=/my-submissions")
    assert start.status_code == 302 and start.headers["Location"].startswith(
        "https://meta.example/"
    )
    assert "SECRET" not in _session_cookie(client)
    back = client.get("/oauth/callback?oauth_verifier=v&oauth_token=req-key")
    assert back.status_code == 302 and back.headers["Location"] == "/my-submissions"
    assert "SECRET" not in _session_cookie(client)
    assert "Ada Organizer" in client.get("/my-submissions").text
    with journal.engine(settings).connect() as connection:
        stored = connection.execute(logins.logins_table.select()).all()
    assert [row.username for row in stored] == ["Ada Organizer"]
    assert "access-SECRET" in stored[0].credentials
    page = client.get("/my-submissions")
    client.post(
        "/logout",
        data={
            "csrf_token": __import__("re")
            .search(r'name="csrf_token" value="([^"]+)"', page.text)
            .group(1)
        },
    )
    with journal.engine(settings).connect() as connection:
        assert connection.execute(logins.logins_table.select()).all() == []  # forgotten


# --- contrast of the stylesheet's text colours (WCAG AA: 4.5:1) ------------------------------


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("#1b1b1b", "#fff"),  # body text
        ("#0645ad", "#fff"),  # links
        ("#404244", "#fff"),  # help text
        ("#b32424", "#fff"),  # errors
        ("#b32424", "#fee7e6"),  # errors in the problem box
        ("#fff", "#36c"),  # primary button
        ("#1b1b1b", "#eaecf0"),  # header and table heads
        ("#eaecf0", "#101418"),  # dark mode text
        ("#ff9c9c", "#101418"),  # dark mode errors
    ],
)
def test_colours_have_enough_contrast(text, background):
    css = (
        Path(__file__).resolve().parent.parent / "webservice" / "static" / "style.css"
    ).read_text()
    assert text in css and background in css
    light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def test_status_page_lists_recent_runs(tmp_path, settings, redis_url):
    import dataclasses

    from campaignkit.run_log import record_run
    from webservice.app import create_app

    local = dataclasses.replace(
        settings,
        database_url=f"sqlite:///{tmp_path / 'status.sqlite'}",
        redis_url=redis_url,
        state_dir=tmp_path,
        web={"retry_interval": 0, "cache_seconds": 0},
    )
    record_run(
        local.database_url,
        {
            "task": "sync",
            "run_id": "abc123",
            "edited": 4,
            "errors": ["yowiki:Some page: a broken region"],
        },
        "cli",
    )
    page = create_app(local, retry_worker=False).test_client().get("/status")
    assert page.status_code == 200
    assert "sync (cli)" in page.text and "yowiki:Some page: a broken region" in page.text
    assert "No task worker is running" in page.text
