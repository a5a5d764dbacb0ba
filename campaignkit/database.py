"""The tool's own database: SQLite by default, MariaDB/ToolsDB in production.

The bot, the jobs and the webservice share one SQLAlchemy engine per URL. Each
concern declares its tables on :data:`metadata` in its own module and calls
:func:`engine_for` to get a connection; tables are created on first use.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event

metadata = MetaData()


_created: dict[str, set[str]] = {}


def engine_for(url: str) -> Engine:
    """One engine per database URL, with every table declared so far created.

    Modules declare their tables when they are imported, which may be after the
    engine was first made (the sync's record, then the run log), so each call
    creates the tables this engine has not seen yet.
    """
    engine = _engine(url)
    created = _created.setdefault(url, set())
    if set(metadata.tables) - created:
        metadata.create_all(engine)
        created.update(metadata.tables)
    return engine


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _wal(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
            connection.execute("PRAGMA journal_mode=WAL")

    else:
        engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600)
    return engine
