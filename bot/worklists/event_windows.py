"""Which event names which worklist, remembered by the revision of the event page.

A worklist's progress counts what the participants of the events naming it
(``worklist=``) added during those events. Finding them meant reading and
parsing every event page on every run, even when no event names a worklist:
a 500-event campaign paid a batched read of all its event texts and seconds of
parsing on a run that changed nothing. The run's listing already gives each
event page's latest revision id, so an event page is read again only when its
revision differs from the one recorded here. Losing this table costs one run
that reads the event pages again, nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Integer, String, Table, Text, select

from bot.worklists.progress import EventWindow
from campaignkit.database import engine_for, metadata

event_worklists = Table(
    "event_worklists",
    metadata,
    Column("wiki", String(64), primary_key=True),
    Column("title", String(255), primary_key=True),
    Column("revid", Integer, nullable=False),
    Column("worklist", String(255), nullable=False, default=""),
    Column("window", Text, nullable=False, default=""),
)


@dataclass(frozen=True)
class NamedWorklist:
    """What one event page, at one revision, says about worklists.

    ``worklist`` is empty when the event names none (the common case, remembered
    so that the page is not read again); ``window`` then is None. The window's
    end is the event's own end: the caller clips it to the present.
    """

    title: str
    revid: int
    worklist: str = ""
    window: EventWindow | None = None


def _window_json(window: EventWindow | None) -> str:
    if window is None:
        return ""
    return json.dumps(
        {
            "event": window.event,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "participants": list(window.participants),
        },
        ensure_ascii=False,
    )


def _window_from(text: str) -> EventWindow | None:
    if not text:
        return None
    data = json.loads(text)
    return EventWindow(
        event=data["event"],
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        participants=tuple(data["participants"]),
    )


class EventWorklists:
    """The recorded worklist of each event page, per wiki."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)

    def entries(self, wiki_id: str) -> dict[str, NamedWorklist]:
        """Recorded event pages of one wiki, by title."""
        table = event_worklists.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.title, table.revid, table.worklist, table.window).where(
                    table.wiki == wiki_id
                )
            )
            return {
                title: NamedWorklist(title, revid, worklist, _window_from(window))
                for title, revid, worklist, window in rows
            }

    def record(
        self, wiki_id: str, pages: Iterable[NamedWorklist], keep: Iterable[str] | None = None
    ) -> None:
        """Remember what each page said at its revision.

        With ``keep`` (the titles the listing still has), records of pages that
        no longer use the event template are dropped, so the table does not grow
        with every event ever held.
        """
        items = [page for page in pages if page.revid]
        table = event_worklists.c
        with self.engine.begin() as connection:
            if keep is not None:
                kept = set(keep) | {page.title for page in items}
                gone = [
                    title
                    for (title,) in connection.execute(
                        select(table.title).where(table.wiki == wiki_id)
                    )
                    if title not in kept
                ]
                for start in range(0, len(gone), 500):
                    connection.execute(
                        event_worklists.delete().where(
                            table.wiki == wiki_id, table.title.in_(gone[start : start + 500])
                        )
                    )
            if not items:
                return
            for start in range(0, len(items), 500):
                connection.execute(
                    event_worklists.delete().where(
                        table.wiki == wiki_id,
                        table.title.in_([page.title for page in items[start : start + 500]]),
                    )
                )
            connection.execute(
                event_worklists.insert(),
                [
                    {
                        "wiki": wiki_id,
                        "title": page.title,
                        "revid": page.revid,
                        "worklist": page.worklist,
                        "window": _window_json(page.window),
                    }
                    for page in items
                ],
            )

    def carry_over(self, wiki_id: str, replaced: Mapping[str, tuple[int, int]]) -> None:
        """Move the records of events naming no worklist to the revision a bot save made.

        ``replaced`` is title -> (the revision the save replaced, the new one).
        """
        if not replaced:
            return
        recorded = self.entries(wiki_id)
        self.record(
            wiki_id,
            [
                NamedWorklist(title, new)
                for title, (old, new) in replaced.items()
                if (entry := recorded.get(title)) is not None
                and entry.revid == old
                and not entry.worklist
            ],
        )
