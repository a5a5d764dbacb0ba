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


@cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, with its tables created."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _wal(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
            connection.execute("PRAGMA journal_mode=WAL")

    else:
        engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600)
    metadata.create_all(engine)
    return engine
