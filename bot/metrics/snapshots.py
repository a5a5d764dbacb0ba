"""Every metrics run's figures, kept for charts over time and as the last good figures.

Two tables on the tool's database (SQLite by default, MariaDB/ToolsDB in production):

- ``metrics_snapshots``: one row per event or campaign page per run, with every
  figure and the time it was taken, so the webservice can draw participants and
  edits over time, and so that a run whose source fails can show the last good
  figures instead of an empty row;
- ``metrics_created_articles``: the articles each event's participants created, as
  seen by a run. The Action API cannot list deleted revisions, so an article seen
  here whose page id has since disappeared is how the API source counts deletions
  (the Dashboard does the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    inspect,
    select,
    text,
)

from bot.metrics.compute import FIGURES, Figures
from bot.metrics.definitions import CreatedArticle
from campaignkit.database import engine_for, metadata

snapshots = Table(
    "metrics_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False),
    Column("taken", DateTime, nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "event" or "campaign"
    Column("wiki", String(64), nullable=False),
    Column("page", String(255), nullable=False),
    Column("campaign", String(255), nullable=False, default=""),
    Column("source", String(16), nullable=False),
    *(Column(name, BigInteger, nullable=True) for name in FIGURES),
)

created_articles = Table(
    "metrics_created_articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_wiki", String(64), nullable=False),
    Column("event_page", String(255), nullable=False),
    Column("wiki", String(64), nullable=False),
    Column("page_id", BigInteger, nullable=False),
    Column("title", String(255), nullable=False),
    Column("user", String(255), nullable=False),
    Column("created", DateTime, nullable=False),
    UniqueConstraint("event_wiki", "event_page", "wiki", "page_id", name="uq_metrics_created"),
)


def _add_new_figure_columns(engine: Engine) -> None:
    """Give a snapshots table made by an older campaignkit the columns of newer figures.

    ``create_all`` makes missing tables but never changes an existing one; a
    figure added later (references, uploads, Wikidata) is a nullable column, so
    adding it leaves every earlier snapshot as it was (unknown for that figure).
    """
    present = {c["name"] for c in inspect(engine).get_columns(snapshots.name)}
    missing = [name for name in FIGURES if name not in present]
    if not missing:
        return
    with engine.begin() as connection:
        for name in missing:
            connection.execute(text(f"ALTER TABLE {snapshots.name} ADD COLUMN {name} BIGINT NULL"))


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Snapshot:
    """One page's figures at one run."""

    taken: datetime
    kind: str
    wiki: str
    page: str
    campaign: str
    source: str
    figures: Figures


class SnapshotStore:
    """Snapshots and remembered creations in the tool's database."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)
        _add_new_figure_columns(self.engine)

    def record(
        self,
        run_id: str,
        taken: datetime,
        source: str,
        entries: Iterable[tuple[str, str, str, str, Figures]],
    ) -> int:
        """Store one run's figures: (kind, wiki, page, campaign, figures) per page."""
        rows = [
            {
                "run_id": run_id,
                "taken": _naive(taken),
                "kind": kind,
                "wiki": wiki,
                "page": page,
                "campaign": campaign,
                "source": source,
                **figures.as_dict(),
            }
            for kind, wiki, page, campaign, figures in entries
        ]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(snapshots.insert(), rows)
        return len(rows)

    def history(self, wiki: str, page: str) -> list[Snapshot]:
        """A page's snapshots, oldest first (for charts)."""
        c = snapshots.c
        query = select(snapshots).where(c.wiki == wiki, c.page == page).order_by(c.taken, c.id)
        with self.engine.connect() as connection:
            return [self._snapshot(row._mapping) for row in connection.execute(query)]

    def latest(self, wiki: str, page: str) -> Snapshot | None:
        """A page's last figures, or None if no run has measured it."""
        found = self.history(wiki, page)
        return found[-1] if found else None

    def latest_events_of(self, campaign: str) -> dict[tuple[str, str], Snapshot]:
        """The last snapshot of every event page once recorded under this campaign."""
        c = snapshots.c
        query = (
            select(snapshots)
            .where(c.kind == "event", c.campaign == campaign)
            .order_by(c.taken, c.id)
        )
        found: dict[tuple[str, str], Snapshot] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                snapshot = self._snapshot(row._mapping)
                found[(snapshot.wiki, snapshot.page)] = snapshot
        return found

    @staticmethod
    def _snapshot(row: object) -> Snapshot:
        values = dict(row)  # type: ignore[call-overload]
        return Snapshot(
            taken=_aware(values["taken"]),
            kind=values["kind"],
            wiki=values["wiki"],
            page=values["page"],
            campaign=values["campaign"],
            source=values["source"],
            figures=Figures.from_dict(values),
        )

    def remember_created(
        self, event_wiki: str, event_page: str, articles: Iterable[CreatedArticle]
    ) -> None:
        """Remember the articles an event's participants created (new ones only)."""
        known = {a.page_id for a in self.created(event_wiki, event_page)}
        rows = [
            {
                "event_wiki": event_wiki,
                "event_page": event_page,
                "wiki": a.wiki,
                "page_id": a.page_id,
                "title": a.title,
                "user": a.user,
                "created": _naive(a.timestamp),
            }
            for a in {a.page_id: a for a in articles}.values()
            if a.page_id not in known
        ]
        if rows:
            with self.engine.begin() as connection:
                connection.execute(created_articles.insert(), rows)

    def created(self, event_wiki: str, event_page: str) -> list[CreatedArticle]:
        """The articles remembered for an event."""
        c = created_articles.c
        query = select(c.wiki, c.page_id, c.title, c.user, c.created).where(
            c.event_wiki == event_wiki, c.event_page == event_page
        )
        with self.engine.connect() as connection:
            return [
                CreatedArticle(wiki, int(page_id), title, user, _aware(created))
                for wiki, page_id, title, user, created in connection.execute(query)
            ]
