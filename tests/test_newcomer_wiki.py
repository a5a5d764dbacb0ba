"""Newcomers' accounts through the web app, against local wikis guarded as Wikimedia's are.

The ``captcha_wikis`` fixture runs a separate pair of real MediaWiki 1.39 wikis
with ConfirmEdit's QuestyCaptcha on account creation and the per-address
throttle on (3 a day here; the count is cleared before each test). Ada
Organizer is ordinary (captcha and throttle); Chidi Coordinator is in the
``eventcoordinator`` group (noratelimit, skipcaptcha). Lost answers come from
the conditions proxy: the request reaches the wiki, the answer is dropped.
"""

from __future__ import annotations

import html
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from campaignkit.config import load_settings
from campaignkit.devwiki.conditions_proxy import ConditionsProxy, write_proxied_config
from campaignkit.devwiki.local_user import HumanEditor, WikiClient
from campaignkit.manifest import load_manifest
from campaignkit.submissions import journal, newcomer_accounts
from campaignkit.submissions import writer as submissions
from campaignkit.wikitext.regions import strip_regions
from campaignkit.wikitext.templates import render_call
from tests.web_support import csrf_token, log_in, web_settings_for
from webservice import campaign_reads

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


def captcha_id(page: str) -> str:
    """The captcha id the page carries (empty when the wiki asks none)."""
    match = re.search(r'<input[^>]*name="captcha_id"[^>]*>', page)
    assert match, "no captcha_id field on the page"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def newcomer_name() -> str:
    return f"Newcomer {uuid.uuid4().hex[:8]}"


@pytest.fixture
def wikis(captcha_wikis):
    return captcha_wikis


@pytest.fixture
def app_settings(captcha_wikis, tmp_path, redis_url):
    return web_settings_for(load_settings(captcha_wikis.layout.config_path), tmp_path, redis_url)


def make_app(settings: Any) -> Any:
    from webservice.app import create_app

    campaign_reads.cache.clear()
    return create_app(settings, retry_worker=False)


@pytest.fixture
def app(app_settings):
    return make_app(app_settings)


def editor(wikis: Any, wiki_id: str, username: str) -> HumanEditor:
    password = (
        wikis.accounts.admin_password
        if username == wikis.accounts.admin_user
        else wikis.password(username)
    )
    return HumanEditor(wikis.layout.wiki(wiki_id).api_url, username, password)


@pytest.fixture
def event(wikis, app_settings) -> str:
    """A campaign on the hub and its event on yowiki, organized by Ada and Chidi."""
    tag = uuid.uuid4().hex[:8]
    campaign = f"Account campaign {tag}"
    hub = load_manifest("metawiki", app_settings.wiki("metawiki").lang)
    editor(wikis, "metawiki", wikis.accounts.admin_user).edit(
        campaign,
        render_call(
            hub.template("campaign"),
            {"name": campaign, "start": "2026-01-01", "end": "2027-12-31"},
        ),
    )
    organizers = f"{wikis.organizer}, {wikis.coordinator}"
    values = {
        "campaign": campaign,
        "name": "Ibadan edit-a-thon",
        "start": "2026-11-20 10:00",
        "end": "2026-12-20 16:00",
        "format": "in-person",
        "wiki": "yowiki",
        "organizers": organizers,
    }
    manifest = load_manifest("yowiki", app_settings.wiki("yowiki").lang)
    title = f"Account event {tag}"
    editor(wikis, "yowiki", wikis.accounts.admin_user).edit(
        title,
        render_call(manifest.template("campaign_event"), values) + "\n\n== Sign up ==\n",
    )
    return title


def logged_in(app: Any, wikis: Any, username: str) -> Any:
    client = app.test_client()
    log_in(client, username, wikis.password(username))
    return client


def send(client: Any, url: str, name: str, *, answer: str | None, page: str | None = None) -> Any:
    """Fill the form as shown (its CSRF token and captcha id) and send it."""
    page = page if page is not None else client.get(url).text
    data = {
        "csrf_token": csrf_token(page),
        "username": name,
        "password": "pw-" + name[-8:] + "-long",
        "password_again": "pw-" + name[-8:] + "-long",
        "captcha_id": captcha_id(page),
    }
    if answer is not None:
        data["captcha_word"] = answer
    return client.post(url, data=data)


def created_by(wikis: Any, name: str) -> list[str]:
    """Who the yowiki newusers log says created this account (one entry per creation)."""
    answer = WikiClient(wikis.layout.wiki("yowiki").api_url).get(
        action="query", list="logevents", letype="newusers", letitle=f"User:{name}"
    )
    return [e["user"] for e in answer["query"]["logevents"]]


def signed_up_line(name: str) -> str:
    """How the page's list says a newcomer is created and signed up."""
    return f'data-user="{name}"><strong dir="auto">{name}</strong> – account created and signed up'


def signups(wikis: Any, title: str, name: str) -> int:
    text = editor(wikis, "yowiki", wikis.organizer).text(title)
    # {{Participant|Name}}, or {{Participant|Name|attended=yes}} for a newcomer checked in at
    # once; lines outside the bot's table only (the table lists the name too).
    return len(re.findall(r"\|" + re.escape(name) + r"(?:\}\}|\|)", strip_regions(text)))


def test_question_captcha_shown_as_text_wrong_answer_keeps_the_form_right_answer_signs_up(
    wikis, app, app_settings, event
):
    ada = logged_in(app, wikis, wikis.organizer)
    url = f"/event/yowiki/{event}/newcomers"
    first = ada.get(url)
    assert first.status_code == 200, first.text[:2000]
    text = html.unescape(first.text)
    # the question as text, never as a link; limits told before any attempt
    assert f"<strong>{wikis.question}</strong>" in text
    assert 'href="' + wikis.question not in text
    assert "accepts about 6 new accounts a day" in text
    assert "This tool sent 0 account requests to yowiki" in text
    assert "every organizer using this tool shares that address" in text
    assert "Special:ListUsers/bureaucrat" in text  # who can grant the exemption here
    name = newcomer_name()

    wrong = send(ada, url, name, answer="Encyclopaedia Britannica", page=first.text)
    assert wrong.status_code == 400
    wrong_text = html.unescape(wrong.text)
    assert "The answer to the wiki's check was not right" in wrong_text
    assert f'value="{name}"' in wrong_text  # what was typed is kept …
    assert 'value="pw-' in wrong_text  # … the passwords too
    assert captcha_id(wrong.text) and captcha_id(wrong.text) != captcha_id(first.text)
    assert created_by(wikis, name) == []

    right = send(ada, url, name, answer=wikis.answer.lower(), page=wrong.text)
    assert right.status_code == 302, right.text[:3000]
    assert created_by(wikis, name) == [wikis.organizer]
    assert signups(wikis, event, name) == 1
    after = html.unescape(ada.get(url).text)
    assert f"The account {name} was created and signed up." in after
    assert signed_up_line(name) in after
    assert "This tool sent 2 account requests to yowiki" in after  # the wrong answer counted

    arabic = html.unescape(ada.get(url + "?uselang=ar").text)
    assert "عنوان خادم هذه الأداة" in arabic and wikis.question in arabic


def test_no_attempt_without_an_answer_and_the_throttle_explained(wikis, app, event):
    ada = logged_in(app, wikis, wikis.organizer)
    url = f"/event/yowiki/{event}/newcomers"
    page = ada.get(url).text
    # a form from before the wiki asked (no captcha id) and one left unanswered: nothing sent
    stale = page.replace(f'value="{captcha_id(page)}"', 'value=""')
    asked = send(ada, url, newcomer_name(), answer=None, page=stale)
    assert asked.status_code == 400 and "Nothing was sent to the wiki" in asked.text
    blank = send(ada, url, newcomer_name(), answer="  ")
    assert blank.status_code == 400
    assert "Answer the wiki's question first" in html.unescape(blank.text)
    # so all of the day's accounts are still there
    made = [newcomer_name() for _ in range(wikis.throttle)]
    for name in made:
        answer = send(ada, url, name, answer=wikis.answer)
        assert answer.status_code == 302, html.unescape(answer.text)[:3000]
    refused_name = newcomer_name()
    refused = send(ada, url, refused_name, answer=wikis.answer)
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert f"it accepts at most {wikis.throttle} new accounts a day" in text
    assert "every organizer using the tool shares, not your venue" in text
    assert "Visitors to this wiki" not in text and "have created" not in text
    assert f"its limit of {wikis.throttle} a day was reached" in text  # the limits box learnt it
    assert "Special:ListUsers/bureaucrat" in text
    assert created_by(wikis, refused_name) == []
    assert all(signups(wikis, event, name) == 1 for name in made)


def test_an_exempt_organizer_meets_neither_captcha_nor_limit(wikis, app, event):
    chidi = logged_in(app, wikis, wikis.coordinator)
    url = f"/event/yowiki/{event}/newcomers"
    page = html.unescape(chidi.get(url).text)
    assert "You are in the group eventcoordinator on yowiki" in page
    assert 'id="newcomer-captcha"' not in page and captcha_id(page) == ""
    names = [newcomer_name() for _ in range(wikis.throttle + 1)]
    for name in names:
        answer = send(chidi, url, name, answer=None)
        assert answer.status_code == 302, html.unescape(answer.text)[:3000]
        assert created_by(wikis, name) == [wikis.coordinator]
        assert signups(wikis, event, name) == 1
    # Ada still has the whole day: the coordinator's accounts did not count
    ada_page = html.unescape(logged_in(app, wikis, wikis.organizer).get(url).text)
    assert "This tool sent 0 account requests to yowiki" in ada_page


@pytest.fixture
def lossy(wikis, app_settings, tmp_path) -> Iterator[tuple[ConditionsProxy, Any]]:
    """The app reaching yowiki through the conditions proxy (lost answers on demand)."""
    with ConditionsProxy(wikis.layout.wiki("yowiki").api_url, name="yowiki") as proxy:
        config = write_proxied_config(
            wikis.layout.config_path, tmp_path / "proxied.toml", {"yowiki": proxy}
        )
        settings = web_settings_for(load_settings(config), tmp_path, app_settings.redis_url)
        yield proxy, make_app(settings)


@pytest.mark.parametrize("lost", ["reset", "timeout"])
def test_a_lost_answer_is_adopted_and_signed_up_never_orphaned(
    wikis, lossy, event, lost, monkeypatch
):
    proxy, app = lossy
    ada = logged_in(app, wikis, wikis.organizer)
    url = f"/event/yowiki/{event}/newcomers"
    name = newcomer_name()
    # createaccount reaches the wiki, which creates the account; its answer is lost:
    # the connection drops, or the answer comes later than the client waits
    if lost == "timeout":
        from campaignkit.wiki import organizer_session

        monkeypatch.setattr(organizer_session, "TIMEOUT", (5, 1))  # 30 s in production
        proxy.inject("timeout", when="after", actions={"createaccount"}, count=1, hold=3)
    else:
        proxy.inject("reset", when="after", actions={"createaccount"}, count=1)
    answer = send(ada, url, name, answer=wikis.answer)
    assert answer.status_code == 302, html.unescape(answer.text)[:3000]
    assert proxy.counts().forwarded["createaccount"] == 1
    assert created_by(wikis, name) == [wikis.organizer]
    assert signups(wikis, event, name) == 1
    settings = app.config["CAMPAIGNKIT_SETTINGS"]
    [state] = newcomer_accounts.states_for_event(
        settings, "yowiki", event, since=journal.now() - newcomer_accounts.THROTTLE_WINDOW
    )
    assert state.state == "signed-up" and state.account.message.startswith("newcomer-adopted")
    # the organizer, told nothing went wrong, is not invited to invent a second name
    again = send(ada, url, name, answer=wikis.answer)
    assert again.status_code == 400
    assert f"the account {name} was created for this event" in html.unescape(again.text)
    assert proxy.counts().forwarded["createaccount"] == 1
    assert created_by(wikis, name) == [wikis.organizer]


def test_an_undecided_request_is_settled_by_the_retry_worker(wikis, app, app_settings, event):
    """The answer was lost and the log could not be read then: the worker decides later."""
    from campaignkit.submissions import logins
    from campaignkit.wiki import account_creation as wiki_accounts

    ada_login = logins.client_login(app_settings, wikis.organizer, wikis.password(wikis.organizer))
    logins.store(app_settings, ada_login)
    web = app.config["CAMPAIGNKIT_WEB"]
    name = newcomer_name()
    row = newcomer_accounts.begin(
        app_settings,
        organizer=wikis.organizer,
        event_wiki="yowiki",
        event_title=event,
        account_wiki="yowiki",
        username=name,
        counted=True,
    )
    api = ada_login.session_for(app_settings, web, "yowiki")
    needs = wiki_accounts.what_creation_needs(api)
    outcome = wiki_accounts.create(
        api,
        username=name,
        password="pw-" + uuid.uuid4().hex,
        captcha_id=needs.captcha.id,
        captcha_word=wikis.answer,
    )
    assert outcome.status == wiki_accounts.CREATED
    journal.finish(app_settings, row.id, journal.PENDING, message=f"newcomer-unknown|{name}")
    assert signups(wikis, event, name) == 0
    state = submissions.attempt(app_settings, web, row.id, force=True)
    assert state.status == journal.SAVED and state.message.startswith("newcomer-adopted")
    assert signups(wikis, event, name) == 1
    # and a request the wiki never carried out ends "not created" once it is old enough
    ghost = newcomer_accounts.begin(
        app_settings,
        organizer=wikis.organizer,
        event_wiki="yowiki",
        event_title=event,
        account_wiki="yowiki",
        username=newcomer_name(),
        counted=True,
    )
    journal.finish(app_settings, ghost.id, journal.PENDING, message="newcomer-unknown")
    young = submissions.attempt(app_settings, web, ghost.id, force=True)
    assert young.status == journal.PENDING  # could still be on its way
    from sqlalchemy import update

    with journal.engine(app_settings).begin() as connection:
        connection.execute(
            update(journal.submissions_table)
            .where(journal.submissions_table.c.id == ghost.id)
            .values(created_at=journal.now() - newcomer_accounts.UNKNOWN_WINDOW * 2)
        )
    old = submissions.attempt(app_settings, web, ghost.id, force=True)
    assert old.status == journal.REFUSED and old.message.startswith("newcomer-not-created")


def test_a_double_submit_makes_one_account(wikis, app, event):
    url = f"/event/yowiki/{event}/newcomers"
    first, second = logged_in(app, wikis, wikis.organizer), logged_in(app, wikis, wikis.organizer)
    page = first.get(url).text
    token_two = csrf_token(second.get(url).text)
    name = newcomer_name()
    start = threading.Barrier(2)
    answers: dict[int, Any] = {}

    def submit(index: int, client: Any, token: str) -> None:
        data = {
            "csrf_token": token,
            "username": name,
            "password": "pw-double-submit-1",
            "password_again": "pw-double-submit-1",
            "captcha_id": captcha_id(page),  # the same form, sent twice
            "captcha_word": wikis.answer,
        }
        start.wait()
        answers[index] = client.post(url, data=data)

    threads = [
        threading.Thread(target=submit, args=(0, first, csrf_token(page))),
        threading.Thread(target=submit, args=(1, second, token_two)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert created_by(wikis, name) == [wikis.organizer]
    assert signups(wikis, event, name) == 1
    assert 302 in [a.status_code for a in answers.values()]
    for answer in answers.values():
        if answer.status_code != 302:  # whichever the browser shows: never "choose another"
            text = html.unescape(answer.text)
            assert f"{name} was created for this event" in text or "still being checked" in text


def test_a_waiting_sign_up_is_one_state_with_the_form_and_a_way_back(wikis, lossy, event):
    proxy, app = lossy
    ada = logged_in(app, wikis, wikis.organizer)
    url = f"/event/yowiki/{event}/newcomers"
    name = newcomer_name()
    proxy.inject("readonly", actions={"edit"})  # the account is made, the sign-up must wait
    answer = send(ada, url, name, answer=wikis.answer)
    assert answer.status_code == 302 and answer.location.endswith(url.replace(" ", "%20"))
    page = html.unescape(ada.get(url).text)
    assert "was created and signed up" not in page  # no green note over a waiting sign-up
    state = re.search(
        rf'<li class="newcomer-state state-(\S+)" data-user="{name}">(.*?)</li>', page, re.S
    )
    assert state and state.group(1) == "signup-waiting", page[-3000:]
    assert 'id="newcomer-form"' in page  # the form stays, for the next newcomer
    details = re.search(r'href="(/submission/[0-9a-f]+)"', state.group(2)).group(1)
    proxy.clear()
    status = ada.get(details)
    assert status.status_code == 202 and "Back to the newcomers&#39; accounts" in status.text
    ada.post(details, data={"csrf_token": csrf_token(status.text)})  # "try again"
    assert signups(wikis, event, name) == 1
    after = html.unescape(ada.get(url).text)
    assert signed_up_line(name) in after
