"""One scheduled run of a task per wiki at a time.

On Wikimedia a first sync of a big campaign takes longer than the 15 minutes
between two scheduled runs. A second run started meanwhile would only redo
the first one's work (and spend its throttle slots), so a run takes a lease
on each wiki it works on, in the shared database (SQLite in ``state_dir``, or
ToolsDB). A run that finds a wiki leased says so in one line and exits 0: the
run in progress will do the work.

A lease ends when its run ends, when it expires (the run renews it as it
works, so it only expires for a run that died), or at once when the process
that holds it is gone from this machine (a run killed with SIGKILL does not
block the next one for the length of a lease).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, select, update
from sqlalchemy.exc import IntegrityError

from campaignkit.database import engine_for, metadata

run_leases = Table(
    "run_leases",
    metadata,
    Column("task", String(64), primary_key=True),
    Column("wiki", String(64), primary_key=True),
    Column("run_id", String(32), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started", DateTime, nullable=False),
    Column("expires", DateTime, nullable=False),
)

DEFAULT_TTL = timedelta(minutes=10)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _process_gone(host: str, pid: int) -> bool:
    """Whether the holder was a process on this machine that no longer runs."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseTaken(Exception):
    """Another run of the task holds a wiki; the message says which run and since when."""


class RunLease:
    """The leases of one run on the wikis it works on."""

    def __init__(
        self,
        database_url: str,
        task: str,
        wikis: Iterable[str],
        run_id: str,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.engine = engine_for(database_url)
        self.task = task
        self.wikis = sorted(set(wikis))
        self.run_id = run_id
        self.ttl = ttl
        self.held = False

    def _clear_stale(self, connection: object) -> None:
        table = run_leases.c
        rows = connection.execute(  # type: ignore[attr-defined]
            select(table.wiki, table.host, table.pid, table.expires).where(
                table.task == self.task, table.wiki.in_(self.wikis)
            )
        )
        now = _now()
        for wiki, host, pid, expires in rows:
            if expires < now or _process_gone(host, pid):
                connection.execute(  # type: ignore[attr-defined]
                    delete(run_leases).where(table.task == self.task, table.wiki == wiki)
                )

    def acquire(self) -> None:
        """Take every wiki's lease, or none: raises :class:`LeaseTaken` naming the holder."""
        now = _now()
        rows = [
            {
                "task": self.task,
                "wiki": wiki,
                "run_id": self.run_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started": now,
                "expires": now + self.ttl,
            }
            for wiki in self.wikis
        ]
        try:
            with self.engine.begin() as connection:
                self._clear_stale(connection)
                if rows:
                    connection.execute(run_leases.insert(), rows)
        except IntegrityError:
            raise LeaseTaken(self._holder()) from None
        self.held = True

    def _holder(self) -> str:
        table = run_leases.c
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.wiki, table.run_id, table.host, table.pid, table.started).where(
                    table.task == self.task, table.wiki.in_(self.wikis)
                )
            ).first()
        if row is None:
            return f"another {self.task} run started at the same moment"
        wiki, run_id, host, pid, started = row
        return (
            f"a {self.task} run is in progress on {wiki} (run {run_id}, process {pid} on "
            f"{host}, since {started:%Y-%m-%d %H:%M} UTC); this run leaves the work to it"
        )

    def renew(self) -> None:
        """Push the expiry back: the run is alive and working."""
        if not self.held:
            return
        table = run_leases.c
        with self.engine.begin() as connection:
            connection.execute(
                update(run_leases)
                .where(table.task == self.task, table.run_id == self.run_id)
                .values(expires=_now() + self.ttl)
            )

    def release(self) -> None:
        """End this run's leases."""
        if not self.held:
            return
        table = run_leases.c
        with self.engine.begin() as connection:
            connection.execute(
                delete(run_leases).where(table.task == self.task, table.run_id == self.run_id)
            )
        self.held = False
