"""/events in a real browser (Debian's Chromium): filter with the form, see the map follow.

Also an affiliate's website, served from another origin, showing the embedded
list in an ``<iframe>``: the browser must render it (every other page of the
tool refuses to be framed).
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from tests.calendar_support import Movement, calendar_sync
from tests.test_browser_accessibility import AXE, axe_violations
from tests.test_browser_organizer import browser, local_only  # noqa: F401

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


@pytest.fixture
def movement(farm, settings, tmp_path, redis_url, human, unique_title):
    movement = Movement(human, unique_title)
    summary = calendar_sync(farm, settings, tmp_path, redis_url)().run(
        [movement.parent, movement.child]
    )
    assert not summary.errors, summary.lines()
    return movement


@pytest.fixture
def affiliate_site(tmp_path, served_app, movement):
    """Another origin (its own port) whose page embeds the list of the movement's events."""
    source = f"{served_app.url}/embed/events?campaign={quote(movement.parent)}&limit=5"
    (tmp_path / "index.html").write_text(
        f'<!doctype html><title>Affiliate</title><h1>Our events</h1><iframe id="events" '
        f'src="{source}" title="events" width="600" height="400"></iframe>',
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def rows(page) -> list[str]:
    return page.locator("tr.calendar-event").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-event'))"
    )


def test_filter_events_with_the_form_and_the_map_follows(
    browser,  # noqa: F811
    served_app,
    movement,
):
    context = browser.new_context()
    context.add_init_script(path=str(AXE))
    foreign: list[str] = []
    local_only(context, foreign)
    page = context.new_page()
    page.goto(f"{served_app.url}/events")
    page.select_option("#filter-campaign", movement.parent)
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/events?*campaign=*")
    assert rows(page) == [f"metawiki:{movement.online}", f"yowiki:{movement.lagos}"]
    page.wait_for_selector("#map[data-markers]")
    assert page.get_attribute("#map", "data-markers") == "1"  # only Lagos has coordinates
    assert axe_violations(page) == []

    # Narrow to Nigeria: the form keeps the campaign, the list and the map follow.
    assert page.input_value("#filter-campaign") == movement.parent
    page.select_option("#filter-country", "NG")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**country=NG*")
    assert rows(page) == [f"yowiki:{movement.lagos}"]
    assert "Nigeria" in page.inner_text("tr.calendar-event")
    page.select_option("#filter-format", "online")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**format=online*")
    assert rows(page) == []
    assert page.locator("#map").count() == 0  # no event, no map
    assert axe_violations(page) == []
    assert not foreign, foreign
    context.close()


def test_an_affiliate_site_shows_the_embedded_list(browser, affiliate_site, movement):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(affiliate_site)
    frame = page.frame_locator("#events")
    frame.locator("li.calendar-event").first.wait_for()
    names = frame.locator("li.calendar-event a").all_inner_texts()
    assert names == ["Online ''session''", f"Lagos {movement.id}"]
    assert context.cookies() == []  # the embed set none, even on its own origin
    context.close()
