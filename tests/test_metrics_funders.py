"""The metrics funders ask for, on a controlled history against the real local wikis.

References added on yowiki (added, removed, a new article, a talk page, a
non-participant), uploads to the hub standing in for Commons (in and out of the
category and of the window, a used and an unused file), edits on a plain third
wiki standing in for Wikidata, and the job writing every figure with goal bars,
reached and not, that the wiki renders.

History is stamped by MediaWiki as it is saved, so the window is built around
now (see tests/metrics_history.py): setup by a non-participant, then the
participants' actions (the window is their first to last timestamp), then,
once the clock has moved on, actions after the window.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics.api_source import ApiSource
from bot.metrics.compute import UploadsSeen, event_figures
from bot.metrics.definitions import EventWindow, Participant
from bot.metrics.job import run_metrics
from bot.metrics.references import ReferenceCounter
from bot.metrics.snapshots import SnapshotStore
from bot.metrics.wikidata import WikidataEdits
from bot.run.summary import RunSummary
from campaignkit.locks import PageLocks
from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.wikitext.regions import region_content
from campaignkit.wikitext.templates import find_calls
from tests.metrics_history import Editor, create_account, sqlite_runner, wait_for_next_second
from tests.metrics_wikis import (  # noqa: F401 - fixtures
    file_wiki,
    metrics_farm,
    metrics_settings,
    upload,
    wikidata_wiki,
)

pytestmark = pytest.mark.wiki

NEW_ARTICLE = 'A.<ref>a</ref> B.<ref name="x">b</ref> C.<ref name="x" /> D.{{sfn|Smith|2000}}\n'
# The first reference removed, two added: 3 -> 4.
NEW_ARTICLE_2 = (
    'A. B.<ref name="x">b</ref> C.<ref name="x" /> D.{{sfn|Smith|2000}}'
    " E.<ref>c</ref> F.<ref>d</ref>\n"
)
# Two removed: 4 -> 2, which adds 0, not -2.
NEW_ARTICLE_3 = 'A. B.<ref name="x">b</ref> C.<ref name="x" /> D.{{sfn|Smith|2000}}\n'
EXISTING = "Intro.<ref>old</ref>\n"
# Two added; a reference in a comment and one in nowiki count nothing.
EXISTING_2 = (
    "Intro.<ref>old</ref> More.<ref>new 1</ref> {{Sfnp|Jones|1999}}"
    " <!-- <ref>draft</ref> --> <nowiki><ref>not one</ref></nowiki>\n"
)


@dataclass
class FundersHistory:
    """What was built, with the figures it must give."""

    tag: str
    veteran: str
    second: str
    admin: Editor
    hub_admin: Editor
    category: str
    titles: dict[str, str]
    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    end: datetime = field(default_factory=lambda: datetime.now(UTC))
    reference_edits: list[tuple[str, str]] = field(default_factory=list)  # (user, title)

    @property
    def participants(self) -> list[Participant]:
        return [Participant(self.veteran), Participant(self.second)]

    @property
    def names(self) -> list[str]:
        return [self.veteran, self.second]


@pytest.fixture(scope="module")
def history(accounts, devwiki_layout, file_wiki, wikidata_wiki) -> FundersHistory:  # noqa: F811
    yo = devwiki_layout.wiki("yowiki")
    hub = devwiki_layout.hub
    data = wikidata_wiki.wiki
    tag = uuid.uuid4().hex[:8]
    long_ago = datetime.now(UTC) - timedelta(days=400)
    veteran_name, second_name = f"Referencer {tag}", f"Uploader {tag}"
    veteran = create_account(yo, veteran_name, sqlite_runner(yo), long_ago)
    second = create_account(yo, second_name, sqlite_runner(yo), long_ago)
    veteran_hub = create_account(hub, veteran_name, sqlite_runner(hub), long_ago)
    second_hub = create_account(hub, second_name, sqlite_runner(hub), long_ago)
    veteran_data = create_account(data, veteran_name, sqlite_runner(data), long_ago)
    second_data = create_account(data, second_name, sqlite_runner(data), long_ago)
    admin = Editor(yo.api_url, accounts.admin_user, accounts.admin_password)
    hub_admin = Editor(hub.api_url, accounts.admin_user, accounts.admin_password)
    data_admin = Editor(data.api_url, accounts.admin_user, accounts.admin_password)
    category = f"Uploads {tag}"
    in_category = f"[[Category:{category}]]"
    titles = {
        "new": f"Refs new {tag}",
        "existing": f"Refs existing {tag}",
        "talk": f"Talk:Refs new {tag}",
        "item_new": f"Item new {tag}",
        "item_existing": f"Item existing {tag}",
        "item_talk": f"Talk:Item existing {tag}",
        "cat_used": f"In cat used {tag}.png",
        "cat_unused": f"In cat unused {tag}.png",
        "other_used": f"Out of cat used {tag}.png",
    }
    built = FundersHistory(tag, veteran_name, second_name, admin, hub_admin, category, titles)
    # Setup by people who are not participants.
    last = admin.save(titles["existing"], EXISTING)
    last = max(last, data_admin.save(titles["item_existing"], "item v1"))
    wait_for_next_second(last)
    # The window: participants' actions.
    stamps = [
        veteran.save(titles["new"], NEW_ARTICLE),  # new article: +3
        veteran.save(titles["new"], NEW_ARTICLE_2),  # +1
        second.save(titles["new"], NEW_ARTICLE_3),  # -2 counts 0
        second.save(titles["existing"], EXISTING_2),  # +2
        veteran.save(titles["talk"], "<ref>t1</ref><ref>t2</ref>"),  # not an article
        upload(veteran_hub, titles["cat_used"], 1, in_category),
        upload(veteran_hub, titles["cat_unused"], 2, in_category),
        upload(second_hub, titles["other_used"], 3),
        veteran_data.save(titles["item_new"], "item"),  # item created
        second_data.save(titles["item_existing"], "item v2"),  # item edited
        second_data.save(titles["item_talk"], "talk"),  # an edit, not an item
        # Not participants: never counted.
        admin.save(titles["existing"], EXISTING_2 + "<ref>admin 1</ref><ref>admin 2</ref>\n"),
        upload(hub_admin, f"Admin {tag}.png", 4, in_category),
        data_admin.save(titles["item_existing"], "item v3"),
    ]
    built.reference_edits = [
        (veteran_name, titles["new"]),
        (veteran_name, titles["new"]),
        (second_name, titles["new"]),
        (second_name, titles["existing"]),
    ]
    built.start, built.end = min(stamps), max(stamps)
    wait_for_next_second(built.end)
    # After the window.
    upload(veteran_hub, f"After {tag}.png", 5, in_category)
    veteran.save(titles["new"], NEW_ARTICLE_3 + "<ref>late</ref>\n")
    veteran_data.save(titles["item_new"], "item later")
    # Where the files are used (who adds them does not matter).
    admin.save(f"Gallery {tag}", f"[[File:{titles['cat_used']}]]\n")
    admin.save(f"Gallery 2 {tag}", f"[[File:{titles['other_used']}|thumb]]\n")
    hub_admin.save(f"Hub gallery {tag}", f"[[File:{titles['cat_used']}]]\n")
    return built


def _window(history: FundersHistory, wiki: str = "yowiki") -> EventWindow:
    return EventWindow(wiki, history.start, history.end)


# --- references ---------------------------------------------------------------------------


def test_references_added_exactly(history, metrics_farm, tmp_path):  # noqa: F811
    source = ApiSource(metrics_farm)
    window = _window(history)
    contributions = source.contributions("yowiki", history.names, window.start, window.end)
    counter = ReferenceCounter(f"sqlite:///{tmp_path / 'refs.sqlite'}")
    rules = load_manifest("yowiki", "yo").references
    added = counter.added(metrics_farm["yowiki"], contributions, rules)
    in_main = [c for c in contributions if c.in_main_namespace]
    assert [(c.user, c.title) for c in in_main] == history.reference_edits
    assert [added[c.revid] for c in in_main] == [3, 1, 0, 2]
    result = event_figures(history.participants, window, contributions, references=added)
    assert result.figures.references_added == 6
    assert {r.user: r.references_added for r in result.per_participant} == {
        history.veteran: 4,
        history.second: 2,
    }
    # The four revisions and the one parent outside them (the existing article's setup
    # revision; the new article's parents are its own earlier revisions): 5 texts, one
    # request.
    assert counter.texts_read == 5
    assert counter.requests == 1
    # Remembered: a second count reads no text at all.
    again = ReferenceCounter(f"sqlite:///{tmp_path / 'refs.sqlite'}")
    assert again.added(metrics_farm["yowiki"], contributions, rules) == added
    assert again.requests == 0


# --- uploads ------------------------------------------------------------------------------


def test_uploads_in_and_out_of_category_and_window_used_and_unused(
    history,
    metrics_farm,  # noqa: F811
    metrics_settings,  # noqa: F811
):
    source = ApiSource(metrics_farm)
    hub = metrics_settings.file_wiki
    window = _window(history, hub)
    wikis = list(metrics_settings.wikis)
    found = source.uploads(hub, history.names, window.start, window.end, history.category)
    titles = history.titles
    assert {(u.name, u.user, u.in_category) for u in found} == {
        (titles["cat_used"], history.veteran, True),
        (titles["cat_unused"], history.veteran, True),
        (titles["other_used"], history.second, False),
    }
    usage = source.file_usage(wikis, [u.name for u in found])
    assert {name: {w for w, _ in pages} for name, pages in usage.items()} == {
        titles["cat_used"]: {"yowiki", "metawiki"},
        titles["cat_unused"]: set(),
        titles["other_used"]: {"yowiki"},
    }
    yo_window = EventWindow("yowiki", window.start, window.end)
    in_category = event_figures(
        history.participants,
        yo_window,
        [],
        uploads=UploadsSeen(tuple(found), usage, history.category),
    ).figures
    assert (in_category.uploads, in_category.uploads_used, in_category.upload_usage_pages) == (
        2,
        1,
        2,
    )
    every = event_figures(
        history.participants, yo_window, [], uploads=UploadsSeen(tuple(found), usage)
    )
    assert (every.figures.uploads, every.figures.uploads_used) == (3, 2)
    assert every.figures.upload_usage_pages == 3
    assert {r.user: r.uploads for r in every.per_participant} == {
        history.veteran: 2,
        history.second: 1,
    }


# --- Wikidata ---------------------------------------------------------------------------


def test_wikidata_edits_items_created_and_edited(history, metrics_farm, metrics_settings):  # noqa: F811
    source = ApiSource(metrics_farm)
    data = metrics_settings.wikidata_wiki
    window = _window(history, data)
    edits = source.contributions(data, history.names, window.start, window.end)
    figures = event_figures(
        history.participants,
        _window(history),
        [],
        wikidata=WikidataEdits.of(data, edits),
    ).figures
    assert (
        figures.wikidata_edits,
        figures.wikidata_items_created,
        figures.wikidata_items_edited,
    ) == (3, 1, 1)


# --- the job: every figure, goals and their bars ---------------------------------------------


def _box(region: str) -> dict[str, str]:
    [call] = find_calls(region, english_manifest().template("campaign_metrics"))
    return dict(call.values)


@pytest.fixture(scope="module")
def job_run(history, metrics_farm, metrics_settings, redis_url, tmp_path_factory):  # noqa: F811
    """An event on yowiki (Yoruba parameter names) and its campaign, with goals, measured."""
    tag = history.tag
    start = history.start.replace(second=0)
    end = history.end + timedelta(hours=1)
    campaign = f"Funders campaign {tag}"
    event = f"Funders event {tag}"
    history.hub_admin.save(
        campaign,
        f"{{{{Campaign|name=Funders {tag}|start={start:%Y-%m-%d}|end={end:%Y-%m-%d}"
        f"|upload_category={history.category}|goal_participants=5|goal_uploads=2}}}}\n",
    )
    history.admin.save(
        event,
        f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{campaign}|orúkọ=Funders {tag}"
        f"|ìbẹ̀rẹ̀={start:%Y-%m-%d %H:%M}|ìparí={end:%Y-%m-%d %H:%M}|format=online|wiki=yowiki"
        f"|ẹ̀ka fáìlì=Category:{history.category}"
        "|àfojúsùn olùkópa=2|àfojúsùn ìtọ́kasí=10|àfojúsùn fáìlì=2}}\n== Sign up ==\n"
        f"{{{{Participant|{history.veteran}}}}}\n{{{{Participant|{history.second}}}}}\n",
    )
    # A second event of the campaign names no category: the campaign's applies.
    history.admin.save(
        f"{event} (2)",
        f"{{{{Campaign event|campaign=m:{campaign}|name=Funders 2 {tag}"
        f"|start={start:%Y-%m-%d %H:%M}|end={end:%Y-%m-%d %H:%M}|format=online|wiki=yowiki}}}}\n"
        f"== Sign up ==\n{{{{Participant|{history.second}}}}}\n",
    )
    store = SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('funders') / 'metrics.sqlite'}")
    summary = RunSummary("metrics")
    run = run_metrics(
        metrics_farm,
        metrics_settings,
        summary,
        targets=[event, f"{event} (2)"],
        now=history.end,  # later edits (after the window) are not counted
        store=store,
        locks=PageLocks.from_url(redis_url, "campaignkit-test-funders"),
    )
    return run, summary, event, campaign


def test_job_writes_every_figure_and_the_goals(job_run, history):
    run, summary, event, campaign = job_run
    assert not summary.errors, summary.errors
    figures = run.events[("yowiki", event)].figures
    assert {
        k: v
        for k, v in figures.as_dict().items()
        if k in ("participants", "references_added", "uploads", "uploads_used")
        or k.startswith(("upload_", "wikidata_"))
    } == {
        "participants": 2,
        "references_added": 6,
        "uploads": 2,
        "uploads_used": 1,
        "upload_usage_pages": 2,
        "wikidata_edits": 3,
        "wikidata_items_created": 1,
        "wikidata_items_edited": 1,
    }
    box = _box(region_content(history.admin.text(event), "metrics"))
    assert box["references_added"] == "6" and box["uploads"] == "2"
    assert (box["goal_participants"], box["goal_references"], box["goal_uploads"]) == (
        "2",
        "10",
        "2",
    )
    assert "goal_bytes" not in box
    hub_box = _box(region_content(history.hub_admin.text(campaign), "metrics"))
    assert (hub_box["participants"], hub_box["goal_participants"]) == ("2", "5")
    assert (hub_box["events"], hub_box["uploads"]) == ("2", "2")  # each file counted once
    # The second event's participant uploaded one file, outside the campaign's category:
    # it does not count (with no category at all it would).
    second = run.events[("yowiki", f"{event} (2)")].figures
    assert (second.participants, second.uploads) == (1, 0)


def _rendered(editor: Editor, title: str) -> str:
    return editor.get(action="parse", page=title, prop="text")["parse"]["text"]


def test_the_wiki_draws_the_goal_bars(job_run, history):
    _run, _summary, event, campaign = job_run
    html = _rendered(history.admin, event)
    # Participants 2 of 2 and uploads 2 of 2: reached; references 6 of 10: 60 %.
    widths = re.findall(r"(?<![-\w])width:(\d+)%;", html)
    assert sorted(widths) == ["100", "100", "60"]
    assert "(60%)" in html and "(100%)" in html
    assert html.count("ó ti tó") == 2  # "reached", in Yoruba
    assert html.count("campaignkit-goal-bar") == 3
    assert "<img" not in html.split("campaignkit-metrics", 1)[1]
    hub_html = _rendered(history.hub_admin, campaign)
    assert sorted(re.findall(r"(?<![-\w])width:(\d+)%;", hub_html)) == ["100", "40"]
    assert "(40%)" in hub_html  # 2 of 5 participants
    assert "reached" in hub_html  # 2 of 2 uploads


def test_report_csv_has_the_new_columns(job_run, history, metrics_settings):  # noqa: F811
    """`campaignkit report --format csv` now, so the actions after the window count too."""
    from click.testing import CliRunner

    from campaignkit.cli import main

    _run, _summary, event, _campaign = job_run
    result = CliRunner().invoke(
        main, ["--config", str(metrics_settings.path), "report", event, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    header, row = [line.split(",") for line in result.output.strip().splitlines()]
    values = dict(zip(header, row, strict=True))
    # After the window: a reference (+1), an upload in the category (unused), an item edit.
    assert {k: values[k] for k in header if k.startswith(("references", "upload", "wikidata"))} == {
        "references_added": "7",
        "uploads": "3",
        "uploads_used": "1",
        "upload_usage_pages": "2",
        "wikidata_edits": "4",
        "wikidata_items_created": "1",
        "wikidata_items_edited": "1",
    }
    assert (values["goal_participants"], values["goal_references"], values["goal_bytes"]) == (
        "2",
        "10",
        "",
    )
