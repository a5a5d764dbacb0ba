"""Shared fixtures: the real local wikis, the configured farm, Redis and MariaDB.

The wikis are started once per test session from a directory of their own (so a
developer's demo wikis are left alone) and stopped at the end if this session
started them. Tests get fresh pages through :func:`unique_title`.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from campaignkit.config import Settings, load_settings
from campaignkit.devwiki import account_creation, lifecycle, servers
from campaignkit.devwiki.account_creation import AccountCreation
from campaignkit.devwiki.install import COORDINATOR, ORGANIZER, LocalAccounts
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.services import ServiceUnavailable, ensure_mariadb, ensure_redis

# Helper modules some test files import by name before loading them as plugins:
# their asserts are rewritten (and pytest does not warn) only when said before that.
pytest.register_assert_rewrite("tests.proxy_support", "tests.web_support")

REPO = Path(__file__).resolve().parent.parent

# CI replays a fixed set of Hypothesis examples, so a run cannot fail on an example
# no developer has seen; developers' runs keep exploring new ones (and any failure
# they find becomes a fixed test, as tests/test_escape.py shows).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
TEST_WIKI_DIR = Path(
    os.environ.get("CAMPAIGNKIT_TEST_DEVWIKI_DIR", REPO / ".state" / "test-devwiki")
)
TEST_WIKI_PORT = int(os.environ.get("CAMPAIGNKIT_TEST_DEVWIKI_PORT", "8811"))
CAPTCHA_WIKI_DIR = Path(
    os.environ.get("CAMPAIGNKIT_TEST_CAPTCHA_DEVWIKI_DIR", REPO / ".state" / "test-captcha-devwiki")
)
CAPTCHA_WIKI_PORT = int(os.environ.get("CAMPAIGNKIT_TEST_CAPTCHA_DEVWIKI_PORT", "8831"))
CAPTCHA_WIKI_THROTTLE = 3  # accounts per IP a day: small, so a test reaches it quickly


def _test_port(root: Path, first: int, envvar: str) -> int:
    """The first port pair (first, first + 100, ...) whose ports are free or serve our wikis.

    Another checkout's test wikis (or anything else) may hold 8811/8812; a fresh
    clone must not fail because of them, nor stop them. Processes of our own
    wikis (even workers whose server was killed) do not make a port foreign:
    ``lifecycle.up`` takes them over.
    """
    if envvar in os.environ:
        return first
    for port in range(first, first + 1000, 100):
        layout = DevWikiLayout(root=root, port=port)
        if all(servers.wiki_processes(w) or not servers.port_in_use(w.port) for w in layout.wikis):
            return port
    raise RuntimeError(f"no free pair of ports for the test wikis in {root} from {first} on")


@pytest.fixture(scope="session")
def devwiki_layout() -> DevWikiLayout:
    port = _test_port(TEST_WIKI_DIR, TEST_WIKI_PORT, "CAMPAIGNKIT_TEST_DEVWIKI_PORT")
    # Explicitly MediaWiki's own account creation: no captcha, no throttle.
    return DevWikiLayout(root=TEST_WIKI_DIR, port=port, account_creation=AccountCreation())


@pytest.fixture(scope="session")
def devwikis(devwiki_layout: DevWikiLayout):
    """The two local wikis, running, with their throwaway accounts."""
    running_before = all(
        servers.state(devwiki_layout, w).pid is not None for w in devwiki_layout.wikis
    )
    accounts = lifecycle.up(devwiki_layout, echo=lambda _line: None)
    yield accounts
    if not running_before:
        lifecycle.down(devwiki_layout, echo=lambda _line: None)


@pytest.fixture(scope="session")
def accounts(devwikis) -> LocalAccounts:
    return devwikis


@dataclass(frozen=True)
class CaptchaWikis:
    """Local wikis that guard account creation as Wikimedia's do, and what tests need to know.

    ``layout.config_path`` is their ready campaignkit configuration file.
    """

    layout: DevWikiLayout
    accounts: LocalAccounts
    question: str
    answer: str
    throttle: int
    organizer: str  # an ordinary organizer: meets the captcha and the throttle
    coordinator: str  # in the exempt group: neither captcha nor throttle

    def password(self, username: str) -> str:
        return self.accounts.users[username]


@pytest.fixture(scope="session")
def _captcha_wikis_session():
    policy = AccountCreation(wikimedia=True, throttle=CAPTCHA_WIKI_THROTTLE)
    port = _test_port(CAPTCHA_WIKI_DIR, CAPTCHA_WIKI_PORT, "CAMPAIGNKIT_TEST_CAPTCHA_DEVWIKI_PORT")
    layout = DevWikiLayout(root=CAPTCHA_WIKI_DIR, port=port, account_creation=policy)
    running_before = all(servers.state(layout, w).pid is not None for w in layout.wikis)
    accounts = lifecycle.up(layout, echo=lambda _line: None)
    yield CaptchaWikis(
        layout=layout,
        accounts=accounts,
        question=account_creation.CAPTCHA_QUESTION,
        answer=account_creation.CAPTCHA_ANSWER,
        throttle=policy.throttle,
        organizer=ORGANIZER,
        coordinator=COORDINATOR,
    )
    if not running_before:
        lifecycle.down(layout, echo=lambda _line: None)


@pytest.fixture
def captcha_wikis(_captcha_wikis_session: CaptchaWikis) -> CaptchaWikis:
    """A pair of local wikis with Wikimedia's captcha and throttle on account creation.

    Separate from the default test wikis (own directory and ports), so no other
    test meets a captcha. Every test starts with the throttle's count at zero:
    all tests create accounts from the same IP, 127.0.0.1.
    """
    for wiki in _captcha_wikis_session.layout.wikis:
        account_creation.clear_throttle(wiki)
    return _captcha_wikis_session


@pytest.fixture(scope="session")
def settings(devwikis, devwiki_layout: DevWikiLayout) -> Settings:
    return load_settings(devwiki_layout.config_path)


@pytest.fixture(scope="session")
def farm(settings: Settings):
    from campaignkit.wiki.connection import WikiFarm

    wikis = WikiFarm(settings)
    yield wikis
    wikis.close()


@pytest.fixture
def unique_title():
    """A page title no other test uses, so tests need no reset between them."""

    def make(prefix: str = "Test") -> str:
        return f"{prefix} {uuid.uuid4().hex[:10]}"

    return make


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("CAMPAIGNKIT_TEST_REDIS", "redis://127.0.0.1:6379/15")
    try:
        ensure_redis(url)
    except ServiceUnavailable as error:
        pytest.fail(str(error))
    return url


@pytest.fixture(scope="session")
def mariadb() -> tuple[str, int]:
    try:
        ensure_mariadb()
    except ServiceUnavailable as error:
        pytest.fail(str(error))
    return ("127.0.0.1", 3306)


@pytest.fixture(scope="session")
def human(accounts, devwiki_layout: DevWikiLayout):
    """Ordinary accounts editing the local wikis: ``human("yowiki", "Ada Organizer")``."""
    from tests.human import HumanEditor

    editors: dict[tuple[str, str], HumanEditor] = {}

    def editor(wiki_id: str = "metawiki", username: str = "Ada Organizer") -> HumanEditor:
        key = (wiki_id, username)
        if key not in editors:
            password = accounts.users.get(username) or (
                accounts.admin_password if username == accounts.admin_user else None
            )
            wiki = devwiki_layout.wiki(wiki_id)
            editors[key] = HumanEditor(wiki.api_url, username, password)
        return editors[key]

    return editor


@pytest.fixture(scope="session")
def templates_installed(settings, devwiki_layout: DevWikiLayout) -> None:
    """The contract's templates on both test wikis, through the real command (idempotent)."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "campaignkit",
            "--config",
            str(devwiki_layout.config_path),
            "templates",
            "install",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(autouse=True)
def _templates_for_wiki_tests(request):
    """Every test against the real wikis sees the contract's templates installed.

    Previews and rendered pages depend on them, and a fresh clone's first test
    must not depend on which test module happened to install them earlier.
    """
    if request.node.get_closest_marker("wiki"):
        request.getfixturevalue("templates_installed")
