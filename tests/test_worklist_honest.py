"""Worklists never shrink silently, count what they list, and export everything (issue 13).

Against the two real local wikis: a page with two ``{{Worklist}}`` boxes whose
links page is blanked (then deleted) keeps that box's rows and the run names
the source; exclusions are applied once redirects are resolved; a claim on a
mistyped title is shown apart and counted nowhere; ``worklist export`` writes
every item, with the target wiki's titles for a language gap.
"""

from __future__ import annotations

import json

import pytest

from bot.run.summary import RunSummary
from bot.worklists.job import WorklistJob
from campaignkit.locks import PageLocks
from tests.test_worklist_wiki import campaignkit, links_of, members, rows, settle

pytestmark = pytest.mark.wiki


@pytest.fixture
def refresh(farm, settings, redis_url):
    """Refresh worklist pages the way ``campaignkit worklist refresh PAGE`` does."""
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def run(*pages: str, wiki: str):
        summary = RunSummary("worklist test")
        outcomes = WorklistJob(farm, settings, summary, locks=locks).run(
            pages, wiki=wiki, strict=True
        )
        return outcomes, summary

    return run


def header(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("{{Campaign worklist header"))


def test_a_blanked_or_deleted_links_page_keeps_its_boxs_rows(human, unique_title, refresh):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Two").split()[-1]
    a, b, c, d = (f"Two {tag} {n}" for n in "ABCD")
    links = f"Two {tag} links"
    page = f"Two {tag} list"
    for title in (a, b, c, d):
        ada.edit(title, "An article.")
    ada.edit(links, f"[[{c}]] [[{d}]]")
    ada.edit(
        page,
        f"{{{{Worklist|wiki=metawiki|titles={a}\n{b}}}}}\n"
        f"{{{{Worklist|wiki=metawiki|links_from={links}}}}}\n",
    )
    settle(ada, "the links", lambda e: len(links_of(links, "links")(e)) == 2)
    _, summary = refresh(page, wiki="metawiki")
    assert not summary.errors, summary.errors
    assert set(rows(ada.text(page))) == {a, b, c, d}

    ada.edit(links, "Blanked by someone.")
    settle(ada, "the blanked links", lambda e: links_of(links, "links")(e) == set())
    outcomes, summary = refresh(page, wiki="metawiki")
    assert set(rows(ada.text(page))) == {a, b, c, d}  # C and D did not vanish
    assert "total=4" in header(ada.text(page))
    assert any(
        f"metawiki:{page}: links from {links}: gave no page; kept the last table's rows that "
        "no other source lists (2)" in e
        for e in summary.errors
    ), summary.errors
    assert outcomes[0].total == 4

    # A source that cannot be read at all (the page is gone) keeps them too.
    ada.edit(page, ada.text(page).replace(f"links_from={links}", f"links_from={links} gone"))
    outcomes, summary = refresh(page, wiki="metawiki")
    assert set(rows(ada.text(page))) == {a, b, c, d}
    assert any(f"links from {links} gone: metawiki: the page" in e for e in summary.errors)
    ada.edit(page, "Test finished.")  # leave no failing worklist on the shared wiki


def test_exclusions_apply_after_redirects_and_a_mistyped_claim_counts_nowhere(
    human, unique_title, refresh
):
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Ex").split()[-1]
    lagos, ibadan, oyo = (f"Ex {tag} {n}" for n in ("Lagos", "Ibadan", "Oyo"))
    for title in (lagos, ibadan, oyo):
        ada.edit(title, "An article.")
    ada.edit(f"Ex {tag} Eko", f"#REDIRECT [[{lagos}]]")
    ada.edit(f"Ex {tag} Ibadan city", f"#REDIRECT [[{ibadan}]]")
    page = f"Ex {tag} list"
    ada.edit(
        page,
        # Eko is a redirect to Lagos, which is excluded; Ibadan is excluded by its redirect.
        f"{{{{Worklist|wiki=metawiki|titles=Ex {tag} Eko\n{ibadan}\n{oyo}"
        f"|minus_titles={lagos}\nEx {tag} Ibadan city}}}}\n== Claims ==\n"
        f"* {{{{Worklist claim|{oyo}|Ada Organizer|done=yes}}}}\n"
        f"* {{{{Worklist claim|Ex {tag} Oyoo|Bola Participant}}}}\n",
    )
    outcomes, summary = refresh(page, wiki="metawiki")
    assert not summary.errors, summary.errors
    table = rows(ada.text(page))
    assert set(table) == {oyo, f"Ex {tag} Oyoo"}
    assert table[f"Ex {tag} Oyoo"]["unlisted"] == "yes"
    assert "unlisted" not in table[oyo]
    assert list(table)[-1] == f"Ex {tag} Oyoo"  # apart, after the list
    # Counted nowhere: 1 article, 0 missing, 1 claimed, 1 done.
    assert "|total=1|missing=0|stubs=0|claimed=1|done=1}}" in header(ada.text(page))
    assert (outcomes[0].total, outcomes[0].missing, outcomes[0].claimed) == (1, 0, 1)
    assert any(f"'Ex {tag} Oyoo' is claimed but not in the list" in w for w in summary.warnings)


def test_export_writes_every_item_with_the_target_wikis_titles(
    devwiki_layout, human, unique_title, tmp_path
):
    config = devwiki_layout.config_path
    ada = human("metawiki", "Ada Organizer")
    tag = unique_title("Exp").split()[-1]
    titles = [f"Exp {tag} {n}" for n in range(6)]
    page = f"Exp {tag} list"
    ada.edit(page, f"{{{{Worklist|wiki=metawiki|limit=2|titles={chr(10).join(titles)}}}}}\n")
    assert campaignkit(config, "worklist", "refresh", page).returncode == 0
    assert len(rows(ada.text(page))) == 2  # the table shows 2 ...
    out = campaignkit(config, "worklist", "export", page)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"metawiki": titles}  # ... the export has all 6

    # A language gap: yowiki's titles under yowiki's key; what has none yet stays apart.
    en = human("metawiki", "Ada Organizer")
    yo = human("yowiki", "Ada Organizer")
    category = f"Exp gap {tag}"
    yo.edit(f"Exp {tag} Ẹ yo", "Àyọkà tó wà")
    en.edit(f"Exp {tag} E", f"E [[Category:{category}]] [[yo:Exp {tag} Ẹ yo]]")
    en.edit(f"Exp {tag} F", f"F [[Category:{category}]]")
    gap = f"Exp {tag} àkójọ"
    yo.edit(gap, f"{{{{Àkójọ iṣẹ́|wiki=yowiki|source_wiki=metawiki|ẹ̀ka={category}}}}}\n")
    settle(en, "the category", lambda e: len(members(category)(e)) == 2)
    settle(en, "E's language link", lambda e: links_of(f"Exp {tag} E", "langlinks")(e) != set())
    out = campaignkit(config, "worklist", "export", gap, "--wiki", "yowiki")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"metawiki": [f"Exp {tag} F"]}  # E exists: not in the gap
    assert "1 article(s) have no page or language link on yowiki yet" in out.stderr
    # Once the table listed E (a participant wrote it meanwhile), it is exported as yowiki's.
    yo.edit(
        gap, yo.text(gap) + f"\n== Claims ==\n* {{{{Worklist claim|Exp {tag} E|Ada Organizer}}}}\n"
    )
    out = campaignkit(config, "worklist", "export", gap, "--wiki", "yowiki")
    assert json.loads(out.stdout) == {"yowiki": [f"Exp {tag} Ẹ yo"], "metawiki": [f"Exp {tag} F"]}
