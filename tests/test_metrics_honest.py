"""Figures that mean what they say, on the real local wikis (issue 13).

An event whose pages live in the main namespace of yowiki, as the demo's Lagos
event does: signing up on the event page and claiming on the worklist page are
edits, never article work. A redirect is no article created, neither one made
on purpose nor the one a page move leaves behind; a page created as a redirect
and then written out is an article improved. A run for one page exits on that
page's health only, and a report on an unreadable event page says so.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.metrics.job import run_metrics
from bot.metrics.snapshots import SnapshotStore
from bot.run.summary import RunSummary
from campaignkit.cli import main
from campaignkit.locks import PageLocks
from tests.metrics_history import Editor, create_account, sqlite_runner

pytestmark = pytest.mark.wiki

LAGOS = ZoneInfo("Africa/Lagos")


def _local(moment: datetime) -> str:
    return moment.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M")


def move(editor: Editor, old: str, new: str) -> None:
    answer = editor.post(
        action="move", **{"from": old}, to=new, reason="metrics test", token=editor.csrf()
    )
    assert answer.get("move", {}).get("redirectcreated"), answer


@pytest.fixture(scope="module")
def bookkeeping_event(accounts, devwiki_layout, human):
    """An event with sign-ups, claims, redirects and a move in its window, on yowiki."""
    wiki = devwiki_layout.wiki("yowiki")
    sql = sqlite_runner(wiki)
    tag = uuid.uuid4().hex[:8]
    veteran = create_account(wiki, f"Writer {tag}", sql, datetime.now(UTC) - timedelta(days=400))
    newcomer = create_account(wiki, f"Joiner {tag}", sql, None)
    admin = Editor(wiki.api_url, accounts.admin_user, accounts.admin_password)
    organizer = human("metawiki", "Ada Organizer")
    campaign = f"Honest campaign {tag}"
    event = f"Honest event {tag}"  # main namespace, like the demo's Lagos event
    worklist = f"Honest worklist {tag}"  # main namespace too
    now = datetime.now(UTC)
    start, end = now - timedelta(minutes=10), now + timedelta(minutes=30)
    organizer.edit(
        campaign,
        f"{{{{Campaign|name=Honest {tag}|start={now:%Y-%m-%d}|end={now:%Y-%m-%d}}}}}\n",
    )
    admin.save(worklist, f"{{{{Worklist|wiki=yowiki|titles=Honest article {tag}}}}}\n")
    event_text = (
        f"{{{{Campaign event|campaign=m:{campaign}|name=Honest|start={_local(start)}"
        f"|end={_local(end)}|timezone=Africa/Lagos|format=online|wiki=yowiki"
        f"|worklist={worklist}}}}}\n== Sign up ==\n"
    )
    admin.save(event, event_text)
    # Bookkeeping: each participant signs up and claims an article, in ns 0.
    veteran.save(event, event_text + f"{{{{Participant|{veteran.username}}}}}\n")
    newcomer.save(
        event,
        event_text
        + f"{{{{Participant|{veteran.username}}}}}\n{{{{Participant|{newcomer.username}}}}}\n",
    )
    newcomer.save(
        worklist,
        f"{{{{Worklist|wiki=yowiki|titles=Honest article {tag}}}}}\n"
        f"* {{{{Worklist claim|Honest article {tag}|{newcomer.username}}}}}\n",
    )
    # Article work, and redirects that are not.
    veteran.save(f"Honest draft {tag}", "a" * 120)  # created, +120 ...
    move(veteran, f"Honest draft {tag}", f"Honest article {tag}")  # ... moved: leftover redirect
    veteran.save(f"Honest shortcut {tag}", f"#REDIRECT [[Honest article {tag}]]")
    newcomer.save(f"Honest stub {tag}", f"#REDIRECT [[Honest article {tag}]]")  # redirect first
    newcomer.save(f"Honest stub {tag}", "s" * 80)  # ... then written out: improved
    return {"campaign": campaign, "event": event, "tag": tag, "admin": admin, "wiki": wiki}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('honest') / 'metrics.sqlite'}")


@pytest.fixture(scope="module")
def locks(redis_url):
    return PageLocks.from_url(redis_url, "campaignkit-test-honest")


def test_bookkeeping_and_redirects_are_not_article_work(
    farm, settings, bookkeeping_event, store, locks
):
    summary = RunSummary("metrics")
    run = run_metrics(
        farm,
        settings,
        summary,
        targets=[bookkeeping_event["event"]],
        store=store,
        locks=locks,
        write=False,
    )
    assert not summary.errors, summary.errors
    report = run.events[("yowiki", bookkeeping_event["event"])]
    tag = bookkeeping_event["tag"]
    figures = report.figures
    # Edits: 2 sign-ups, 1 claim, article, move (null revision + leftover redirect),
    # shortcut redirect, redirect-then-article (2 edits).
    assert figures.edits == 9
    assert figures.articles_created == 1  # the moved article only
    assert [a.title for a in report.created] == [f"Honest article {tag}"]
    assert figures.articles_improved == 1  # the page written out over a redirect
    assert figures.bytes_added == 120 + (80 - len(f"#REDIRECT [[Honest article {tag}]]"))
    by_user = {p.user: p for p in report.per_participant}
    assert (by_user[f"Joiner {tag}"].edits, by_user[f"Joiner {tag}"].articles_improved) == (4, 1)
    assert by_user[f"Writer {tag}"].articles_created == 1


def test_a_run_for_one_page_does_not_fail_on_other_peoples_broken_pages(
    bookkeeping_event, devwiki_layout
):
    admin = bookkeeping_event["admin"]
    broken = f"Someone else's event {uuid.uuid4().hex[:8]}"
    admin.save(
        broken,
        "{{Campaign event|campaign=Elsewhere|name=Broken|start=2027-13-01|end=2027-13-02"
        "|format=online|wiki=yowiki}}\n",
    )
    config = str(devwiki_layout.config_path)
    runner = CliRunner()
    result = runner.invoke(
        main, ["--config", config, "metrics", "--dry-run", bookkeeping_event["event"]]
    )
    assert result.exit_code == 0, result.output
    assert broken not in result.output
    assert "other event page(s) cannot be read; not part of this run" in result.output

    # The broken page itself: the run for it fails and says why, precisely.
    own = runner.invoke(main, ["--config", config, "metrics", "--dry-run", broken])
    assert own.exit_code == 1
    assert f'"{broken}" on yowiki, template {{{{Campaign event}}}}, field "start"' in own.output
    report = runner.invoke(main, ["--config", config, "report", broken])
    assert report.exit_code == 1
    assert "neither an event page" not in report.output
    assert f"{broken!r} is an event page whose {{{{Campaign event}}}} cannot be read" in (
        report.output
    )
