"""Worklists against the two real local wikis: sources, gaps, claims, failures, progress, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.run.summary import RunSummary
from bot.worklists.flags import FlagRule
from bot.worklists.items import describe_items
from bot.worklists.job import WorklistJob
from bot.worklists.sources import category_pages
from campaignkit.locks import PageLocks
from campaignkit.manifest import english_manifest
from campaignkit.wiki.batch import batch_size, read_text
from campaignkit.wiki.editing import EditOutcome
from campaignkit.wikitext.regions import region_content, strip_regions
from campaignkit.wikitext.templates import find_calls

pytestmark = pytest.mark.wiki

ROW = english_manifest().template("campaign_worklist_row")


@pytest.fixture
def refresh(farm, settings, redis_url):
    """Refresh worklist pages the way ``campaignkit worklist refresh PAGE`` does."""
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def run(*pages: str, wiki: str, **options):
        summary = RunSummary("worklist test")
        job = WorklistJob(farm, settings, summary, locks=locks, **options)
        outcomes = job.run(pages, wiki=wiki, strict=True)
        return outcomes, summary

    return run


def settle(editor, what: str, check, timeout: float = 30.0) -> None:
    """Wait, with a deadline, until the wiki's link tables show an edit.

    MediaWiki updates categorylinks, langlinks and templatelinks after it has
    answered the edit (a deferred update), so a read right after an edit may
    not see them yet. Polling a cheap query is how a test waits for that.
    """
    deadline = time.monotonic() + timeout
    while not check(editor):
        if time.monotonic() > deadline:
            pytest.fail(f"the wiki did not show {what} within {timeout:.0f} s")
        time.sleep(0.1)


def members(category: str):
    """A check: the category's members, as the API lists them now."""

    def listed(editor) -> set[str]:
        answer = editor.get(
            action="query", list="categorymembers", cmtitle=f"Category:{category}", cmlimit="max"
        )
        return {m["title"] for m in answer["query"]["categorymembers"]}

    return listed


def links_of(title: str, prop: str):
    """A check: a page's langlinks or templates (``prop``), as titles."""

    def listed(editor) -> set[str]:
        page = editor.get(action="query", titles=title, prop=prop, lllimit="max", tllimit="max")
        return {link.get("title", "") for link in page["query"]["pages"][0].get(prop, [])}

    return listed


def rows(text: str) -> dict[str, dict[str, str]]:
    """The bot's rows by title."""
    return {
        call.values["title"]: call.values
        for call in find_calls(region_content(text, "worklist"), ROW)
    }


def test_every_source_and_their_union_minus_exclusions(human, unique_title, refresh, farm):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("WL").split()[-1]
    root, sub, deep, minus = (f"WL {tag} {name}" for name in ("root", "sub", "deep", "minus"))
    ada.edit(f"Category:{root}", f"[[Category:{sub}]]")  # a loop: root is in sub, sub in root
    ada.edit(f"Category:{sub}", f"[[Category:{root}]]")
    ada.edit(f"Category:{deep}", f"[[Category:{sub}]]")
    ada.edit(f"Category:{minus}", "excluded articles")
    page = {n: f"WL {tag} {n}" for n in ("p1", "p2", "p3", "p4", "p5", "p6", "links", "list")}
    ada.edit(page["p1"], f"one [[Category:{root}]]")
    ada.edit(page["p2"], f"two [[Category:{sub}]]")
    ada.edit(page["p3"], f"three [[Category:{deep}]]")
    ada.edit(page["p4"], "four")
    ada.edit(page["p5"], f"five [[Category:{minus}]]")
    ada.edit(page["p6"], "six")
    ada.edit(f"WL {tag} to p1", f"#REDIRECT [[{page['p1']}]]")
    ada.edit(f"WL {tag} to p6", f"#REDIRECT [[{page['p6']}]]")
    ada.edit(page["links"], f"[[{page['p4']}]] [[{page['p5']}]] [[{page['p2']}]] [[User:Ada]]")
    ada.edit(
        page["list"],
        f"{{{{Worklist|wiki=metawiki|category={root}|depth=1|minus_category={minus}}}}}\n"
        f"{{{{Worklist|wiki=metawiki|links_from={page['links']}|minus_titles=WL {tag} nothing}}}}\n"
        f"{{{{Worklist|wiki=metawiki|titles=WL {tag} to p1\nWL {tag} to p6\nWL {tag} nothing\n"
        f"WL {tag} never}}}}\n",
    )
    settle(
        ada,
        "the category tree",
        lambda e: members(sub)(e) == {page["p2"], f"Category:{root}", f"Category:{deep}"},
    )
    settle(ada, "root's members", lambda e: members(root)(e) == {page["p1"], f"Category:{sub}"})
    settle(
        ada,
        "deep's and minus's members",
        lambda e: members(deep)(e) | members(minus)(e) == {page["p3"], page["p5"]},
    )
    settle(ada, "the links", lambda e: len(links_of(page["links"], "links")(e)) == 4)
    outcomes, summary = refresh(page["list"], wiki="metawiki")
    assert summary.errors == []
    assert outcomes[0].edit is EditOutcome.SAVED
    table = rows(ada.text(page["list"]))
    # depth 1 takes p2 (sub) but not p3 (deep); p5 is in the minus category; "nothing" is minus.
    expected = {page["p1"], page["p2"], page["p4"], page["p6"], f"WL {tag} never"}
    assert set(table) == expected
    assert "redirect_from" not in table[page["p1"]]  # listed directly by the category too
    assert table[page["p6"]]["redirect_from"] == f"WL {tag} to p6"
    assert table[f"WL {tag} never"]["exists"] == "no"
    assert table[page["p1"]]["exists"] == "yes" and int(table[page["p1"]]["size"]) > 0
    # A deep walk goes round the loop once and finds the deepest page.
    deep_walk = category_pages(farm.hub, root, 10)
    assert set(deep_walk.titles) == {page["p1"], page["p2"], page["p3"]}
    assert deep_walk.categories_read == 3


def test_language_gap_lists_what_is_missing_and_keeps_what_got_created(
    human, unique_title, refresh
):
    en = human("metawiki", "Ada Organizer")
    yo = human("yowiki", "Ada Organizer")
    tag = unique_title("Gap").split()[-1]
    category = f"Gap {tag}"
    yo.edit(f"Gap {tag} A yo", "Àyọkà tó wà")
    en.edit(f"Gap {tag} A", f"A [[Category:{category}]] [[yo:Gap {tag} A yo]]")
    en.edit(f"Gap {tag} B", f"B [[Category:{category}]]")
    en.edit(f"Gap {tag} C", f"C [[Category:{category}]] [[yo:Gap {tag} C yo]]")
    worklist = f"Àkójọ {tag}"
    yo.edit(worklist, f"{{{{Àkójọ iṣẹ́|wiki=yowiki|source_wiki=metawiki|ẹ̀ka={category}}}}}\n")
    settle(en, "the category", lambda e: len(members(category)(e)) == 3)
    settle(en, "A's language link", lambda e: links_of(f"Gap {tag} A", "langlinks")(e) != set())
    settle(en, "C's language link", lambda e: links_of(f"Gap {tag} C", "langlinks")(e) != set())
    _, summary = refresh(worklist, wiki="yowiki")
    assert summary.errors == []
    table = rows(yo.text(worklist))
    assert set(table) == {f"Gap {tag} B", f"Gap {tag} C"}  # A exists on yowiki already
    assert table[f"Gap {tag} B"]["exists"] == "no"
    assert table[f"Gap {tag} C"]["counterpart"] == f"Gap {tag} C yo"  # linked, not written yet
    assert table[f"Gap {tag} C"]["wiki"] == "metawiki"
    # A participant writes B in Yoruba; the row stays, now with its counterpart.
    yo.edit(f"Gap {tag} B yo", "Àyọkà tuntun " * 20)
    en.edit(f"Gap {tag} B", f"B [[Category:{category}]] [[yo:Gap {tag} B yo]]")
    settle(en, "B's language link", lambda e: links_of(f"Gap {tag} B", "langlinks")(e) != set())
    refresh(worklist, wiki="yowiki")
    table = rows(yo.text(worklist))
    assert set(table) == {f"Gap {tag} B", f"Gap {tag} C"}
    assert table[f"Gap {tag} B"]["exists"] == "yes"
    assert table[f"Gap {tag} B"]["counterpart_wiki"] == "yowiki"
    assert int(table[f"Gap {tag} B"]["size"]) > 200


def test_claims_survive_regeneration_and_a_concurrent_edit(human, unique_title, refresh, farm):
    ada = human("metawiki", "Ada Organizer")
    bola = human("metawiki", "Bola Participant")
    tag = unique_title("Claims").split()[-1]
    titles = [f"Claims {tag} {n}" for n in ("Lagos", "Ibadan", "Oyo")]
    page = f"Claims {tag} list"
    ada.edit(
        page,
        f"{{{{Worklist|wiki=metawiki|titles={chr(10).join(titles)}}}}}\n\n"
        "{{Campaign bot region|worklist}}\n\n== Claims ==\n"
        f"* {{{{Worklist claim|{titles[0]}|Ada Organizer|done=yes}}}}\n",
    )
    refresh(page, wiki="metawiki")
    # Bola claims with a signature only, in the visual editor's way: template, then ~~~~.
    text = bola.text(page)
    bola.edit(page, text + f"* {{{{Worklist claim|{titles[1]}}}}} ~~~~\n")
    stale = read_text(farm.hub, page)
    outcomes, _ = refresh(page, wiki="metawiki")
    assert outcomes[0].edit is EditOutcome.SAVED
    table = rows(ada.text(page))
    assert table[titles[0]]["claimed_by"] == "Ada Organizer"
    assert table[titles[0]]["done"] == "yes"
    assert table[titles[1]]["claimed_by"] == "Bola Participant"
    assert outcomes[0].claimed == 2 and outcomes[0].done == 1
    # Ada claims Oyo right after the bot read the page; the bot saves on top of its stale read.
    human_text = stale.text + f"* {{{{Worklist claim|{titles[2]}|Ada Organizer}}}}\n"
    ada.edit(page, human_text)
    human_saved = ada.text(page)
    summary = RunSummary("worklist test")
    job = WorklistJob(farm, farm.settings, summary)
    worklist = next(w for w in job.find_pages([page], "metawiki"))
    worklist.page = stale
    job.refresh(worklist)
    final = ada.text(page)
    assert strip_regions(final) == strip_regions(human_saved)  # every human byte, claims too
    assert rows(final)[titles[2]]["claimed_by"] == "Ada Organizer"
    # Regenerating again (nothing changed) keeps everything and writes nothing.
    outcomes, _ = refresh(page, wiki="metawiki")
    assert outcomes[0].edit is EditOutcome.UNCHANGED
    assert ada.text(page) == final


def test_an_emptied_or_failing_source_keeps_the_last_table(human, unique_title, refresh):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Empty").split()[-1]
    category = f"Empty {tag}"
    members_ = [f"Empty {tag} {n}" for n in range(3)]
    ada.edit(f"Category:{category}", "Articles to improve.")
    for title in members_:
        ada.edit(title, f"text [[Category:{category}]]")
    page = f"Empty {tag} list"
    ada.edit(page, f"{{{{Worklist|wiki=metawiki|category={category}}}}}\n")
    settle(ada, "the category's members", lambda e: members(category)(e) == set(members_))
    refresh(page, wiki="metawiki")
    before = ada.text(page)
    assert set(rows(before)) == set(members_)
    for title in members_:  # the category empties (a bot run elsewhere, a rename...)
        ada.edit(title, "text")
    settle(ada, "the emptied category", lambda e: members(category)(e) == set())
    outcomes, summary = refresh(page, wiki="metawiki")
    assert ada.text(page) == before
    assert outcomes[0].kept and "gave no page" in outcomes[0].kept
    assert any(f"metawiki:{page}: kept the last table" in e for e in summary.errors)
    # A source that cannot be read (a typo in the category) keeps the table as well.
    ada.edit(page, before.replace(f"category={category}", f"category={category} typo"))
    typo = ada.text(page)
    outcomes, summary = refresh(page, wiki="metawiki")
    assert ada.text(page) == typo
    assert "does not exist" in outcomes[0].kept
    # A bad box is an error naming the page and the field; the table stays.
    ada.edit(page, typo.replace("wiki=metawiki", "wiki=nowiki"))
    broken = ada.text(page)
    outcomes, summary = refresh(page, wiki="metawiki")
    assert ada.text(page) == broken
    assert any(f'"{page}"' in e and 'field "wiki"' in e for e in summary.errors)
    ada.edit(page, "Test finished.")  # leave no broken worklist on the shared wiki


def test_bytes_added_by_participants_during_the_event(human, unique_title, refresh):
    ada = human("yowiki", "Ada Organizer")
    bola = human("yowiki", "Bola Participant")
    tag = unique_title("Bytes").split()[-1]
    article, worklist, event = (f"Bytes {tag} {n}" for n in ("Ọ̀yọ́", "list", "event"))
    ada.edit(article, "Ìbẹ̀rẹ̀.")
    ada.edit(worklist, f"{{{{Worklist|wiki=yowiki|titles={article}\nBytes {tag} new}}}}\n")
    start = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    end = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    ada.edit(
        event,
        f"{{{{Campaign event|campaign=C {tag}|name=Bytes|start={start}|end={end}|format=online"
        f"|wiki=yowiki|worklist={worklist}}}}}\n"
        "== Sign-up ==\n{{Participant|Bola Participant}}\n",
    )
    text = ada.text(article)
    addition = " Bola fi kún un." * 10  # by a participant
    bola.edit(article, text + addition)
    ada.edit(article, bola.text(article) + " Ada (not a participant).")
    bola.edit(f"Bytes {tag} new", "Àyọkà tuntun.")  # a creation counts its whole size
    _, summary = refresh(worklist, wiki="yowiki")
    assert summary.errors == []
    table = rows(ada.text(worklist))
    assert table[article]["bytes_added"] == str(len(addition.encode()))
    assert table[f"Bytes {tag} new"]["bytes_added"] == str(len("Àyọkà tuntun.".encode()))


def test_item_facts_cost_one_request_per_500_titles(farm, unique_title, human):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Batch").split()[-1]
    ada.edit(f"Batch {tag} stub", "short {{Stub}} {{Citation needed}} x {{Citation needed}}")
    settle(ada, "the templates", lambda e: len(links_of(f"Batch {tag} stub", "templates")(e)) == 2)
    connection = farm.hub
    assert batch_size(connection) == 500  # the bot flag gives apihighlimits
    titles = [f"Batch {tag} {n}" for n in range(499)] + [f"Batch {tag} stub"]
    rules = (
        FlagRule("stub", templates=("Stub",)),
        FlagRule("citation_needed", templates=("Citation needed",), count=True),
    )
    before = farm.request_counts()["metawiki"]
    listing = describe_items(connection, titles, rules)
    spent = farm.request_counts()["metawiki"] - before
    # One query for 500 titles, one for the counted template's redirects, one text read.
    assert spent == 3, spent
    stub = next(i for i in listing.items if i.title == f"Batch {tag} stub")
    assert stub.flags == ("stub", "citation_needed")
    assert stub.counts == {"citation_needed": 2}
    assert sum(1 for i in listing.items if not i.exists) == 499


def campaignkit(config, *args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGNKIT_")}
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_campaignevents_json_import_refresh_and_export(
    devwiki_layout, unique_title, human, tmp_path
):
    config = devwiki_layout.config_path
    tag = unique_title("Io").split()[-1]
    page = f"Io {tag} list"
    exported = tmp_path / "worklist.json"
    source = tmp_path / "from-campaignevents.json"
    source.write_text(json.dumps({"yowiki": [f"Io {tag} B", f"Io_{tag}_A", f"Io {tag} B"]}))
    dry = campaignkit(config, "worklist", "import", str(source), "--page", page, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+{{Worklist" in dry.stdout and "dry-run" in dry.stdout
    assert not read_page_exists(human, page)
    result = campaignkit(config, "worklist", "import", str(source), "--page", page)
    assert result.returncode == 0, result.stderr
    assert "created (2 titles of yowiki)" in result.stdout
    refreshed = campaignkit(config, "worklist", "refresh", page, "--wiki", "metawiki")
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    assert "2 articles (2 missing" in refreshed.stdout
    out = campaignkit(config, "worklist", "export", page, "-o", str(exported))
    assert out.returncode == 0, out.stderr
    assert json.loads(exported.read_text()) == {"yowiki": [f"Io {tag} A", f"Io {tag} B"]}
    # A file with the wrong shape is refused with the file and the key named.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"yowiki": ["A", 7]}))
    refused = campaignkit(config, "worklist", "import", str(bad), "--page", page)
    assert refused.returncode == 1
    assert f"{bad}: yowiki[1] is not a title (got 7)" in refused.stderr


def read_page_exists(human, title: str) -> bool:
    answer = human("metawiki").get(action="query", titles=title)
    return not answer["query"]["pages"][0].get("missing")


def test_sync_covers_worklists_found_by_their_template(
    farm, settings, human, unique_title, tmp_path, redis_url
):
    from bot.run.page_state import PageState
    from bot.sync.job import SyncJob

    yo = human("yowiki", "Ada Organizer")
    tag = unique_title("Sync").split()[-1]
    page = f"Sync {tag} àkójọ"
    yo.edit(page, f"{{{{Àkójọ iṣẹ́|wiki=yowiki|àwọn àkọlé=Sync {tag} Èkó}}}}\n")
    settle(yo, "the template link", lambda e: links_of(page, "templates")(e) != set())
    listed = WorklistJob(farm, settings, RunSummary("find")).find_pages(wiki="yowiki")
    assert page in {w.page.title for w in listed}  # embeddedin under the Yoruba name
    sync = SyncJob(
        farm,
        settings,
        state=PageState(f"sqlite:///{tmp_path / 'state.sqlite'}"),
        locks=PageLocks.from_url(redis_url, "campaignkit-test"),
    )
    summary = sync.run([page])
    assert not summary.errors, summary.errors
    assert set(rows(yo.text(page))) == {f"Sync {tag} Èkó"}


def test_a_claimed_article_stays_when_it_leaves_the_source_and_dry_run_writes_nothing(
    human, unique_title, refresh
):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Stay").split()[-1]
    category = f"Stay {tag} stubs"
    a, b, c = (f"Stay {tag} {n}" for n in "ABC")
    ada.edit(f"Category:{category}", "Stubs to expand.")
    for title in (a, b, c):
        ada.edit(title, f"short [[Category:{category}]]" if title != c else "not in the category")
    page = f"Stay {tag} list"
    ada.edit(
        page,
        f"{{{{Worklist|wiki=metawiki|category={category}}}}}\n== Claims ==\n"
        f"* {{{{Worklist claim|{b}|Bola Participant|done=yes}}}}\n"
        f"* {{{{Worklist claim|{c}|Ada Organizer}}}}\n"
        "* {{Worklist claim|User:Ada Organizer|Ada Organizer}}\n",
    )
    settle(ada, "the category", lambda e: members(category)(e) == {a, b})
    _, summary = refresh(page, wiki="metawiki")
    assert set(rows(ada.text(page))) == {a, b, c}  # C is claimed, so it is listed
    assert any("'User:Ada Organizer' is not an article" in w for w in summary.warnings)
    ada.edit(b, "Expanded: " + "long text " * 50)  # B leaves the stub category
    settle(ada, "B out of the category", lambda e: members(category)(e) == {a})
    before = ada.text(page)
    outcomes, summary = refresh(page, wiki="metawiki", dry_run=True)
    assert outcomes[0].edit is EditOutcome.DRY_RUN
    assert ada.text(page) == before
    assert any(
        f"title={b}|" in line and line.startswith("+") for line in summary.diffs[0].split("\n")
    )
    refresh(page, wiki="metawiki")
    table = rows(ada.text(page))
    assert set(table) == {a, b, c}
    assert (table[b]["claimed_by"], table[b]["done"]) == ("Bola Participant", "yes")
    assert int(table[b]["size"]) > 400


def test_worklist_import_respects_the_stop_page(devwiki_layout, unique_title, human, tmp_path):
    from campaignkit.config import load_settings
    from campaignkit.stop_page import stop_page_title

    config = devwiki_layout.config_path
    tag = unique_title("Is").split()[-1]
    page = f"Is {tag} list"
    source = tmp_path / "from-campaignevents.json"
    source.write_text(json.dumps({"metawiki": [f"Is {tag} A"]}))
    admin = human("metawiki", "Admin")
    stop = stop_page_title(load_settings(config))
    try:
        admin.edit(stop, "stopped while we look at something")
        stopped = campaignkit(config, "worklist", "import", str(source), "--page", page)
    finally:
        admin.edit(stop, "run")
    assert stopped.returncode == 1
    assert "stopped by [[" in stopped.stderr
    assert not read_page_exists(human, page)
    done = campaignkit(config, "worklist", "import", str(source), "--page", page)
    assert done.returncode == 0, done.stderr
    assert read_page_exists(human, page)


def test_events_naming_a_worklist_are_read_again_only_when_they_change(
    farm, settings, human, unique_title
):
    """A run that changed nothing reads no event page to learn which worklists they name."""
    from bot.run.loop import PageListing

    ada = human("yowiki", "Ada Organizer")
    tag = unique_title("Named").split()[-1]
    worklist, event = f"Named {tag} list", f"Named {tag} event"
    start = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    end = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")

    def write_event(*people: str) -> None:
        ada.edit(
            event,
            f"{{{{Campaign event|campaign=C {tag}|name=Named|start={start}|end={end}"
            f"|format=online|wiki=yowiki|worklist={worklist}}}}}\n== Sign-up ==\n"
            + "".join(f"{{{{Participant|{person}}}}}\n" for person in people),
        )

    def named_now() -> tuple[dict, int]:
        job = WorklistJob(farm, settings, RunSummary("named"))
        job.listing = PageListing(farm, settings)
        job.listing.listed("yowiki")  # the run's listing, made before the task asks
        before = farm.request_counts()["yowiki"]
        named = job._events_by_worklist(["yowiki"])
        return named, farm.request_counts()["yowiki"] - before

    write_event("Bola Participant")
    settle(ada, "the template link", lambda e: links_of(event, "templates")(e) != set())
    first, _ = named_now()
    assert [w.participants for w in first[("yowiki", worklist)]] == [("Bola Participant",)]

    again, spent = named_now()
    assert spent == 0  # every event page at its recorded revision: nothing read
    assert again[("yowiki", worklist)] == first[("yowiki", worklist)]

    write_event("Bola Participant", "Chidi Coordinator")
    changed, spent = named_now()
    assert spent == 1  # the one changed page, in one batched read
    assert [w.participants for w in changed[("yowiki", worklist)]] == [
        ("Bola Participant", "Chidi Coordinator")
    ]
