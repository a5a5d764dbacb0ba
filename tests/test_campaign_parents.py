"""Campaigns made of campaigns on the real wikis: ``{{Campaign|parent=…}}`` (issue 15).

A global campaign with two national editions whose events share a participant,
who creates one article while both events run: the global campaign's events
table lists both events, and its metrics count the person, the revision and
the article once. Cycles and self-parents are reported and not followed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics.job import run_metrics
from bot.metrics.snapshots import SnapshotStore
from bot.run.summary import RunSummary
from campaignkit.campaign_tree import build_tree
from campaignkit.locks import PageLocks
from campaignkit.wikitext.regions import region_content
from tests.calendar_support import calendar_sync, local

pytestmark = pytest.mark.wiki


def rows(text: str) -> list[str]:
    return [line for line in region_content(text, "events").splitlines() if "row|" in line]


def test_a_parent_counts_its_childrens_events_and_a_shared_participant_once(
    farm, settings, tmp_path, redis_url, human, unique_title
):
    tag = unique_title("P").split()[-1]
    ada = human("metawiki", "Ada Organizer")
    bola = human("metawiki", "Bola Participant")
    parent, ghana, kenya = f"Global {tag}", f"Ghana {tag}", f"Kenya {tag}"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start, end = now - timedelta(minutes=10), now + timedelta(hours=1)
    ada.edit(parent, f"{{{{Campaign|name=Global {tag}|start={now:%Y-%m-%d}|end={now:%Y-%m-%d}}}}}")
    for child in (ghana, kenya):
        ada.edit(
            child,
            f"{{{{Campaign|name={child}|start={now:%Y-%m-%d}|end={now:%Y-%m-%d}"
            f"|parent={parent}}}}}",
        )
        ada.edit(
            f"{child} event",
            f"{{{{Campaign event|campaign={child}|name={child} event|start={local(start)}"
            f"|end={local(end)}|timezone=UTC|format=online|wiki=metawiki}}}}\n"
            "== Sign up ==\n{{Participant|Bola Participant}}\n",
        )
    article = f"Article {tag}"
    bola.edit(article, "A new article written during both events. " * 20)

    summary = calendar_sync(farm, settings, tmp_path, redis_url)(calendar=False).run([parent])
    assert not summary.errors, summary.lines()
    parent_rows = rows(ada.text(parent))
    assert len(parent_rows) == 2 and all("participants=1" in r for r in parent_rows)
    assert [r for r in rows(ada.text(ghana))] == [r for r in parent_rows if ghana in r]
    data = json.loads(ada.text(f"{parent}/events.json"))  # what its dashboard shows
    assert {e["event"] for e in data["events"]} == {f"{ghana} event", f"{kenya} event"}

    metrics = RunSummary("metrics")
    run = run_metrics(
        farm,
        settings,
        metrics,
        targets=[parent],
        store=SnapshotStore(f"sqlite:///{tmp_path / 'snapshots.sqlite'}"),
        locks=PageLocks.from_url(redis_url, "campaignkit-test"),
    )
    assert not metrics.errors, metrics.lines()
    report = run.campaigns[parent]
    each = [run.campaigns[child].figures for child in (ghana, kenya)]
    assert [f.participants for f in each] == [1, 1]
    # Both events have the same participant and window, so the same articles and
    # edits (Bola's, in the window: this article, and any other test's meanwhile).
    assert each[0].articles_created == each[1].articles_created >= 1
    assert {(e.wiki, e.page) for e in report.events} == {
        ("metawiki", f"{ghana} event"),
        ("metawiki", f"{kenya} event"),
    }
    assert report.figures.participants == 1  # Bola, in both events, once
    assert report.figures.articles_created == each[0].articles_created  # each article once
    assert report.figures.edits == each[0].edits == each[1].edits >= 1  # each revision once


def test_cycles_and_self_parents_are_reported_not_followed(
    farm, settings, tmp_path, redis_url, human, unique_title
):
    tag = unique_title("C").split()[-1]
    ada = human("metawiki", "Ada Organizer")
    a, b, itself = f"Loop A {tag}", f"Loop B {tag}", f"Itself {tag}"
    for title, parent in ((a, b), (b, a), (itself, itself)):
        ada.edit(
            title,
            f"{{{{Campaign|name={title}|start=2027-01-01|end=2027-01-31|parent={parent}}}}}",
        )
        ada.edit(
            f"{title} event",
            f"{{{{Campaign event|campaign={title}|name={title} event|start=2027-01-10 10:00"
            "|end=2027-01-10 12:00|format=online|wiki=metawiki}}\n",
        )
    summary = calendar_sync(farm, settings, tmp_path, redis_url)(calendar=False).run([a, b, itself])
    assert not summary.errors, summary.lines()
    assert any("cycle" in w and a in w and b in w for w in summary.warnings), summary.warnings
    assert any("names itself" in w and itself in w for w in summary.warnings)
    for title in (a, b, itself):
        assert [f"event={title} event" in r for r in rows(ada.text(title))] == [True]


def test_the_tree_unit_rules():
    tree = build_tree(
        {"G": "", "NG": "G", "GH": "G", "Lagos": "NG", "X": "Y", "Y": "X", "S": "S", "O": "Nope"}
    )
    assert tree.ancestors("Lagos") == ["NG", "G"]
    assert tree.family("G") == {"G", "NG", "GH", "Lagos"}
    assert tree.family("X") == {"X"} and tree.ancestors("Y") == []
    assert tree.ancestors("S") == [] and tree.ancestors("O") == []
    assert len(tree.problems) == 3
