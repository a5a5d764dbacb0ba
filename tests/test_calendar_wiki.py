"""The movement-wide calendar on the real local wikis (issue 15).

A parent campaign with a national child, events on both wikis (one ended last
week), synced with the calendar in the same run: the calendar page and its
JSON data page on the hub, ``{{Campaign events list}}`` rendered by MediaWiki's
Scribunto with each filter, and the same filters applied by the Python code the
webservice uses, which must pick the same events.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from campaignkit.codecs import calendar_data
from campaignkit.wikitext.regions import region_content
from tests.calendar_support import Movement, calendar_sync

pytestmark = pytest.mark.wiki


@pytest.fixture
def sync(farm, settings, tmp_path, redis_url):
    return calendar_sync(farm, settings, tmp_path, redis_url)


def rendered(farm, wikitext: str) -> str:
    answer = farm.hub.api(
        action="parse", text=wikitext, title="Calendar test", prop="text", formatversion="2"
    )
    return answer["parse"]["text"]


def listed_events(html: str) -> list[str]:
    """The event names a rendered list shows, in order."""
    rows = re.findall(r'<tr class="campaignkit-calendar-event">(.*?)</tr>', html, re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[1] for row in rows]


def test_calendar_page_data_page_and_embedded_list_agree(sync, human, unique_title, farm):
    movement = Movement(human, unique_title)
    summary = sync().run([movement.parent, movement.child])
    assert not summary.errors, summary.lines()
    ada = movement.ada

    data = calendar_data.read_document(ada.text("Campaign events/events.json"))
    mine = {e["event"]: e for e in data.events if movement.id in e["event"]}
    assert set(mine) == {movement.online, movement.lagos, movement.ended}
    lagos = mine[movement.lagos]
    assert (lagos["wiki"], lagos["campaign"], lagos["country"], lagos["language"]) == (
        "yowiki",
        movement.child,
        "NG",
        "yo",
    )
    assert lagos["timezone"] == "Africa/Lagos" and lagos["participants"] == 1
    assert mine[movement.online]["signup"] == "closed"
    assert mine[movement.ended]["status"] == "ended"
    assert data.campaigns[movement.child]["ancestors"] == [movement.parent]
    assert data.campaigns[movement.child]["topics"] == [movement.topic, "Water"]
    assert data.names["countries"]["NG"] == "Nigeria"

    page = ada.text("Campaign events")
    region = region_content(page, "calendar")
    upcoming, recent = region.split("== Recently ended ==")
    assert f"Lagos {movement.id}" in upcoming and "Yaba Library, Nigeria" in upcoming
    assert "Online &#39;&#39;session&#39;&#39;" in upcoming  # inert, as typed
    assert f"Ended {movement.id}" in recent and f"Ended {movement.id}" not in upcoming
    parsed = rendered(farm, "{{:Campaign events}}")
    assert "Online ''session''" in parsed.replace("&#39;", "'")
    assert "<i>session</i>" not in parsed

    # The embedded list, with each filter, shows what the webservice's filters select.
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    cases = {
        f"campaign={movement.parent}": [movement.online, movement.lagos],
        f"campaign={movement.child}": [movement.lagos],
        f"topic={movement.topic.upper()}": [movement.online, movement.lagos],
        f"campaign={movement.parent}|country=ng": [movement.lagos],
        f"campaign={movement.parent}|format=online": [movement.online],
        f"campaign={movement.parent}|language=yo|wiki=yowiki": [movement.lagos],
        f"campaign={movement.parent}|from={movement.later_day}": [movement.lagos],
        f"campaign={movement.parent}|to={movement.soon_day}": [movement.online],
        f"campaign={movement.parent}|from=2000-01-01": [
            movement.ended,
            movement.online,
            movement.lagos,
        ],
        f"campaign={movement.parent}|limit=1": [movement.online],
    }
    names = {
        movement.online: "Online &#39;&#39;session&#39;&#39;",
        movement.lagos: f"Lagos {movement.id}",
        movement.ended: f"Ended {movement.id}",
    }
    for arguments, expected in cases.items():
        html = rendered(farm, f"{{{{Campaign events list|{arguments}}}}}")
        shown = [re.sub(r"<[^>]+>", "", cell) for cell in listed_events(html)]
        assert shown == [names[e] for e in expected], (arguments, shown)
        filters, problems = calendar_data.parse_filters(
            dict(part.split("=", 1) for part in arguments.split("|"))
        )
        assert not problems
        selected = calendar_data.select(data, filters, now, default_limit=20)
        assert [e["event"] for e in selected] == expected, arguments
    more = rendered(farm, f"{{{{Campaign events list|campaign={movement.parent}|limit=1}}}}")
    assert "More events on the calendar page" in more
    typo = rendered(farm, f"{{{{Campaign events list|campaign={movement.parent}|from=soon}}}}")
    assert "not valid: from" in typo and listed_events(typo)  # a typo never empties the list
    nothing = rendered(farm, f"{{{{Campaign events list|campaign={movement.parent}|country=GH}}}}")
    assert "No event matches." in nothing


def test_a_run_with_nothing_new_saves_and_reads_nothing_for_the_calendar(
    sync, human, unique_title, farm
):
    movement = Movement(human, unique_title)
    first = sync().run([movement.parent, movement.child])
    assert not first.errors, first.lines()
    revisions = {
        title: movement.ada.history(title)[0]["revid"]
        for title in ("Campaign events", "Campaign events/events.json")
    }
    # Another "as of", the same data: neither page gets a revision, and the calendar
    # costs no request at all (the same requests as a run without it). The bot's own
    # edits of the campaign pages (their events tables) do not make it read them again.
    later = datetime.now(UTC) + timedelta(minutes=3)
    costs = {}
    for with_calendar in (False, True):
        job = sync(now=lambda: later, calendar=with_calendar)
        again = job.run([movement.parent, movement.child])
        assert not again.errors and again.edited == 0, again.lines()
        costs[with_calendar] = again.as_dict()["requests"]
    assert costs[True] == costs[False]
    for title, revid in revisions.items():
        assert movement.ada.history(title)[0]["revid"] == revid

    # An organizer renames an event: the data and the page follow in the next run.
    text = movement.ada.text(movement.online).replace("Online ''session''", "Renamed")
    movement.ada.edit(movement.online, text)
    third = sync().run([movement.parent])
    assert not third.errors, third.lines()
    document = json.loads(movement.ada.text("Campaign events/events.json"))
    assert any(row[2] == "Renamed" for row in document["events"])
    assert f"[[:{movement.online}|Renamed]]" in movement.ada.text("Campaign events")


def test_the_calendar_command_alone(devwiki_layout):
    """``campaignkit calendar`` keeps the calendar from what the sync recorded; a dry run."""
    import subprocess
    import sys

    config = str(devwiki_layout.config_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "campaignkit",
            "--config",
            config,
            "calendar",
            "--dry-run",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout[done.stdout.index('{\n  "task"') :])
    assert summary["task"] == "calendar" and not summary["errors"]
    assert summary["edited"] == 0  # a dry run
