"""A run's own saves do not make the next run read the pages again.

The sync saves event pages (their participants tables) after the other tasks of
the run recorded those pages at the revision the listing gave. What they
recorded lies outside the bot's regions, so when MediaWiki's answer proves the
save replaced exactly that revision, the record moves to the saved one; else
the run after every change would read every saved page once more.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.notifications.job import NotifyTask
from bot.run.loop import BotRun, BotTask, PageListing, Priority, WorkItem
from bot.run.page_state import PageRecords
from bot.run.summary import RunSummary
from bot.worklists.job import WorklistJob, WorklistTask
from campaignkit.locks import PageLocks
from campaignkit.wiki.editing import EditRequest
from campaignkit.wikitext.regions import put_region

pytestmark = pytest.mark.wiki


class RegionSave(BotTask):
    """Saves a bot region on one page, as the sync saves a participants table."""

    name = "region-save"

    def __init__(self, wiki: str, title: str) -> None:
        self.wiki, self.title = wiki, title

    def items(self, run: BotRun) -> list[WorkItem]:
        return [WorkItem(self.name, self.wiki, self.title, Priority.EVENT)]

    def treat(self, run: BotRun, item: WorkItem) -> None:
        def transform(page):
            return put_region(page.text, "participants", "a bot table", page.title)

        result = run.writer.write(item.wiki, EditRequest(item.title, transform, "test table"))
        assert result.wrote, result


def test_records_follow_the_runs_own_saves(farm, settings, human, unique_title, redis_url):
    ada = human("yowiki", "Ada Organizer")
    tag = unique_title("Own").split()[-1]
    event = f"Own saves {tag} event"
    start = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%d %H:%M")
    end = (datetime.now(UTC) + timedelta(days=21)).strftime("%Y-%m-%d %H:%M")
    ada.edit(
        event,
        f"{{{{Campaign event|campaign=C {tag}|name=Own|start={start}|end={end}"
        "|format=online|wiki=yowiki}}\n== Sign-up ==\n{{Participant|Bola Participant}}\n",
    )
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def run(*tasks: BotTask) -> BotRun:
        bot_run = BotRun(farm, settings, "own saves", locks=locks)
        bot_run.execute(tasks)
        return bot_run

    def listed_revid() -> int:
        return {
            p.title: p.revid
            for p in PageListing(farm, settings).embedding("yowiki", "campaign_event")
        }[event]

    notify = PageRecords(settings.database_url, "notify-event")
    looker = WorklistJob(farm, settings, RunSummary("look"))
    looker._events_by_worklist(["yowiki"])  # what a sync's worklist step records
    worklists = looker.event_worklists
    before = listed_revid()
    assert worklists.entries("yowiki")[event].revid == before
    first = run(
        RegionSave("yowiki", event),
        NotifyTask(farm, settings, targets=[event]),
        WorklistTask(farm, settings, RunSummary("w"), targets=[event], wiki="yowiki"),
    )
    old, new = first.writer.replaced("yowiki")[event]
    assert old == before and new == listed_revid() != before
    assert notify.entries("yowiki")[event].revid == new
    assert worklists.entries("yowiki")[event].revid == new

    second = run(NotifyTask(farm, settings, targets=[event]))
    assert second.summary.pages_read.get("yowiki", 0) == 0, second.summary.pages_read

    # A person's edit in between is no bot save: the next run reads the page.
    ada.edit(event, ada.text(event) + "{{Participant|Chidi Coordinator}}\n")
    third = run(NotifyTask(farm, settings, targets=[event]))
    assert third.summary.pages_read.get("yowiki", 0) == 1, third.summary.pages_read
