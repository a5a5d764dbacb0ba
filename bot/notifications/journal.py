"""The journal of messages posted: one row per event, person and kind, so none goes twice.

A row is written ``pending`` (committed) just before the talk page is saved,
and ``sent`` with the revision id right after. A run killed between the two
leaves ``pending``: the next run does not trust it either way, but looks in
the talk page's history for the bot's edit whose summary carries the
message's marker (:func:`marker_for`) — found, the row becomes ``sent``; not
found, the message is posted. A person who keeps the bot out of their talk
page (``{{nobots}}``, ``{{bots|optout=…}}``, the hub's opt-out page) gets an
``excluded`` row: never asked again for that event and kind.

The rows live in the tool's database (SQLite in ``state_dir``, or ToolsDB).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, select

from campaignkit.database import engine_for, metadata

PENDING = "pending"
SENT = "sent"
EXCLUDED = "excluded"

notifications = Table(
    "notifications_sent",
    metadata,
    Column("event_wiki", String(64), primary_key=True),
    Column("event_title", String(255), primary_key=True),
    Column("user", String(255), primary_key=True),
    Column("kind", String(16), primary_key=True),  # "reminder" or "thanks"
    Column("talk_wiki", String(64), nullable=False),
    Column("talk_title", String(255), nullable=False),
    Column("marker", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("revid", Integer, nullable=False, default=0),
    Column("note", String(255), nullable=False, default=""),
    Column("updated", DateTime, nullable=False),
)


@dataclass(frozen=True)
class MessageKey:
    """One message: the event (its page), the person and the kind."""

    event_wiki: str
    event_title: str
    user: str
    kind: str

    @property
    def marker(self) -> str:
        """What the edit summary and the section carry, to find the message again."""
        blob = f"{self.kind}|{self.event_wiki}|{self.event_title}|{self.user}"
        return "ck-notify:" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Entry:
    """A message's row: its state and, once sent, the revision that holds it."""

    key: MessageKey
    status: str
    revid: int = 0
    note: str = ""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class NotificationJournal:
    """Read and write the journal of messages."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)
        metadata.create_all(self.engine, tables=[notifications], checkfirst=True)

    def entries(self, event_wiki: str, event_title: str) -> dict[MessageKey, Entry]:
        """Every message recorded for one event."""
        c = notifications.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(c.user, c.kind, c.status, c.revid, c.note).where(
                    c.event_wiki == event_wiki, c.event_title == event_title
                )
            ).all()
        found = {}
        for user, kind, status, revid, note in rows:
            key = MessageKey(event_wiki, event_title, user, kind)
            found[key] = Entry(key, status, revid or 0, note or "")
        return found

    def mark(
        self,
        key: MessageKey,
        status: str,
        *,
        talk_wiki: str,
        talk_title: str,
        revid: int = 0,
        note: str = "",
    ) -> None:
        """Write a message's state (replacing the row), committed before returning."""
        c = notifications.c
        where = (
            (c.event_wiki == key.event_wiki)
            & (c.event_title == key.event_title)
            & (c.user == key.user)
            & (c.kind == key.kind)
        )
        with self.engine.begin() as connection:
            connection.execute(delete(notifications).where(where))
            connection.execute(
                notifications.insert(),
                {
                    "event_wiki": key.event_wiki,
                    "event_title": key.event_title,
                    "user": key.user,
                    "kind": key.kind,
                    "talk_wiki": talk_wiki,
                    "talk_title": talk_title,
                    "marker": key.marker,
                    "status": status,
                    "revid": revid,
                    "note": note[:255],
                    "updated": _now(),
                },
            )

    def all(self) -> list[Entry]:
        """Every row (for tests and the status of a run)."""
        c = notifications.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(c.event_wiki, c.event_title, c.user, c.kind, c.status, c.revid, c.note)
            ).all()
        return [Entry(MessageKey(w, t, u, k), s, r or 0, n or "") for w, t, u, k, s, r, n in rows]


def statuses(entries: Iterable[Entry]) -> dict[str, int]:
    """How many rows are in each state."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return counts
