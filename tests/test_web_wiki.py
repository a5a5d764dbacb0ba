"""Organizers' and participants' flows through the web app, against the real local wikis."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from campaignkit.manifest import load_manifest
from campaignkit.model import read_campaign, read_event
from campaignkit.submissions import journal
from campaignkit.wikitext.regions import strip_regions
from campaignkit.wikitext.templates import render_call
from tests.web_support import csrf_token, log_in, post_form
from webservice import refresh

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

ADA = "Ada Organizer"
BOLA = "Bola Participant"
SETUP = "Admin"  # pages the tests start from are made by the admin (noratelimit), not by Ada


def _manifest(settings, wiki_id):
    return load_manifest(wiki_id, settings.wiki(wiki_id).lang)


def make_campaign(settings, human, title, organizers=ADA):
    text = render_call(
        _manifest(settings, "metawiki").template("campaign"),
        {"name": title, "start": "2026-01-01", "end": "2027-12-31", "organizers": organizers},
    )
    human("metawiki", SETUP).edit(title, text + "\n\n{{Campaign bot region|events}}\n")


def make_event(settings, human, title, campaign, organizers=ADA, wiki="yowiki"):
    values = {
        "campaign": campaign,
        "name": "Lagos edit-a-thon",
        "start": "2026-11-20 10:00",
        "end": "2026-12-20 16:00",
        "format": "hybrid",
        "wiki": wiki,
        "organizers": organizers,
        "location": "Yaba Library",
    }
    call = render_call(_manifest(settings, wiki).template("campaign_event"), values)
    human(wiki, ADA).edit(
        title, f"{call}\n\n== Sign up ==\n{{{{Campaign bot region|participants}}}}\n"
    )


@pytest.fixture
def ada(client, accounts):
    log_in(client, ADA, accounts.users[ADA])
    return client


def _submission_id(response) -> str:
    assert response.status_code == 302, response.text[:3000]
    match = re.search(r"/submission/([0-9a-f]{32})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_new_campaign_preview_then_save_as_the_organizer(ada, web_settings, human, unique_title):
    title = unique_title("Web campaign")
    data = {
        "page_title": title,
        "name": "Climate 2027",
        "start": "2027-04-15",
        "end": "2027-05-15",
        "hashtag": "Climate2027",
        "organizers": ADA,
        "description": "Line one\nLine two",
    }
    preview = post_form(ada, "/new/campaign", {**data, "action": "preview"})
    assert preview.status_code == 200
    assert "Climate 2027" in preview.text and "wiki-html" in preview.text
    assert "Line one" in preview.text
    with pytest.raises(KeyError):
        human("metawiki", ADA).text(title)  # a preview saves nothing

    saved = post_form(ada, "/new/campaign", {**data, "action": "save"})
    submission = journal.get(web_settings, _submission_id(saved))
    assert submission.status == journal.SAVED, submission
    text = human("metawiki", ADA).text(title)
    campaign = read_campaign(
        text, title=title, wiki="metawiki", manifest=_manifest(web_settings, "metawiki")
    ).strict()
    assert campaign.name == "Climate 2027" and campaign.description == "Line one\nLine two"
    latest = human("metawiki", ADA).history(title)[0]
    assert latest["user"] == ADA  # the organizer's edit, not the bot's
    assert submission.marker in latest["comment"]
    status = ada.get(f"/submission/{submission.id}")
    assert "Saved on the wiki" in status.text


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    ada, web_settings, unique_title
):
    title = unique_title("Web campaign")
    answer = post_form(
        ada,
        "/new/campaign",
        {
            "page_title": title,
            "name": "",
            "start": "2027-13-40",
            "end": "2027-01-01",
            "action": "save",
        },
    )
    assert answer.status_code == 400
    html = answer.text
    assert 'id="name-error"' in html and 'aria-describedby="name-help name-error"' in html
    assert 'id="start-error"' in html and "YYYY-MM-DD" in html
    assert f'value="{title}"' in html  # values are kept
    assert journal.for_user(web_settings, ADA) == []


def test_add_event_is_listed_on_the_campaign_page_after_the_refresh(
    ada, web_settings, human, unique_title
):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    form = ada.get(f"/campaign/{campaign}/add-event")
    assert form.status_code == 200 and f'value="{campaign}"' in form.text  # prefilled
    event_title = unique_title("Web event")
    saved = post_form(
        ada,
        f"/campaign/{campaign}/add-event",
        {
            "page_wiki": "yowiki",
            "page_title": event_title,
            "campaign": campaign,
            "name": "Ìpàdé Èkó",
            "start": "2026-11-20T10:00",
            "end": "2026-12-20T16:00",
            "timezone": "Africa/Lagos",
            "format": "in-person",
            "location": "Yaba Library, Lagos",
            "coordinates": "6.5095, 3.3711",
            "wiki": "yowiki",
            "organizers": ADA,
            "signup": "open",
            "action": "save",
        },
    )
    submission = journal.get(web_settings, _submission_id(saved))
    assert submission.status == journal.SAVED, submission
    text = human("yowiki", ADA).text(event_title)
    assert text.startswith("{{Ìṣẹ̀lẹ̀ ìpolongo")  # the wiki's own template name
    event = read_event(
        text,
        title=event_title,
        wiki="yowiki",
        manifest=_manifest(web_settings, "yowiki"),
        wiki_ids=web_settings.wikis,
        hub_id="metawiki",
    ).strict()
    assert event.name == "Ìpàdé Èkó" and event.campaign == campaign
    assert refresh.wait_until_idle(120)
    deadline = time.monotonic() + 60
    while event_title not in human("metawiki", ADA).text(campaign):
        assert time.monotonic() < deadline, "the campaign page never listed the event"
        refresh.request_refresh(web_settings, "yowiki", event_title)
        refresh.wait_until_idle(60)
    dashboard = ada.get(f"/campaign/{campaign}")
    assert "Ìpàdé Èkó" in dashboard.text and 'id="map"' in dashboard.text
    calendar = ada.get(f"/campaign/{campaign}/events.ics")
    assert calendar.mimetype == "text/calendar" and b"TZID=Africa/Lagos" in calendar.data
    geojson = ada.get(f"/campaign/{campaign}/events.geojson").json
    assert geojson["features"][0]["geometry"]["coordinates"] == [3.3711, 6.5095]
    assert "Ìpàdé Èkó" in ada.get(f"/campaign/{campaign}/events.csv").text
    api = ada.get(f"/api/v1/campaigns/{campaign}").json
    assert api["events"][0]["name"] == "Ìpàdé Èkó" and api["totals"]["events"] == 1
    event_api = ada.get(f"/api/v1/events/yowiki/{event_title}").json
    assert event_api["event"]["timezone"] == "Africa/Lagos"


def test_only_organizers_may_edit_an_event(client, web_settings, human, accounts, unique_title):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Web event")
    make_event(web_settings, human, event_title, campaign)
    log_in(client, BOLA, accounts.users[BOLA])
    assert client.get(f"/event/yowiki/{event_title}/edit").status_code == 403
    page = client.get(f"/event/yowiki/{event_title}")
    forged = client.post(
        f"/event/yowiki/{event_title}/edit",
        data={"csrf_token": csrf_token(page.text), "name": "Hijacked", "action": "save"},
    )
    assert forged.status_code == 403
    assert "Hijacked" not in human("yowiki", ADA).text(event_title)
    assert client.get(f"/event/yowiki/{event_title}/newcomers").status_code == 403


def test_organizer_edit_writes_only_the_changed_field(ada, web_settings, human, unique_title):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Web event")
    make_event(web_settings, human, event_title, campaign)
    before = human("yowiki", ADA).text(event_title)
    form = ada.get(f"/event/yowiki/{event_title}/edit")
    assert form.status_code == 200
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', form.text))
    data = {
        "csrf_token": csrf_token(form.text),
        "before": re.search(r'name="before" value="([^"]+)"', form.text).group(1),
        **{k: v for k, v in fields.items() if k != "csrf_token"},
    }
    values = {
        "campaign": campaign,
        "name": "Lagos edit-a-thon",
        "start": "2026-11-20T10:00",
        "end": "2026-12-20T16:00",
        "format": "hybrid",
        "wiki": "yowiki",
        "organizers": ADA,
        "location": "Ikeja Library",
        "timezone": "UTC",
        "signup": "open",
    }
    saved = ada.post(f"/event/yowiki/{event_title}/edit", data={**data, **values, "action": "save"})
    assert journal.get(web_settings, _submission_id(saved)).status == journal.SAVED
    after = human("yowiki", ADA).text(event_title)
    assert after == before.replace("Yaba Library", "Ikeja Library")


def test_edit_refused_when_someone_changed_the_same_field(ada, web_settings, human, unique_title):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Web event")
    make_event(web_settings, human, event_title, campaign)
    form = ada.get(f"/event/yowiki/{event_title}/edit")
    human_text = human("yowiki", BOLA).text(event_title).replace("Yaba Library", "Surulere Hall")
    human("yowiki", BOLA).edit(event_title, human_text)
    values = {
        "csrf_token": csrf_token(form.text),
        "before": re.search(r'name="before" value="([^"]+)"', form.text).group(1),
        "campaign": campaign,
        "name": "Lagos edit-a-thon",
        "start": "2026-11-20T10:00",
        "end": "2026-12-20T16:00",
        "format": "hybrid",
        "wiki": "yowiki",
        "organizers": ADA,
        "location": "Ikeja Library",
        "timezone": "UTC",
        "signup": "open",
        "action": "save",
    }
    saved = ada.post(f"/event/yowiki/{event_title}/edit", data=values)
    # The form comes back with the reason on top and everything the organizer typed.
    assert saved.status_code == 409, saved.text[:2000]
    assert "after you opened the form" in saved.text and 'value="Ikeja Library"' in saved.text
    [submission] = journal.for_user(web_settings, ADA)
    assert submission.status == journal.REFUSED and "error-edited-meanwhile" in submission.message
    assert "Surulere Hall" in human("yowiki", ADA).text(event_title)  # the human's edit stays
    status = ada.get(f"/submission/{submission.id}")
    assert "after you opened the form" in status.text


def test_one_click_signup_is_always_for_the_logged_in_person(
    client, web_settings, human, accounts, unique_title
):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Web event")
    make_event(web_settings, human, event_title, campaign)
    log_in(client, BOLA, accounts.users[BOLA])
    page = client.get(f"/event/yowiki/{event_title}")
    assert "Sign up" in page.text
    answer = client.post(
        f"/event/yowiki/{event_title}/signup",
        data={"csrf_token": csrf_token(page.text), "user": ADA, "username": ADA},
    )
    assert answer.status_code == 302 and "/event/yowiki/" in answer.headers["Location"]
    text = human("yowiki", ADA).text(event_title)
    assert "{{Olùkópa|Bola Participant}}" in text and ADA not in text.split("== Sign up ==")[1]
    revisions = len(human("yowiki", ADA).history(event_title))
    page = client.get(f"/event/yowiki/{event_title}")
    assert "Withdraw my sign-up" in page.text
    client.post(f"/event/yowiki/{event_title}/signup", data={"csrf_token": csrf_token(page.text)})
    assert len(human("yowiki", ADA).history(event_title)) == revisions  # signed up once
    client.post(f"/event/yowiki/{event_title}/withdraw", data={"csrf_token": csrf_token(page.text)})
    # The sign-up is gone from the page; the bot's table (its own region) follows at the
    # refresh the withdrawal asked for, which may or may not have run yet.
    assert "Bola Participant" not in strip_regions(human("yowiki", ADA).text(event_title))
    no_token = client.post(f"/event/yowiki/{event_title}/signup", data={})
    assert no_token.status_code == 400  # CSRF


def test_newcomer_account_created_by_the_organizer_and_signed_up(
    ada, web_settings, human, unique_title
):
    campaign = unique_title("Web campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Web event")
    make_event(web_settings, human, event_title, campaign)
    newcomer = f"Newcomer {uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    url = f"/event/yowiki/{event_title}/newcomers"
    differ = post_form(
        ada, url, {"username": newcomer, "password": password, "password_again": "x"}
    )
    assert differ.status_code == 400 and "The two passwords are different" in differ.text
    created = post_form(
        ada, url, {"username": newcomer, "password": password, "password_again": password}
    )
    assert created.status_code == 302, created.text[:3000]
    # made at the event, so checked in at once (issue 17)
    assert f"{{{{Olùkópa|{newcomer}|wá=yes}}}}" in human("yowiki", ADA).text(event_title)
    users = human("yowiki", ADA).get(action="query", list="users", ususers=newcomer)
    assert "missing" not in users["query"]["users"][0]
    again = post_form(
        ada, url, {"username": newcomer, "password": password, "password_again": password}
    )
    assert again.status_code == 400 and "This username is taken" in again.text


def test_writes_are_rate_limited(client, accounts, web_settings, tmp_path, redis_url):
    import dataclasses

    from webservice.app import create_app

    limited = dataclasses.replace(
        web_settings, web={**web_settings.web, "write_limit": "2 per minute"}
    )
    test_client = create_app(limited, retry_worker=False).test_client()
    log_in(test_client, ADA, accounts.users[ADA])  # logins have budgets of their own
    statuses = []
    for _ in range(3):
        page = test_client.get("/new/campaign")
        answer = test_client.post(
            "/new/campaign",
            data={"csrf_token": csrf_token(page.text), "name": "", "action": "preview"},
        )
        statuses.append(answer.status_code)
    assert statuses == [400, 400, 429]


def test_new_worklist_from_the_form(ada, web_settings, human, unique_title):
    from campaignkit.model import read_worklist_source

    title = unique_title("Web worklist")
    both = post_form(
        ada,
        "/new/worklist",
        {
            "page_wiki": "metawiki",
            "page_title": title,
            "wiki": "yowiki",
            "titles": "Lagos\nÈkó",
            "category": "Climate",
            "action": "save",
        },
    )
    assert both.status_code == 400 and 'id="category-error"' in both.text  # one source only
    good_title = unique_title("Web worklist")
    saved = post_form(
        ada,
        "/new/worklist",
        {
            "page_wiki": "yowiki",
            "page_title": good_title,
            "wiki": "yowiki",
            "source_wiki": "metawiki",
            "titles": "Lagos\nÈkó\n",
            "sort": "missing-first",
            "action": "save",
        },
    )
    assert journal.get(web_settings, _submission_id(saved)).status == journal.SAVED
    source = read_worklist_source(
        human("yowiki", ADA).text(good_title),
        title=good_title,
        wiki="yowiki",
        manifest=_manifest(web_settings, "yowiki"),
        wiki_ids=web_settings.wikis,
    ).strict()
    assert source.titles == ("Lagos", "Èkó") and source.source_wiki == "metawiki"
