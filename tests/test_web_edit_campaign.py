"""Editing a campaign from the webservice (issue 14), against the real local wikis."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest

from campaignkit.manifest import load_manifest
from campaignkit.model import read_campaign
from campaignkit.submissions import journal
from tests.test_web_wiki import ADA, BOLA, SETUP, make_campaign
from tests.web_support import csrf_token, log_in

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


def _form_values(page_html: str, **changes: str) -> dict[str, str]:
    values = {
        "csrf_token": csrf_token(page_html),
        "before": re.search(r'name="before" value="([^"]+)"', page_html).group(1),
    }
    for name in ("name", "start", "end", "hashtag", "topic", "organizers"):
        match = re.search(
            rf'id="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*id="{name}"', page_html
        )
        found = match and next((g for g in match.groups() if g is not None), "")
        values[name] = html.unescape(found or "")
    description = re.search(
        r'<textarea[^>]*id="description"[^>]*>(.*?)</textarea>', page_html, re.S
    )
    values["description"] = html.unescape(description.group(1).lstrip("\n")) if description else ""
    values.update(changes)
    return values


def _campaign(settings, human, title):
    manifest = load_manifest("metawiki", settings.wiki("metawiki").lang)
    text = human("metawiki", ADA).text(title)
    return text, read_campaign(text, title=title, wiki="metawiki", manifest=manifest).strict()


def test_an_organizer_edits_the_campaign_and_only_changed_fields_are_written(
    client, accounts, web_settings, human, unique_title
):
    title = unique_title("Editable campaign")
    make_campaign(web_settings, human, title)
    human("metawiki", SETUP).edit(
        title, human("metawiki", SETUP).text(title) + "\nA line people wrote by hand.\n"
    )
    log_in(client, ADA, accounts.users[ADA])
    dashboard = client.get(f"/campaign/{quote(title)}")
    assert "Edit the campaign" in dashboard.text
    form = client.get(f"/campaign/{quote(title)}/edit")
    assert form.status_code == 200
    changes = {"topic": "Climate", "description": "Line one\nLine two", "action": "save"}
    saved = client.post(f"/campaign/{quote(title)}/edit", data=_form_values(form.text, **changes))
    assert saved.status_code == 302, saved.text[:3000]
    text, campaign = _campaign(web_settings, human, title)
    assert campaign.topic == "Climate" and campaign.description == "Line one\nLine two"
    assert campaign.name == title and "A line people wrote by hand." in text
    [submission] = journal.for_user(web_settings, ADA)
    assert submission.kind == "edit-campaign" and submission.status == journal.SAVED


def test_a_field_changed_on_the_wiki_meanwhile_stops_the_save_and_keeps_the_form(
    client, accounts, web_settings, human, unique_title
):
    title = unique_title("Raced campaign")
    make_campaign(web_settings, human, title)
    log_in(client, ADA, accounts.users[ADA])
    form = client.get(f"/campaign/{quote(title)}/edit")
    before = human("metawiki", SETUP).text(title)
    text = re.sub(r"(end\s*=\s*)2027-12-31", r"\g<1>2027-11-30", before)
    assert text != before
    human("metawiki", SETUP).edit(title, text)
    answer = client.post(
        f"/campaign/{quote(title)}/edit",
        data=_form_values(form.text, end="2027-10-31", topic="Typed topic", action="save"),
    )
    assert answer.status_code == 409, answer.text[:2000]
    assert 'value="Typed topic"' in answer.text
    _, campaign = _campaign(web_settings, human, title)
    assert campaign.end.isoformat() == "2027-11-30"  # the other person's change stays


def test_only_the_campaigns_organizers_may_edit_it(
    client, accounts, web_settings, human, unique_title
):
    title = unique_title("Guarded campaign")
    make_campaign(web_settings, human, title)
    log_in(client, BOLA, accounts.users[BOLA])
    assert "Edit the campaign" not in client.get(f"/campaign/{quote(title)}").text
    assert client.get(f"/campaign/{quote(title)}/edit").status_code == 403
    page = client.get("/my-submissions")
    forged = client.post(
        f"/campaign/{quote(title)}/edit",
        data={"csrf_token": csrf_token(page.text), "before": "x", "topic": "Mine"},
    )
    assert forged.status_code == 403
