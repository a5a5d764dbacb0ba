"""The calendar's last saved document, kept in the tool's database.

An event whose wiki cannot be listed, or whose page changed and was not read in
this run, keeps its previous calendar row. Those rows come from here rather than
from the wiki, so even a run with such events costs no request for them; only
when this copy is missing (a new database) is the data page read instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, String, Table, Text, select
from sqlalchemy.dialects.mysql import LONGTEXT

from bot.run.page_state import PageState
from campaignkit.codecs.calendar_data import CalendarData, read_document
from campaignkit.database import metadata

calendar_documents = Table(
    "calendar_documents",
    metadata,
    Column("title", String(255), primary_key=True),
    # MariaDB's TEXT holds 64 KB; 5,000 events take about 1.5 MB.
    Column("document", Text().with_variant(LONGTEXT(), "mysql"), nullable=False),
    Column("updated", DateTime, nullable=False),
)


class CalendarMemory:
    """The document last saved on each calendar data page."""

    def __init__(self, state: PageState) -> None:
        self.engine = state.engine
        calendar_documents.create(self.engine, checkfirst=True)

    def load(self, title: str) -> CalendarData | None:
        """The document last saved on ``title``, or None when none is remembered."""
        with self.engine.connect() as connection:
            text = connection.execute(
                select(calendar_documents.c.document).where(calendar_documents.c.title == title)
            ).scalar()
        if text is None:
            return None
        data = read_document(text)
        return data if data.readable else None

    def save(self, title: str, text: str) -> None:
        """Remember the document just saved (or found unchanged) on the data page."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            connection.execute(
                calendar_documents.delete().where(calendar_documents.c.title == title)
            )
            connection.execute(
                calendar_documents.insert(), {"title": title, "document": text, "updated": now}
            )
