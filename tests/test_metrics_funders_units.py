"""What counts as a reference, goals, configuration and snapshot columns, without a wiki.

The same figures are checked against the real wikis in tests/test_metrics_funders.py;
these pin down the rules case by case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.metrics.compute import Figures, goal_progress
from bot.metrics.definitions import Contribution
from bot.metrics.references import count_references, references_added, texts_needed
from bot.metrics.snapshots import SnapshotStore
from campaignkit.config import ConfigError, load_settings
from campaignkit.manifest import ManifestError, ReferenceRules, _build
from tests.test_config import VALID, write

NOW = datetime(2027, 4, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wikitext", "expected"),
    [
        ("<ref>A</ref>", 1),
        ('<ref name="a">A</ref> again<ref name="a" /> and <ref name=a/>', 1),  # reuses
        ("<REF group=note>x</REF>", 1),
        ("{{#tag:ref|A}} {{ #tag: ref |B}}", 2),
        ("{{sfn|Smith|2000|p=4}} {{Sfnp|X}} {{sfnm|1a1=A}} {{Template:Sfn|Y}} {{ sfn }}", 5),
        ("{{Sfnref|Smith|2000}} {{Cite web|url=x}} <references/> <references>", 0),
        ("<!-- <ref>draft</ref> --> <nowiki><ref>x</ref></nowiki> <pre><ref>y</ref></pre>", 0),
        ("<nowiki/><ref>counted after a self-closed nowiki</ref>", 1),
        ("<!-- an unclosed comment hides the rest <ref>x</ref>", 0),
        ("", 0),
    ],
)
def test_what_counts_as_a_reference(wikitext, expected):
    assert count_references(wikitext) == expected


def test_a_wikis_manifest_adds_its_own_tag_and_template():
    rules = _build(
        {"references": {"tags": ["Itokasi"], "templates": ["harv_ref"]}}, None
    ).references
    assert rules.tags == ("ref", "itokasi")
    assert rules.templates == ("Sfn", "Sfnp", "Sfnm", "Harv ref")
    assert (
        count_references("<itokasi>a</itokasi> {{harv ref|b}} {{Harv_ref|c}} <ref>d</ref>", rules)
        == 4
    )
    assert count_references("<itokasi>a</itokasi>") == 0  # not on another wiki
    with pytest.raises(ManifestError, match=r"references\.templates must be a list"):
        _build({"references": {"templates": "Sfn"}}, Path("x.toml"))
    with pytest.raises(ManifestError, match=r"unknown key references\.tag"):
        _build({"references": {"tag": ["ref"]}}, Path("x.toml"))


def _revision(revid: int, parent: int, new: bool = False, ns: int = 0) -> Contribution:
    return Contribution("Ada", revid, 1, ns, "A", NOW, 10, new, parent_id=parent)


def test_references_added_against_the_parent_never_negative():
    contributions = [
        _revision(1, 0, new=True),  # new article: all its references
        _revision(2, 1),  # +2
        _revision(3, 2),  # -3: counts 0
        _revision(4, 99),  # parent by someone else, +1
        _revision(5, 4, ns=1),  # a talk page: not counted, text not needed
        _revision(6, 5),  # the parent's text is hidden: 0, not a guess
    ]
    texts = {
        1: "<ref>a</ref><ref>b</ref>",
        2: "<ref>a</ref><ref>b</ref><ref>c</ref>{{sfn|d}}",
        3: "<ref>a</ref>",
        99: "<ref>x</ref>",
        4: "<ref>x</ref><ref>y</ref>",
        5: None,
        6: "<ref>z</ref>",
    }
    assert texts_needed(contributions) == [1, 2, 3, 4, 99, 6, 5]
    assert references_added(contributions, texts) == {1: 2, 2: 2, 3: 0, 4: 1, 6: 0}


def test_goal_progress_reached_and_not():
    figures = Figures(participants=12, bytes_added=500, articles_created=3)
    progress = goal_progress(figures, {"participants": 10, "bytes": 2000, "uploads": 0})
    assert [(g.goal, g.figure, g.value, g.target, g.percent, g.reached) for g in progress] == [
        ("participants", "participants", 12, 10, 120, True),
        ("bytes", "bytes_added", 500, 2000, 25, False),
    ]


def test_metrics_wikis_in_the_configuration(tmp_path):
    settings = load_settings(write(tmp_path, VALID + '\n[metrics]\nfile_wiki = "yowiki"\n'))
    assert (settings.file_wiki, settings.wikidata_wiki) == ("yowiki", "")
    with pytest.raises(ConfigError, match=r"metrics\.wikidata_wiki names 'wikidatawiki'"):
        load_settings(write(tmp_path, VALID + '\n[metrics]\nwikidata_wiki = "wikidatawiki"\n'))
    with pytest.raises(ConfigError, match=r"unknown key metrics\.commons"):
        load_settings(write(tmp_path, VALID + '\n[metrics]\ncommons = "yowiki"\n'))


def test_an_older_snapshots_table_gains_the_new_figures(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as connection:  # the table as campaignkit made it before issue 16
        connection.execute(
            text(
                "CREATE TABLE metrics_snapshots (id INTEGER PRIMARY KEY, run_id VARCHAR(32),"
                " taken DATETIME, kind VARCHAR(16), wiki VARCHAR(64), page VARCHAR(255),"
                " campaign VARCHAR(255), source VARCHAR(16), participants BIGINT,"
                " new_editors BIGINT, edits BIGINT, articles_created BIGINT,"
                " articles_deleted BIGINT, articles_improved BIGINT, bytes_added BIGINT,"
                " words_added BIGINT, worklist_done BIGINT, retention BIGINT)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO metrics_snapshots (run_id, taken, kind, wiki, page, campaign, source,"
                " participants) VALUES ('old', '2027-04-01 10:00:00', 'event', 'yowiki', 'E',"
                " 'C', 'api', 5)"
            )
        )
    engine.dispose()
    store = SnapshotStore(url)
    store.record("new", NOW, "api", [("event", "yowiki", "E", "C", Figures(references_added=3))])
    old, new = store.history("yowiki", "E")
    assert old.figures.participants == 5 and old.figures.uploads is None
    assert new.figures.references_added == 3


def test_default_rules_are_the_manifest_defaults():
    assert ReferenceRules() == _build({}, None).references
