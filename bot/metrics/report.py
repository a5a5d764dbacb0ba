"""Metrics as organizers hand them on: the wiki's metrics region, JSON and CSV.

The same :class:`EventReport` / :class:`CampaignReport` values make all three,
so the box on the page, the JSON a tool reads and the CSV a grant report
starts from never disagree. Every report carries its "as of" time.

On the wiki, an event page's region holds one ``{{Campaign metrics}}`` box; a
campaign page's holds the box with the totals and a sortable table with a row
per event (localized column labels; each value escaped, each event linked
through ``Module:Campaignkit`` so a title cannot inject markup). The CSV of
participants holds public data only: usernames and counts of public edits.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.metrics.compute import (
    ALWAYS_KNOWN,
    FIGURES,
    GOAL_FIGURES,
    Figures,
    ParticipantFigures,
    goal_progress,
)
from bot.metrics.definitions import CreatedArticle
from campaignkit.contract import CAMPAIGN_EVENTS_ROW, CAMPAIGN_METRICS, Kind
from campaignkit.manifest import Manifest
from campaignkit.wikitext.escape import escape_field
from campaignkit.wikitext.templates import render_call

AS_OF_FORMAT = "%Y-%m-%d %H:%M UTC"
_AS_OF_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def as_of_text(moment: datetime) -> str:
    """How an "as of" time is written on the wiki (UTC, minutes)."""
    return moment.astimezone(UTC).strftime(AS_OF_FORMAT)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC for JSON."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@dataclass
class EventReport:
    """An event's metrics as reported."""

    wiki: str  # where the event page is
    page: str
    campaign: str
    name: str
    edit_wiki: str
    start: datetime | None
    end: datetime | None
    timezone: str
    figures: Figures
    as_of: datetime
    source: str
    per_participant: list[ParticipantFigures] = field(default_factory=list)
    created: list[CreatedArticle] = field(default_factory=list)
    deleted: list[CreatedArticle] = field(default_factory=list)
    kept: bool = False  # figures of an earlier run: the source failed this time
    goals: dict[str, int] = field(default_factory=dict)  # goal name -> target, from the page

    def as_json(self, participants: bool = False) -> dict[str, Any]:
        """The event as a JSON object."""
        document: dict[str, Any] = {
            "kind": "event",
            "wiki": self.wiki,
            "page": self.page,
            "campaign": self.campaign,
            "name": self.name,
            "window": {
                "wiki": self.edit_wiki,
                "start": iso(self.start),
                "end": iso(self.end),
                "timezone": self.timezone,
            },
            "as_of": iso(self.as_of),
            "source": self.source,
            "kept_from_earlier_run": self.kept,
            "figures": self.figures.as_dict(),
            "goals": goals_json(self.figures, self.goals),
            "articles_created": [a.title for a in self.created],
            "articles_deleted": [a.title for a in self.deleted],
        }
        if participants:
            document["participants"] = [_participant_json(p) for p in self.per_participant]
        return document


@dataclass
class CampaignReport:
    """A campaign's totals and its events' rows."""

    wiki: str
    page: str
    figures: Figures
    events: list[EventReport]
    as_of: datetime
    source: str
    goals: dict[str, int] = field(default_factory=dict)

    def as_json(self, participants: bool = False) -> dict[str, Any]:
        """The campaign as a JSON object, events included."""
        return {
            "kind": "campaign",
            "wiki": self.wiki,
            "page": self.page,
            "as_of": iso(self.as_of),
            "source": self.source,
            "figures": {"events": len(self.events), **self.figures.as_dict()},
            "goals": goals_json(self.figures, self.goals),
            "events": [e.as_json(participants) for e in self.events],
        }


def goals_json(figures: Figures, goals: dict[str, int]) -> dict[str, Any]:
    """Each goal set on the page: its target, the figure now, percent and whether reached."""
    return {
        g.goal: {
            "figure": g.figure,
            "target": g.target,
            "value": g.value,
            "percent": g.percent,
            "reached": g.reached,
        }
        for g in goal_progress(figures, goals)
    }


def _participant_json(row: ParticipantFigures) -> dict[str, Any]:
    return {
        "user": row.user,
        "new_editor": row.new_editor,
        "edits": row.edits,
        "articles_created": row.articles_created,
        "articles_improved": row.articles_improved,
        "bytes_added": row.bytes_added,
        "retained": row.retained,
        "references_added": row.references_added,
        "uploads": row.uploads,
        "wikidata_edits": row.wikidata_edits,
    }


# --- wikitext -------------------------------------------------------------------


def _box_values(
    figures: Figures,
    as_of: datetime,
    events: int | None = None,
    goals: dict[str, int] | None = None,
) -> dict[str, str]:
    values = {name: str(value) for name, value in figures.as_dict().items() if value is not None}
    if events is not None:
        values["events"] = str(events)
    for goal in GOAL_FIGURES:
        if (goals or {}).get(goal):
            values[f"goal_{goal}"] = str(goals[goal])  # type: ignore[index]
    values["as_of"] = as_of_text(as_of)
    return values


def event_region(report: EventReport, manifest: Manifest) -> str:
    """The content of an event page's ``metrics`` region (the box draws the goal bars)."""
    return render_call(
        manifest.template("campaign_metrics"),
        _box_values(report.figures, report.as_of, goals=report.goals),
    )


def table_figures(events: list[EventReport]) -> tuple[str, ...]:
    """The columns of the campaign's table: figures always known, others once one event has them."""
    return tuple(
        name
        for name in FIGURES
        if name in ALWAYS_KNOWN or any(getattr(e.figures, name) is not None for e in events)
    )


def _label(messages: Any, key: str, default: str) -> str:
    if messages is None:
        return default
    return messages.own.get(key) or messages.english.get(key) or default


def _messages(lang: str) -> Any:
    try:
        from campaignkit.template_pages.sources import load_messages

        return load_messages(lang)
    except Exception:  # labels fall back to English; a report must not fail on them
        return None


def _cell(value: int | None) -> str:
    return "" if value is None else f"{{{{formatnum:{value}}}}}"


def campaign_region(report: CampaignReport, manifest: Manifest, lang: str = "en") -> str:
    """The content of a campaign page's ``metrics`` region: totals box and event rows."""
    messages = _messages(lang)
    box = render_call(
        manifest.template("campaign_metrics"),
        _box_values(report.figures, report.as_of, events=len(report.events), goals=report.goals),
    )
    columns = table_figures(report.events)
    name_label = _label(messages, "label.campaign_events_row.name", "Event")
    wiki_label = _label(
        messages, "label.campaign_events_row.wiki", CAMPAIGN_EVENTS_ROW.field("wiki").label
    )
    headers = [name_label, wiki_label]
    headers += [
        _label(messages, f"label.campaign_metrics.{n}", CAMPAIGN_METRICS.field(n).label)
        for n in columns
    ]
    headers.append(
        _label(messages, "label.campaign_metrics.as_of", CAMPAIGN_METRICS.field("as_of").label)
    )
    lines = [box, '{| class="wikitable sortable campaignkit-metrics-events"']
    lines.append("! " + " !! ".join(escape_field(h, Kind.TEXT) for h in headers))
    for event in report.events:
        title = escape_field(event.page, Kind.TITLE)
        name = escape_field(event.name or event.page, Kind.TEXT)
        wiki = escape_field(event.wiki, Kind.WIKI)
        link = f"{{{{#invoke:Campaignkit|page|{title}|{name}|wiki={wiki}}}}}"
        cells = [link, escape_field(event.edit_wiki, Kind.WIKI)]
        cells += [_cell(getattr(event.figures, n)) for n in columns]
        cells.append(as_of_text(event.as_of))
        lines.append("|-")
        lines.append("| " + " || ".join(cells))
    lines.append("|}")
    return "\n".join(lines)


def without_as_of(region_text: str) -> str:
    """A region's text with its times removed, to tell whether any figure changed."""
    return _AS_OF_TIME.sub("", region_text)


# --- JSON and CSV -------------------------------------------------------------------


def to_json(report: EventReport | CampaignReport, participants: bool = False) -> str:
    """The report as JSON (stable key order)."""
    return json.dumps(report.as_json(participants), ensure_ascii=False, indent=2)


PARTICIPANT_COLUMNS = (
    "user",
    "new_editor",
    "edits",
    "articles_created",
    "articles_improved",
    "bytes_added",
    "retained",
    "references_added",
    "uploads",
    "wikidata_edits",
)
GOAL_COLUMNS = tuple(f"goal_{goal}" for goal in GOAL_FIGURES)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def to_csv(report: EventReport | CampaignReport, participants: bool = False) -> str:
    """The report as CSV: one row per event (and a total), or one row per participant."""
    events = report.events if isinstance(report, CampaignReport) else [report]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if participants:
        writer.writerow(["event_wiki", "event_page", *PARTICIPANT_COLUMNS])
        for event in events:
            for row in event.per_participant:
                writer.writerow(
                    [
                        event.wiki,
                        event.page,
                        row.user,
                        _yes_no(row.new_editor),
                        row.edits,
                        row.articles_created,
                        row.articles_improved,
                        row.bytes_added,
                        _yes_no(row.retained),
                        row.references_added,
                        "" if row.uploads is None else row.uploads,
                        "" if row.wikidata_edits is None else row.wikidata_edits,
                    ]
                )
        return buffer.getvalue()
    writer.writerow(
        ["event_wiki", "event_page", "name", "edit_wiki", *FIGURES, *GOAL_COLUMNS, "as_of"]
    )
    for event in events:
        writer.writerow(
            [
                event.wiki,
                event.page,
                event.name,
                event.edit_wiki,
                *("" if v is None else v for v in event.figures.as_dict().values()),
                *(event.goals.get(goal, "") for goal in GOAL_FIGURES),
                iso(event.as_of),
            ]
        )
    if isinstance(report, CampaignReport):
        writer.writerow(
            [
                report.wiki,
                report.page,
                "(total)",
                "",
                *("" if v is None else v for v in report.figures.as_dict().values()),
                *(report.goals.get(goal, "") for goal in GOAL_FIGURES),
                iso(report.as_of),
            ]
        )
    return buffer.getvalue()


def to_wikitext(report: EventReport | CampaignReport, manifest: Manifest, lang: str = "en") -> str:
    """What the bot writes in the page's ``metrics`` region."""
    if isinstance(report, CampaignReport):
        return campaign_region(report, manifest, lang)
    return event_region(report, manifest)
