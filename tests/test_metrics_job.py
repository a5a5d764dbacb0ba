"""The metrics job on the real local wikis: regions on event and campaign pages, snapshots,
no edit when nothing changed, and the last good figures kept when the source fails."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.metrics.api_source import ApiSource
from bot.metrics.definitions import SourceError
from bot.metrics.job import run_metrics
from bot.metrics.snapshots import SnapshotStore
from bot.run.summary import RunSummary
from campaignkit.cli import main
from campaignkit.locks import PageLocks
from campaignkit.manifest import english_manifest
from campaignkit.wikitext.regions import region_content
from campaignkit.wikitext.templates import find_calls
from tests.metrics_history import Editor, create_account, sqlite_runner

pytestmark = pytest.mark.wiki

LAGOS = ZoneInfo("Africa/Lagos")


@pytest.fixture(scope="module", autouse=True)
def _templates(templates_installed):
    """Every test here needs the contract's templates on the wikis."""


class FailingSource(ApiSource):
    """The API answering nothing, as when a wiki is down."""

    name = "api"

    def contributions(self, wiki, users, start, end):
        raise SourceError(f"{wiki}: does not answer (test)")


def box_values(region: str) -> dict[str, str]:
    [call] = find_calls(region, english_manifest().template("campaign_metrics"))
    return dict(call.values)


def _local(moment: datetime) -> str:
    return moment.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M")


@pytest.fixture(scope="module")
def event_setup(accounts, devwiki_layout, human):
    """An event on yowiki (Lagos time) whose window holds a small known history."""
    wiki = devwiki_layout.wiki("yowiki")
    sql = sqlite_runner(wiki)
    tag = uuid.uuid4().hex[:8]
    veteran = create_account(wiki, f"Veteran {tag}", sql, datetime.now(UTC) - timedelta(days=400))
    newcomer = create_account(wiki, f"Newcomer {tag}", sql, None)
    admin = Editor(wiki.api_url, accounts.admin_user, accounts.admin_password)
    bot = Editor(wiki.api_url, accounts.bot_user, accounts.bot_main_password)
    organizer = human("metawiki", "Ada Organizer")
    campaign = f"Metrics campaign {tag}"
    event = f"Metrics event {tag}"
    worklist = f"Metrics worklist {tag}"
    now = datetime.now(UTC)
    # 10 minutes ago in Lagos is 50 minutes ahead in UTC: a window read as UTC would
    # start in the future and count nothing.
    start, end = now - timedelta(minutes=10), now + timedelta(minutes=30)
    existing = f"Metrics existing {tag}"
    admin.save(existing, "x" * 100)
    organizer.edit(
        campaign,
        f"{{{{Campaign|name=Metrics {tag}|start={now:%Y-%m-%d}|end={now:%Y-%m-%d}}}}}\n"
        "Intro by Ada.\n",
    )
    row = "{{Campaign worklist row|title=%s|wiki=yowiki|done=%s}}"
    admin.save(
        worklist,
        "<!-- campaignkit:begin worklist -->\n"
        + "\n".join([row % ("A", "yes"), row % ("B", "yes"), row % ("C", "")])
        + "\n<!-- campaignkit:end worklist -->\n",
    )
    admin.save(
        event,
        f"{{{{Campaign event|campaign=m:{campaign}|name=Lagos <b>'''metrics'''</b>"
        f"|start={_local(start)}|end={_local(end)}|timezone=Africa/Lagos|format=online"
        f"|wiki=yowiki|worklist={worklist}}}}}\nText by the organizer.\n\n== Sign up ==\n"
        f"{{{{Participant|{veteran.username}}}}}\n{{{{Participant|{newcomer.username}}}}}\n"
        f"{{{{Participant|{accounts.bot_user}}}}}\n{{{{Participant|Nobody {tag}}}}}\n",
    )
    veteran.save(f"Metrics article {tag}", "a" * 120)  # created, +120
    veteran.save(existing, "x" * 140)  # improved, +40
    newcomer.save(f"Metrics newcomer article {tag}", "n" * 60)  # created, +60
    bot.save(existing, "x" * 300)  # a bot account: not counted
    return {
        "campaign": campaign,
        "event": event,
        "tag": tag,
        "organizer": organizer,
        "admin": admin,
    }


EXPECTED = {
    "participants": 2,
    "new_editors": 1,
    "edits": 3,
    "articles_created": 2,
    "articles_deleted": 0,
    "articles_improved": 1,
    "bytes_added": 220,
    "words_added": 42,
    "worklist_done": 2,
    "retention": None,
    "references_added": 0,
    "uploads": None,  # no file wiki configured
    "uploads_used": None,
    "upload_usage_pages": None,
    "wikidata_edits": None,  # no Wikidata wiki configured
    "wikidata_items_created": None,
    "wikidata_items_edited": None,
    "attended": None,
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'metrics.sqlite'}")


@pytest.fixture(scope="module")
def locks(redis_url):
    return PageLocks.from_url(redis_url, "campaignkit-test-metrics")


@pytest.fixture(scope="module")
def first_run(farm, settings, event_setup, store, locks):
    summary = RunSummary("metrics")
    run = run_metrics(
        farm, settings, summary, targets=[event_setup["event"]], store=store, locks=locks
    )
    return run, summary


def test_event_figures_and_region(first_run, event_setup, human):
    run, summary = first_run
    assert not summary.errors, summary.errors
    report = run.events[("yowiki", event_setup["event"])]
    assert report.figures.as_dict() == EXPECTED
    text = event_setup["admin"].text(event_setup["event"])
    values = box_values(region_content(text, "metrics"))
    expected = {k: str(v) for k, v in EXPECTED.items() if v is not None}
    assert {k: v for k, v in values.items() if k != "as_of"} == expected
    assert values["as_of"].endswith(" UTC")
    assert text.startswith("{{Campaign event|")
    assert "Text by the organizer." in text


def test_campaign_region_with_totals_and_rows(first_run, event_setup):
    run, _summary = first_run
    campaign = run.campaigns[event_setup["campaign"]]
    assert campaign.figures.as_dict() == EXPECTED
    text = event_setup["organizer"].text(event_setup["campaign"])
    assert "Intro by Ada." in text
    region = region_content(text, "metrics")
    assert box_values(region)["events"] == "1"
    assert '{| class="wikitable sortable' in region
    # The event's name is escaped: no bold, no tag reaches the page.
    assert "'''" not in region and "<b>" not in region
    assert f"{{{{#invoke:Campaignkit|page|Metrics event {event_setup['tag']}|" in region


def test_snapshots_are_stored(first_run, event_setup, store):
    history = store.history("yowiki", event_setup["event"])
    assert len(history) == 1
    assert history[0].figures.as_dict() == EXPECTED
    assert store.latest("metawiki", event_setup["campaign"]).kind == "campaign"
    assert len(store.created("yowiki", event_setup["event"])) == 2


def test_second_run_edits_nothing_but_stores_a_snapshot(
    first_run, farm, settings, event_setup, store, locks
):
    summary = RunSummary("metrics")
    run_metrics(farm, settings, summary, targets=[event_setup["event"]], store=store, locks=locks)
    assert not summary.errors
    assert summary.edited == 0
    assert summary.outcomes["unchanged"] == 2
    assert len(store.history("yowiki", event_setup["event"])) == 2


def test_failed_source_keeps_the_last_good_figures(
    first_run, farm, settings, event_setup, store, locks
):
    before_event = event_setup["admin"].text(event_setup["event"])
    summary = RunSummary("metrics")
    run = run_metrics(
        farm,
        settings,
        summary,
        targets=[event_setup["event"]],
        store=store,
        locks=locks,
        source=FailingSource(farm),
    )
    assert any("keeping the last good figures" in e for e in summary.errors)
    assert event_setup["admin"].text(event_setup["event"]) == before_event
    report = run.events[("yowiki", event_setup["event"])]
    assert report.kept and report.figures.as_dict() == EXPECTED
    assert run.campaigns[event_setup["campaign"]].figures.edits == EXPECTED["edits"]
    region = region_content(event_setup["organizer"].text(event_setup["campaign"]), "metrics")
    assert box_values(region)["edits"] == "3"


def test_dry_run_writes_nothing(farm, settings, event_setup, store, locks, tmp_path):
    event_setup["admin"].save(f"Metrics article {event_setup['tag']}", "a" * 150)  # +30
    before = event_setup["admin"].text(event_setup["event"])
    summary = RunSummary("metrics")
    run_metrics(
        farm,
        settings,
        summary,
        targets=[event_setup["event"]],
        store=SnapshotStore(f"sqlite:///{tmp_path / 'dry.sqlite'}"),
        locks=locks,
        dry_run=True,
    )
    assert summary.edited == 0
    assert event_setup["admin"].text(event_setup["event"]) == before


def test_report_command_csv_and_json(first_run, event_setup, devwiki_layout):
    runner = CliRunner()
    config = str(devwiki_layout.config_path)
    result = runner.invoke(
        main,
        ["--config", config, "report", event_setup["event"], "--format", "csv", "--participants"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == (
        "event_wiki,event_page,user,new_editor,edits,articles_created,"
        "articles_improved,bytes_added,retained,references_added,uploads,wikidata_edits"
    )
    veteran = next(line for line in lines if "Veteran" in line)
    assert veteran.endswith(",no,2,1,1,160,,0,,")  # no file wiki or Wikidata wiki configured
    result = runner.invoke(
        main, ["--config", config, "report", event_setup["campaign"], "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert '"kind": "campaign"' in result.output
    assert '"participants": 2' in result.output
    missing = runner.invoke(main, ["--config", config, "report", "No such page xyz"])
    assert missing.exit_code == 1
    assert "neither an event page" in missing.output


def test_metrics_command_dry_run(first_run, event_setup, devwiki_layout):
    result = CliRunner().invoke(
        main,
        ["--config", str(devwiki_layout.config_path), "metrics", "--dry-run", event_setup["event"]],
    )
    assert result.exit_code == 0, result.output
    assert "metrics run " in result.output
    assert "API requests: metawiki=" in result.output
