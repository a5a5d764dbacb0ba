"""A log of bot runs in the tool's database, for the webservice's status page.

Every sync (from cron, a Toolforge job or a Celery task) records its summary:
when, what, pages edited, errors. Operators and organizers can then see that
the bot is alive and what it last did without shell access.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, select

from campaignkit.database import engine_for, metadata

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False, index=True),
    Column("task", String(64), nullable=False),
    Column("origin", String(32), nullable=False, default="cli"),
    Column("finished", DateTime, nullable=False, index=True),
    Column("edited", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("summary", Text, nullable=False),
)


@dataclass(frozen=True)
class RunRecord:
    """One finished run."""

    run_id: str
    task: str
    origin: str
    finished: datetime
    edited: int
    errors: int
    summary: dict[str, Any]


def record_run(database_url: str, summary: dict[str, Any], origin: str) -> None:
    """Store a run's summary (``RunSummary.as_dict()``)."""
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(
            runs.insert().values(
                run_id=summary.get("run_id", ""),
                task=summary.get("task", ""),
                origin=origin,
                finished=datetime.now(UTC).replace(tzinfo=None),
                edited=int(summary.get("edited", 0)),
                errors=len(summary.get("errors", [])),
                summary=json.dumps(summary, ensure_ascii=False),
            )
        )


def recent_runs(database_url: str, limit: int = 20) -> list[RunRecord]:
    """The latest runs, newest first."""
    engine = engine_for(database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(runs).order_by(runs.c.finished.desc()).limit(limit))
        return [
            RunRecord(
                run_id=row.run_id,
                task=row.task,
                origin=row.origin,
                finished=row.finished.replace(tzinfo=UTC),
                edited=row.edited,
                errors=row.errors,
                summary=json.loads(row.summary),
            )
            for row in rows
        ]
