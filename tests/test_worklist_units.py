"""Worklists without a wiki: boxes, sources, facts, claims, table, progress, JSON (fake API)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from bot.worklists.claims import read_claims
from bot.worklists.definition import CategorySource, read_definition
from bot.worklists.flags import DEFAULT_RULES, FlagConfigError, FlagRule, load_rules, parse_rules
from bot.worklists.interchange import (
    InterchangeError,
    WorklistFile,
    export_document,
    merge_titles,
    new_page_text,
    parse_worklist_json,
    pick_wiki,
)
from bot.worklists.items import Item, describe_gap_items, describe_items, page_facts
from bot.worklists.progress import EventWindow, bytes_added
from bot.worklists.sources import SourceError, category_pages, linked_pages, list_titles
from bot.worklists.table import Row, read_rows, render_table
from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.wikitext.regions import render_region
from tests.worklist_fake_api import FakeContribution, FakeWiki

ENGLISH = english_manifest()
YORUBA = load_manifest("yowiki", "yo")
WIKIS = {"metawiki", "yowiki"}


def definition_of(text: str, manifest=ENGLISH, wiki="metawiki"):
    return read_definition(text, title="List", wiki=wiki, manifest=manifest, wiki_ids=WIKIS)


# --- boxes -------------------------------------------------------------------------


def test_several_boxes_add_up_and_the_first_limit_and_sort_count():
    reading = definition_of(
        "{{Worklist|wiki=yowiki|category=Climate|depth=2|limit=50|sort=size}}\n"
        "{{Worklist|wiki=yowiki|titles=Lagos\nIbadan|minus_titles=Oyo}}\n"
        "{{Worklist|wiki=yowiki|links_from=Index|minus_category=Done|limit=10}}"
    )
    definition = reading.definition
    assert definition is not None
    assert definition.categories == (CategorySource("Climate", 2),)
    assert definition.titles == ("Lagos", "Ibadan")
    assert definition.links_from == ("Index",)
    assert (definition.minus_titles, definition.minus_categories) == (("Oyo",), ("Done",))
    assert (definition.limit, definition.sort) == (50, "size")
    assert [str(w) for w in reading.errors] == [
        'Worklist page "List" on metawiki, template {{Worklist}}, field "limit": '
        "warning: boxes disagree (10, 50); the first box's value 50 counts"
    ]


def test_boxes_of_different_wikis_are_an_error_naming_page_and_field():
    reading = definition_of("{{Worklist|wiki=yowiki|titles=A}}{{Worklist|wiki=metawiki|titles=B}}")
    assert reading.definition is None
    message = str(reading.problems[0])
    assert message.startswith(
        'Worklist page "List" on metawiki, template {{Worklist}}, field "wiki"'
    )
    assert "must list articles of the same wiki" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("No box here.", "{{Worklist}}: is not on the page"),
        ("{{Worklist|wiki=yowiki|titles=A}}{{Worklist|wiki=yowiki}}", "exactly one source"),
        ("{{Worklist|wiki=elsewhere|titles=A}}", 'field "wiki": "elsewhere" is not a configured'),
        ("{{Worklist|wiki=yowiki|category=A|depth=deep}}", 'field "depth": "deep" is not a whole'),
    ],
)
def test_a_bad_box_leaves_no_definition(text, problem):
    reading = definition_of(text)
    assert reading.definition is None
    assert any(problem in str(e) for e in reading.problems), reading.problems


def test_localized_box_names_and_the_bot_region_is_not_read():
    table = render_region("worklist", "{{Worklist|wiki=metawiki|titles=Not a source}}")
    reading = definition_of(
        "{{Àkójọ iṣẹ́|wiki=yowiki|àwọn àkọlé=Èkó}}\n" + table, manifest=YORUBA, wiki="yowiki"
    )
    assert reading.definition is not None
    assert reading.definition.titles == ("Èkó",)


# --- sources -----------------------------------------------------------------------


def category_tree() -> FakeWiki:
    wiki = FakeWiki()
    wiki.add("Category:Root", ns=14, categories=("Sub",))  # a loop: Root in Sub, Sub in Root
    wiki.add("Category:Sub", ns=14, categories=("Root",))
    wiki.add("Category:Deep", ns=14, categories=("Sub",))
    wiki.add("One", categories=("Root",))
    wiki.add("Two", categories=("Sub",))
    wiki.add("Three", categories=("Deep",))
    wiki.add("Talk page", ns=1, categories=("Root",))
    return wiki


@pytest.mark.parametrize(
    ("depth", "titles"), [(0, ["One"]), (1, ["One", "Two"]), (9, ["One", "Two", "Three"])]
)
def test_category_depth_walks_each_category_once(depth, titles):
    wiki = category_tree()
    listing = category_pages(wiki, "Root", depth)
    assert listing.titles == titles
    assert listing.categories_read == min(depth + 1, 3)


def test_category_caps_are_reported():
    wiki = FakeWiki()
    for n in range(30):
        wiki.add(f"Page {n:02}", categories=("Big",))
    wiki.add("Category:Big", ns=14)
    capped = category_pages(wiki, "Category:Big", 0, max_pages=12)
    assert len(capped.titles) == 12
    assert capped.notes == ["Category:Big: stopped at 12 pages (the cap)"]
    tree = category_tree()
    few = category_pages(tree, "Root", 9, max_categories=2)
    assert "stopped after 2 categories" in few.notes[0]


def test_a_missing_category_or_page_or_a_dead_wiki_is_a_source_error():
    wiki = FakeWiki()
    with pytest.raises(SourceError, match="Category:Nothing does not exist and has no pages"):
        category_pages(wiki, "Nothing", 0)
    wiki.add("Category:Empty", ns=14)
    assert category_pages(wiki, "Empty", 0).titles == []  # exists, empty: not an error
    with pytest.raises(SourceError, match=r"the page Index \(links from\) does not exist"):
        linked_pages(wiki, "Index")
    wiki.fail_on = "Category:Empty"
    with pytest.raises(SourceError, match="cannot read Category:Empty"):
        category_pages(wiki, "Empty", 0)


def test_union_minus_titles_and_minus_category():
    wiki = category_tree()
    wiki.add("Index", links=("Four", "Two", "Five"))
    wiki.add("Five", categories=("Excluded",))
    definition = definition_of(
        "{{Worklist|wiki=metawiki|titles=four\nzero_one|minus_titles=One}}"
        "{{Worklist|wiki=metawiki|category=Root|depth=1|minus_category=Excluded}}"
        "{{Worklist|wiki=metawiki|links_from=Index}}"
    ).definition
    listing = list_titles(wiki, definition)
    # Exclusions are returned apart: they are taken out once redirects are resolved.
    assert listing.titles == ["Four", "Zero one", "One", "Two", "Five"]
    assert listing.excluded == {"One", "Five"}
    assert listing.incomplete == []


def test_a_source_that_fails_or_gives_nothing_is_named_and_the_others_go_on():
    wiki = category_tree()
    wiki.add("Blank index")  # its links were blanked
    definition = definition_of(
        "{{Worklist|wiki=metawiki|titles=Four}}"
        "{{Worklist|wiki=metawiki|links_from=Blank index}}"
        "{{Worklist|wiki=metawiki|category=No such category}}"
    ).definition
    listing = list_titles(wiki, definition)
    assert listing.titles == ["Four"]
    assert listing.empty == ["links from Blank index"]
    assert listing.failed == [
        "category No such category: testwiki: Category:No such category does not exist "
        "and has no pages"
    ]
    assert listing.incomplete == [*listing.failed, "links from Blank index: gave no page"]


# --- facts -------------------------------------------------------------------------

RULES = (
    FlagRule("stub", templates=("Stub",), categories=("Stubs",)),
    FlagRule("unreferenced", templates=("Unreferenced",)),
    FlagRule("citation_needed", templates=("Citation needed",), count=True),
)


def test_facts_resolve_redirects_and_read_flags_props_and_counts():
    wiki = FakeWiki("yowiki")
    wiki.add("Lagos", text="x" * 120, templates=("Àdàkọ:Stub",), wikibase_item="Q8673")
    wiki.add("Eko", redirect_to="Lagos")
    wiki.add(
        "Ibadan",
        text="a{{cn}} b {{Citation needed|date=2027}} c{{Àdàkọ:Citation needed}}",
        templates=("Template:Citation needed", "Template:Cn"),
        categories=("Stubs",),
    )
    wiki.add("Template:Cn", redirect_to="Template:Citation needed")
    wiki.add("Template:Citation needed", text="[citation needed]")
    listing = describe_items(wiki, ["eko", "Lagos", "Ibadan", "Oyo", "Bad<title>"], RULES)
    items = {i.title: i for i in listing.items}
    assert list(items) == ["Lagos", "Ibadan", "Oyo"]
    assert items["Lagos"].redirect_from == ""  # also listed directly
    assert (items["Lagos"].size, items["Lagos"].wikidata) == (120, "Q8673")
    assert items["Lagos"].flags == ("stub",)
    assert items["Lagos"].last_edit == datetime(2027, 4, 20, 10, 0, tzinfo=UTC)
    assert items["Ibadan"].flags == ("stub", "citation_needed")
    assert items["Ibadan"].counts == {"citation_needed": 3}
    assert not items["Oyo"].exists and items["Oyo"].size is None
    assert listing.notes == ["yowiki: 'Bad<title>' is not a valid title (bad)"]
    only_redirect = describe_items(wiki, ["Eko"], ())
    assert only_redirect.items[0].redirect_from == "Eko"


@pytest.mark.parametrize(("high_limits", "requests"), [(True, 3), (False, 21)])
def test_facts_are_asked_500_or_50_titles_per_request(high_limits, requests):
    wiki = FakeWiki(high_limits=high_limits)
    titles = [f"Page {n}" for n in range(1001)]
    facts = page_facts(wiki, titles, RULES[:2])
    assert len(facts) == 1001
    assert len(wiki.calls) == requests
    assert wiki.calls[0]["tltemplates"] == "Template:Stub|Template:Unreferenced"
    assert wiki.calls[0]["clcategories"] == "Category:Stubs"


def test_a_language_gap_describes_the_counterparts_on_the_target_wiki():
    source, target = FakeWiki("metawiki"), FakeWiki("yowiki")
    source.add("Lagos", text="en", langlinks={"yo": "Èkó"}, wikibase_item="Q8673")
    source.add("Ibadan", text="en")
    source.add("Oyo", text="en", langlinks={"yo": "Ọ̀yọ́"})
    target.add("Èkó", text="yo" * 30, templates=("Template:Stub",))
    listing = describe_gap_items(source, target, ["Lagos", "Ibadan", "Oyo", "Ghost"], "yo", RULES)
    items = {i.title: i for i in listing.items}
    assert items["Lagos"].exists and items["Lagos"].target == "Èkó"
    assert (items["Lagos"].size, items["Lagos"].flags) == (60, ("stub",))
    assert items["Lagos"].wikidata == "Q8673" and items["Lagos"].counterpart_wiki == "yowiki"
    assert not items["Ibadan"].exists and items["Ibadan"].counterpart == ""
    assert not items["Oyo"].exists and items["Oyo"].counterpart == "Ọ̀yọ́"
    assert listing.notes == ["metawiki: 'Ghost' is left out: it does not exist there"]
    assert source.calls[0]["lllang"] == "yo"


# --- flags configuration ------------------------------------------------------------


def test_flag_rules_come_from_the_manifest_else_defaults(tmp_path):
    (tmp_path / "yowiki.toml").write_text(
        '[worklist.flags.stub]\ntemplates = ["Àyọkà kékeré"]\ncategories = ["Kékeré"]\n'
    )
    (tmp_path / "en.toml").write_text('[templates.campaign]\nname = "Campaign"\n')
    assert load_rules("yowiki", "yo", tmp_path) == (
        FlagRule("stub", templates=("Àyọkà kékeré",), categories=("Kékeré",)),
    )
    assert load_rules("metawiki", "en", tmp_path) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"stub": {"template": ["Stub"]}}, "worklist.flags.stub.template is not a known key"),
        ({"stub": {"templates": "Stub"}}, "worklist.flags.stub.templates must be a list"),
        ({"cn": {"categories": ["X"], "count": True}}, "a counted flag needs templates"),
        ({"cn": {"templates": ["X"], "count": "yes"}}, "count must be true or false"),
    ],
)
def test_bad_flag_configuration_names_the_key(raw, problem):
    with pytest.raises(FlagConfigError, match=problem):
        parse_rules(raw, "yowiki.toml")


# --- claims ---------------------------------------------------------------------------


def test_claims_by_template_signature_and_done():
    text = (
        "{{Worklist|wiki=metawiki|titles=Lagos}}\n== Claims ==\n"
        "* {{Worklist claim|lagos|Ada Organizer}}\n"
        "* {{worklist claim|Ibadan}} [[User:Bola Participant|Bola]] ([[User talk:Bola "
        "Participant|talk]]) 10:00, 20 April 2027 (UTC)\n"
        "* {{Worklist claim|Ibadan|Ada Organizer|done=Yes}}\n"
        "* {{Worklist claim|Lagos|Ada Organizer|done=yes}}\n"
        "* {{Worklist claim|Oyo}}\n"
        "* {{Worklist claim||Ada}}\n"
        "* {{Worklist claim|Ilorin|Ada|done=maybe}}\n"
        + render_region("worklist", "{{Worklist claim|Not a claim|Bot}}")
    )
    claims = read_claims(text, ENGLISH)
    assert claims.users("Lagos") == ("Ada Organizer",)
    assert claims.done("Lagos")  # the same person's second line says done
    assert claims.users("Ibadan") == ("Bola Participant", "Ada Organizer")
    assert claims.done("Ibadan")
    assert "Not a claim" not in claims.by_title
    assert claims.problems == [
        "{{Worklist claim|Oyo}} names no user and has no signature",
        "{{Worklist claim}} without an article title",
        "{{Worklist claim|Ilorin}}: done='maybe' is not yes or no",
    ]


# --- table ---------------------------------------------------------------------------


def item(title: str, size: int | None = 100, exists: bool = True, **extra) -> Item:
    return Item(title=title, wiki="yowiki", exists=exists, target=title, size=size, **extra)


def titles_of(region: str) -> list[str]:
    return [row.values["title"] for row in read_rows(region, ENGLISH)]


ITEMS = [
    item("Ọ̀yọ́", 900),
    item("Abuja", 40, flags=("stub",)),
    item("Kano", None, exists=False),
    item("Benin", 300),
]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("title", ["Abuja", "Benin", "Kano", "Ọ̀yọ́"]),
        ("size", ["Kano", "Abuja", "Benin", "Ọ̀yọ́"]),
        ("missing-first", ["Kano", "Abuja", "Benin", "Ọ̀yọ́"]),
    ],
)
def test_sort_orders(sort, order):
    claims = read_claims("", ENGLISH)
    assert titles_of(render_table(ITEMS, claims, {}, ENGLISH, sort=sort)) == order


def test_limit_keeps_claimed_rows_and_counts_cover_everything():
    claims = read_claims("{{Worklist claim|Ọ̀yọ́|Bola|done=yes}}", ENGLISH)
    region = render_table(ITEMS, claims, {"Ọ̀yọ́": 512}, ENGLISH, limit=1)
    assert titles_of(region) == ["Abuja", "Ọ̀yọ́"]
    assert region.splitlines()[0] == (
        "{{Campaign worklist header|count=2|total=4|missing=1|stubs=1|claimed=1|done=1}}"
    )
    oyo = read_rows(region, ENGLISH)[1].values
    assert (oyo["claimed_by"], oyo["done"], oyo["bytes_added"]) == ("Bola", "yes", "512")


def test_claims_match_a_redirect_or_the_counterpart_title():
    gap = Item(
        "Lagos", "metawiki", True, target="Èkó", counterpart="Èkó", counterpart_wiki="yowiki"
    )
    moved = Item("Ibadan", "yowiki", True, target="Ibadan", redirect_from="Ìbàdàn")
    claims = read_claims("{{Worklist claim|Èkó|Ada}}{{Worklist claim|Ìbàdàn|Bola}}", ENGLISH)
    rows = read_rows(render_table([gap, moved], claims, {"Èkó": 5}, ENGLISH), ENGLISH)
    assert [(r.values["claimed_by"], r.values.get("bytes_added")) for r in rows] == [
        ("Bola", None),
        ("Ada", "5"),
    ]


TRICKY_TITLES = [
    "E=mc²",
    "O'Brien & Sons; Ltd",
    "*NSYNC",
    "__NOTOC__ (magic word)",
    "ISBN 1234567890",
    "Rock 'n' roll <3",
    "‏עברית‎ RTL",
    "Ìbàdàn",
]


def test_row_values_read_back_exactly_and_add_no_markup():
    import mwparserfromhell

    items = [item(t, flags=("stub",)) for t in TRICKY_TITLES]
    claims = read_claims("", ENGLISH)
    region = render_table(items, claims, {}, ENGLISH)
    assert sorted(titles_of(region)) == sorted(TRICKY_TITLES)
    code = mwparserfromhell.parse(region)
    assert len(code.filter_templates(recursive=False)) == len(TRICKY_TITLES) + 2
    assert not code.filter_wikilinks() and not code.filter_tags()
    assert "__NOTOC__" not in region and "ISBN 1" not in region


def test_a_row_keeps_its_key():
    assert Row({"title": "A", "wiki": "yowiki"}).key == ("yowiki", "A")


# --- progress ------------------------------------------------------------------------


def test_bytes_added_sum_positive_changes_once_per_edit_in_batches_of_users():
    wiki = FakeWiki("yowiki", high_limits=False)
    people = tuple(f"User {n}" for n in range(60))
    edits = [
        FakeContribution("User 1", "Lagos", 1, 120, "2027-04-20T10:00:00Z"),
        FakeContribution("User 1", "Lagos", 2, -50, "2027-04-20T10:05:00Z"),
        FakeContribution("User 55", "Lagos", 3, 30, "2027-04-20T11:00:00Z"),
        FakeContribution("User 2", "Elsewhere", 4, 999, "2027-04-20T11:00:00Z"),
        FakeContribution("User 2", "Lagos", 5, 999, "2027-04-21T11:00:00Z"),  # after the end
    ]
    wiki.contributions = edits + [
        FakeContribution("User 3", "Ibadan", 100 + n, 1, "2027-04-20T12:00:00Z") for n in range(700)
    ]
    start, end = datetime(2027, 4, 20, 9, tzinfo=UTC), datetime(2027, 4, 20, 17, tzinfo=UTC)
    day = EventWindow("yowiki:Event", start, end, people)
    overlapping = EventWindow("yowiki:Other", start, end, ("User 1",))
    totals = bytes_added(wiki, [day, overlapping], {"Lagos", "Ibadan"})
    assert totals == {"Lagos": 150, "Ibadan": 700}
    assert bytes_added(wiki, [day], None)["Elsewhere"] == 999  # a claimed article off the list
    users_per_request = {len(c["ucuser"].split("|")) for c in wiki.calls}
    assert users_per_request == {50, 10, 1}
    assert wiki.calls[0]["ucstart"] == "2027-04-20T09:00:00Z"


# --- CampaignEvents JSON --------------------------------------------------------------


def test_campaignevents_json_is_read_and_checked():
    document = parse_worklist_json(
        json.dumps({"yowiki": ["Lagos", "lagos", "Ìbàdàn_ilu", " "]}), "w.json"
    )
    assert document.titles == {"yowiki": ("Lagos", "Ìbàdàn ilu")}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "w.json: not valid JSON"),
        ("[]", "w.json: must be an object mapping a wiki to its titles"),
        ('{"enwiki": "Lagos"}', "w.json: enwiki must be a list of titles"),
        ('{"enwiki": ["Lagos", null]}', "w.json: enwiki[1] is not a title (got None)"),
        ('{"enwiki": ["A|B"]}', 'w.json: enwiki[0]: "A|B" cannot be a page title'),
    ],
)
def test_bad_json_names_the_file_and_key(text, problem):
    with pytest.raises(InterchangeError) as error:
        parse_worklist_json(text, "w.json")
    assert str(error.value).startswith(problem)


def test_picking_the_wiki_of_a_file():
    names = {"metawiki": "metawiki", "yowiki": "yowiki_p"}
    one = WorklistFile("f", {"yowiki_p": ("A",)})
    assert pick_wiki(one, names) == ("yowiki", ("A",))
    two = WorklistFile("f", {"yowiki": ("A",), "enwiki": ("B",)})
    with pytest.raises(InterchangeError, match="lists articles of 2 wikis"):
        pick_wiki(two, names)
    assert pick_wiki(two, names, "yowiki") == ("yowiki", ("A",))
    with pytest.raises(InterchangeError, match="enwiki is not a configured wiki"):
        pick_wiki(two, names, "enwiki")


def test_import_creates_merges_or_replaces_the_titles_box():
    page = new_page_text(ENGLISH, "yowiki", ["Lagos", "Ibadan"])
    definition = definition_of(page).definition
    assert definition.titles == ("Lagos", "Ibadan") and definition.wiki == "yowiki"
    assert "{{Campaign bot region|worklist}}" in page
    merged = merge_titles(page, ENGLISH, "yowiki", ["Oyo", "Lagos"], page="P")
    assert definition_of(merged).definition.titles == ("Lagos", "Ibadan", "Oyo")
    replaced = merge_titles(page, ENGLISH, "yowiki", ["Oyo"], page="P", replace=True)
    assert definition_of(replaced).definition.titles == ("Oyo",)
    category_only = "{{Worklist|wiki=yowiki|category=Climate}}\nText."
    added = merge_titles(category_only, ENGLISH, "yowiki", ["Oyo"], page="P")
    assert definition_of(added).definition.titles == ("Oyo",)
    assert added.endswith("\nText.")
    with pytest.raises(InterchangeError, match='field "wiki": is yowiki; the file'):
        merge_titles(page, ENGLISH, "metawiki", ["Oyo"], page="P")


def test_export_uses_database_names_and_the_target_wikis_titles():
    names = {"metawiki": "enwiki", "yowiki": "yowiki"}
    plain = [item("Lagos"), item("Ibadan")]
    assert export_document(plain, "yowiki", names).document == {"yowiki": ["Lagos", "Ibadan"]}

    def hub(title: str, **facts) -> Item:  # a language gap lists articles of the hub
        return dataclasses.replace(item(title), **({"wiki": "metawiki", "target": ""} | facts))

    gap = [
        hub("Lagos", target="Èkó", counterpart="Èkó"),
        hub("Oyo", exists=False, counterpart="Ọ̀yọ́"),  # a language link, no page yet
        hub("Ibadan", exists=False),  # no title on yowiki yet
        hub("Typo", unlisted=True),  # claimed, not in the list
    ]
    exported = export_document(gap, "yowiki", names)
    assert exported.document == {"yowiki": ["Èkó", "Ọ̀yọ́"], "enwiki": ["Ibadan"]}
    assert exported.notes == (
        "1 article(s) have no page or language link on yowiki yet; exported under enwiki "
        "with their metawiki titles, for translation",
    )


@pytest.mark.parametrize("manifest", [ENGLISH, YORUBA])
def test_fast_rows_are_what_the_codec_writes(manifest):
    from bot.worklists.table import render_row, row_for
    from campaignkit.wikitext.templates import render_call

    template = manifest.template("campaign_worklist_row")
    claims = read_claims("{{Worklist claim|E=mc²|Ada; O'Brien}}", ENGLISH)
    for title in TRICKY_TITLES:
        values = row_for(
            item(title, flags=("stub",), counts={"stub": 2}, counterpart=f"{title} (yo)"),
            claims,
            {title: 12},
        ).values
        assert render_row(template, values) == render_call(template, values, inline=True)
