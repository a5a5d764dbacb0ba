"""The database behind a local wiki: SQLite files, or a database in the local MariaDB.

The everyday wikis use SQLite because it needs no server and a snapshot is a
file copy; the replica tests need MariaDB because the Wiki Replicas' SQL is
MySQL's. Everything that depends on that choice is in this module, so the
installer and the lifecycle have a single code path for both.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from campaignkit.devwiki.layout import LocalWiki

MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_USER = "root"


def installer_arguments(wiki: LocalWiki) -> list[str]:
    """The database options of MediaWiki's ``install.php`` for this wiki."""
    if wiki.database == "mysql":
        return [
            "--dbtype",
            "mysql",
            "--dbserver",
            f"{MARIADB_HOST}:{MARIADB_PORT}",
            "--dbuser",
            MARIADB_USER,
            "--dbpass",
            "",
            "--dbname",
            wiki.database_name,
        ]
    return ["--dbtype", "sqlite", "--dbpath", str(wiki.data_dir), "--dbname", wiki.database_name]


def ensure_server(kind: str) -> None:
    """Start the database server that wikis of this kind need, if any (MariaDB)."""
    if kind == "mysql":
        from campaignkit.services import ensure_mariadb

        ensure_mariadb(MARIADB_HOST, MARIADB_PORT)


def _mariadb(database: str | None = None, **kwargs: Any) -> Any:
    import pymysql

    return pymysql.connect(
        host=MARIADB_HOST,
        port=MARIADB_PORT,
        user=MARIADB_USER,
        password="",
        database=database,
        charset="utf8mb4",
        **kwargs,
    )


def exists(wiki: LocalWiki) -> bool:
    """Whether the wiki's database is there."""
    if wiki.database == "mysql":
        with _mariadb() as connection, connection.cursor() as cursor:
            cursor.execute("SHOW DATABASES LIKE %s", (wiki.database_name,))
            return cursor.fetchone() is not None
    return wiki.database_file.is_file()


def prepare_empty(wiki: LocalWiki) -> None:
    """Make room for a fresh install: no database of this wiki's name, a data directory.

    The MariaDB database is named after the wiki and belongs to it, so dropping
    it loses nothing that another program owns.
    """
    if wiki.database == "mysql":
        with _mariadb() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{wiki.database_name}`")
    wiki.data_dir.mkdir(parents=True, exist_ok=True)


def connect(wiki: LocalWiki, **kwargs: Any) -> Any:
    """A DB-API connection to the wiki's main database (pymysql or sqlite3); close it."""
    if wiki.database == "mysql":
        return _mariadb(wiki.database_name, **kwargs)
    return sqlite3.connect(wiki.database_file, **kwargs)


def connect_object_cache(wiki: LocalWiki) -> Any:
    """A connection to the database holding the ``objectcache`` table (CACHE_DB); close it.

    MediaWiki's SQLite installer puts that table in a file of its own,
    ``wikicache.sqlite``, so cache writes do not lock the wiki's main database.
    """
    if wiki.database == "mysql":
        return connect(wiki)
    return sqlite3.connect(wiki.data_dir / "wikicache.sqlite", timeout=30)


def replace_rows(
    wiki: LocalWiki, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows, replacing those with the same unique key (both databases say REPLACE)."""
    marker = "%s" if wiki.database == "mysql" else "?"
    statement = (
        f"REPLACE INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
    )
    with contextlib.closing(connect(wiki)) as connection:
        connection.cursor().executemany(statement, list(rows))
        connection.commit()
