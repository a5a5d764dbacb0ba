"""The events table on a campaign page, and the rows the bot wrote last time.

One row per event, from any configured wiki: the event linked to its page on
its wiki, dates with the time zone, format, location, wiki, organizers, the
participant and new-editor counts from the event's own table (and how many
are waitlisted or were checked in, when any are), and a status
computed from the dates. Rows are read back from the region so that an event
whose wiki or page cannot be read keeps its previous row: a failed source is
not an empty list. An event page that names the campaign but whose template
cannot be read gets a "needs fixing" row with the problem, counting nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from campaignkit.manifest import Manifest
from campaignkit.model import CampaignEvent
from campaignkit.wikitext.templates import find_calls, render_call

DATETIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class EventRow:
    """One event as the campaign's table shows it (every value as written)."""

    wiki: str
    event: str
    values: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """Events are identified by wiki and page title."""
        return (self.wiki, self.event)

    def number(self, name: str) -> int:
        """A count column as an integer (0 when absent)."""
        try:
            return int(self.values.get(name, "") or 0)
        except ValueError:
            return 0


def event_status(start_utc: datetime, end_utc: datetime, now: datetime) -> str:
    """upcoming, ongoing or ended, from the event's window in UTC."""
    if now < start_utc:
        return "upcoming"
    if now <= end_utc:
        return "ongoing"
    return "ended"


def status_from_row(values: dict[str, str], now: datetime) -> str:
    """Recompute the status of a kept row, since time has passed since it was written."""
    try:
        zone = ZoneInfo(values.get("timezone") or "UTC")
        start = datetime.strptime(values["start"], DATETIME_FORMAT).replace(tzinfo=zone)
        end = datetime.strptime(values["end"], DATETIME_FORMAT).replace(tzinfo=zone)
    except (KeyError, ValueError):
        return values.get("status", "")
    return event_status(start.astimezone(UTC), end.astimezone(UTC), now)


def row_for_event(
    event: CampaignEvent,
    participants: int,
    new_editors: int,
    now: datetime,
    *,
    waitlisted: int = 0,
    attended: int = 0,
) -> EventRow:
    """The row of an event read now (waitlisted and attended only when there are some)."""
    values = {
        "event": event.page.title,
        "name": event.name,
        "start": event.start.strftime(DATETIME_FORMAT),
        "end": event.end.strftime(DATETIME_FORMAT),
        "timezone": event.timezone,
        "format": event.format,
        "location": event.location,
        "coordinates": str(event.coordinates) if event.coordinates else "",
        "country": event.country or "",
        "language": event.language or "",
        "signup": event.signup,  # with language, for the movement-wide calendar
        "wiki": event.page.wiki,
        "organizers": ", ".join(event.organizers),
        "participants": str(participants),
        "new_editors": str(new_editors),
        "waitlisted": str(waitlisted) if waitlisted else "",
        "attended": str(attended) if attended else "",
        "status": event_status(event.start_utc, event.end_utc, now),
    }
    return EventRow(event.page.wiki, event.page.title, {k: v for k, v in values.items() if v})


def row_for_unreadable(wiki: str, title: str, name: str, problem: str) -> EventRow:
    """The row of an event page that names the campaign but cannot be read.

    It is listed, so nobody wonders where the event went, says what needs
    fixing (the first problem: page, template, field), and counts nothing: no
    participants, no status, since its dates or time zone may be the problem.
    """
    values = {"event": title, "name": name or title, "wiki": wiki, "problem": problem}
    return EventRow(wiki, title, values)


def needs_fixing(row: EventRow) -> bool:
    """Whether a row stands for an event page that cannot be read."""
    return bool(row.values.get("problem"))


def sort_rows(rows: list[EventRow]) -> list[EventRow]:
    """By start date, then wiki and title, so the table is stable between runs."""
    return sorted(rows, key=lambda r: (r.values.get("start", ""), r.wiki, r.event))


def render_table(rows: list[EventRow], manifest: Manifest) -> str:
    """The region's content: header with the count, one row per event, totals at the end."""
    row_template = manifest.template("campaign_events_row")
    participants = sum(r.number("participants") for r in rows)
    new_editors = sum(r.number("new_editors") for r in rows)
    events = sum(1 for r in rows if not needs_fixing(r))  # an unreadable page counts nothing
    lines = [f"{{{{{manifest.frame_name('campaign_events_header')}|count={len(rows)}}}}}"]
    lines += [render_call(row_template, row.values, inline=True) for row in rows]
    lines.append(
        f"{{{{{manifest.frame_name('campaign_events_end')}|events={events}"
        f"|participants={participants}|new_editors={new_editors}}}}}"
    )
    return "\n".join(lines)


def read_table(region_text: str, manifest: Manifest) -> list[EventRow]:
    """The rows the bot wrote last time."""
    rows = []
    for call in find_calls(region_text, manifest.template("campaign_events_row")):
        values = dict(call.values)
        if values.get("event") and values.get("wiki"):
            rows.append(EventRow(values["wiki"], values["event"], values))
    return rows
