"""The calendar page's wikitext: every campaign's events by month, and the recently ended.

Rendered by the bot from the same document as the data page (so the page, the
embedded lists and the webservice never disagree), into the ``calendar``
region of the hub's calendar page. Plain HTML table markup with every value
escaped (``campaignkit/wikitext/escape.py``), so an event's name or place can
never add a link, template or category; dates are the event's local dates in
the hub's language (Babel/CLDR month names), times as the organizers wrote
them, with the time zone beside them. The labels are the templates' messages
(``templates_wikitext/messages``), in the hub's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton

from campaignkit.codecs import calendar_data
from campaignkit.codecs.calendar_data import CalendarData
from campaignkit.config import Settings
from campaignkit.contract import Kind
from campaignkit.template_pages.sources import Messages, load_messages
from campaignkit.wikitext.escape import escape_field

RECENT_DAYS = 30  # ended events stay in the "recently ended" section this long
# Ongoing and upcoming events the page lists (about 450 bytes each): 2,500 would
# make a 1.1 MB page that is slow to read and to render; the data page, the
# embedded lists and the webservice have every event.
PAGE_EVENTS = 1000
COLUMNS = ("when", "event", "campaign", "format", "place", "language", "wiki", "signup")


def locale_for(lang: str) -> Locale:
    """The hub's CLDR locale (English when CLDR does not know the language)."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _text(value: object) -> str:
    """A value as inert wikitext: one line, every special character encoded."""
    return escape_field(" ".join(str(value or "").split()), Kind.TEXT)


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def when(event: dict[str, Any], locale: Locale) -> str:
    """Local date and time range with its time zone, e.g. 20 April 2027, 10:00–16:00."""
    start, end = str(event["start"]), str(event["end"])
    start_day = format_date(_day(start), "long", locale=locale)
    if start[:10] == end[:10]:
        text = f"{start_day}, {start[11:16]}–{end[11:16]}"
    else:
        end_day = format_date(_day(end), "long", locale=locale)
        text = f"{start_day} {start[11:16]} – {end_day} {end[11:16]}"
    return f"{_text(text)}<br /><small>{_text(event['timezone'])}</small>"


def month_heading(month: str, locale: Locale) -> str:
    """``2027-04`` as the month and year in the hub's language (April 2027)."""
    return format_skeleton("yMMMM", _day(f"{month}-01"), locale=locale)


def page_link(settings: Settings, wiki_id: str, title: str, label: str) -> str:
    """An internal link on the hub, an external link to a page of another wiki."""
    if wiki_id == settings.hub_id:
        return f"[[:{title}|{label}]]"
    wiki = settings.wikis.get(wiki_id)
    if wiki is None:
        return label
    return f"[{wiki.index_url}?title={quote(title.replace(' ', '_'), safe='/:')} {label}]"


def wiki_link(settings: Settings, wiki_id: str) -> str:
    """The wiki's id linked to its main page (as the events table shows it)."""
    wiki = settings.wikis.get(wiki_id)
    return f"[{wiki.index_url} {wiki_id}]" if wiki is not None else _text(wiki_id)


class CalendarPage:
    """Renders the calendar region of the hub's calendar page."""

    def __init__(self, settings: Settings, template_name: str = "Campaign events list") -> None:
        self.settings = settings
        self.locale = locale_for(settings.hub.lang)
        self.messages: Messages = load_messages(settings.hub.lang)
        self.template_name = template_name

    def msg(self, key: str) -> str:
        """A message of the templates (tests keep them free of |, braces and brackets)."""
        return self.messages.get(key)

    def _row(self, event: dict[str, Any], data: CalendarData) -> str:
        settings = self.settings
        campaign = data.campaigns.get(event["campaign"], {})
        countries = data.names.get("countries", {})
        languages = data.names.get("languages", {})
        place = [p for p in (event.get("location"), countries.get(event["country"])) if p]
        if event["country"] and event["country"] not in countries:
            place.append(event["country"])
        signup = self.msg("calendar.signup_closed")
        if event.get("signup") != "closed" and event.get("status") != "ended":
            signup = page_link(
                settings, event["wiki"], event["event"], self.msg("calendar.signup_open")
            )
        format_key = f"choice.format.{event['format']}"
        format_label = (
            self.msg(format_key) if format_key in self.messages.english else _text(event["format"])
        )
        language = event.get("language") or ""
        cells = [
            when(event, self.locale),
            page_link(settings, event["wiki"], event["event"], _text(event["name"])),
            page_link(
                settings,
                settings.hub_id,
                event["campaign"],
                _text(campaign.get("name") or event["campaign"]),
            ),
            format_label,
            _text(", ".join(place)),
            _text(languages.get(language, language)),
            wiki_link(settings, event["wiki"]),
            signup,
        ]
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"

    def _table(self, rows: Iterable[str]) -> str:
        header = "".join(f'<th scope="col">{self.msg(f"calendar.{c}")}</th>' for c in COLUMNS)
        opening = '<table class="wikitable campaignkit-calendar">'
        return "\n".join([opening, f"<tr>{header}</tr>", *rows, "</table>"])

    def body(self, data: CalendarData, now: datetime) -> str:
        """The region's content without its "as of" line (what decides whether to save)."""
        moment = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        upcoming = [e for e in data.events if str(e["end_utc"]) >= moment]
        beyond = upcoming[PAGE_EVENTS:]
        upcoming = upcoming[:PAGE_EVENTS]
        cutoff = (now.astimezone(UTC) - timedelta(days=RECENT_DAYS)).strftime("%Y-%m-%d %H:%M")
        recent = [e for e in data.events if cutoff <= str(e["end_utc"]) < moment]
        lines = [f"== {self.msg('calendar.upcoming')} =="]
        if not upcoming:
            lines.append(self.msg("calendar.none"))
        month = ""
        rows: list[str] = []
        for event in upcoming:
            if str(event["start"])[:7] != month:
                if rows:
                    lines.append(self._table(rows))
                    rows = []
                month = str(event["start"])[:7]
                lines.append(f"=== {_text(month_heading(month, self.locale))} ===")
            rows.append(self._row(event, data))
        if rows:
            lines.append(self._table(rows))
        if beyond:
            data_page = calendar_data.data_title(self.settings.calendar_page)
            lines.append(f"{self.msg('calendar.beyond')} {len(beyond)}: [[{data_page}]]")
        lines.append(f"== {self.msg('calendar.recent')} ==")
        if recent:
            lines.append(self._table(self._row(e, data) for e in reversed(recent)))
        else:
            lines.append(self.msg("calendar.none"))
        return "\n".join(lines)

    def as_of_line(self, as_of: str) -> str:
        """The last line of the region: when the bot last changed it (UTC)."""
        return f"<small>{self.msg('calendar.as_of')} {_text(as_of)}</small>"

    def content(self, data: CalendarData, now: datetime) -> str:
        """The region's whole content."""
        return f"{self.body(data, now)}\n{self.as_of_line(data.as_of)}"

    def new_page_intro(self) -> str:
        """The human-owned text above the region when the bot creates the page."""
        example = f"{{{{{self.template_name}|country=NG|limit=5}}}}"
        return f"{self.msg('calendar.intro')} <code><nowiki>{example}</nowiki></code>.\n\n"


def without_as_of(content: str) -> str:
    """The region's content without its last ("as of") line."""
    head, _sep, last = content.rstrip("\n").rpartition("\n")
    return head if last.startswith("<small>") else content
