"""Form submission -> wiki edit -> campaign refresh by a real worker; a Redis restart.

The webservice, a ``campaignkit worker`` process and a Redis server of this
test's own (so restarting it disturbs nobody) run against the local wikis.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid

import pytest
import tomli_w

from campaignkit.config import load_settings
from campaignkit.run_log import recent_runs
from campaignkit.submissions import journal
from tests.web_support import csrf_token, log_in, post_form
from tests.worker_support import Worker, wait_for
from webservice import campaign_reads

pytestmark = pytest.mark.wiki

ADA = "Ada Organizer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server on a free port, started and stopped by the test."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for(answers, 20, "the private Redis")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(tmp_path, settings, private_redis, templates_installed):
    """A config shared by the web app and a worker, with its own Redis and state."""
    secret = tmp_path / "bot-password"
    secret.write_text(settings.bot.password())
    os.chmod(secret, 0o600)
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
                    "write_throttle": 0,
                    "max_retries": 2,
                    "retry_wait": 1,
                },
                "services": {
                    "state_dir": "state",
                    "redis_url": private_redis.url,
                    "redis_prefix": f"ck-e2e-{uuid.uuid4().hex[:6]}",
                    "task_visibility_timeout": 60,
                },
                "web": {"retry_interval": 0, "cache_seconds": 0},
            }
        )
    )
    worker = Worker(path, tmp_path / "worker.log")
    worker.start()
    yield load_settings(path), worker
    worker.stop()


def web_client(settings, accounts):
    from webservice.app import create_app

    campaign_reads.cache.clear()
    client = create_app(settings, retry_worker=False).test_client()
    log_in(client, ADA, accounts.users[ADA])
    return client


def new_campaign(human, unique_title) -> str:
    title = unique_title("E2E campaign")
    human("metawiki", "Admin").edit(
        title, f"{{{{Campaign|name={title}|start=2026-11-01|end=2026-12-31|organizers={ADA}}}}}\n"
    )
    return title


def add_event(client, campaign: str, title: str, name: str):
    return post_form(
        client,
        f"/campaign/{campaign}/add-event",
        {
            "page_wiki": "metawiki",
            "page_title": title,
            "campaign": campaign,
            "name": name,
            "start": "2026-11-20T10:00",
            "end": "2026-12-20T16:00",
            "timezone": "UTC",
            "format": "online",
            "wiki": "metawiki",
            "organizers": ADA,
            "signup": "open",
            "action": "save",
        },
    )


def test_form_submission_is_refreshed_by_the_worker(stack, accounts, human, unique_title):
    settings, worker = stack
    campaign = new_campaign(human, unique_title)
    client = web_client(settings, accounts)
    event = unique_title("E2E event")
    saved = add_event(client, campaign, event, "Queued refresh")
    assert saved.status_code == 302, saved.text[:2000]
    assert "Queued refresh" in human("metawiki", ADA).text(event)  # written as the organizer
    # The refresh goes through the queue: the worker records a sync_pending run.
    wait_for(
        lambda: any(r.origin == "celery:sync_pending" for r in recent_runs(settings.database_url)),
        120,
        "the worker's sync_pending run",
        worker.log,
    )
    assert event in human("metawiki", ADA).text(campaign)


def test_redis_restart_keeps_pages_serving_and_submissions_flowing(
    stack, private_redis, accounts, human, unique_title
):
    settings, worker = stack
    campaign = new_campaign(human, unique_title)
    client = web_client(settings, accounts)
    private_redis.stop()
    # Read pages keep serving.
    assert client.get("/").status_code == 200
    assert client.get(f"/campaign/{campaign}").status_code == 200
    # A submission is journaled and saved; its refresh runs in the web process meanwhile.
    event = unique_title("E2E event")
    saved = add_event(client, campaign, event, "While Redis was down")
    assert saved.status_code == 302, saved.text[:2000]
    statuses = {s.status for s in journal.for_user(settings, ADA)}
    assert journal.SAVED in statuses
    assert "While Redis was down" in human("metawiki", ADA).text(event)
    # Redis comes back: the worker reconnects and processes the next refresh.
    private_redis.start()
    later = unique_title("E2E event")
    assert add_event(client, campaign, later, "After the restart").status_code == 302
    wait_for(
        lambda: later in human("metawiki", ADA).text(campaign),
        180,
        "the worker to list the later event after the restart",
        worker.log,
    )
    assert event in human("metawiki", ADA).text(campaign)
    page = client.get("/login")
    assert csrf_token(page.text)
