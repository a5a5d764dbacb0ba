"""The text of a reminder or a thank-you, in the talk page wiki's language.

Texts live in ``bot/notifications/messages/<lang>.toml`` (English and Yoruba
ship; a key a language lacks falls back to English), so translators change
words without touching code. Placeholders are ``$name`` (``string.Template``),
which leaves wikitext braces alone.

Everything that comes from an event page or a username is escaped like any
value the bot writes (:func:`campaignkit.wikitext.escape.escape_field`), so an
event called ``}} [[Category:X]] ~~~~`` reads back as those characters and
adds nothing to the talk page. Links are built here: the event page as a
wikilink (the message goes on the event page's own wiki), the meeting link as
a URL escaped to stay one link, the hub's opt-out page as an external link
(it may be on another wiki).

Each section ends with the bot's signature and a hidden marker, the same one
the edit summary carries, so the message can be found again on the page and
in its history (:mod:`bot.notifications.journal`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from string import Template
from urllib.parse import quote

from bot.metrics.compute import Figures, ParticipantFigures
from campaignkit.contract import Kind
from campaignkit.model import CampaignEvent
from campaignkit.wikitext.escape import escape_field

MESSAGES_DIR = Path(__file__).with_name("messages")
TIME = "%Y-%m-%d %H:%M"
REMINDER = "reminder"
THANKS = "thanks"
OPTOUT_KINDS = {"campaignkit"}  # {{bots|optout=campaignkit}}, besides "all" and the kind


@cache
def _texts(lang: str) -> dict[str, dict[str, str]]:
    path = MESSAGES_DIR / f"{lang}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def text(lang: str, section: str, key: str) -> str:
    """One message in the language, else English."""
    own = _texts(lang).get(section, {}).get(key)
    return own if own is not None else _texts("en")[section][key]


@dataclass(frozen=True)
class Message:
    """A talk page section and the edit summary that says what it is."""

    heading: str
    body: str
    summary: str

    def section(self, marker: str) -> str:
        """The section as appended to the talk page: heading, body, signature, marker."""
        return f"== {self.heading} ==\n{self.body} ~~~~ <!-- {marker} -->"


def _plain(value: str, limit: int = 80) -> str:
    """A value for an edit summary: no link or template brackets, one line, not too long."""
    cleaned = " ".join(value.translate(str.maketrans("[]{}|", "()()/")).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _event_values(event: CampaignEvent, user: str) -> dict[str, str]:
    name = escape_field(event.name, Kind.TEXT)
    return {
        "user": escape_field(user, Kind.TEXT),
        "event": name,
        "event_link": f"[[:{event.page.title}|{name}]]",
        "start_local": event.start.strftime(TIME),
        "end_local": event.end.strftime(TIME),
        "timezone": escape_field(event.timezone, Kind.TEXT),
        "start_utc": event.start_utc.strftime(TIME),
    }


def _fill(lang: str, section: str, key: str, values: dict[str, str]) -> str:
    return Template(text(lang, section, key)).safe_substitute(values)


def _footer(lang: str, optout_url: str) -> str:
    why = text(lang, "common", "why")
    if optout_url:
        link = f"[{escape_field(optout_url, Kind.URL)} {text(lang, 'common', 'optout_label')}]"
        how = _fill(lang, "common", "optout", {"optout_link": link})
    else:
        how = text(lang, "common", "optout_no_page")
    return f"\n\n<small>{why} {how}</small>"


def reminder(event: CampaignEvent, user: str, lang: str, optout_url: str = "") -> Message:
    """The reminder before the start: name, start in the event's zone and UTC, page, link."""
    values = _event_values(event, user)
    lines = [_fill(lang, REMINDER, "body", values)]
    if event.meeting_link:
        link = escape_field(event.meeting_link, Kind.URL)
        lines.append("* " + _fill(lang, REMINDER, "meeting", {"meeting_link": link}))
    if event.location:
        place = escape_field(event.location, Kind.TEXT)
        lines.append("* " + _fill(lang, REMINDER, "location", {"location": place}))
    summary_values = {**values, "event": _plain(event.name)}
    return Message(
        heading=_fill(lang, REMINDER, "heading", values),
        body="\n".join(lines) + _footer(lang, optout_url),
        summary=_fill(lang, REMINDER, "summary", summary_values),
    )


def thanks(
    event: CampaignEvent,
    user: str,
    lang: str,
    mine: ParticipantFigures | None,
    totals: Figures,
    as_of: datetime,
    optout_url: str = "",
) -> Message:
    """The thank-you after the end: the person's own figures and the event's totals.

    References are named only when the event's metrics measured them.
    """
    mine = mine or ParticipantFigures(user=user, new_editor=False)
    values = {
        **_event_values(event, user),
        "edits": str(mine.edits),
        "articles_created": str(mine.articles_created),
        "bytes_added": str(mine.bytes_added),
        "references_added": str(mine.references_added),
        "participants": str(totals.participants),
        "total_edits": str(totals.edits),
        "total_articles_created": str(totals.articles_created),
        "total_bytes_added": str(totals.bytes_added),
        "as_of": as_of.strftime(TIME),
    }
    values["references"] = (
        _fill(lang, THANKS, "references", values) if totals.references_added is not None else ""
    )
    body = _fill(lang, THANKS, "body", values) + "\n\n" + _fill(lang, THANKS, "totals", values)
    return Message(
        heading=_fill(lang, THANKS, "heading", values),
        body=body + _footer(lang, optout_url),
        summary=_fill(lang, THANKS, "summary", {**values, "event": _plain(event.name)}),
    )


def optout_url(index_url: str, title: str) -> str:
    """The hub's opt-out page as a URL people open (empty when none is configured)."""
    if not title:
        return ""
    return f"{index_url}?title={quote(title.replace(' ', '_'), safe=':/')}"
