"""What the bot learned from each page, keyed by the revision it read.

A scheduled run every few minutes must not re-read 500 event pages when nobody
edited them. Discovery lists revision ids only; an event page whose revision id
is the one recorded here is not read again, and its row in the campaign's
events table is rebuilt from what was recorded (its campaign and row values).
``campaignkit sync --full`` ignores the record, to refresh what can change
without an edit (a participant blocked, say). Losing this database costs one
full re-read, nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, select

from campaignkit.database import engine_for, metadata

event_pages = Table(
    "event_pages",
    metadata,
    Column("wiki", String(64), primary_key=True),
    Column("title", String(255), primary_key=True),
    Column("revid", Integer, nullable=False),
    Column("campaign", String(255), nullable=False, default=""),
    Column("row", Text, nullable=False, default="{}"),
    Column("updated", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Recorded:
    """One event page as the bot last processed it."""

    title: str
    revid: int
    campaign: str = ""
    row: dict[str, str] = field(default_factory=dict)


class PageState:
    """Recorded event pages, per wiki."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)

    def entries(self, wiki_id: str) -> dict[str, Recorded]:
        """Recorded pages of one wiki, by title."""
        table = event_pages.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.title, table.revid, table.campaign, table.row).where(
                    table.wiki == wiki_id
                )
            )
            return {
                title: Recorded(title, revid, campaign, json.loads(row or "{}"))
                for title, revid, campaign, row in rows
            }

    def record(self, wiki_id: str, pages: Iterable[Recorded]) -> None:
        """Remember what each page held at the revision it was processed at."""
        now = datetime.now(UTC).replace(tzinfo=None)
        items = [page for page in pages if page.revid]
        if not items:
            return
        with self.engine.begin() as connection:
            connection.execute(
                event_pages.delete().where(
                    event_pages.c.wiki == wiki_id,
                    event_pages.c.title.in_([page.title for page in items]),
                )
            )
            connection.execute(
                event_pages.insert(),
                [
                    {
                        "wiki": wiki_id,
                        "title": p.title,
                        "revid": p.revid,
                        "campaign": p.campaign,
                        "row": json.dumps(p.row, ensure_ascii=False),
                        "updated": now,
                    }
                    for p in items
                ],
            )


page_records = Table(
    "page_records",
    metadata,
    Column("task", String(64), primary_key=True),
    Column("wiki", String(64), primary_key=True),
    Column("title", String(255), primary_key=True),
    Column("revid", Integer, nullable=False),
    Column("digest", String(64), nullable=False, default=""),
    Column("done", DateTime, nullable=False),
)


@dataclass(frozen=True)
class PageRecord:
    """What a task last did to a page: at which revision, from which inputs, when."""

    title: str
    revid: int
    digest: str = ""  # a hash of what the task computed the page's region from
    done: datetime | None = None


class PageRecords:
    """Per-task records of pages, so a run skips the pages whose inputs did not change.

    A campaign page is rewritten only when its revision or its events' rows
    changed; a worklist is refreshed when its page changed or its refresh is
    due. Losing this table costs one run that reads and recomputes everything.
    """

    def __init__(self, database_url: str, task: str) -> None:
        self.engine = engine_for(database_url)
        self.task = task

    @classmethod
    def beside(cls, state: PageState, task: str) -> PageRecords:
        """Records in the same database as the event pages' state."""
        records = cls.__new__(cls)
        records.engine, records.task = state.engine, task
        return records

    def entries(self, wiki_id: str) -> dict[str, PageRecord]:
        """The task's records on one wiki, by title."""
        table = page_records.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.title, table.revid, table.digest, table.done).where(
                    table.task == self.task, table.wiki == wiki_id
                )
            )
            return {
                title: PageRecord(title, revid, digest, done.replace(tzinfo=UTC))
                for title, revid, digest, done in rows
            }

    def record(self, wiki_id: str, record: PageRecord) -> None:
        """Remember one page (replacing its earlier record)."""
        table = page_records.c
        done = (record.done or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            connection.execute(
                page_records.delete().where(
                    table.task == self.task, table.wiki == wiki_id, table.title == record.title
                )
            )
            connection.execute(
                page_records.insert(),
                {
                    "task": self.task,
                    "wiki": wiki_id,
                    "title": record.title,
                    "revid": record.revid,
                    "digest": record.digest,
                    "done": done,
                },
            )

    def carry_over(self, wiki_id: str, replaced: Mapping[str, tuple[int, int]]) -> None:
        """Move records made at the revision a bot save replaced to the saved revision.

        For a task whose record holds only what the bot's own regions cannot change
        (an event's dates, say): without this, every page the sync saved would be
        read again on the next run, the one after every change.
        """
        if not replaced:
            return
        recorded = self.entries(wiki_id)
        for title, (old, new) in replaced.items():
            entry = recorded.get(title)
            if entry is not None and entry.revid == old:
                self.record(wiki_id, PageRecord(title, new, entry.digest, entry.done))
