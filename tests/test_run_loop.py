"""The run loop without a wiki: order, isolation, budget, given-up wikis, leases, schedules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from bot.run.lease import LeaseTaken, RunLease
from bot.run.loop import BotRun, BotTask, Priority, WorkItem
from campaignkit.locks import LocksUnavailable, PageBusy, PageLocks
from campaignkit.wiki.editing import EditOutcome, EditRequest
from campaignkit.wiki.errors import WikiUnreachable

ROOT = Path(__file__).resolve().parent.parent


class FakeFarm:
    """Only what BotRun and PageWriter ask of a farm when nothing is written."""

    simulate = False

    def __init__(self) -> None:
        self.requests = {"hub": 0, "yo": 0}

    def request_counts(self) -> dict[str, int]:
        return dict(self.requests)

    def __getitem__(self, wiki_id: str) -> object:
        return object()


class FakeSettings:
    redis_prefix = "test"
    docs_url = "https://example.org/docs"
    wikis: ClassVar[dict[str, None]] = {"hub": None, "yo": None}


class Clock:
    """A clock the tasks move forward, so budgets are tested without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RecordingTask(BotTask):
    name = "recording"

    def __init__(self, items: list[WorkItem], clock: Clock | None = None, cost: float = 0.0):
        self._items = items
        self.treated: list[str] = []
        self.clock = clock
        self.cost = cost
        self.torn_down = False

    def items(self, run: BotRun) -> list[WorkItem]:
        return self._items

    def treat(self, run: BotRun, item: WorkItem) -> None:
        self.treated.append(item.title)
        if self.clock is not None:
            self.clock.now += self.cost
        if item.payload == "bug":
            raise KeyError("a bug on this page")
        if item.payload == "down":
            raise WikiUnreachable(item.wiki, "connection reset")

    def teardown(self, run: BotRun) -> None:
        self.torn_down = True


def item(title: str, priority: Priority, order: tuple = (), wiki: str = "hub", payload=None):
    return WorkItem("recording", wiki, title, priority, order, payload)


def make_run(**options) -> BotRun:
    return BotRun(FakeFarm(), FakeSettings(), "test", **options)


def test_items_run_in_priority_order_whatever_order_tasks_give_them():
    task = RecordingTask(
        [
            item("worklist", Priority.WORKLIST),
            item("ended event", Priority.EVENT, (2, 0)),
            item("campaign", Priority.CAMPAIGN),
            item("upcoming event", Priority.EVENT, (1, 0)),
            item("asked for", Priority.REQUESTED),
        ]
    )
    make_run().execute([task])
    assert task.treated == ["asked for", "campaign", "upcoming event", "ended event", "worklist"]


BUG_RUN = """
import logging, sys
from tests.test_run_loop import RecordingTask, item, make_run
from bot.run.loop import Priority

class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
    def emit(self, record):
        self.records.append(record)

records = Records()
logging.getLogger().addHandler(records)
logging.getLogger().setLevel(logging.DEBUG if sys.argv[1] == "verbose" else logging.INFO)
task = RecordingTask([item("a", Priority.EVENT), item("b", Priority.EVENT, payload="bug"),
                      item("c", Priority.EVENT)])
summary = make_run().execute([task])
mine = [r for r in records.records if r.name == "bot.run.loop"]
messages = [r.getMessage() for r in mine]
print(task.treated, summary.errors, messages, [bool(r.exc_info) for r in mine])
"""


@pytest.mark.parametrize(("mode", "traceback"), [("verbose", True), ("quiet", False)])
def test_a_bug_on_one_page_is_reported_and_the_run_goes_on(mode, traceback):
    # In a process of its own: what other tests do to logging cannot change the answer.
    done = subprocess.run(
        [sys.executable, "-c", BUG_RUN, mode], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    message = "hub:b: unexpected error KeyError: 'a bug on this page'"
    assert done.stdout.strip() == (
        f"['a', 'b', 'c'] [\"{message}\"] [\"{message}\"] [{traceback}]"
    ), done.stdout + done.stderr


def test_a_wiki_that_cannot_be_reached_is_left_and_the_other_wiki_goes_on():
    task = RecordingTask(
        [
            item("yo 1", Priority.EVENT, (1,), wiki="yo", payload="down"),
            item("yo 2", Priority.EVENT, (2,), wiki="yo"),
            item("hub 1", Priority.EVENT, (3,), wiki="hub"),
        ]
    )
    run = make_run()
    summary = run.execute([task])
    assert task.treated == ["yo 1", "hub 1"]
    assert list(run.given_up) == ["yo"]
    assert len(summary.errors) == 1 and summary.errors[0].startswith("yo: cannot be reached")
    assert any("yo: 1 page(s) not attempted" in w for w in summary.warnings)


def test_the_budget_stops_taking_items_that_would_not_finish_in_time():
    clock = Clock()
    items = [item(f"event {n}", Priority.EVENT, (n,)) for n in range(10)]
    task = RecordingTask(items, clock, cost=10.0)
    run = make_run(max_seconds=35, clock=clock)
    summary = run.execute([task])
    assert task.treated == ["event 0", "event 1", "event 2"]  # a 4th would end at 40 s
    assert clock.now <= 35
    assert [i.title for i in run.left] == [f"event {n}" for n in range(3, 10)]
    assert any("7 page(s) left for the next run" in w for w in summary.warnings)


class SlowSetupTask(RecordingTask):
    """A task whose setup (listing, reading, checking names) takes the clock past the budget."""

    def setup(self, run: BotRun) -> None:
        self.clock.now += 40.0


def test_a_budget_eaten_by_setup_says_so_and_starts_no_page():
    clock = Clock()
    task = SlowSetupTask([item("campaign", Priority.CAMPAIGN)], clock, cost=1.0)
    summary = make_run(max_seconds=30, clock=clock).execute([task])
    assert task.treated == []
    assert any("setup took 40 s; give the run more time" in w for w in summary.warnings), (
        summary.warnings
    )


def test_a_second_run_finds_the_lease_and_does_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    first = RunLease(url, "sync", ["hub", "yo"], "run1")
    first.acquire()
    task = RecordingTask([item("a", Priority.EVENT)])
    run = make_run(lease=RunLease(url, "sync", ["yo"], "run2"))
    run.execute([task])
    assert task.treated == []
    assert "a sync run is in progress on yo (run run1" in run.in_progress
    first.release()
    again = make_run(lease=RunLease(url, "sync", ["yo"], "run3"))
    again.execute([task])
    assert task.treated == ["a"]
    # Another task is not held back by the sync's lease.
    RunLease(url, "metrics", ["hub", "yo"], "run4").acquire()


def test_a_lease_of_a_killed_process_is_not_in_the_way(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    code = (
        "from bot.run.lease import RunLease\n"
        f"RunLease({url!r}, 'sync', ['hub'], 'dead').acquire()\n"
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    lease = RunLease(url, "sync", ["hub"], "alive")
    lease.acquire()  # the holder is gone: no LeaseTaken
    assert lease.held
    with pytest.raises(LeaseTaken):
        RunLease(url, "sync", ["hub"], "third").acquire()


def test_a_page_is_never_written_without_its_lock_when_redis_is_gone(monkeypatch):
    from bot.run.summary import RunSummary
    from bot.run.writer import PageWriter

    locks = PageLocks.from_url("redis://127.0.0.1:9/0", "test")  # nothing listens on port 9
    called = []
    monkeypatch.setattr("bot.run.writer.stop_reason", lambda connection, settings: None)
    monkeypatch.setattr(
        "bot.run.writer.apply_edit", lambda *args, **kwargs: called.append(args) or None
    )
    summary = RunSummary("test")
    writer = PageWriter(FakeFarm(), FakeSettings(), summary, locks=locks)
    results = [
        writer.write("hub", EditRequest(title, lambda page: "x", "summary"))
        for title in ("One", "Two")
    ]
    assert called == []
    assert [r.outcome for r in results] == [EditOutcome.FAILED, EditOutcome.FAILED]
    assert "Redis does not answer" in results[0].reason
    with pytest.raises(LocksUnavailable), locks.hold("hub", "Three"):
        pass


def test_jobs_yaml_and_the_beat_schedule_agree_on_budgets():
    from jobs.celery_app import METRICS_BUDGET, SCHEDULED_BUDGET, SYNC_EVERY

    jobs = {job["name"]: job for job in yaml.safe_load((ROOT / "jobs/jobs.yaml").read_text())}

    def budget(name: str) -> float:
        return float(re.search(r"--max-seconds (\d+)", jobs[name]["command"]).group(1))

    assert budget("sync") == SCHEDULED_BUDGET.total_seconds() < SYNC_EVERY.total_seconds()
    assert jobs["sync"]["schedule"] == f"*/{int(SYNC_EVERY.total_seconds() // 60)} * * * *"
    assert budget("metrics") == METRICS_BUDGET.total_seconds() < 3600
    assert jobs["metrics"]["schedule"].split()[1:] == ["*", "*", "*", "*"]  # hourly
    from jobs.celery_app import NOTIFY_BUDGET

    assert budget("notify") == NOTIFY_BUDGET.total_seconds() < 3600
    assert jobs["notify"]["schedule"].split()[1:] == ["*", "*", "*", "*"]  # hourly


def test_operator_commands_never_start_redis(tmp_path):
    config = tmp_path / "campaignkit.toml"
    config.write_text(
        'hub = "hub"\n[wikis.hub]\napi = "http://127.0.0.1:9/api.php"\nlang = "en"\n'
        '[bot]\nusername = "Bot@x"\npassword_env = "NO_SUCH_ENV"\n'
        '[services]\nredis_url = "redis://127.0.0.1:9/0"\n'
        f'state_dir = "{tmp_path}"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "campaignkit", "--config", str(config), "worker"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: Redis at 127.0.0.1:9 (redis://127.0.0.1:9/0) does not answer; "
        "start it (services.redis_url)"
    ]


def test_a_page_lock_of_a_killed_process_is_taken_over_at_once(redis_url):
    prefix = f"test-{os.getpid()}"
    code = (
        "import os, signal\n"
        "from campaignkit.locks import PageLocks\n"
        f"locks = PageLocks.from_url({redis_url!r}, {prefix!r})\n"
        "with locks.hold('hub', 'Killed mid-edit'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    locks = PageLocks.from_url(redis_url, prefix, wait=30.0)
    assert locks.client.get(locks.key("hub", "Killed mid-edit"))  # still held by the dead
    started = time.monotonic()
    with locks.hold("hub", "Killed mid-edit"):
        assert time.monotonic() - started < 5  # taken over, not waited out
    # A live holder is respected: another process's lock is not taken.
    other = PageLocks.from_url(redis_url, prefix, wait=0.2)
    with locks.hold("hub", "Busy"), pytest.raises(PageBusy):  # noqa: SIM117
        with other.hold("hub", "Busy"):
            pass
