"""Account creation on the local wikis, as Wikimedia's wikis guard it: captcha and throttle.

Plain requests to the wikis' api.php, as a newcomer's browser or the
webservice (acting as an organizer) would send them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest

from campaignkit.devwiki import account_creation, lifecycle
from campaignkit.devwiki.account_creation import AccountCreation
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.devwiki.local_user import WikiClient
from campaignkit.devwiki.packages import DevWikiError

pytestmark = pytest.mark.wiki

CAPTCHA_REQUEST = "CaptchaAuthenticationRequest"


class Client(WikiClient):
    """A newcomer's browser, or the webservice acting as an organizer once logged in."""

    def creation_requests(self) -> dict[str, dict[str, Any]]:
        """What the wiki asks of someone creating an account, by request id."""
        info = self.get(action="query", meta="authmanagerinfo", amirequestsfor="create")
        return {r["id"]: r for r in info["query"]["authmanagerinfo"]["requests"]}

    def create_account(self, username: str, captcha_answer: str | None) -> dict[str, Any]:
        """``action=createaccount`` answering the captcha the wiki shows now (if any)."""
        token = self.get(action="query", meta="tokens", type="createaccount")["query"]["tokens"]
        params: dict[str, Any] = {}
        captcha = self.creation_requests().get(CAPTCHA_REQUEST)
        if captcha is not None and captcha_answer is not None:
            params = {
                "captchaId": captcha["fields"]["captchaId"]["value"],
                "captchaWord": captcha_answer,
            }
        password = "pw-" + uuid.uuid4().hex
        return self.post(
            action="createaccount",
            username=username,
            password=password,
            retype=password,
            createreturnurl="http://127.0.0.1/",
            createtoken=token["createaccounttoken"],
            **params,
        )["createaccount"]


def newcomer() -> str:
    return f"Newcomer {uuid.uuid4().hex[:10]}"


def exists(api_url: str, username: str) -> bool:
    users = Client(api_url).get(action="query", list="users", ususers=username)
    return "missing" not in users["query"]["users"][0]


def test_the_account_creation_form_asks_the_known_question(captcha_wikis):
    for wiki in captcha_wikis.layout.wikis:
        captcha = Client(wiki.api_url).creation_requests()[CAPTCHA_REQUEST]
        assert captcha["metadata"]["type"] == "question"
        assert captcha["fields"]["captchaInfo"]["value"] == captcha_wikis.question
        assert captcha["fields"]["captchaId"]["value"]


def test_status_reports_the_question_and_answer_to_scripts(captcha_wikis):
    layout = captcha_wikis.layout
    # The command line, without the environment variable: the recorded choice.
    result = subprocess.run(
        [sys.executable, "-m", "campaignkit", "devwiki", "status", "--json"],
        capture_output=True,
        text=True,
        env={
            "CAMPAIGNKIT_DEVWIKI_DIR": str(layout.root),
            "CAMPAIGNKIT_DEVWIKI_PORT": str(layout.port),
            "PATH": "/usr/bin:/bin",
            "HOME": str(layout.root),
        },
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["account_creation"] == {
        "wikimedia": True,
        "throttle": {"count": captcha_wikis.throttle, "seconds": 86400},
        "captcha": {"question": captcha_wikis.question, "answer": captcha_wikis.answer},
        "exempt_group": "eventcoordinator",
    }
    users = {u["username"]: u["groups"] for u in status["accounts"]["users"]}
    assert users[captcha_wikis.organizer] == []
    assert users[captcha_wikis.coordinator] == ["eventcoordinator"]


def test_a_wrong_answer_is_refused_and_the_right_one_creates_the_account(captcha_wikis):
    wiki = captcha_wikis.layout.wikis[1]
    name = newcomer()
    wrong = Client(wiki.api_url).create_account(name, "Encyclopaedia Britannica")
    assert wrong["status"] == "FAIL"
    assert wrong["messagecode"] == "captcha-createaccount-fail"
    missing = Client(wiki.api_url).create_account(name, None)
    assert missing["messagecode"] == "captcha-createaccount-fail"
    assert not exists(wiki.api_url, name)

    right = Client(wiki.api_url).create_account(name, captcha_wikis.answer.upper())
    assert right == {"status": "PASS", "username": name}
    assert exists(wiki.api_url, name)


def test_the_throttle_stops_creation_from_one_ip_after_its_count(captcha_wikis):
    wiki = captcha_wikis.layout.hub
    for _ in range(captcha_wikis.throttle):
        created = Client(wiki.api_url).create_account(newcomer(), captcha_wikis.answer)
        assert created["status"] == "PASS", created
    name = newcomer()
    refused = Client(wiki.api_url).create_account(name, captcha_wikis.answer)
    assert refused["status"] == "FAIL"
    assert refused["messagecode"] == "acct_creation_throttle_hit"
    assert not exists(wiki.api_url, name)
    # The throttle counts per wiki: the other wiki still creates accounts.
    other = captcha_wikis.layout.wikis[1]
    assert Client(other.api_url).create_account(newcomer(), captcha_wikis.answer)["status"] == (
        "PASS"
    )


def test_an_attempt_with_a_wrong_answer_counts_against_the_throttle(captcha_wikis):
    """MediaWiki's throttle (sort 0) counts before ConfirmEdit (sort 10) checks the answer."""
    wiki = captcha_wikis.layout.hub
    client = Client(wiki.api_url)
    assert client.create_account(newcomer(), "wrong")["messagecode"] == (
        "captcha-createaccount-fail"
    )
    for _ in range(captcha_wikis.throttle - 1):
        assert Client(wiki.api_url).create_account(newcomer(), captcha_wikis.answer)["status"] == (
            "PASS"
        )
    refused = Client(wiki.api_url).create_account(newcomer(), captcha_wikis.answer)
    assert refused["messagecode"] == "acct_creation_throttle_hit"


def test_an_ordinary_organizer_meets_the_captcha_and_the_throttle(captcha_wikis):
    wiki = captcha_wikis.layout.wikis[1]
    organizer = Client(wiki.api_url)
    organizer.log_in(captcha_wikis.organizer, captcha_wikis.password(captcha_wikis.organizer))
    assert CAPTCHA_REQUEST in organizer.creation_requests()
    assert organizer.create_account(newcomer(), None)["messagecode"] == (
        "captcha-createaccount-fail"
    )
    for _ in range(captcha_wikis.throttle - 1):
        assert organizer.create_account(newcomer(), captcha_wikis.answer)["status"] == "PASS"
    refused = organizer.create_account(newcomer(), captcha_wikis.answer)
    assert refused["messagecode"] == "acct_creation_throttle_hit"


def test_an_event_coordinator_is_exempt_from_captcha_and_throttle(captcha_wikis):
    wiki = captcha_wikis.layout.hub
    coordinator = Client(wiki.api_url)
    coordinator.log_in(captcha_wikis.coordinator, captcha_wikis.password(captcha_wikis.coordinator))
    userinfo = coordinator.get(action="query", meta="userinfo", uiprop="groups|rights")
    info = userinfo["query"]["userinfo"]
    assert "eventcoordinator" in info["groups"]
    assert {"noratelimit", "skipcaptcha"} <= set(info["rights"])
    assert CAPTCHA_REQUEST not in coordinator.creation_requests()
    names = [newcomer() for _ in range(captcha_wikis.throttle + 2)]
    for name in names:
        created = coordinator.create_account(name, None)
        assert created == {"status": "PASS", "username": name}
    # The coordinator's creations were not counted; anyone else from the IP still meets
    # the whole throttle.
    for _ in range(captcha_wikis.throttle):
        created = Client(wiki.api_url).create_account(newcomer(), captcha_wikis.answer)
        assert created["status"] == "PASS", created
    refused = Client(wiki.api_url).create_account(newcomer(), captcha_wikis.answer)
    assert refused["messagecode"] == "acct_creation_throttle_hit"


def test_the_default_test_wikis_keep_mediawikis_account_creation(devwikis, devwiki_layout):
    for wiki in devwiki_layout.wikis:
        client = Client(wiki.api_url)
        assert CAPTCHA_REQUEST not in client.creation_requests()
        for _ in range(8):  # more than Wikimedia's six a day
            assert client.create_account(newcomer(), None)["status"] == "PASS"
    assert lifecycle.status(devwiki_layout)["account_creation"]["wikimedia"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", AccountCreation(wikimedia=True, throttle=6)),
        (" ON ", AccountCreation(wikimedia=True, throttle=6)),
        ("3", AccountCreation(wikimedia=True, throttle=3)),
        ("off", AccountCreation(wikimedia=False)),
    ],
)
def test_the_environment_variable_reads(text, expected):
    assert AccountCreation.from_text(text) == expected


@pytest.mark.parametrize("text", ["0", "-2", "lots", "2.5"])
def test_a_bad_environment_variable_is_one_clear_line(text, tmp_path):
    with pytest.raises(DevWikiError, match=account_creation.ENVVAR):
        AccountCreation.from_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "campaignkit", "devwiki", "up"],
        capture_output=True,
        text=True,
        env={
            "CAMPAIGNKIT_DEVWIKI_DIR": str(tmp_path),
            "CAMPAIGNKIT_DEVWIKI_PORT": "8899",
            account_creation.ENVVAR: text,
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {account_creation.ENVVAR} must be")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_choice_is_recorded_and_kept_until_changed(tmp_path):
    root = tmp_path / "wikis"
    chosen = DevWikiLayout(root=root, account_creation=AccountCreation(wikimedia=True, throttle=4))
    assert lifecycle.account_creation_of(DevWikiLayout(root=root)) == AccountCreation()
    lifecycle.account_creation_of(chosen).save(chosen.account_creation_file)
    assert lifecycle.account_creation_of(DevWikiLayout(root=root)) == AccountCreation(
        wikimedia=True, throttle=4
    )
    off = DevWikiLayout(root=root, account_creation=AccountCreation())
    assert lifecycle.account_creation_of(off) == AccountCreation()
