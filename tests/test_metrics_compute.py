"""The metric definitions and the reports, on hand-made edits (no wiki needed)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import UTC, datetime, timedelta

import mwparserfromhell
import pytest

from bot.metrics import report as reports
from bot.metrics.compute import Figures, add_figures, campaign_totals, event_figures, retention_due
from bot.metrics.definitions import (
    Contribution,
    CreatedArticle,
    EventWindow,
    Participant,
    words_from_bytes,
)
from bot.metrics.report import CampaignReport, EventReport
from campaignkit.manifest import english_manifest
from campaignkit.model import read_event
from campaignkit.wikitext.escape import unescape_value
from campaignkit.wikitext.regions import insert_region, region_content
from campaignkit.wikitext.templates import find_calls
from tests.hostile_inputs import HOSTILE_INPUTS

T0 = datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
WINDOW = EventWindow("yowiki", T0, T0 + timedelta(hours=6))
revids = iter(range(1000, 100000))


def edit(user, minutes, size_diff, page_id=1, namespace=0, new=False, title="A"):
    return Contribution(
        user=user,
        revid=next(revids),
        page_id=page_id,
        namespace=namespace,
        title=title,
        timestamp=T0 + timedelta(minutes=minutes),
        size_diff=size_diff,
        new_page=new,
    )


PEOPLE = [Participant("Ada"), Participant("Bola", new_editor=True)]


def test_window_is_inclusive_and_other_users_do_not_count():
    edits = [
        edit("Ada", 0, 10),  # at the start: counts
        edit("Ada", 360, 10),  # at the end: counts
        edit("Ada", -1, 10),  # a minute before: not
        edit("Ada", 361, 10),  # a minute after: not
        edit("Carol", 5, 99),  # not a participant
    ]
    figures = event_figures(PEOPLE, WINDOW, edits).figures
    assert figures.edits == 2
    assert figures.bytes_added == 20


def test_bytes_count_main_namespace_non_negative_changes_only():
    edits = [
        edit("Ada", 1, 500, page_id=1),
        edit("Ada", 2, -300, page_id=1),  # a removal counts 0, not -300
        edit("Bola", 3, 200, page_id=2, namespace=1),  # talk page: an edit, no bytes
        edit("Bola", 4, 17, page_id=3, namespace=0),
    ]
    figures = event_figures(PEOPLE, WINDOW, edits).figures
    assert (figures.edits, figures.bytes_added) == (4, 517)
    assert figures.words_added == words_from_bytes(517) == 99  # 517 / 5.175 = 99.9


def test_reverted_then_restored_counts_as_the_dashboard_does():
    """A vandal blanks (not a participant), the participant restores: the restore counts."""
    edits = [edit("Ada", 1, 100), edit("Vandal", 2, -100), edit("Ada", 3, 100)]
    figures = event_figures(PEOPLE, WINDOW, edits).figures
    assert (figures.edits, figures.bytes_added) == (2, 200)


def test_created_improved_and_deleted_articles():
    edits = [
        edit("Ada", 1, 300, page_id=10, new=True, title="New one"),
        edit("Ada", 2, 50, page_id=10),  # more work on her own new article
        edit("Bola", 3, 20, page_id=11),  # an existing article
        edit("Bola", 4, 20, page_id=12, namespace=2, new=True),  # a user page: not an article
    ]
    deleted = [
        CreatedArticle("yowiki", 13, "Gone", "Bola", T0 + timedelta(minutes=5)),
        CreatedArticle("yowiki", 14, "Before", "Bola", T0 - timedelta(days=1)),  # outside
        CreatedArticle("yowiki", 15, "Carol's", "Carol", T0 + timedelta(minutes=5)),
    ]
    result = event_figures(PEOPLE, WINDOW, edits, deleted)
    f = result.figures
    assert (f.articles_created, f.articles_improved, f.articles_deleted) == (1, 1, 1)
    assert [a.title for a in result.created] == ["New one"]
    rows = {r.user: r for r in result.per_participant}
    assert (rows["Ada"].articles_created, rows["Ada"].bytes_added) == (1, 350)
    assert (rows["Bola"].articles_improved, rows["Bola"].edits) == (1, 2)


def test_retention_is_unknown_until_seven_days_after_the_end():
    assert not retention_due(WINDOW, WINDOW.end + timedelta(days=7))
    assert retention_due(WINDOW, WINDOW.end + timedelta(days=7, seconds=1))
    unknown = event_figures(PEOPLE, WINDOW, [])
    assert unknown.figures.retention is None
    assert all(r.retained is None for r in unknown.per_participant)
    known = event_figures(PEOPLE, WINDOW, [], edited_after={"Bola", "Ada"})
    assert known.figures.retention == 1  # Ada is not a new editor
    assert {r.user: r.retained for r in known.per_participant} == {"Ada": None, "Bola": True}


def test_campaign_totals_count_people_edits_and_articles_once():
    shared = edit("Ada", 1, 100, page_id=5, new=True)
    first = event_figures(PEOPLE, WINDOW, [shared, edit("Ada", 2, 10, page_id=6)])
    second = event_figures([Participant("Ada"), Participant("Dayo", True)], WINDOW, [shared])
    totals = campaign_totals([first, second])
    assert totals.participants == 3  # Ada once
    assert totals.new_editors == 2
    assert totals.edits == 2
    assert (totals.articles_created, totals.articles_improved) == (1, 1)
    assert totals.bytes_added == 110
    kept = Figures(participants=4, edits=10, bytes_added=1000, worklist_done=3)
    with_kept = campaign_totals([first], [kept])
    assert (with_kept.participants, with_kept.edits, with_kept.bytes_added) == (6, 12, 1110)
    assert with_kept.words_added == words_from_bytes(1110)
    assert with_kept.worklist_done == 3
    assert add_figures(Figures(), Figures()).retention is None


def test_event_window_follows_the_event_time_zone():
    text = (
        "{{Campaign event|campaign=C|name=Lagos|start=2027-04-20 10:00|end=2027-04-20 16:00"
        "|timezone=Africa/Lagos|format=online|wiki=yowiki}}"
    )
    event = read_event(
        text, title="E", wiki="yowiki", manifest=english_manifest(), wiki_ids={"yowiki"}
    ).model
    window = EventWindow(event.wiki, event.start_utc, event.end_utc)
    assert window.start == datetime(2027, 4, 20, 9, 0, tzinfo=UTC)
    assert window.end == datetime(2027, 4, 20, 15, 0, tzinfo=UTC)


def _event_report(name="Lagos", figures=None, **extra):
    return EventReport(
        wiki="yowiki",
        page="Ìṣẹ̀lẹ̀ Lagos",
        campaign="C",
        name=name,
        edit_wiki="yowiki",
        start=T0,
        end=T0 + timedelta(hours=6),
        timezone="Africa/Lagos",
        figures=figures or Figures(participants=2, edits=5, bytes_added=100, words_added=19),
        as_of=datetime(2027, 4, 21, 12, 30, tzinfo=UTC),
        source="api",
        **extra,
    )


def test_event_region_is_one_box_with_as_of():
    content = reports.event_region(_event_report(), english_manifest())
    [call] = find_calls(content, english_manifest().template("campaign_metrics"))
    assert call.values["participants"] == "2"
    assert call.values["as_of"] == "2027-04-21 12:30 UTC"
    assert "retention" not in call.values  # unknown is left out, not written as 0


def test_only_the_time_changed_is_not_a_change():
    manifest = english_manifest()
    old = reports.event_region(_event_report(), manifest)
    later = _event_report()
    later.as_of = later.as_of + timedelta(hours=1)
    assert reports.without_as_of(old) == reports.without_as_of(
        reports.event_region(later, manifest)
    )
    more = _event_report(figures=Figures(participants=3))
    assert reports.without_as_of(old) != reports.without_as_of(reports.event_region(more, manifest))


@pytest.mark.parametrize(
    "hostile", [h.value for h in HOSTILE_INPUTS if not h.multiline], ids=lambda v: repr(v)[:20]
)
def test_campaign_region_escapes_event_names(hostile):
    campaign = CampaignReport(
        wiki="metawiki",
        page="C",
        figures=Figures(participants=2),
        events=[_event_report(name=hostile)],
        as_of=T0,
        source="api",
    )
    content = reports.campaign_region(campaign, english_manifest())
    page = insert_region("Human text.\n", "metrics", content, "C")
    assert region_content(page, "metrics") == content
    row = next(line for line in content.splitlines() if line.startswith("| {{#invoke:"))
    [invoke] = mwparserfromhell.parse(row).filter_templates(recursive=True)[:1]
    assert [str(p.name) for p in invoke.params] == ["1", "2", "3", "wiki"]
    assert unescape_value(str(invoke.get("3").value)) == unicodedata.normalize("NFC", hostile)
    assert len(mwparserfromhell.parse(row).filter_templates(recursive=True)) == 1 + row.count(
        "{{formatnum:"
    )
    assert "[[" not in row


def test_json_and_csv():
    event = _event_report(
        per_participant=[],
        created=[CreatedArticle("yowiki", 1, "New, with comma", "Ada", T0)],
    )
    document = json.loads(reports.to_json(event))
    assert document["figures"]["participants"] == 2
    assert document["window"]["timezone"] == "Africa/Lagos"
    assert document["articles_created"] == ["New, with comma"]
    assert document["as_of"] == "2027-04-21T12:30:00Z"
    campaign = CampaignReport("metawiki", "C", event.figures, [event], T0, "api")
    rows = list(csv.reader(io.StringIO(reports.to_csv(campaign))))
    assert rows[0][:4] == ["event_wiki", "event_page", "name", "edit_wiki"]
    assert rows[1][:4] == ["yowiki", "Ìṣẹ̀lẹ̀ Lagos", "Lagos", "yowiki"]
    assert rows[-1][2] == "(total)"
    assert len({len(r) for r in rows}) == 1


def test_worklist_done_reads_the_header_count_else_the_rows():
    from bot.metrics.worklist_progress import done_in_table

    manifest = english_manifest()
    rows = "{{Campaign worklist row|title=A|done=yes}}\n{{Campaign worklist row|title=B}}"
    with_header = (
        "<!-- campaignkit:begin worklist -->\n"
        "{{Campaign worklist header|count=2|total=40|done=7}}\n"
        f"{rows}\n<!-- campaignkit:end worklist -->"
    )
    assert done_in_table(with_header, manifest) == 7  # rows beyond the limit are done too
    rows_only = f"<!-- campaignkit:begin worklist -->\n{rows}\n<!-- campaignkit:end worklist -->"
    assert done_in_table(rows_only, manifest) == 1
    assert done_in_table("No table here.", manifest) is None
