"""Celery tasks with a real Redis and a real worker process against the local wikis."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import redis
import tomli_w

from campaignkit.config import load_settings
from jobs.celery_app import make_celery
from jobs.tasks import request_refresh, take_pending
from tests.worker_support import Worker, wait_for

pytestmark = pytest.mark.wiki

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_config(tmp_path, settings, redis_url):
    """A config for the test wikis with a slow write throttle and a short visibility timeout."""
    secret = tmp_path / "bot-password"
    secret.write_text(settings.bot.password())
    os.chmod(secret, 0o600)
    prefix = f"ck-test-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "campaignkit.toml"
    path.write_text(
        tomli_w.dumps(
            {
                "hub": settings.hub_id,
                "wikis": {
                    w.id: {"api": w.api_url, "lang": w.lang} for w in settings.wikis.values()
                },
                "bot": {
                    "username": settings.bot.username,
                    "password_file": "bot-password",
                    "write_throttle": 2,
                    "max_retries": 2,
                    "retry_wait": 1,
                },
                "services": {
                    "state_dir": "state",
                    "redis_url": redis_url,
                    "redis_prefix": prefix,
                    "task_visibility_timeout": 10,
                    # A killed worker's page lock must expire within the test's patience.
                    "page_lock_ttl": 15,
                },
            }
        )
    )
    yield path
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def bot_revisions(human, wiki_id, title):
    return [r for r in human(wiki_id).history(title) if r["user"] == "CampaignBot"]


def test_killed_worker_task_completes_once_after_restart(
    worker_config, tmp_path, human, unique_title
):
    ada = human("metawiki", "Ada Organizer")
    key = unique_title("K").split()[-1]
    campaign, event = f"Worker campaign {key}", f"Worker event {key}"
    ada.edit(campaign, f"{{{{Campaign|name=W {key}|start=2027-04-01|end=2027-05-01}}}}\n")
    ada.edit(
        event,
        (
            f"{{{{Campaign event|campaign={campaign}|name=Worker test|start=2027-04-10 10:00"
            "|end=2027-04-10 16:00|format=online|wiki=metawiki}}\n{{Participant|Ada Organizer}}\n"
        ),
    )
    settings = load_settings(worker_config)
    app = make_celery(settings)
    worker = Worker(worker_config, tmp_path / "worker.log")
    worker.start()
    try:
        app.send_task("jobs.tasks.sync_campaign", args=[campaign])
        # The first edit (the campaign's table, what organizers read first) lands;
        # the throttle holds the event page back.
        wait_for(
            lambda: bot_revisions(human, "metawiki", campaign),
            120,
            "the campaign page edit",
            worker.log,
        )
        assert not bot_revisions(human, "metawiki", event)
        worker.kill()
        worker.start()
        wait_for(
            lambda: bot_revisions(human, "metawiki", event),
            180,
            "the redelivered task to finish the event page",
            worker.log,
        )
    finally:
        worker.stop()
    assert len(bot_revisions(human, "metawiki", event)) == 1  # not written twice
    assert len(bot_revisions(human, "metawiki", campaign)) == 1
    log = "\n".join(worker.log.read_text(errors="replace").splitlines()[-40:])
    assert "Worker test" in ada.text(campaign), log


def test_ten_refresh_requests_make_one_task(worker_config, redis_url):
    settings = load_settings(worker_config)
    app = make_celery(settings)
    sent = [request_refresh(app, "yowiki", f"Event {n % 4}", delay=600) for n in range(10)]
    assert sent == [True] + [False] * 9
    queue = redis.Redis.from_url(redis_url)
    # One message was published (a countdown task waits in the queue until a worker takes it).
    queued = queue.llen(f"{settings.redis_prefix}:celery:{settings.redis_prefix}-tasks")
    assert queued == 1
    # The task takes every page asked for, once; a request after that queues a new task.
    assert take_pending(settings) == [("yowiki", f"Event {n}") for n in range(4)]
    assert request_refresh(app, "yowiki", "Event 9", delay=600) is True
