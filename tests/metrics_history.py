"""A known edit history on a local wiki, for checking every metric exactly.

MediaWiki stamps each edit with the time it is saved, so history cannot be
backdated through the API. The window is therefore built around "now": edits
before it, then (once the server's clock has moved on by a second) the edits in
it, then edits after it; the window is the first to the last in-window edit's
timestamp. Only account registration dates are backdated, with one SQL UPDATE on
the wiki's own ``user`` table (SQLite or MariaDB), so that veterans are not new
editors and retention can be checked for an event that ended weeks ago.

Accounts are fresh for each history (unique names), so the shared wikis' own
accounts and other tests' pages are never touched.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from campaignkit.devwiki.install import _php
from campaignkit.devwiki.layout import LocalWiki
from tests.human import HumanEditor

Sql = Callable[[str, tuple], None]  # run one UPDATE on the wiki's database


def sqlite_runner(wiki: LocalWiki) -> Sql:
    """UPDATEs on a SQLite-backed local wiki."""

    def run(statement: str, parameters: tuple) -> None:
        with sqlite3.connect(wiki.database_file, timeout=30) as database:
            database.execute(statement.replace("%s", "?"), parameters)

    return run


def mw_time(moment: datetime) -> str:
    """MediaWiki's database timestamp."""
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def parse_api_time(value: str) -> datetime:
    """The API's ISO timestamps."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def wait_for_next_second(after: datetime, deadline_seconds: float = 5.0) -> None:
    """Poll the clock (the wiki runs on this machine) until a second later than ``after``."""
    deadline = time.monotonic() + deadline_seconds
    while datetime.now(UTC).replace(microsecond=0) <= after:
        if time.monotonic() > deadline:
            raise TimeoutError("the clock did not move on")
        time.sleep(0.05)  # waiting for the clock, not for another process


class Editor(HumanEditor):
    """A logged-in account that also reports when each of its edits was saved."""

    def save(self, title: str, text: str, summary: str = "metrics test") -> datetime:
        """Save a page; return the revision's timestamp."""
        answer = self.post(
            action="edit", title=title, text=text, summary=summary, token=self.csrf()
        )
        edit = answer.get("edit", {})
        if edit.get("result") != "Success" or "newtimestamp" not in edit:
            raise RuntimeError(f"edit of {title} by {self.username} failed: {answer}")
        return parse_api_time(edit["newtimestamp"])

    def delete(self, title: str) -> None:
        """Delete a page (an administrator's account)."""
        answer = self.post(action="delete", title=title, reason="metrics test", token=self.csrf())
        if "delete" not in answer:
            raise RuntimeError(f"deleting {title} failed: {answer}")


def create_account(wiki: LocalWiki, name: str, sql: Sql, registered: datetime | None) -> Editor:
    """A fresh account (maintenance script), optionally registered in the past, logged in."""
    password = "pw-" + secrets.token_hex(8)
    _php("createAndPromote.php", wiki, name, password)
    if registered is not None:
        sql(
            "UPDATE user SET user_registration = %s WHERE user_name = %s",
            (mw_time(registered), name),
        )
    return Editor(wiki.api_url, name, password)


@dataclass
class History:
    """The history built, and the figures it must give."""

    wiki: LocalWiki
    veteran: str
    second: str
    newcomer: str
    bot: str
    titles: dict[str, str]
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    end: datetime = field(default_factory=lambda: datetime.now(UTC))
    doomed_deleted: bool = False

    @property
    def signups(self) -> list[str]:
        """Who signs up: three people and a bot account."""
        return [self.veteran, self.second, self.newcomer, self.bot]

    EXPECTED: ClassVar[dict[str, int | None]] = {
        "participants": 3,
        "new_editors": 1,
        "edits": 6,
        "articles_created": 2,
        "articles_deleted": 1,
        "articles_improved": 2,
        "bytes_added": 360,
        "words_added": 69,  # int(360 / 5.175)
        "worklist_done": None,
        "retention": None,
        "references_added": 0,
        "uploads": None,
        "uploads_used": None,
        "upload_usage_pages": None,
        "wikidata_edits": None,
        "wikidata_items_created": None,
        "wikidata_items_edited": None,
        "attended": None,
    }

    def expected_participants(self) -> dict[str, tuple[int, int, int, int]]:
        """user -> (edits, articles created, articles improved, bytes added)."""
        return {
            self.veteran: (3, 1, 1, 250),
            self.second: (2, 0, 1, 30),
            self.newcomer: (1, 1, 0, 80),
        }


def build_history(
    wiki: LocalWiki,
    sql: Sql,
    admin: Editor,
    bot: Editor,
) -> History:
    """Edits before, in and after a window; the deletion is left to the test (``delete``)."""
    tag = uuid.uuid4().hex[:8]
    long_ago = datetime.now(UTC) - timedelta(days=400)
    veteran = create_account(wiki, f"Veteran {tag}", sql, long_ago)
    second = create_account(wiki, f"Second {tag}", sql, long_ago)
    newcomer = create_account(wiki, f"Newcomer {tag}", sql, None)
    titles = {
        "existing": f"Metrics existing {tag}",
        "other": f"Metrics other {tag}",
        "new": f"Metrics new {tag}",
        "talk": f"Talk:Metrics new {tag}",
        "doomed": f"Metrics doomed {tag}",
        "newcomer": f"Metrics newcomer {tag}",
    }
    history = History(
        wiki, veteran.username, second.username, newcomer.username, bot.username, titles
    )
    # Before the window.
    last = veteran.save(titles["existing"], "a" * 100)
    last = max(last, admin.save(titles["other"], "b" * 100))
    wait_for_next_second(last)
    # In the window.
    stamps = [
        veteran.save(titles["existing"], "a" * 150),  # +50
        veteran.save(titles["existing"], "a" * 130),  # -20 counts 0
        veteran.save(titles["new"], "c" * 200),  # created, +200
        second.save(titles["other"], "b" * 130),  # +30
        second.save(titles["talk"], "d" * 40),  # not an article: an edit, no bytes
        second.save(titles["doomed"], "e" * 60),  # created, deleted later
        newcomer.save(titles["newcomer"], "f" * 80),  # created by a new editor, +80
        bot.save(titles["other"], "b" * 155),  # a bot account: not a participant
        admin.save(titles["new"], "c" * 210),  # not signed up: not counted
    ]
    history.start, history.end = min(stamps), max(stamps)
    wait_for_next_second(history.end)
    # After the window.
    veteran.save(titles["existing"], "a" * 135)
    return history
