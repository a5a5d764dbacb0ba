"""A real browser (Debian's Chromium, headless, driven by Playwright) through the web app.

An organizer logs in with the keyboard only, adds an event through the form
(preview, then save), and finds it on the hub's campaign page after the
refresh; a participant signs up with one click. Screenshots of the event form
and the dashboard, in English and in Arabic (right-to-left), are written to
``$CAMPAIGNKIT_SCREENSHOTS`` (default: the test's temporary directory). The
browser may talk to 127.0.0.1 only: a map tile or a CDN request fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.test_web_wiki import ADA, BOLA, make_campaign

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def ensure_chromium() -> None:
    """Install Debian's chromium when it is missing and we are root; else fail clearly."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            env=env,
            check=False,
            capture_output=True,
        )
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y --no-install-recommends chromium")


@pytest.fixture(scope="module")
def browser():
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    directory = Path(os.environ.get("CAMPAIGNKIT_SCREENSHOTS") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def local_only(context, foreign: list[str]) -> None:
    """Refuse (and remember) every request that leaves this machine."""

    def route(request_route):
        host = urlsplit(request_route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            foreign.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)


def keyboard_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def wait_for_text(page, url: str, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if text in page.content():
            return
        assert time.monotonic() < deadline, f"{text!r} never appeared on {url}"
        page.wait_for_timeout(1000)  # the refresh runs in the background; look again


def test_organizer_adds_an_event_and_a_participant_signs_up(
    browser, served_app, web_settings, human, accounts, unique_title, screenshots
):
    from webservice import refresh

    base = served_app.url
    campaign = unique_title("Browser campaign")
    make_campaign(web_settings, human, campaign)
    event_title = unique_title("Browser event")
    foreign: list[str] = []

    context = browser.new_context(locale="en-GB", viewport={"width": 412, "height": 915})
    local_only(context, foreign)
    page = context.new_page()
    keyboard_login(page, base, ADA, accounts.users[ADA])
    cookie = next(c for c in context.cookies() if c["name"] == "campaignkit_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"

    page.goto(f"{base}/campaign/{quote(campaign)}/add-event")
    assert page.input_value("#campaign") == campaign  # prefilled from the campaign
    page.select_option("#page_wiki", "yowiki")
    page.fill("#page_title", event_title)
    page.fill("#name", "Browser edit-a-thon")
    page.fill("#start", "2026-11-20T10:00")
    page.fill("#end", "2026-12-20T16:00")
    page.select_option("#timezone", "Africa/Lagos")
    page.select_option("#format", "in-person")
    page.fill("#location", "Yaba Library, Lagos")
    page.fill("#coordinates", "6.5095, 3.3711")
    page.select_option("#wiki", "yowiki")
    page.click("button[value=preview]")
    page.wait_for_selector(".preview .wiki-html")
    assert "Browser edit-a-thon" in page.inner_text(".preview")
    page.screenshot(path=str(screenshots / "event-form-en.png"), full_page=True)
    page.click("button[value=save]")
    page.wait_for_selector("text=Saved on the wiki.")

    assert refresh.wait_until_idle(120)
    hub_page = f"{web_settings.hub.index_url}?title={quote(campaign)}"
    wait_for_text(page, hub_page, "Browser edit-a-thon", 90)

    page.goto(f"{base}/campaign/{quote(campaign)}")
    page.wait_for_selector("#map[data-markers='1']")
    page.screenshot(path=str(screenshots / "dashboard-en.png"), full_page=True)
    context.close()

    participant = browser.new_context(locale="ar", viewport={"width": 412, "height": 915})
    local_only(participant, foreign)
    page = participant.new_page()
    keyboard_login(page, base, BOLA, accounts.users[BOLA])
    assert page.get_attribute("html", "dir") == "rtl"  # Accept-Language: ar
    page.goto(f"{base}/event/yowiki/{quote(event_title)}")
    page.click("button:has-text('سجّل')")
    page.wait_for_selector("text=أنت مسجّل. أهلًا بك!")
    assert "Bola Participant" in human("yowiki", ADA).text(event_title)
    page.goto(f"{base}/campaign/{quote(campaign)}")
    page.wait_for_selector("#map[data-markers='1']")
    page.screenshot(path=str(screenshots / "dashboard-ar.png"), full_page=True)
    participant.close()

    organizer_ar = browser.new_context(locale="ar", viewport={"width": 412, "height": 915})
    local_only(organizer_ar, foreign)
    page = organizer_ar.new_page()
    keyboard_login(page, base, ADA, accounts.users[ADA])
    page.goto(f"{base}/campaign/{quote(campaign)}/add-event")
    page.fill("#start", "2027-13-45T10:00")
    page.click("button[value=preview]")
    page.wait_for_selector("#start-error")
    assert page.get_attribute("#start", "aria-invalid") == "true"
    page.screenshot(path=str(screenshots / "event-form-ar.png"), full_page=True)
    organizer_ar.close()
    assert foreign == []
