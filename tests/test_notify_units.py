"""The notify task's texts, settings and markers (unit tests; on the wikis: test_notify_wiki)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import mwparserfromhell
import pytest

from bot.metrics.compute import Figures, ParticipantFigures
from bot.notifications import messages
from bot.notifications.journal import MessageKey
from bot.notifications.settings import notify_settings
from campaignkit.config import ConfigError, parse_settings
from campaignkit.model import CampaignEvent, PageRef

EVENT = CampaignEvent(
    page=PageRef("metawiki", "Lagos 2027"),
    campaign="C",
    name="Lagos }} [[Category:Spam]] {{subst:X}} ~~~~ <ref>",
    start=datetime(2027, 4, 20, 10, 0),
    end=datetime(2027, 4, 20, 16, 0),
    format="hybrid",
    wiki="metawiki",
    timezone="Africa/Lagos",
    location="Yaba | Lagos",
    meeting_link="https://meet.example.org/a]b{{c}}",
    reminders=True,
)


def settings_with(notify: dict):
    raw = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": "http://127.0.0.1:9/api.php", "lang": "en"}},
        "bot": {"username": "CampaignBot@campaignkit"},
        "notify": notify,
    }
    return parse_settings(raw, Path("/etc/campaignkit.toml"))


def test_settings_have_defaults_and_name_the_bot():
    options = notify_settings(settings_with({}))
    assert options.reminder_before.total_seconds() == 24 * 3600
    assert options.optout_page == "User:CampaignBot/No messages"
    options = notify_settings(settings_with({"reminder_hours": 2, "optout_page": ""}))
    assert options.reminder_before.total_seconds() == 7200 and options.optout_page == ""


@pytest.mark.parametrize(
    ("notify", "says"),
    [
        ({"reminder_hour": 3}, "unknown key notify.reminder_hour"),
        ({"reminder_hours": "soon"}, "notify.reminder_hours must be a positive number"),
        ({"max_messages": 0}, "notify.max_messages must be a positive number"),
        ({"optout_page": 3}, "notify.optout_page must be a page title"),
    ],
)
def test_bad_settings_name_the_file_and_the_key(notify, says):
    with pytest.raises(ConfigError, match=says) as error:
        notify_settings(settings_with(notify))
    assert str(error.value).startswith("/etc/campaignkit.toml: ")


def added_markup(text: str) -> list[str]:
    """Templates, links and tags the text would add (the bot's own signature aside)."""
    code = mwparserfromhell.parse(text.replace("~~~~", ""))
    found = [str(t.name) for t in code.filter_templates()]
    found += [str(link.title) for link in code.filter_wikilinks()]
    found += [
        str(tag.tag)
        for tag in code.filter_tags()
        if str(tag.tag) not in ("small", "nowiki", "b", "li")
    ]
    return found


def test_a_reminder_escapes_what_organizers_typed_and_gives_both_times():
    message = messages.reminder(EVENT, "Bola", "en", "https://hub/index.php?title=Opt")
    section = message.section("ck-notify:abc")
    assert "2027-04-20 10:00" in section and "2027-04-20 09:00 UTC" in section  # Lagos is UTC+1
    assert added_markup(section) == [":Lagos 2027"]  # only the link to the event page
    assert section.count("~~~~") == 1 and section.endswith("~~~~ <!-- ck-notify:abc -->")
    assert "* Meeting link: https://meet.example.org/a" in section and "{{c}}" not in section
    assert "[[" not in message.summary and "{{" not in message.summary
    assert message.summary.startswith("reminder: Lagos")


def test_a_thank_you_names_the_persons_own_figures_and_references_when_measured():
    mine = ParticipantFigures("Bola", False, edits=7, articles_created=2, bytes_added=3150)
    totals = Figures(participants=12, edits=80, articles_created=9, bytes_added=40000)
    as_of = datetime(2027, 4, 21, 8, 0, tzinfo=UTC)
    text = messages.thanks(EVENT, "Bola", "en", mine, totals, as_of).body
    assert "'''7''' edits, created '''2''' articles and added '''3150''' bytes" in text
    assert "12 participants, 80 edits" in text and "references" in text
    unmeasured = dataclasses.replace(totals, references_added=None)
    assert "references" not in messages.thanks(EVENT, "Bola", "en", mine, unmeasured, as_of).body


def test_yoruba_texts_and_english_fallback():
    yoruba = messages.reminder(EVENT, "Bola", "yo")
    assert yoruba.heading.startswith("Ìránnilétí:")
    assert messages.reminder(EVENT, "Bola", "xx").heading.startswith("Reminder:")


def test_each_message_has_its_own_stable_marker():
    reminder = MessageKey("metawiki", "Lagos 2027", "Bola", "reminder")
    assert reminder.marker == MessageKey("metawiki", "Lagos 2027", "Bola", "reminder").marker
    assert reminder.marker != dataclasses.replace(reminder, kind="thanks").marker
    assert reminder.marker != dataclasses.replace(reminder, user="Chidi").marker
