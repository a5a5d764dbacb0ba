"""The durable journal: every submission is written down before the wiki is touched.

An organizer on a slow connection at an event must never lose a form they
sent, and a page must never get the same change twice. So a submission is
recorded (committed) first, then attempted; its row walks through::

    pending ──claim──▶ saving ──▶ saved
       ▲                  │
       └──── wiki down ───┤
                          └──▶ refused (the wiki or the page said no: the organizer must act)

A claim is an atomic ``UPDATE … WHERE status = 'pending'`` with a lease, so two
web workers (or the web app and ``campaignkit web retry``) never attempt the
same row at once; a worker that died mid-save leaves a lease that expires.
Because a save can succeed while its answer is lost, every edit summary holds
the submission's id and a re-attempt first looks for it in the page history
(:mod:`campaignkit.submissions.writer`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    true,
    update,
)

from campaignkit.config import Settings
from campaignkit.database import engine_for, metadata

PENDING = "pending"
SAVING = "saving"
SAVED = "saved"
REFUSED = "refused"
LEASE = timedelta(minutes=5)

submissions_table = Table(
    "web_submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("username", String(255), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("wiki", String(64), nullable=False),
    Column("title", String(512), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("lease_until", DateTime, nullable=True),
    Column("message", Text, nullable=False, default=""),
    Column("revid", Integer, nullable=False, default=0),
)


def now() -> datetime:
    """UTC without tzinfo: what both SQLite and MariaDB DATETIME columns hold."""
    return datetime.now(UTC).replace(tzinfo=None)


_created: set[tuple[str, frozenset[str]]] = set()


def engine(settings: Settings) -> Engine:
    """The shared engine, with every table declared so far created if missing.

    ``engine_for`` creates tables once per URL, when it is first called; a module
    imported later (ours, or the bot's page-state table that a refresh needs)
    would find its table missing. So whenever new tables have been declared on
    the shared metadata since the last look, they are created here.
    """
    result = engine_for(settings.database_url)
    key = (settings.database_url, frozenset(metadata.tables))
    if key not in _created:
        metadata.create_all(result, checkfirst=True)
        _created.add(key)
    return result


@dataclass(frozen=True)
class Submission:
    """One journaled form submission."""

    id: str
    created_at: datetime
    updated_at: datetime
    username: str
    kind: str
    wiki: str
    title: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    message: str
    revid: int

    @property
    def marker(self) -> str:
        """What the edit summary carries, so a lost answer is found in the history."""
        return f"campaignkit:{self.id[:12]}"


def _from_row(row: Any) -> Submission:
    return Submission(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        username=row.username,
        kind=row.kind,
        wiki=row.wiki,
        title=row.title,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        message=row.message or "",
        revid=row.revid or 0,
    )


def record(
    settings: Settings,
    *,
    username: str,
    kind: str,
    wiki: str,
    title: str,
    payload: dict,
    claimed: bool = False,
) -> Submission:
    """Write a submission down (committed) before anything is sent to the wiki.

    ``claimed`` writes it already taken for one attempt by the caller (status
    ``saving`` with a lease), so no retry worker can pick it up between the
    record and the caller's own attempt: an account request must be sent once.
    """
    moment = now()
    values = {
        "id": uuid.uuid4().hex,
        "created_at": moment,
        "updated_at": moment,
        "username": username,
        "kind": kind,
        "wiki": wiki,
        "title": title,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": moment,
        "message": "",
        "revid": 0,
    }
    if claimed:
        values.update(status=SAVING, attempts=1, lease_until=moment + LEASE)
    with engine(settings).begin() as connection:
        connection.execute(insert(submissions_table).values(**values))
    return get(settings, values["id"])  # type: ignore[return-value]


def get(settings: Settings, submission_id: str) -> Submission | None:
    """One submission by id."""
    with engine(settings).connect() as connection:
        row = connection.execute(
            select(submissions_table).where(submissions_table.c.id == submission_id)
        ).first()
    return None if row is None else _from_row(row)


def for_user(settings: Settings, username: str, limit: int = 20) -> list[Submission]:
    """An organizer's latest submissions, newest first."""
    with engine(settings).connect() as connection:
        rows = connection.execute(
            select(submissions_table)
            .where(submissions_table.c.username == username)
            .order_by(submissions_table.c.created_at.desc())
            .limit(limit)
        ).all()
    return [_from_row(r) for r in rows]


def recent(
    settings: Settings,
    *,
    kinds: tuple[str, ...],
    since: datetime,
    wiki: str | None = None,
    title: str | None = None,
    limit: int = 500,
) -> list[Submission]:
    """Submissions of some kinds recorded since a moment, newest first (any organizer).

    For what concerns everyone at once: the newcomers' accounts of one event,
    or the account requests sent from the tool's one address today.
    """
    table = submissions_table
    query = select(table).where(table.c.kind.in_(kinds), table.c.created_at >= since)
    if wiki is not None:
        query = query.where(table.c.wiki == wiki)
    if title is not None:
        query = query.where(table.c.title == title)
    with engine(settings).connect() as connection:
        rows = connection.execute(query.order_by(table.c.created_at.desc()).limit(limit)).all()
    return [_from_row(r) for r in rows]


def claim(settings: Settings, submission_id: str, *, force: bool = False) -> bool:
    """Take a submission for one attempt; False if someone else has it or it is done.

    ``force`` ignores the back-off time (the organizer pressed "try again").
    """
    moment = now()
    due = submissions_table.c.next_attempt_at <= moment
    claimable = or_(
        and_(submissions_table.c.status == PENDING, due if not force else true()),
        and_(submissions_table.c.status == SAVING, submissions_table.c.lease_until < moment),
    )
    with engine(settings).begin() as connection:
        result = connection.execute(
            update(submissions_table)
            .where(submissions_table.c.id == submission_id, claimable)
            .values(
                status=SAVING,
                lease_until=moment + LEASE,
                attempts=submissions_table.c.attempts + 1,
                updated_at=moment,
            )
        )
    return result.rowcount == 1


def finish(
    settings: Settings, submission_id: str, status: str, *, message: str = "", revid: int = 0
) -> None:
    """Close an attempt: saved, refused, or back to pending with a back-off."""
    moment = now()
    values: dict[str, Any] = {
        "status": status,
        "message": message,
        "lease_until": None,
        "updated_at": moment,
    }
    if revid:
        values["revid"] = revid
    if status == PENDING:
        with engine(settings).connect() as connection:
            attempts = connection.execute(
                select(submissions_table.c.attempts).where(submissions_table.c.id == submission_id)
            ).scalar_one()
        values["next_attempt_at"] = moment + backoff(attempts)
    with engine(settings).begin() as connection:
        connection.execute(
            update(submissions_table)
            .where(submissions_table.c.id == submission_id)
            .values(**values)
        )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … up to an hour: a wiki that is down is asked rarely."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def due(settings: Settings, limit: int = 50) -> list[str]:
    """Ids of submissions whose next attempt is due (or whose worker died)."""
    moment = now()
    with engine(settings).connect() as connection:
        rows = connection.execute(
            select(submissions_table.c.id)
            .where(
                or_(
                    and_(
                        submissions_table.c.status == PENDING,
                        submissions_table.c.next_attempt_at <= moment,
                    ),
                    and_(
                        submissions_table.c.status == SAVING,
                        submissions_table.c.lease_until < moment,
                    ),
                )
            )
            .order_by(submissions_table.c.created_at)
            .limit(limit)
        ).all()
    return [r.id for r in rows]
