"""What the campaign's events table leaves out, read from the event pages themselves.

The bot's ``events.json`` carries one row of the campaign's events table per
event: enough for the dashboard, but not the event's own description or its
meeting link, which a calendar entry needs. Those are on each event page, so
the feeds read the pages — 50 titles per request per wiki, the read cache
keeping the answer as long as the feed itself — instead of widening the
on-wiki events table for the sake of one feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaignkit.config import Settings
from campaignkit.manifest import load_manifest
from campaignkit.model import read_event
from webservice import campaign_reads


@dataclass(frozen=True)
class EventDetails:
    """The fields of one event page that the events table does not hold."""

    description: str = ""
    meeting_link: str = ""


def _read(
    settings: Settings, pages: tuple[tuple[str, str], ...]
) -> dict[tuple[str, str], EventDetails]:
    details: dict[tuple[str, str], EventDetails] = {}
    by_wiki: dict[str, list[str]] = {}
    for wiki_id, title in pages:
        if wiki_id in settings.wikis:
            by_wiki.setdefault(wiki_id, []).append(title)
    for wiki_id, titles in by_wiki.items():
        wiki = settings.wiki(wiki_id)
        manifest = load_manifest(wiki.id, wiki.lang)
        read = campaign_reads.read_pages(campaign_reads.reader(settings, wiki_id), titles)
        for title, page in read.items():
            if not page.exists:
                continue
            event = read_event(
                page.text,
                title=title,
                wiki=wiki_id,
                manifest=manifest,
                wiki_ids=settings.wikis,
                hub_id=settings.hub_id,
            ).model
            if event is not None:
                details[(wiki_id, title)] = EventDetails(event.description, event.meeting_link)
    return details


def event_details(
    settings: Settings, pages: Iterable[tuple[str, str]], cache_seconds: float
) -> dict[tuple[str, str], EventDetails]:
    """Description and meeting link of each (wiki, title), for the pages that hold an event."""
    wanted = tuple(sorted(set(pages)))
    return campaign_reads.cache.get(
        ("event-details", wanted), cache_seconds, lambda: _read(settings, wanted)
    )
