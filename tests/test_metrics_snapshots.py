"""Snapshots in SQLite (the default) and in MariaDB (ToolsDB in production)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pymysql
import pytest

from bot.metrics.compute import Figures
from bot.metrics.definitions import CreatedArticle
from bot.metrics.snapshots import SnapshotStore

T0 = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)


def exercise(store: SnapshotStore) -> None:
    first = Figures(participants=2, edits=5, bytes_added=100, words_added=19)
    later = Figures(participants=3, edits=9, bytes_added=400, words_added=77, retention=1)
    store.record("run1", T0, "api", [("event", "yowiki", "E", "C", first)])
    store.record(
        "run2",
        T0 + timedelta(minutes=15),
        "replicas",
        [("event", "yowiki", "E", "C", later), ("campaign", "metawiki", "C", "C", later)],
    )
    history = store.history("yowiki", "E")
    assert [s.figures for s in history] == [first, later]
    assert [s.taken for s in history] == [T0, T0 + timedelta(minutes=15)]
    assert history[0].figures.retention is None and history[1].figures.retention == 1
    assert store.latest("metawiki", "C").kind == "campaign"
    assert store.latest("yowiki", "missing") is None
    assert set(store.latest_events_of("C")) == {("yowiki", "E")}

    article = CreatedArticle("yowiki", 7, "Ìṣẹ̀lẹ̀", "Ada", T0)
    store.remember_created("yowiki", "E", [article])
    store.remember_created("yowiki", "E", [article])  # a second run adds nothing
    assert store.created("yowiki", "E") == [article]
    assert store.created("yowiki", "other") == []


def test_sqlite(tmp_path):
    exercise(SnapshotStore(f"sqlite:///{tmp_path / 'metrics.sqlite'}"))


def test_mariadb(mariadb):
    host, port = mariadb
    name = f"campaignkit_test_metrics_{uuid.uuid4().hex[:8]}"
    server = pymysql.connect(host=host, port=port, user="root", password="", autocommit=True)
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        exercise(SnapshotStore(f"mysql+pymysql://root@{host}:{port}/{name}?charset=utf8mb4"))
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        server.close()


@pytest.mark.parametrize("bad", [{"participants": "x"}])
def test_figures_from_bad_values_fail_loudly(bad):
    with pytest.raises(ValueError):
        Figures.from_dict(bad)
