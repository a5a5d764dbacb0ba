"""Participants' edits from the Wiki Replicas: SQL on MediaWiki's own tables.

For very large campaigns on Toolforge, one SQL query per wiki replaces hundreds of
API requests. The query is the Dashboard's (``revision_userindex`` joined to
``actor``, the parent revision for the size change, and ``page`` for the
namespace), so the figures compare; deleted creations come from ``archive``,
which the replicas expose without the deleted text.

On Toolforge a connection is ``toolforge.connect(dbname)`` and the tables are the
replicas' views (``revision_userindex``, ``archive_userindex``); locally, tests
give a pymysql connection to a MediaWiki installed on MariaDB and the plain table
names (:data:`LOCAL_TABLES`). Both give the same rows: the views are the tables
without suppressed data, which the queries leave out too (``rev_deleted & 4``,
the hidden-user bit).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.metrics.definitions import (
    MAIN_NAMESPACE,
    NEW_REDIRECT_TAG,
    SQL_TIME_FORMAT,
    Contribution,
    CreatedArticle,
    FileUsage,
    SourceError,
    Upload,
    category_name,
    utc,
)

USERS_PER_QUERY = 1000
FILE_NAMESPACE = 6
HIDDEN_USER = 4  # rev_deleted / ar_deleted bit: the user name is suppressed


@dataclass(frozen=True)
class ReplicaTables:
    """Table (or view) names: the replicas' by default, MediaWiki's own locally."""

    revision: str = "revision_userindex"
    archive: str = "archive_userindex"
    actor: str = "actor"
    page: str = "page"
    image: str = "image"
    categorylinks: str = "categorylinks"
    imagelinks: str = "imagelinks"
    change_tag: str = "change_tag"
    change_tag_def: str = "change_tag_def"


LOCAL_TABLES = ReplicaTables(revision="revision", archive="archive")

Connect = Callable[[str], Any]  # wiki id -> DB-API connection


def toolforge_connect(wiki: str) -> Any:
    """A connection to the wiki's replica on Toolforge (the wiki id is its dbname)."""
    import toolforge

    return toolforge.connect(wiki)


def sql_time(moment: datetime) -> str:
    """MediaWiki's database timestamp form (YYYYMMDDHHMMSS, UTC)."""
    return utc(moment).strftime(SQL_TIME_FORMAT)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes | bytearray) else str(value)


def _time(value: bytes | str) -> datetime:
    return datetime.strptime(_text(value), SQL_TIME_FORMAT).replace(tzinfo=UTC)


def _title(value: bytes | str) -> str:
    return _text(value).replace("_", " ")


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


class ReplicaSource:
    """Reads contributions with SQL, one connection per wiki for the run."""

    name = "replicas"

    def __init__(
        self,
        connect: Connect = toolforge_connect,
        tables: ReplicaTables = ReplicaTables(),
        namespace_names: Callable[[str], dict[int, str]] | None = None,
    ) -> None:
        self.connect = connect
        self.tables = tables
        self.namespace_names = namespace_names
        self._connections: dict[str, Any] = {}
        self.queries = 0

    @contextmanager
    def _cursor(self, wiki: str) -> Iterator[Any]:
        try:
            if wiki not in self._connections:
                self._connections[wiki] = self.connect(wiki)
            with self._connections[wiki].cursor() as cursor:
                yield cursor
        except SourceError:
            raise
        except Exception as error:  # pymysql's errors, socket errors
            self._connections.pop(wiki, None)
            raise SourceError(f"{wiki}: replica query failed: {error}") from error

    def _rows(self, wiki: str, sql: str, users: list[str], *args: Any) -> Iterator[tuple]:
        """Rows of a query whose ``{users}`` list is filled 1,000 names at a time."""
        for start in range(0, len(users), USERS_PER_QUERY):
            group = users[start : start + USERS_PER_QUERY]
            with self._cursor(wiki) as cursor:
                cursor.execute(sql.format(users=_placeholders(len(group))), (*group, *args))
                self.queries += 1
                yield from cursor.fetchall()

    def close(self) -> None:
        """Close the run's connections."""
        for connection in self._connections.values():
            with contextlib.suppress(Exception):  # closing a dead connection
                connection.close()
        self._connections.clear()

    def _prefixed(self, wiki: str, namespace: int, title: str) -> str:
        if namespace == MAIN_NAMESPACE or self.namespace_names is None:
            return title
        prefix = self.namespace_names(wiki).get(namespace, "")
        return f"{prefix}:{title}" if prefix else title

    def contributions(
        self, wiki: str, users: Iterable[str], start: datetime, end: datetime
    ) -> list[Contribution]:
        """The Dashboard's revisions query, for every namespace."""
        t = self.tables
        sql = (
            "SELECT c.rev_id, c.rev_parent_id, c.rev_timestamp,"
            " CAST(c.rev_len AS SIGNED) - CAST(IFNULL(p.rev_len, 0) AS SIGNED),"
            " a.actor_name, g.page_id, g.page_namespace, g.page_title, g.page_is_redirect,"
            f" EXISTS (SELECT 1 FROM {t.change_tag} ct"
            f" JOIN {t.change_tag_def} cd ON cd.ctd_id = ct.ct_tag_id"
            f" WHERE ct.ct_rev_id = c.rev_id AND cd.ctd_name = '{NEW_REDIRECT_TAG}')"
            f" FROM {t.revision} c"
            f" JOIN {t.actor} a ON a.actor_id = c.rev_actor"
            f" LEFT JOIN {t.revision} p ON p.rev_id = c.rev_parent_id"
            f" JOIN {t.page} g ON g.page_id = c.rev_page"
            " WHERE a.actor_name IN ({users})"
            " AND c.rev_timestamp BETWEEN %s AND %s"
            f" AND c.rev_deleted & {HIDDEN_USER} = 0"
        )
        found: dict[int, Contribution] = {}
        names = sorted(set(users))
        for row in self._rows(wiki, sql, names, sql_time(start), sql_time(end)):
            revid, parent, stamp, size_diff, user, page_id, namespace, title, redirect, tag = row
            new_page = not parent
            found[int(revid)] = Contribution(
                user=_text(user),
                revid=int(revid),
                page_id=int(page_id),
                namespace=int(namespace),
                title=self._prefixed(wiki, int(namespace), _title(title)),
                timestamp=_time(stamp),
                size_diff=int(size_diff),
                new_page=new_page,
                parent_id=int(parent or 0),
                redirect=bool(redirect),
                made_redirect=bool(tag),
            )
        return sorted(found.values(), key=lambda c: (c.timestamp, c.revid))

    def deleted_creations(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        known: Iterable[CreatedArticle] = (),
    ) -> list[CreatedArticle]:
        """First revisions of deleted main-namespace pages, from ``archive``.

        A deleted page whose first revision made a redirect was no article.
        """
        t = self.tables
        sql = (
            "SELECT ar.ar_page_id, ar.ar_title, ar.ar_timestamp, a.actor_name"
            f" FROM {t.archive} ar"
            f" JOIN {t.actor} a ON a.actor_id = ar.ar_actor"
            " WHERE a.actor_name IN ({users})"
            f" AND ar.ar_namespace = {MAIN_NAMESPACE} AND ar.ar_parent_id = 0"
            " AND ar.ar_timestamp BETWEEN %s AND %s"
            f" AND ar.ar_deleted & {HIDDEN_USER} = 0"
            f" AND NOT EXISTS (SELECT 1 FROM {t.change_tag} ct"
            f" JOIN {t.change_tag_def} cd ON cd.ctd_id = ct.ct_tag_id"
            f" WHERE ct.ct_rev_id = ar.ar_rev_id AND cd.ctd_name = '{NEW_REDIRECT_TAG}')"
        )
        found: dict[int, CreatedArticle] = {}
        names = sorted(set(users))
        for page_id, title, stamp, user in self._rows(
            wiki, sql, names, sql_time(start), sql_time(end)
        ):
            found[int(page_id)] = CreatedArticle(
                wiki, int(page_id), _title(title), _text(user), _time(stamp)
            )
        return sorted(found.values(), key=lambda k: (k.timestamp, k.page_id))

    def edited_after(self, wiki: str, users: Iterable[str], after: datetime) -> set[str]:
        """Users with a live edit later than ``after``."""
        t = self.tables
        sql = (
            "SELECT DISTINCT a.actor_name"
            f" FROM {t.revision} c JOIN {t.actor} a ON a.actor_id = c.rev_actor"
            " WHERE a.actor_name IN ({users}) AND c.rev_timestamp >= %s"
            f" AND c.rev_deleted & {HIDDEN_USER} = 0"
        )
        since = sql_time(utc(after) + timedelta(seconds=1))
        return {_text(row[0]) for row in self._rows(wiki, sql, sorted(set(users)), since)}

    def uploads(
        self,
        wiki: str,
        users: Iterable[str],
        start: datetime,
        end: datetime,
        category: str = "",
    ) -> list[Upload]:
        """First revisions of File pages by these users whose file exists (``image``).

        The same definition as the API's: the page's first revision is the
        original upload; a File page without a file, or a deleted file (moved to
        ``filearchive``), is not counted.
        """
        t = self.tables
        sql = (
            "SELECT g.page_id, g.page_title, c.rev_timestamp, a.actor_name"
            f" FROM {t.revision} c"
            f" JOIN {t.actor} a ON a.actor_id = c.rev_actor"
            f" JOIN {t.page} g ON g.page_id = c.rev_page"
            f" JOIN {t.image} i ON i.img_name = g.page_title"
            " WHERE a.actor_name IN ({users})"
            f" AND g.page_namespace = {FILE_NAMESPACE} AND c.rev_parent_id = 0"
            " AND c.rev_timestamp BETWEEN %s AND %s"
            f" AND c.rev_deleted & {HIDDEN_USER} = 0"
        )
        found: dict[int, tuple[str, datetime, str]] = {}
        names = sorted(set(users))
        for page_id, title, stamp, user in self._rows(
            wiki, sql, names, sql_time(start), sql_time(end)
        ):
            found[int(page_id)] = (_title(title), _time(stamp), _text(user))
        in_category: set[int] = set()
        wanted = category_name(category).replace(" ", "_")
        if wanted and found:
            ids = sorted(found)
            for first in range(0, len(ids), USERS_PER_QUERY):
                group = ids[first : first + USERS_PER_QUERY]
                with self._cursor(wiki) as cursor:
                    cursor.execute(
                        f"SELECT cl_from FROM {t.categorylinks}"
                        f" WHERE cl_to = %s AND cl_from IN ({_placeholders(len(group))})",
                        (wanted, *group),
                    )
                    self.queries += 1
                    in_category |= {int(row[0]) for row in cursor.fetchall()}
        return sorted(
            (
                Upload(wiki, page_id, name, user, stamp, page_id in in_category)
                for page_id, (name, stamp, user) in found.items()
            ),
            key=lambda u: (u.timestamp, u.page_id),
        )

    def file_usage(self, wikis: Iterable[str], files: Iterable[str]) -> FileUsage:
        """Pages of each wiki that show these files, from each wiki's ``imagelinks``."""
        names = sorted(set(files))
        found: dict[str, set[tuple[str, int]]] = {name: set() for name in names}
        keys = {name.replace(" ", "_"): name for name in names}
        t = self.tables
        for wiki in wikis:
            for first in range(0, len(names), USERS_PER_QUERY):
                group = [n.replace(" ", "_") for n in names[first : first + USERS_PER_QUERY]]
                with self._cursor(wiki) as cursor:
                    cursor.execute(
                        f"SELECT il_to, il_from FROM {t.imagelinks}"
                        f" WHERE il_to IN ({_placeholders(len(group))})",
                        tuple(group),
                    )
                    self.queries += 1
                    for target, page_id in cursor.fetchall():
                        name = keys.get(_text(target), _title(target))
                        found.setdefault(name, set()).add((wiki, int(page_id)))
        return {name: frozenset(pages) for name, pages in found.items()}
