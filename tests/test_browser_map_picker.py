"""Picking an event's coordinates on the map (issue 14), in Chromium.

With a tile server configured, the event form offers a button that loads
Leaflet (only then) and fills the coordinates field from a click on the map,
or from the map's centre for someone using the keyboard. The tiles here are an
image served by the app itself, so the browser still talks to 127.0.0.1 only.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from tests.test_browser_organizer import browser, keyboard_login, local_only  # noqa: F401
from tests.test_web_wiki import ADA, make_campaign
from tests.web_support import free_port, web_settings_for

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

COORDINATES = re.compile(r"^-?\d+\.\d{5}, -?\d+\.\d{5}$")


@pytest.fixture
def app_with_tiles(settings, tmp_path, redis_url):
    from webservice.app import create_app

    tiles = "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    configured = web_settings_for(settings, tmp_path, redis_url, tile_url=tiles)
    app = create_app(configured, retry_worker=False)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}", configured
    server.shutdown()


def test_coordinates_are_picked_on_the_map_by_click_or_keyboard(
    browser,  # noqa: F811
    app_with_tiles,
    human,
    accounts,
    unique_title,
):
    base, settings = app_with_tiles
    campaign = unique_title("Map campaign")
    make_campaign(settings, human, campaign)
    foreign: list[str] = []
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    local_only(context, foreign)
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    keyboard_login(page, base, ADA, accounts.users[ADA])
    page.goto(f"{base}/campaign/{quote(campaign)}/add-event")
    assert not any("leaflet" in url for url in scripts)  # not loaded until asked for
    page.click("#pick-map button[data-action=open]")
    page.wait_for_selector("#pick-map[data-ready=yes]")
    assert any("leaflet" in url for url in scripts)

    page.click("#pick-map .map", position={"x": 120, "y": 80})
    clicked = page.input_value("#coordinates")
    assert COORDINATES.match(clicked), clicked

    page.focus("#pick-map .map")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.focus("#pick-map button[data-action=centre]")
    page.keyboard.press("Enter")
    centred = page.input_value("#coordinates")
    assert COORDINATES.match(centred) and centred != clicked

    with page.expect_navigation():
        page.click("button[value=preview]")
    assert page.locator("#coordinates-error").count() == 0  # the server read what was picked
    assert page.input_value("#coordinates") == centred
    context.close()
    assert foreign == []
