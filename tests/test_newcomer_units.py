"""Unit tests of the account-creation conversation and its journal (fakes at the HTTP boundary).

The wiki here is a ``requests`` adapter that answers like a Wikimedia wiki
with FancyCaptcha (an image) does; the same flow against real wikis with a
question captcha and the real throttle is in ``test_newcomer_wiki.py``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from campaignkit.config import WikiConfig, parse_settings
from campaignkit.submissions import journal, newcomer_accounts
from campaignkit.wiki import account_creation as accounts
from campaignkit.wiki.organizer_session import OrganizerWiki

IMAGE_PAGE = "/w/index.php?title=Special:Captcha/image&wpCaptchaId="
PNG = b"\x89PNG\r\n\x1a\n" + b"captcha-pixels"
WIKIMEDIA_GROUPS = [
    {"name": "*", "rights": ["createaccount", "read"]},
    {"name": "user", "rights": ["edit", "createaccount"]},
    {"name": "bot", "rights": ["noratelimit", "skipcaptcha", "bot"]},
    {
        "name": "sysop",
        "rights": ["noratelimit", "skipcaptcha", "block"],
        "add": ["accountcreator", "eventcoordinator"],
    },
    {"name": "bureaucrat", "rights": ["noratelimit"], "add": ["sysop", "bot"]},
    {"name": "accountcreator", "rights": ["noratelimit", "skipcaptcha", "override-antispoof"]},
    {"name": "eventcoordinator", "rights": ["noratelimit", "skipcaptcha", "createaccount"]},
    {"name": "rollbacker", "rights": ["rollback"]},
]


class FancyCaptchaWiki(BaseAdapter):
    """api.php and Special:Captcha/image of a wiki that shows an image captcha."""

    def __init__(self, *, groups: tuple[str, ...] = ("*", "user", "autoconfirmed")) -> None:
        super().__init__()
        self.groups = groups
        self.captchas = 0
        self.createaccount_posts: list[dict[str, str]] = []
        self.answer: Any = None  # what createaccount answers (a dict, or an exception)
        self.tokens_down = False

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        params = dict(parse_qsl(parts.query))
        if request.body:
            body = request.body if isinstance(request.body, str) else request.body.decode()
            params.update(parse_qsl(body))
        response = requests.Response()
        response.status_code = 200
        response.url = request.url
        if parts.path.endswith("index.php"):
            assert params["title"] == "Special:Captcha/image"
            response.headers["Content-Type"] = "image/png"
            response._content = PNG
            return response
        if params.get("action") == "createaccount":
            self.createaccount_posts.append(params)
            if isinstance(self.answer, Exception):
                raise self.answer
            body = {"createaccount": self.answer}
        elif params.get("meta") == "tokens":
            if self.tokens_down:
                raise requests.ConnectionError("connection refused")
            body = {"query": {"tokens": {"createaccounttoken": "c+\\"}}}
        elif "authmanagerinfo" in params.get("meta", ""):
            self.captchas += 1
            rights = {r for g in WIKIMEDIA_GROUPS if g["name"] in self.groups for r in g["rights"]}
            body = {
                "query": {
                    "authmanagerinfo": {
                        "cancreateaccounts": True,
                        "requests": [
                            {
                                "id": "MediaWiki\\Auth\\UsernameAuthenticationRequest",
                                "metadata": {},
                            },
                            {
                                "id": "CaptchaAuthenticationRequest",
                                "metadata": {"type": "image", "mime": "image/png"},
                            },
                        ],
                        "fields": {
                            "username": {"type": "string", "optional": False},
                            "password": {"type": "password", "optional": False},
                            "retype": {"type": "password", "optional": False},
                            "email": {"type": "string", "optional": True},
                            "captchaId": {"type": "hidden", "value": f"{self.captchas}00"},
                            "captchaInfo": {
                                "type": "null",
                                "value": f"{IMAGE_PAGE}{self.captchas}00",
                            },
                            "captchaWord": {"type": "string", "optional": False},
                        },
                    },
                    "userinfo": {
                        "id": 7,
                        "name": "Ada",
                        "groups": list(self.groups),
                        "rights": sorted(rights),
                    },
                    "usergroups": WIKIMEDIA_GROUPS,
                }
            }
        else:
            raise AssertionError(f"unexpected request {params}")
        response._content = json.dumps(body).encode()
        return response

    def close(self):
        pass


def fake_api(wiki: FancyCaptchaWiki) -> OrganizerWiki:
    session = requests.Session()
    session.mount("https://", wiki)
    config = WikiConfig("enwiki", "https://en.wikipedia.org/w/api.php", "en")
    return OrganizerWiki(config, session, username="Ada")


def test_an_image_captcha_is_read_from_authmanagerinfo_and_fetched_as_an_image():
    wiki = FancyCaptchaWiki()
    needs = accounts.what_creation_needs(fake_api(wiki))
    assert needs.captcha is not None and needs.captcha.is_image
    assert needs.captcha.id == "100"
    assert needs.captcha.image_url == (
        "https://en.wikipedia.org/w/index.php?title=Special:Captcha/image&wpCaptchaId=100"
    )
    assert needs.can_create and not needs.unsupported
    assert not needs.rights.skips_throttle and not needs.rights.skips_captcha
    # only the groups meant for organizers, event coordinators first; who can add them
    assert needs.route.groups == ("eventcoordinator", "accountcreator")
    assert needs.route.granted_by == ("sysop",)
    image = accounts.captcha_image(fake_api(wiki), needs.captcha)
    assert image.startswith("data:image/png;base64,")
    import base64

    assert base64.b64decode(image.split(",", 1)[1]) == PNG


def test_an_exempt_organizer_is_told_by_group():
    needs = accounts.what_creation_needs(
        fake_api(FancyCaptchaWiki(groups=("*", "user", "eventcoordinator")))
    )
    assert needs.rights.skips_throttle and needs.rights.skips_captcha
    assert needs.exempt_through == ("eventcoordinator",)


def test_create_sends_the_captcha_answer_and_classifies_the_answer():
    wiki = FancyCaptchaWiki()
    api = fake_api(wiki)
    wiki.answer = {
        "status": "FAIL",
        "message": {"key": "acct_creation_throttle_hit", "params": [6, {"duration": 86400}]},
        "messagecode": "acct_creation_throttle_hit",
    }
    outcome = accounts.create(
        api, username="Ngozi", password="pw", captcha_id="100", captcha_word="xkcd"
    )
    assert outcome.status == accounts.THROTTLED and outcome.limit == 6
    sent = wiki.createaccount_posts[-1]
    assert sent["captchaId"] == "100" and sent["captchaWord"] == "xkcd"
    assert sent["createmessageformat"] == "raw" and sent["retype"] == "pw"
    assert sent["assertuser"] == "Ada"
    wiki.answer = {
        "status": "FAIL",
        "message": {"key": "captcha-createaccount-fail", "params": []},
        "messagecode": "captcha-createaccount-fail",
    }
    assert accounts.create(api, username="Ngozi", password="pw").status == accounts.CAPTCHA_WRONG
    wiki.answer = {"status": "FAIL", "message": {"key": "userexists"}, "messagecode": "userexists"}
    assert accounts.create(api, username="Ngozi", password="pw").status == accounts.NAME_TAKEN
    wiki.answer = {"status": "PASS", "username": "Ngozi"}
    assert accounts.create(api, username="ngozi", password="pw") == accounts.CreationOutcome(
        accounts.CREATED, username="Ngozi"
    )
    wiki.answer = {
        "status": "FAIL",
        "message": {"key": "abusefilter-x"},
        "messagecode": "abusefilter-x",
    }
    refused = accounts.create(api, username="Ngozi", password="pw")
    assert refused.status == accounts.REFUSED and refused.code == "abusefilter-x"


@pytest.mark.parametrize(
    "lost",
    [requests.ReadTimeout("read timed out"), requests.ConnectionError("connection reset")],
)
def test_a_lost_answer_is_unknown_not_refused(lost):
    wiki = FancyCaptchaWiki()
    wiki.answer = lost
    outcome = accounts.create(fake_api(wiki), username="Ngozi", password="pw")
    assert outcome.status == accounts.UNKNOWN
    assert len(wiki.createaccount_posts) == 1  # sent once, never again by itself


def test_a_wiki_down_before_sending_is_not_sent_and_not_counted():
    wiki = FancyCaptchaWiki()
    wiki.tokens_down = True
    outcome = accounts.create(fake_api(wiki), username="Ngozi", password="pw")
    assert outcome.status == accounts.NOT_SENT and wiki.createaccount_posts == []


def test_who_created_an_account_decides_adoption():
    since = journal.now() - timedelta(minutes=1)
    later = since + timedelta(seconds=30)
    record = accounts.AccountRecord("Ngozi", True, "Ada organizer", later, later, 1)
    assert record.created_by("Ada_organizer", since)
    assert not record.created_by("Bola", since)
    assert not accounts.AccountRecord("Ngozi", False).created_by("Ada", since)
    # a wiki without a newusers log: only the registration time can tell
    assert accounts.AccountRecord("Ngozi", True, registered_at=later).created_by("Ada", since)
    earlier = since - timedelta(days=1)
    assert not accounts.AccountRecord("Ngozi", True, registered_at=earlier).created_by("Ada", since)


# --- the journal of account requests ---------------------------------------------------


@pytest.fixture
def settings(tmp_path):
    raw = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": "http://127.0.0.1:9/api.php", "lang": "en"}},
        "bot": {"username": "Bot@x"},
        "services": {"state_dir": str(tmp_path), "redis_url": "memory://"},
    }
    return parse_settings(raw, tmp_path / "campaignkit.toml")


def request_row(settings, name: str, *, counted: bool = True, title: str = "Event") -> Any:
    return newcomer_accounts.begin(
        settings,
        organizer="Ada",
        event_wiki="metawiki",
        event_title=title,
        account_wiki="metawiki",
        username=name,
        counted=counted,
    )


def test_a_request_is_journaled_claimed_so_no_worker_sends_it(settings):
    row = request_row(settings, "ngozi_a")
    assert row.status == journal.SAVING and row.attempts == 1
    assert row.payload == {"user": "Ngozi a", "account_wiki": "metawiki", "counted": True}
    assert "password" not in json.dumps(row.payload)
    assert journal.due(settings) == []  # leased: the retry worker leaves it alone
    assert not journal.claim(settings, row.id)


def test_the_address_budget_counts_todays_counted_requests_and_learns_the_limit(settings):
    wrong = request_row(settings, "A")
    newcomer_accounts.conclude(
        settings, wrong, accounts.CreationOutcome(accounts.CAPTCHA_WRONG, code="captcha")
    )
    made = request_row(settings, "B")
    newcomer_accounts.conclude(settings, made, accounts.CreationOutcome(accounts.CREATED, "B"))
    request_row(settings, "C", counted=False)  # an exempt organizer's: not counted
    never_sent = request_row(settings, "E")
    newcomer_accounts.conclude(settings, never_sent, accounts.CreationOutcome(accounts.NOT_SENT))
    budget = newcomer_accounts.address_budget(settings, "metawiki")
    assert (budget.sent, budget.limit, budget.limit_known, budget.reached) == (2, 6, False, False)
    assert budget.left == 4
    throttled = request_row(settings, "D")
    newcomer_accounts.conclude(
        settings,
        throttled,
        accounts.CreationOutcome(
            accounts.THROTTLED, code="acct_creation_throttle_hit", params=(3, {"duration": 86400})
        ),
    )
    budget = newcomer_accounts.address_budget(settings, "metawiki")
    assert (budget.limit, budget.limit_known, budget.reached, budget.left) == (3, True, True, 0)
    assert newcomer_accounts.address_budget(settings, "yowiki").sent == 0


def test_one_state_per_newcomer_a_created_account_wins_over_a_failed_try(settings):
    first = request_row(settings, "Ngozi")
    newcomer_accounts.conclude(settings, first, accounts.CreationOutcome(accounts.CAPTCHA_WRONG))
    second = request_row(settings, "Ngozi")
    newcomer_accounts.conclude(
        settings, second, accounts.CreationOutcome(accounts.CREATED, "Ngozi")
    )
    pending = request_row(settings, "Tunde")
    journal.finish(settings, pending.id, journal.PENDING, message="newcomer-unknown|Tunde")
    signup = journal.record(
        settings,
        username="Ada",
        kind="newcomer-signup",
        wiki="metawiki",
        title="Event",
        payload={"user": "Ngozi"},
    )
    journal.finish(settings, signup.id, journal.PENDING, message="status-wiki-down")
    request_row(settings, "Other", title="Another event")
    limited = request_row(settings, "Femi")
    newcomer_accounts.conclude(
        settings,
        limited,
        accounts.CreationOutcome(accounts.THROTTLED, code="acct_creation_throttle_hit"),
    )
    states = newcomer_accounts.states_for_event(
        settings, "metawiki", "Event", since=journal.now() - timedelta(days=1)
    )
    assert [(s.username, s.state) for s in states] == [
        ("Femi", "not-created"),
        ("Tunde", "checking"),
        ("Ngozi", "signup-waiting"),
    ]
    assert states[0].why == "limit"
    assert (
        newcomer_accounts.latest_request(
            settings, "metawiki", "ngozi", since=journal.now() - timedelta(days=1)
        ).id
        == second.id
    )


def test_an_image_captcha_is_shown_as_its_image_never_as_a_link(tmp_path):
    """The page renders what the wiki asks: a picture inline (data: URL), with its answer field."""
    from flask import render_template

    from webservice.app import create_app
    from webservice.forms import NewcomerForm
    from webservice.newcomers import Page

    raw = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": "http://127.0.0.1:9/api.php", "lang": "en"}},
        "bot": {"username": "Bot@x"},
        "services": {"state_dir": str(tmp_path), "redis_url": "memory://"},
        "web": {"retry_interval": 0},
    }
    app = create_app(parse_settings(raw, tmp_path / "c.toml"), retry_worker=False)
    needs = accounts.what_creation_needs(fake_api(FancyCaptchaWiki()))
    view = SimpleNamespace(
        wiki="metawiki", title="Event", event=SimpleNamespace(name="Edit-a-thon", wiki="metawiki")
    )
    with app.test_request_context("/event/metawiki/Event/newcomers"):
        from flask import g

        g.lang = "en"
        form = NewcomerForm()
        form.captcha_id.data = needs.captcha.id
        page = Page(
            view,  # type: ignore[arg-type]
            "metawiki",
            requirements=needs,
            captcha_image="data:image/png;base64,AAAA",
            budget=newcomer_accounts.AddressBudget("metawiki", 6, False, 1, False),
        )
        html = render_template("newcomers.html", form=form, page=page, view=view)
    assert '<img id="captcha-image" src="data:image/png;base64,AAAA"' in html
    assert "Special:Captcha" not in html  # no link to the wiki's image page
    assert 'name="captcha_id" type="hidden" value="100"' in html
    assert 'for="captcha_word"' in html
    assert "so about 5 accounts are likely left" in html
    assert "eventcoordinator, accountcreator" in html and "Special:ListUsers/sysop" in html
