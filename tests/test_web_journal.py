"""With a wiki down, a submission is journaled and shown as pending; once the wiki is back
it is written exactly once.

The shared local wikis are never stopped: this test serves the shared yowiki's
files through a second, throwaway ``php -S`` on a free port, points a copy of
the settings at it, and stops and restarts only that server.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import update

from campaignkit.devwiki.layout import MEDIAWIKI_ROOT
from campaignkit.services import reachable
from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from tests.test_web_wiki import ADA, BOLA, make_campaign, make_event
from tests.web_support import csrf_token, free_port, log_in, web_settings_for

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


class ThrowawayServer:
    """A second php -S for the shared yowiki's files, which this test may stop."""

    def __init__(self, settings_file, port: int) -> None:
        self.settings_file = settings_file
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "MW_CONFIG_FILE": str(self.settings_file),
            "PHP_CLI_SERVER_WORKERS": "2",
        }
        self.process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(MEDIAWIKI_ROOT)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its worker processes too, so that stop() stops them all
        )
        deadline = 200
        while not reachable("127.0.0.1", self.port, timeout=0.2):
            deadline -= 1
            assert deadline > 0, "the throwaway wiki server did not start"
            assert self.process.poll() is None, "the throwaway wiki server exited"
            subprocess.run(["sleep", "0.05"], check=True)  # poll a booting server

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None
            deadline = 200
            while reachable("127.0.0.1", self.port, timeout=0.2):
                deadline -= 1
                assert deadline > 0, "the throwaway wiki server did not stop"
                subprocess.run(["sleep", "0.05"], check=True)  # poll a stopping server


@pytest.fixture
def throwaway(devwiki_layout):
    server = ThrowawayServer(devwiki_layout.wiki("yowiki").settings_file, free_port())
    server.start()
    yield server
    server.stop()


def test_wiki_down_journals_then_writes_exactly_once(
    settings, tmp_path, redis_url, accounts, human, unique_title, throwaway
):
    from webservice.app import create_app

    base = web_settings_for(settings, tmp_path, redis_url)
    moved = dataclasses.replace(
        base.wikis["yowiki"], api_url=f"http://127.0.0.1:{throwaway.port}/api.php"
    )
    down_settings = dataclasses.replace(base, wikis={**base.wikis, "yowiki": moved})
    app = create_app(down_settings, retry_worker=False)
    web = app.config["CAMPAIGNKIT_WEB"]
    campaign = unique_title("Journal campaign")
    make_campaign(settings, human, campaign)
    event_title = unique_title("Journal event")
    make_event(settings, human, event_title, campaign)

    bola = app.test_client()
    log_in(bola, BOLA, accounts.users[BOLA])
    ada = app.test_client()
    log_in(ada, ADA, accounts.users[ADA])
    event_page = bola.get(f"/event/yowiki/{event_title}")
    add_form = ada.get(f"/campaign/{campaign}/add-event")
    throwaway.stop()

    signup = bola.post(
        f"/event/yowiki/{event_title}/signup", data={"csrf_token": csrf_token(event_page.text)}
    )
    assert signup.status_code == 302 and "/submission/" in signup.headers["Location"]
    signup_id = signup.headers["Location"].rsplit("/", 1)[1]
    status = bola.get(f"/submission/{signup_id}")
    assert status.status_code == 202
    assert "Not saved yet" in status.text and "The wiki does not answer right now" in status.text
    assert journal.get(down_settings, signup_id).status == journal.PENDING

    new_event = unique_title("Journal new event")
    saved = ada.post(
        f"/campaign/{campaign}/add-event",
        data={
            "csrf_token": csrf_token(add_form.text),
            "page_wiki": "yowiki",
            "page_title": new_event,
            "campaign": campaign,
            "name": "Made while the wiki was down",
            "start": "2026-11-20T10:00",
            "end": "2026-11-20T16:00",
            "format": "online",
            "wiki": "yowiki",
            "timezone": "UTC",
            "signup": "open",
            "action": "save",
        },
    )
    event_id = re.search(r"/submission/(\w+)", saved.headers["Location"]).group(1)
    assert journal.get(down_settings, event_id).status == journal.PENDING
    assert submissions.retry_due(down_settings, web) == {}  # backing off, not hammering

    throwaway.start()
    with journal.engine(down_settings).begin() as connection:  # as if the back-off had passed
        connection.execute(
            update(journal.submissions_table).values(
                next_attempt_at=journal.now() - timedelta(seconds=1)
            )
        )
    assert submissions.retry_due(down_settings, web) == {"saved": 2}
    assert submissions.retry_due(down_settings, web) == {}
    for submission_id, title in ((signup_id, event_title), (event_id, new_event)):
        entry = journal.get(down_settings, submission_id)
        assert entry.status == journal.SAVED and entry.attempts == 2
        marked = [r for r in human("yowiki", ADA).history(title) if entry.marker in r["comment"]]
        assert len(marked) == 1  # written exactly once
    assert human("yowiki", ADA).text(event_title).count("Bola Participant") == 1
    retry = ada.post(f"/submission/{event_id}", data={"csrf_token": csrf_token(add_form.text)})
    assert retry.status_code == 200 and "Saved on the wiki" in retry.text  # a late click: no-op
    assert len(human("yowiki", ADA).history(new_event)) == 1
