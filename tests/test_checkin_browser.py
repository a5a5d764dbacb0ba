"""Check-in on a phone-sized screen in a real browser, with the wiki turning read-only halfway.

Debian's Chromium (headless, Playwright) with JavaScript **off** and a 360 px
wide viewport: the organizer finds a name with the search box, taps it, and
sees it saved on the wiki; then the hub wiki goes read-only (the conditions
proxy answers every edit with MediaWiki's ``readonly``), and the next tap and
a walk-in are kept, shown as "being saved"; once the wiki is writable again
the retry saves each exactly once. axe-core finds no violation on the page.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from tests.proxy_support import pywikibot_isolated
from tests.test_browser_accessibility import AXE, axe_violations
from tests.test_browser_organizer import (  # noqa: F401
    browser,
    keyboard_login,
    local_only,
    screenshots,
)
from tests.test_web_wiki import ADA, BOLA
from tests.web_support import free_port, web_settings_for

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.proxy_support", "tests.web_support")
CHIDI = "Chidi Coordinator"
PHONE = {"width": 360, "height": 740}


def attended_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "attended=yes" in line]


def test_check_in_on_a_phone_without_javascript_with_the_wiki_read_only_halfway(
    browser,  # noqa: F811
    proxied_wikis,
    tmp_path,
    redis_url,
    accounts,
    human,
    unique_title,
    screenshots,  # noqa: F811
):
    from webservice import refresh
    from webservice.app import create_app

    settings = web_settings_for(proxied_wikis.settings, tmp_path, redis_url)
    title = unique_title("Door browser event")
    ada_wiki = human("metawiki", ADA)
    ada_wiki.edit(
        title,
        "{{Campaign event|campaign=Door campaign|name=Lagos door|start=2026-11-20 10:00"
        f"|end=2026-12-20 16:00|format=in-person|wiki=metawiki|organizers={ADA}|capacity=2}}}}\n"
        f"\n== Sign up ==\n* {{{{Participant|{BOLA}}}}}\n* {{{{Participant|{CHIDI}}}}}\n"
        "* {{Participant|Admin}}\n",
    )
    hub = proxied_wikis["metawiki"]
    with pywikibot_isolated(set(proxied_wikis.proxies)):  # the app's bot refreshes go through it
        app = create_app(settings, retry_worker=False)
        server = make_server("127.0.0.1", free_port(), app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        foreign: list[str] = []
        try:
            context = browser.new_context(locale="en-GB", viewport=PHONE, java_script_enabled=False)
            local_only(context, foreign)
            page = context.new_page()
            keyboard_login(page, base, ADA, accounts.users[ADA])
            page.goto(f"{base}/event/metawiki/{quote(title)}")
            page.click("a:has-text('Check-in')")
            page.wait_for_selector("#checkin-list")
            assert "0 of 3 checked in" in page.inner_text("#checkin-count")
            assert "waitlisted, place 1" in page.inner_text("li[data-user='Admin']")
            for button in page.locator(".checkin-button").all():
                box = button.bounding_box()
                assert box["height"] >= 48 and box["x"] + box["width"] <= PHONE["width"]
            for row in page.locator(".checkin-person").all():
                box = row.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

            page.fill("#q", "chidi")
            page.press("#q", "Enter")
            page.wait_for_url("**/checkin?q=chidi")
            assert page.locator(".checkin-person").count() == 1
            page.click(f"li[data-user='{CHIDI}'] button")
            page.wait_for_selector(f"text={CHIDI} is checked in.")
            assert "?q=chidi" in page.url  # back to the same search
            assert attended_lines(ada_wiki.text(title)) == [
                f"* {{{{Participant|{CHIDI}|attended=yes}}}}"
            ]
            page.screenshot(path=str(screenshots / "checkin-phone.png"), full_page=True)

            # Halfway through, the wiki goes read-only for maintenance.
            read_only = hub.inject("readonly", actions=["edit"], reason="Database maintenance")
            page.click("a:has-text('Show everyone')")
            page.click(f"li[data-user='{BOLA}'] button")
            page.wait_for_selector(f"text={BOLA} is checked in. The wiki does not answer")
            assert "being saved" in page.inner_text(f"li[data-user='{BOLA}']")
            page.fill("#walkin-user", ADA)  # a walk-in
            page.click("#walkin-form button")
            page.wait_for_selector(f"text={ADA} is checked in. The wiki does not answer")
            assert "being saved" in page.inner_text(f"li[data-user='{ADA}']")
            assert "3 of 4 checked in" in page.inner_text("#checkin-count")
            assert read_only.fired >= 2
            assert len(attended_lines(ada_wiki.text(title))) == 1  # nothing saved meanwhile
            page.screenshot(path=str(screenshots / "checkin-read-only.png"), full_page=True)

            # The wiki is back; the retry (worker or `campaignkit web retry`) saves each once.
            read_only.clear()
            with journal.engine(settings).begin() as connection:  # as if the back-off had passed
                connection.execute(
                    update(journal.submissions_table).values(
                        next_attempt_at=journal.now() - timedelta(seconds=1)
                    )
                )
            web = app.config["CAMPAIGNKIT_WEB"]
            assert submissions.retry_due(settings, web) == {"saved": 2}
            assert submissions.retry_due(settings, web) == {}
            page.goto(f"{base}/event/metawiki/{quote(title)}/checkin")
            assert "3 of 4 checked in" in page.inner_text("#checkin-count")  # Admin waits
            assert page.locator("text=✓ Checked in").count() == 3
            lines = attended_lines(ada_wiki.text(title))
            assert sorted(lines) == sorted(
                [
                    f"* {{{{Participant|{BOLA}|attended=yes}}}}",
                    f"* {{{{Participant|{CHIDI}|attended=yes}}}}",
                    f"{{{{Participant|{ADA}|attended=yes}}}}",
                ]
            )
            checked = [r for r in ada_wiki.history(title) if "Checking in" in r["comment"]]
            assert len(checked) == 3  # one edit per person, none twice
            context.close()

            # The page passes axe-core (a context with JavaScript, for axe itself).
            audit = browser.new_context(locale="en-GB", viewport=PHONE)
            local_only(audit, foreign)
            audit.add_init_script(path=str(AXE))
            page = audit.new_page()
            keyboard_login(page, base, ADA, accounts.users[ADA])
            page.goto(f"{base}/event/metawiki/{quote(title)}/checkin?q=ada")
            assert axe_violations(page) == []
            audit.close()
            assert foreign == []
        finally:
            assert refresh.wait_until_idle(120)
            server.shutdown()
