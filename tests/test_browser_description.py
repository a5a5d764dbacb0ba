"""A description's line breaks reach the wiki page as line breaks, with no injection (issue 14).

The organizer types lines in the form; the codec stores them as newlines
(escaping line starts such as ``*`` and ``==``), and the templates show the
description with ``white-space: pre-line``. Chromium reads the rendered wiki
page: the lines come back one per line, and no list item or heading appears.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.test_browser_organizer import browser, local_only  # noqa: F401
from tests.test_web_wiki import ADA, _submission_id
from tests.web_support import log_in, post_form

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

LINES = ["Bring a laptop.", "* not a list item", "== not a heading ==", "", "After a blank line."]


def test_description_lines_show_as_lines_on_the_wiki(
    browser,  # noqa: F811
    client,
    accounts,
    web_settings,
    unique_title,
):
    log_in(client, ADA, accounts.users[ADA])
    title = unique_title("Described campaign")
    saved = post_form(
        client,
        "/new/campaign",
        {
            "page_title": title,
            "name": "Described",
            "start": "2027-04-15",
            "end": "2027-05-15",
            "organizers": ADA,
            "description": "\n".join(LINES),
            "action": "save",
        },
    )
    _submission_id(saved)
    foreign: list[str] = []
    context = browser.new_context()
    local_only(context, foreign)
    page = context.new_page()
    page.goto(f"{web_settings.hub.index_url}?title={quote(title)}")
    cell = page.locator("td", has_text="Bring a laptop.").last
    assert cell.inner_text().split("\n") == LINES
    assert page.locator(".mw-parser-output li, .mw-parser-output h2").count() == 0
    context.close()
    assert foreign == []
