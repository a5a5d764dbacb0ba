"""A newcomer's account in a real browser, against local wikis that ask a captcha.

Debian's Chromium (headless, Playwright) drives the newcomers' page served on a
real port: the organizer reads the wiki's question as text, answers it wrong,
finds what was typed still there and a new question, answers it right, and
sees the newcomer created and signed up. Screenshots in English and Arabic go
to ``$CAMPAIGNKIT_SCREENSHOTS`` (default: the test's temporary directory).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from tests.test_browser_organizer import browser, keyboard_login, local_only, screenshots
from tests.test_newcomer_wiki import app, app_settings, event, newcomer_name, signups, wikis
from tests.web_support import free_port

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)
__all__ = ["app", "app_settings", "browser", "event", "screenshots", "wikis"]  # fixtures


@pytest.fixture
def served(app) -> Iterator[str]:
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_organizer_answers_the_wikis_question_in_the_browser(
    browser, served, wikis, event, screenshots
):
    foreign: list[str] = []
    context = browser.new_context(locale="en-GB", viewport={"width": 412, "height": 915})
    local_only(context, foreign)
    page = context.new_page()
    keyboard_login(page, served, wikis.organizer, wikis.password(wikis.organizer))
    url = f"{served}/event/yowiki/{quote(event)}/newcomers"
    page.goto(url)
    assert page.inner_text("#captcha-question") == wikis.question
    assert "accepts about 6 new accounts a day" in page.inner_text("#newcomer-limits")
    page.screenshot(path=str(screenshots / "newcomers-en.png"), full_page=True)

    name = newcomer_name()
    page.fill("#username", name)
    page.fill("#password", "pw-browser-newcomer")
    page.fill("#password_again", "pw-browser-newcomer")
    page.fill("#captcha_word", "Britannica")
    page.click("#newcomer-form button[type=submit]")
    page.wait_for_selector("#newcomer-problem")
    assert "not right" in page.inner_text("#newcomer-problem")
    assert page.input_value("#username") == name
    assert page.input_value("#password") == "pw-browser-newcomer"
    assert page.input_value("#captcha_word") == ""
    page.screenshot(path=str(screenshots / "newcomers-wrong-answer-en.png"), full_page=True)

    page.fill("#captcha_word", wikis.answer)
    page.click("#newcomer-form button[type=submit]")
    page.wait_for_selector(f"li[data-user='{name}'].state-signed-up")
    assert page.input_value("#username") == ""  # an empty form for the next newcomer
    assert signups(wikis, event, name) == 1
    context.close()

    arabic = browser.new_context(locale="ar", viewport={"width": 412, "height": 915})
    local_only(arabic, foreign)
    page = arabic.new_page()
    keyboard_login(page, served, wikis.organizer, wikis.password(wikis.organizer))
    page.goto(url)
    assert page.get_attribute("html", "dir") == "rtl"
    assert "عنوان خادم هذه الأداة" in page.inner_text("#newcomer-limits")
    page.screenshot(path=str(screenshots / "newcomers-ar.png"), full_page=True)
    arabic.close()
    assert foreign == []
