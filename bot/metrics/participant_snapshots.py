"""Each participant's own figures of an event, as the latest metrics run measured them.

The thank-you a participant gets after an event (``campaignkit notify``) names
their own edits, articles and bytes. Measuring them again for every message
would repeat the metrics run's work, so that run keeps each event's
per-participant figures here, in the tool's database, beside the page
snapshots (:mod:`bot.metrics.snapshots`).

Only the latest run's figures of an event are kept (a run replaces them in one
transaction): 20,000 participants measured hourly would otherwise add half a
million rows a day, and nothing reads older ones. They are public data only
(counts of public edits), like the organizers' CSV.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    delete,
    select,
)

from bot.metrics.compute import ParticipantFigures
from campaignkit.database import engine_for, metadata

participant_figures = Table(
    "metrics_participant_figures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("wiki", String(64), nullable=False, index=True),  # the event page's wiki
    Column("page", String(255), nullable=False),
    Column("user", String(255), nullable=False),
    Column("taken", DateTime, nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("new_editor", Boolean, nullable=False, default=False),
    Column("attended", Boolean, nullable=False, default=False),
    Column("edits", BigInteger, nullable=False, default=0),
    Column("articles_created", BigInteger, nullable=False, default=0),
    Column("articles_improved", BigInteger, nullable=False, default=0),
    Column("bytes_added", BigInteger, nullable=False, default=0),
    Column("references_added", BigInteger, nullable=False, default=0),
    Column("uploads", BigInteger, nullable=True),
    Column("wikidata_edits", BigInteger, nullable=True),
)


@dataclass(frozen=True)
class MeasuredParticipants:
    """An event's per-participant figures and when they were taken."""

    taken: datetime
    figures: dict[str, ParticipantFigures]


class ParticipantSnapshots:
    """The latest per-participant figures of each event, in the tool's database."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)
        metadata.create_all(self.engine, tables=[participant_figures], checkfirst=True)

    def replace(
        self,
        run_id: str,
        taken: datetime,
        wiki: str,
        page: str,
        rows: Iterable[ParticipantFigures],
    ) -> None:
        """Keep these as the event's figures (the previous run's are dropped)."""
        moment = taken.astimezone(UTC).replace(tzinfo=None)
        values = [
            {
                "wiki": wiki,
                "page": page,
                "user": row.user,
                "taken": moment,
                "run_id": run_id,
                "new_editor": row.new_editor,
                "attended": row.attended,
                "edits": row.edits,
                "articles_created": row.articles_created,
                "articles_improved": row.articles_improved,
                "bytes_added": row.bytes_added,
                "references_added": row.references_added,
                "uploads": row.uploads,
                "wikidata_edits": row.wikidata_edits,
            }
            for row in rows
        ]
        c = participant_figures.c
        with self.engine.begin() as connection:
            connection.execute(delete(participant_figures).where(c.wiki == wiki, c.page == page))
            if values:
                connection.execute(participant_figures.insert(), values)

    def latest(self, wiki: str, page: str) -> MeasuredParticipants | None:
        """The event's figures per participant, or None when no run has measured them."""
        c = participant_figures.c
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(participant_figures).where(c.wiki == wiki, c.page == page)
            ).all()
        if not rows:
            return None
        figures = {
            row.user: ParticipantFigures(
                user=row.user,
                new_editor=bool(row.new_editor),
                edits=row.edits,
                articles_created=row.articles_created,
                articles_improved=row.articles_improved,
                bytes_added=row.bytes_added,
                references_added=row.references_added,
                uploads=row.uploads,
                wikidata_edits=row.wikidata_edits,
                attended=bool(row.attended),
            )
            for row in rows
        }
        return MeasuredParticipants(rows[0].taken.replace(tzinfo=UTC), figures)
