"""Both sources against real wikis: the same known history gives the same, exact figures.

The MariaDB-backed local wiki is read through the Action API and through SQL on
its own tables (the replicas' schema); the SQLite-backed test wiki through the
API. Every metric is checked against the figures the history was built to give.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.metrics.api_source import ApiSource
from bot.metrics.compute import event_figures
from bot.metrics.definitions import EventWindow, Participant
from bot.metrics.replica_source import LOCAL_TABLES, ReplicaSource
from campaignkit.codecs.participants_table import build_rows
from campaignkit.config import load_settings
from campaignkit.devwiki import mariadb_wiki
from campaignkit.devwiki.mariadb_wiki import MariaDBWiki
from campaignkit.wiki.users import check_users
from tests.metrics_history import (
    Editor,
    History,
    build_history,
    create_account,
    sqlite_runner,
)

pytestmark = pytest.mark.wiki

REPO = Path(__file__).resolve().parent.parent
MARIADB_WIKI_DIR = Path(
    os.environ.get("CAMPAIGNKIT_TEST_MARIADB_WIKI_DIR", REPO / ".state" / "test-mariadb")
)
MARIADB_WIKI_PORT = int(os.environ.get("CAMPAIGNKIT_TEST_MARIADB_WIKI_PORT", "8815"))


def _maria_port() -> int:
    """Our MariaDB wiki's port if it already runs from its directory, else a free one."""
    if "CAMPAIGNKIT_TEST_MARIADB_WIKI_PORT" in os.environ:
        return MARIADB_WIKI_PORT
    for port in range(MARIADB_WIKI_PORT, MARIADB_WIKI_PORT + 1000, 100):
        target = MariaDBWiki(root=MARIADB_WIKI_DIR, port=port)
        if mariadb_wiki.servers.state(target.layout, target.wiki).pid:
            return port
        if not mariadb_wiki.servers.port_in_use(port):
            return port
    raise RuntimeError("no free port for the MariaDB test wiki")


@pytest.fixture(scope="module")
def maria(mariadb):
    target = MariaDBWiki(root=MARIADB_WIKI_DIR, port=_maria_port())
    running_before = mariadb_wiki.servers.state(target.layout, target.wiki).pid is not None
    accounts = mariadb_wiki.up(target, echo=lambda _line: None)
    yield target, accounts
    if not running_before:
        mariadb_wiki.down(target)


@pytest.fixture(scope="module")
def maria_farm(maria):
    from campaignkit.wiki.connection import WikiFarm

    target, _accounts = maria
    farm = WikiFarm(load_settings(target.config_path))
    yield farm
    farm.close()


def _maria_sql(target: MariaDBWiki):
    def run(statement: str, parameters: tuple) -> None:
        mariadb_wiki.sql(target, statement, parameters)

    return run


def _participants(connection, history: History) -> list[Participant]:
    """Sign-ups checked as the sync does: the bot account is not a participant."""
    users = check_users(connection, history.signups)
    rows = build_rows(history.signups, users, {}, history.start, history.end)
    return [Participant(r.user, r.new_editor) for r in rows if r.valid]


def _figures(source, history: History, participants, known=()):
    window = EventWindow(history.wiki.id, history.start, history.end)
    names = [p.name for p in participants]
    contributions = source.contributions(window.wiki, names, window.start, window.end)
    deleted = source.deleted_creations(window.wiki, names, window.start, window.end, known=known)
    return event_figures(participants, window, contributions, deleted), contributions


def _comparable(contributions):
    return [
        (c.user, c.revid, c.page_id, c.namespace, c.timestamp, c.size_diff, c.new_page)
        for c in contributions
    ]


def _check_exact(result, history: History) -> None:
    assert result.figures.as_dict() == History.EXPECTED
    rows = {
        r.user: (r.edits, r.articles_created, r.articles_improved, r.bytes_added)
        for r in result.per_participant
    }
    assert rows == history.expected_participants()
    assert [a.title for a in result.deleted] == [history.titles["doomed"]]
    assert sorted(a.title for a in result.created) == sorted(
        [history.titles["new"], history.titles["newcomer"]]
    )


@pytest.fixture(scope="module")
def maria_history(maria, maria_farm):
    target, accounts = maria
    sql = _maria_sql(target)
    admin = Editor(target.wiki.api_url, accounts.admin_user, accounts.admin_password)
    bot = Editor(target.wiki.api_url, accounts.bot_user, accounts.bot_main_password)
    history = build_history(target.wiki, sql, admin, bot)
    participants = _participants(maria_farm[target.wiki_id], history)
    # A scheduled run sees the doomed article before an administrator deletes it.
    before, _ = _figures(ApiSource(maria_farm), history, participants)
    admin.delete(history.titles["doomed"])
    return history, participants, before.created


def test_both_sources_give_identical_exact_figures_on_mariadb(maria, maria_farm, maria_history):
    target, _ = maria
    history, participants, remembered = maria_history
    assert sorted(p.name for p in participants) == sorted(
        [history.veteran, history.second, history.newcomer]
    )
    api, api_rows = _figures(ApiSource(maria_farm), history, participants, known=remembered)
    replicas_source = ReplicaSource(lambda _wiki: target.connect(), LOCAL_TABLES)
    replicas, replica_rows = _figures(replicas_source, history, participants)
    replicas_source.close()
    _check_exact(api, history)
    _check_exact(replicas, history)
    assert _comparable(api_rows) == _comparable(replica_rows)
    assert api.figures == replicas.figures
    assert api.per_participant == replicas.per_participant


def test_replicas_see_a_deletion_the_api_never_saw(maria, maria_farm, maria_history):
    """The API learns of deleted articles only from what earlier runs remembered."""
    target, _ = maria
    history, participants, _remembered = maria_history
    api, _ = _figures(ApiSource(maria_farm), history, participants, known=())
    replicas_source = ReplicaSource(lambda _wiki: target.connect(), LOCAL_TABLES)
    replicas, _ = _figures(replicas_source, history, participants)
    assert api.figures.articles_deleted == 0
    assert replicas.figures.articles_deleted == 1


def test_retention_through_both_sources(maria, maria_farm):
    """New editors of an event that ended 10 days ago, one of whom edits today."""
    target, _accounts = maria
    sql = _maria_sql(target)
    now = datetime.now(UTC)
    start, end = now - timedelta(days=20), now - timedelta(days=10)
    registered = now - timedelta(days=25)  # within 14 days before the start
    stays = create_account(target.wiki, f"Stays {os.urandom(4).hex()}", sql, registered)
    leaves = create_account(target.wiki, f"Leaves {os.urandom(4).hex()}", sql, registered)
    stays.save(f"Metrics retention {os.urandom(4).hex()}", "r" * 10)
    names = [stays.username, leaves.username]
    users = check_users(maria_farm[target.wiki_id], names)
    rows = build_rows(names, users, {}, start, end)
    participants = [Participant(r.user, r.new_editor) for r in rows if r.valid]
    assert all(p.new_editor for p in participants)
    window = EventWindow(target.wiki_id, start, end)
    replicas_source = ReplicaSource(lambda _wiki: target.connect(), LOCAL_TABLES)
    for source in (ApiSource(maria_farm), replicas_source):
        retained = source.edited_after(target.wiki_id, names, window.retention_after)
        result = event_figures(participants, window, [], edited_after=retained)
        assert result.figures.retention == 1, source.name
        assert {r.user: r.retained for r in result.per_participant} == {
            stays.username: True,
            leaves.username: False,
        }


def test_api_source_on_the_sqlite_test_wiki(farm, accounts, devwiki_layout, human):
    wiki = devwiki_layout.wiki("yowiki")
    admin = Editor(wiki.api_url, accounts.admin_user, accounts.admin_password)
    bot = Editor(wiki.api_url, accounts.bot_user, accounts.bot_main_password)
    history = build_history(wiki, sqlite_runner(wiki), admin, bot)
    participants = _participants(farm["yowiki"], history)
    before, _ = _figures(ApiSource(farm), history, participants)
    admin.delete(history.titles["doomed"])
    after, _ = _figures(ApiSource(farm), history, participants, known=before.created)
    _check_exact(after, history)


def test_api_source_batches_users(farm):
    """Many names cost one usercontribs request per batch of names, not one per name."""
    source = ApiSource(farm)
    names = [f"Nobody {i} {os.urandom(3).hex()}" for i in range(120)]
    connection = farm["yowiki"]
    per_request = 500 if "apihighlimits" in connection.rights() else 50
    before = farm.request_counts()["yowiki"]
    found = source.contributions(
        "yowiki", names, datetime.now(UTC) - timedelta(days=1), datetime.now(UTC)
    )
    spent = farm.request_counts()["yowiki"] - before
    assert found == []
    assert spent == -(-len(names) // per_request)


def _two_people(maria, veteran: str, newcomer: str):
    """A tag, a veteran (registered 400 days ago), a newcomer and the admin on the MariaDB wiki."""
    target, accounts = maria
    sql = _maria_sql(target)
    tag = os.urandom(4).hex()
    old_hand = create_account(
        target.wiki, f"{veteran} {tag}", sql, datetime.now(UTC) - timedelta(days=400)
    )
    new_hand = create_account(target.wiki, f"{newcomer} {tag}", sql, None)
    admin = Editor(target.wiki.api_url, accounts.admin_user, accounts.admin_password)
    return target, tag, old_hand, new_hand, admin


def _reports(target: MariaDBWiki, event: str, monkeypatch) -> dict[str, dict]:
    """``campaignkit report EVENT --format json`` through each source, by source."""
    import json

    from click.testing import CliRunner

    from campaignkit.cli import main

    monkeypatch.setenv("CAMPAIGNKIT_REPLICA_URL", "mysql://root@127.0.0.1:3306/campaignkit_{wiki}")
    reports = {}
    for source in ("api", "replicas"):
        result = CliRunner().invoke(
            main,
            [
                *("--config", str(target.config_path), "report", event, "--format", "json"),
                *("--source", source),
            ],
        )
        assert result.exit_code == 0, result.output
        reports[source] = json.loads(result.output)
    return reports


def test_report_command_gives_the_same_figures_through_both_sources(maria, monkeypatch):
    """`campaignkit report --source api|replicas` on an event page of the MariaDB wiki."""
    target, tag, veteran, newcomer, admin = _two_people(maria, "Reporter", "Fresh")
    now = datetime.now(UTC)
    start, end = now - timedelta(minutes=5), now + timedelta(minutes=30)
    event = f"Report event {tag}"
    admin.save(
        event,
        f"{{{{Campaign event|campaign=Report campaign {tag}|name=Report {tag}"
        f"|start={start:%Y-%m-%d %H:%M}|end={end:%Y-%m-%d %H:%M}|format=online"
        f"|wiki={target.wiki_id}}}}}\n== Sign up ==\n"
        f"{{{{Participant|{veteran.username}}}}}\n{{{{Participant|{newcomer.username}}}}}\n",
    )
    veteran.save(f"Report article {tag}", "v" * 90)
    newcomer.save(f"Report article {tag}", "v" * 70)  # -20 counts 0
    newcomer.save(f"Talk:Report article {tag}", "t" * 33)
    reports = _reports(target, event, monkeypatch)
    figures = {}
    for source, document in reports.items():
        assert document["source"] == source
        figures[source] = document["figures"]
    assert figures["api"] == figures["replicas"]
    assert figures["api"] == {
        "participants": 2,
        "new_editors": 1,
        "edits": 3,
        "articles_created": 1,
        "articles_deleted": 0,
        "articles_improved": 0,
        "bytes_added": 90,
        "words_added": 17,
        "worklist_done": None,
        "retention": None,
        "references_added": 0,
        "uploads": None,  # no file wiki configured
        "uploads_used": None,
        "upload_usage_pages": None,
        "wikidata_edits": None,  # no Wikidata wiki configured
        "wikidata_items_created": None,
        "wikidata_items_edited": None,
        "attended": None,
    }


def test_bookkeeping_and_redirects_are_not_article_work_through_both_sources(maria, monkeypatch):
    """Issue 13 on MariaDB: sign-ups and claims in the main namespace, a redirect made on
    purpose, a page move's leftover redirect and a page created as a redirect then written
    out give the same figures through the API and the replicas, and the right ones."""
    target, tag, veteran, newcomer, admin = _two_people(maria, "Mover", "Claimer")
    now = datetime.now(UTC)
    start, end = now - timedelta(minutes=5), now + timedelta(minutes=30)
    event, worklist = f"Bookkeeping event {tag}", f"Bookkeeping worklist {tag}"  # namespace 0
    article = f"Bookkeeping article {tag}"
    event_text = (
        f"{{{{Campaign event|campaign=Bookkeeping campaign {tag}|name=B {tag}"
        f"|start={start:%Y-%m-%d %H:%M}|end={end:%Y-%m-%d %H:%M}|format=online"
        f"|wiki={target.wiki_id}|worklist={worklist}}}}}\n== Sign up ==\n"
    )
    admin.save(event, event_text)
    admin.save(worklist, f"{{{{Worklist|wiki={target.wiki_id}|titles={article}}}}}\n")
    veteran.save(event, event_text + f"{{{{Participant|{veteran.username}}}}}\n")
    newcomer.save(
        event,
        event_text
        + f"{{{{Participant|{veteran.username}}}}}\n{{{{Participant|{newcomer.username}}}}}\n",
    )
    newcomer.save(
        worklist,
        f"{{{{Worklist|wiki={target.wiki_id}|titles={article}}}}}\n"
        f"* {{{{Worklist claim|{article}|{newcomer.username}}}}}\n",
    )
    veteran.save(f"Bookkeeping draft {tag}", "a" * 120)
    moved = veteran.post(
        action="move",
        **{"from": f"Bookkeeping draft {tag}"},
        to=article,
        reason="metrics test",
        token=veteran.csrf(),
    )
    assert moved["move"]["redirectcreated"], moved
    veteran.save(f"Bookkeeping shortcut {tag}", f"#REDIRECT [[{article}]]")
    redirect = f"#REDIRECT [[{article}]]"
    newcomer.save(f"Bookkeeping stub {tag}", redirect)
    newcomer.save(f"Bookkeeping stub {tag}", "s" * 80)
    reports = _reports(target, event, monkeypatch)
    figures = {source: document["figures"] for source, document in reports.items()}
    assert figures["api"] == figures["replicas"]
    wanted = {
        "participants": 2,
        "new_editors": 1,
        "edits": 9,  # 2 sign-ups, 1 claim, article, move (2), shortcut, stub (2)
        "articles_created": 1,  # the moved article; no redirect
        "articles_deleted": 0,
        "articles_improved": 1,  # the stub written out over a redirect
        "bytes_added": 120 + 80 - len(redirect),
    }
    assert {k: figures["api"][k] for k in wanted} == wanted
