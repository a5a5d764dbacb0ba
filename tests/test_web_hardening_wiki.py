"""Issue 14 against the real local wikis: limits, namespaces, campaigns, organizers, hashtags.

Each test submits the forms as an organizer would (through the login form and
the CSRF token) and looks at the wiki afterwards: a refused form must leave
no page and no journal entry behind.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
import requests

from campaignkit.manifest import load_manifest
from campaignkit.submissions import journal
from tests.test_web_redirects import BYPASSES, assert_local
from tests.test_web_wiki import ADA, make_campaign
from tests.web_support import csrf_token, log_in, post_form, web_settings_for
from webservice.i18n import Messages

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


@pytest.fixture
def ada(client, accounts):
    log_in(client, ADA, accounts.users[ADA])
    return client


def _event(campaign_title: str, **changes: str) -> dict[str, str]:
    values = {
        "page_wiki": "yowiki",
        "page_title": f"{campaign_title}/Lagos",
        "campaign": campaign_title,
        "name": "Lagos edit-a-thon",
        "start": "2027-03-01T10:00",
        "end": "2027-03-01T16:00",
        "timezone": "Africa/Lagos",
        "format": "in-person",
        "wiki": "yowiki",
        "organizers": ADA,
        "signup": "open",
        "action": "preview",
    }
    values.update(changes)
    return values


def _exists(settings, wiki: str, title: str) -> bool:
    answer = requests.get(
        settings.wiki(wiki).api_url,
        params={"action": "query", "titles": title, "format": "json", "formatversion": "2"},
        timeout=30,
    ).json()
    return not answer["query"]["pages"][0].get("missing")


def test_login_next_never_leaves_the_site(client, accounts, web_settings, tmp_path, redis_url):
    from webservice.app import create_app

    settings = web_settings_for(web_settings, tmp_path, redis_url, write_limit="1000 per minute")
    overrides = {"CAMPAIGNKIT_LOGIN_ACCOUNT_LIMIT": "1000 per minute"}  # one account, 43 logins
    client = create_app(settings, retry_worker=False, overrides=overrides).test_client()
    for target in BYPASSES:
        page = client.get("/login", query_string={"next": target})
        answer = client.post(
            "/login",
            query_string={"next": target},
            data={
                "csrf_token": csrf_token(page.text),
                "username": ADA,
                "password": accounts.users[ADA],
            },
        )
        assert answer.status_code == 302, (target, answer.text[:500])
        assert_local(answer.headers["Location"])
        assert answer.headers["Location"] == "/", target


def test_a_body_over_the_limit_gets_a_translated_page_logged_in_or_not(ada, client):
    big = {"name": "x" * (3 * 1024 * 1024)}
    for language in ("en", "ar"):
        answer = ada.post("/new/campaign", data=big, headers={"Accept-Language": language})
        assert answer.status_code == 413
        expected = Messages().text(language, "error-status-413")
        assert expected in html.unescape(answer.text)
        assert ('dir="rtl"' in answer.text) == (language == "ar")
    anonymous = ada.application.test_client()
    answer = anonymous.post("/login", data=big)
    assert answer.status_code == 413 and "too large" in html.unescape(answer.text)


def test_every_field_has_a_length_limit(ada, web_settings, unique_title):
    campaign = unique_title("Limits campaign")
    page = ada.get("/new/campaign")
    inputs = re.findall(r"<(?:input|textarea)\b[^>]*>", page.text)
    fields = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert len(fields) >= 7
    for tag in fields:
        assert re.search(r'maxlength="\d+"', tag), tag
    many = ", ".join(f"Person {n}" for n in range(400))  # over the field's 4,000 characters
    answer = post_form(
        ada,
        "/new/campaign",
        {
            "page_title": campaign,
            "name": "Limits",
            "start": "2027-01-01",
            "end": "2027-01-02",
            "organizers": many,
            "action": "save",
        },
    )
    assert answer.status_code == 400 and 'id="organizers-error"' in answer.text
    thousands = ", ".join(f"Person {n}" for n in range(3000))  # past any field's ceiling
    answer = post_form(ada, "/new/campaign", {"organizers": thousands, "action": "save"})
    assert answer.status_code == 413
    thirty_one = ", ".join([ADA] + [f"Person {n}" for n in range(30)])
    answer = post_form(
        ada,
        "/new/campaign",
        {
            "page_title": campaign,
            "name": "Limits",
            "start": "2027-01-01",
            "end": "2027-01-02",
            "organizers": thirty_one,
            "action": "save",
        },
    )
    assert answer.status_code == 400 and "at most 30" in answer.text
    assert journal.for_user(web_settings, ADA) == []
    assert not _exists(web_settings, "metawiki", campaign)


@pytest.mark.parametrize(
    ("wiki", "title"),
    [
        ("yowiki", "Àdàkọ:{}"),  # Template, in Yoruba
        ("yowiki", "àdàkọ:{}"),  # case-insensitive
        ("yowiki", "Àwòrán:{}"),  # an alias of File
        ("yowiki", "Ẹ̀ka:{}"),  # Category
        ("yowiki", "Template:{}"),  # the canonical English name works on every wiki
        ("yowiki", "en:{}"),  # a language link, not a page
        ("metawiki", "Image:{}"),
        ("metawiki", "User talk:{}"),
        ("metawiki", "yo:{}"),
    ],
)
def test_new_pages_only_in_content_namespaces_by_number(
    ada, web_settings, human, unique_title, wiki, title
):
    campaign = unique_title("NS campaign")
    make_campaign(web_settings, human, campaign)
    target = title.format(unique_title("Evil"))
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_wiki=wiki, page_title=target, action="save"),
    )
    assert answer.status_code == 400, answer.text[:2000]
    assert 'id="page_title-error"' in answer.text
    assert journal.for_user(web_settings, ADA) == []


def test_project_namespace_and_articles_are_allowed(ada, web_settings, human, unique_title):
    campaign = unique_title("NS campaign")
    make_campaign(web_settings, human, campaign)
    # "Project:" is the project namespace's canonical name on every wiki; on these
    # local wikis "Wikipedia:" is an interwiki prefix, as on most non-Wikipedia wikis.
    for title in (f"Project:{unique_title('Event')}", unique_title("Event")):
        answer = post_form(
            ada, f"/campaign/{quote(campaign)}/add-event", _event(campaign, page_title=title)
        )
        assert answer.status_code == 200, answer.text[:3000]
        assert "page_title-error" not in answer.text


def test_campaign_must_exist_and_hold_the_template(ada, web_settings, human, unique_title):
    campaign = unique_title("Real campaign")
    make_campaign(web_settings, human, campaign)
    plain = unique_title("Plain page")
    human("metawiki", "Admin").edit(plain, "Just a page.")
    for wrong in (unique_title("No such campaign"), plain, "[[yo:Evil]]", "yo:Evil"):
        answer = post_form(
            ada,
            f"/campaign/{quote(campaign)}/add-event",
            _event(campaign, campaign=wrong, page_title=unique_title("Event"), action="save"),
        )
        assert answer.status_code == 400, wrong
        assert 'id="campaign-error"' in answer.text, wrong
    assert journal.for_user(web_settings, ADA) == []


def test_unknown_and_blocked_organizers_are_named(ada, web_settings, human, accounts, unique_title):
    blocked = _blocked_account(web_settings, accounts, unique_title("Blocked"))
    campaign = unique_title("Org campaign")
    make_campaign(web_settings, human, campaign)
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(
            campaign,
            page_title=unique_title("Event"),
            organizers=f"{ADA}, Ada Organiser, {blocked}",
            action="save",
        ),
    )
    assert answer.status_code == 400
    error = answer.text.split('id="organizers-error"', 1)[1].split("</ul>", 1)[0]
    assert "Ada Organiser" in error and blocked in error and "blocked" in error
    assert f"{ADA}," not in error
    assert journal.for_user(web_settings, ADA) == []


@pytest.mark.parametrize("hashtag", ['<span class="x">', "{{evil}}", "two words", "a|b", "x=y"])
def test_hashtag_is_letters_digits_and_underscore(ada, web_settings, human, unique_title, hashtag):
    campaign = unique_title("Tag campaign")
    make_campaign(web_settings, human, campaign)
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_title=unique_title("Event"), hashtag=hashtag, action="save"),
    )
    assert answer.status_code == 400 and 'id="hashtag-error"' in answer.text


def test_hashtag_in_yoruba_with_a_typed_hash_is_kept(ada, web_settings, human, unique_title):
    campaign = unique_title("Tag campaign")
    make_campaign(web_settings, human, campaign)
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_title=unique_title("Event"), hashtag="#Ìpolongo_Ẹ̀tọ́2027"),
    )
    assert answer.status_code == 200, answer.text[:3000]
    assert 'value="Ìpolongo_Ẹ̀tọ́2027"' in answer.text


def test_a_refused_save_shows_the_form_again_with_what_was_typed(
    ada, web_settings, human, unique_title, monkeypatch
):
    from webservice import organizer_forms

    campaign = unique_title("Race campaign")
    make_campaign(web_settings, human, campaign)
    title = unique_title("Event")
    # Someone creates the page between the form's check and the save.
    human("yowiki", "Admin").edit(title, "Created meanwhile.")
    monkeypatch.setattr(organizer_forms, "_page_exists", lambda wiki, title: False)
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_title=title, location="Yaba Library, Lagos", action="save"),
    )
    assert answer.status_code == 409, answer.text[:3000]
    assert 'role="alert"' in answer.text
    assert 'value="Yaba Library, Lagos"' in answer.text and f'value="{title}"' in answer.text
    assert human("yowiki", "Admin").text(title) == "Created meanwhile."


def _blocked_account(settings, accounts, name: str) -> str:
    """A fresh account (created on yowiki as a newcomer would), blocked there by the admin."""
    from campaignkit.devwiki.local_user import HumanEditor, WikiClient

    newcomer = WikiClient(settings.wiki("yowiki").api_url)
    token = newcomer.get(action="query", meta="tokens", type="createaccount")
    created = newcomer.post(
        action="createaccount",
        username=name,
        password="a long enough password 42",
        retype="a long enough password 42",
        createreturnurl="http://127.0.0.1/",
        createtoken=token["query"]["tokens"]["createaccounttoken"],
    )
    assert created["createaccount"]["status"] == "PASS", created
    admin = HumanEditor(settings.wiki("yowiki").api_url, "Admin", accounts.admin_password)
    answer = admin.post(action="block", user=name, expiry="1 day", token=admin.csrf())
    assert "block" in answer, answer
    return name


def test_time_zone_and_country_pickers_in_the_readers_language(
    ada, web_settings, human, unique_title
):
    campaign = unique_title("Picker campaign")
    make_campaign(web_settings, human, campaign)
    form = ada.get(f"/campaign/{quote(campaign)}/add-event", headers={"Accept-Language": "ar"})
    page = html.unescape(form.text)
    zone = page.split('<select id="timezone"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="Africa">' in zone and "لاغوس (Lagos)" in zone
    assert '<option value="UTC" selected>' in zone  # no events yet: UTC
    country = page.split('<select id="country"', 1)[1].split("</select>", 1)[0]
    assert '<option value="NG">نيجيريا</option>' in country
    assert re.search(
        r'<input[^>]*dir="ltr"[^>]*id="coordinates"|id="coordinates"[^>]*dir="ltr"', page
    )
    # picked values are saved as the contract's codes
    answer = post_form(
        ada,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_title=unique_title("Event"), timezone="Africa/Lagos", country="NG"),
    )
    assert answer.status_code == 200, answer.text[:2000]
    assert '<option value="Africa/Lagos" selected>' in answer.text
    assert '<option value="NG" selected>' in answer.text


def test_an_account_missing_on_one_wiki_is_said_plainly(client, web_settings, human, unique_title):
    from campaignkit.devwiki.local_user import WikiClient

    name = unique_title("Meta only")
    password = "a long enough password 42"
    newcomer = WikiClient(web_settings.wiki("metawiki").api_url)
    token = newcomer.get(action="query", meta="tokens", type="createaccount")
    created = newcomer.post(
        action="createaccount",
        username=name,
        password=password,
        retype=password,
        createreturnurl="http://127.0.0.1/",
        createtoken=token["query"]["tokens"]["createaccounttoken"],
    )
    assert created["createaccount"]["status"] == "PASS", created
    log_in(client, name, password)
    landing = client.get("/")
    assert "could not log in on: yowiki" in html.unescape(landing.text)

    campaign = unique_title("Missing campaign")
    make_campaign(web_settings, human, campaign)
    title = unique_title("Event")
    saved = post_form(
        client,
        f"/campaign/{quote(campaign)}/add-event",
        _event(campaign, page_title=title, action="save"),
    )
    assert saved.status_code == 302
    status = client.get(saved.headers["Location"])
    assert status.status_code == 202  # kept, waiting
    text = html.unescape(status.text)
    assert f"Your account {name} does not exist on yowiki" in text
    assert "has expired" not in text
    [submission] = journal.for_user(web_settings, name)
    assert submission.status == journal.PENDING
    assert not _exists(web_settings, "yowiki", title)


def test_an_all_day_event_is_written_with_dates_alone(ada, web_settings, human, unique_title):
    from campaignkit.model import read_event

    campaign = unique_title("All-day campaign")
    make_campaign(web_settings, human, campaign)
    title = unique_title("Event")
    data = _event(
        campaign,
        page_title=title,
        start="2027-03-01T10:00",
        end="2027-03-02T16:00",
        all_day="y",
        action="save",
    )
    saved = post_form(ada, f"/campaign/{quote(campaign)}/add-event", data)
    assert saved.status_code == 302, saved.text[:3000]
    text = human("yowiki", ADA).text(title)
    # dates alone (the wiki's own parameter names: ìbẹ̀rẹ̀, ìparí on yowiki)
    assert re.search(r"=\s*2027-03-01\s*\n", text) and re.search(r"=\s*2027-03-02\s*\n", text)
    assert not re.search(r"2027-03-0[12] \d", text), text
    manifest = load_manifest("yowiki", web_settings.wiki("yowiki").lang)
    event = read_event(
        text,
        title=title,
        wiki="yowiki",
        manifest=manifest,
        wiki_ids=web_settings.wikis,
        hub_id="metawiki",
    ).strict()
    assert (event.start.hour, event.end.hour, event.end.minute) == (0, 23, 59)
    form = ada.get(f"/event/yowiki/{quote(title)}/edit")  # edited later: the box is ticked
    assert re.search(r'<input[^>]*checked[^>]*id="all_day"|id="all_day"[^>]*checked', form.text)
    assert 'value="2027-03-01T00:00"' in form.text and 'value="2027-03-02T23:59"' in form.text
