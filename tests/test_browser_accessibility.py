"""Accessibility in a real browser: axe-core on every page, in every interface language.

axe-core comes from the npm registry, pinned in ``tests/js/package-lock.json``
and installed by ``scripts/bootstrap.sh`` (``npm ci``); it is injected as an
init script, so the pages' own Content-Security-Policy stays on. Every page
an organizer or a participant meets — read pages, forms (empty and with
errors), the login, status and error pages — must have **0 violations** in
English, Arabic (right-to-left) and Yoruba. Each form is also walked with the
keyboard alone: Tab reaches every field and button in order, each shows a
visible focus ring, and Enter in a field sends the form.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from campaignkit.manifest import load_manifest
from campaignkit.wikitext.templates import render_call
from tests.test_browser_organizer import browser, keyboard_login, local_only  # noqa: F401
from tests.test_web_wiki import ADA, make_campaign

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "ar", "yo")
FOCUSABLE = "input:not([type=hidden]), select, textarea, button"


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each."""
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
    ]


FULL_EVENT = {
    "name": "Ìpàdé Èkó: Wiki for Human Rights.",
    "start": "2026-11-20 10:00",
    "end": "2026-12-20 16:00",
    "timezone": "Africa/Lagos",
    "format": "hybrid",
    "location": "Yaba Library, Lagos",
    "coordinates": "6.5095, -3.3711",
    "country": "NG",
    "language": "yo",
    "wiki": "yowiki",
    "organizers": ADA,
    "hashtag": "WikiForHumanRights_environment",
    "meeting_link": "https://meet.example.org/lagos",
    "description": "Bring a laptop.\nWe start with a short training.",
}


def make_full_event(settings, human, title: str, campaign: str) -> None:
    """An event page with every field of ``{{Campaign event}}`` filled in."""
    manifest = load_manifest("yowiki", settings.wiki("yowiki").lang)
    call = render_call(manifest.template("campaign_event"), {"campaign": campaign, **FULL_EVENT})
    human("yowiki", ADA).edit(
        title, f"{call}\n\n== Sign up ==\n{{{{Campaign bot region|participants}}}}\n"
    )


@pytest.fixture
def campaign_with_event(web_settings, human, unique_title):
    """A campaign, one in-person event on yowiki with every field, synced by the bot."""
    from bot.sync.job import SyncJob
    from campaignkit.wiki.connection import WikiFarm

    campaign = unique_title("A11y campaign")
    make_campaign(web_settings, human, campaign)
    event = unique_title("A11y event")
    make_full_event(web_settings, human, event, campaign)
    farm = WikiFarm(web_settings)
    try:
        SyncJob(farm, web_settings).run(targets=[event], wiki="yowiki")
    finally:
        farm.close()
    return campaign, event


def test_every_page_has_no_axe_violations_in_every_language(
    browser,  # noqa: F811
    served_app,
    accounts,
    campaign_with_event,
):
    assert AXE.exists(), "axe-core is missing: run scripts/bootstrap.sh (npm ci in tests/js)"
    campaign, event = campaign_with_event
    base = served_app.url
    c, e = quote(campaign), quote(event)
    pages = {
        "campaigns": "/",
        "dashboard": f"/campaign/{c}",
        "event": f"/event/yowiki/{e}",
        "status": "/status",
        "not found": "/campaign/No%20such%20campaign%20at%20all",
    }
    organizer_pages = {
        "add event": f"/campaign/{c}/add-event",
        "new campaign": "/new/campaign",
        "new worklist": "/new/worklist",
        "edit event": f"/event/yowiki/{e}/edit",
        "edit campaign": f"/campaign/{c}/edit",
        "my submissions": "/my-submissions",
    }
    found: list[str] = []
    foreign: list[str] = []
    for language in LANGUAGES:
        context = browser.new_context(locale=language, viewport={"width": 412, "height": 915})
        local_only(context, foreign)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.goto(f"{base}/login")
        found += [f"[{language}] login: {v}" for v in axe_violations(page)]
        for name, path in pages.items():
            page.goto(base + path)
            if name == "dashboard":
                page.wait_for_selector("#map[data-markers='1']")
            found += [f"[{language}] {name}: {v}" for v in axe_violations(page)]
        keyboard_login(page, base, ADA, accounts.users[ADA])
        for name, path in organizer_pages.items():
            page.goto(base + path)
            found += [f"[{language}] {name}: {v}" for v in axe_violations(page)]
        # a form showing its errors
        page.goto(f"{base}/new/campaign")
        page.fill("#start", "2027-13-45")
        page.click("button[value=preview]")
        page.wait_for_selector("#start-error")
        found += [f"[{language}] form with errors: {v}" for v in axe_violations(page)]
        context.close()
    assert found == [], "\n".join(found)
    assert foreign == []


def _walk(page) -> list[str]:
    """Tab from the top of the page until focus leaves the form; the ids reached, in order."""
    page.focus("main")
    reached: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || !el.closest('main form[method=post]:not(.inline)')) return null;
                const style = getComputedStyle(el);
                // a date input's calendar button (inside its shadow tree) draws its
                // own ring, and the input itself no longer matches :focus there
                const inner = el.type && el.type.startsWith('date') && !el.matches(':focus');
                const ring = inner || (style.outlineStyle !== 'none'
                                       && parseFloat(style.outlineWidth) > 0);
                return {id: el.id || el.name + '=' + el.value, ring};
            }"""
        )
        if focused is None:
            if reached:
                break
            continue
        assert focused["ring"], f"{focused['id']} has no visible focus ring"
        if not reached or reached[-1] != focused["id"]:  # a date input's parts: one field
            reached.append(focused["id"])
    return reached


def test_each_form_is_walked_with_the_keyboard_alone(
    browser,  # noqa: F811
    served_app,
    accounts,
    campaign_with_event,
):
    campaign, event = campaign_with_event
    base = served_app.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    keyboard_login(page, base, ADA, accounts.users[ADA])
    forms = [
        f"/campaign/{quote(campaign)}/add-event",
        "/new/campaign",
        "/new/worklist",
        f"/event/yowiki/{quote(event)}/edit",
        f"/campaign/{quote(campaign)}/edit",
    ]
    for path in forms:
        page.goto(base + path)
        expected = page.eval_on_selector_all(
            f"main form[method=post]:not(.inline) :is({FOCUSABLE})",
            "els => els.filter(el => !el.disabled && el.offsetParent !== null)"
            ".map(el => el.id || el.name + '=' + el.value)",
        )
        assert _walk(page) == expected, path
        # Enter in the first text field sends the form (its first button: preview)
        page.focus(
            "main form[method=post]:not(.inline) input[type=text], main form input:not([type])"
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.startswith(base + path.split("?")[0])
    context.close()


X_OF = """([selector, text]) => {
    // the x position of the first character of ``text`` inside the element, as drawn
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(text);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            return range.getBoundingClientRect().left;
        }
    }
    throw new Error(`${text} not found in ${selector}`);
}"""


def test_left_to_right_runs_keep_their_order_on_arabic_pages(
    browser,  # noqa: F811
    served_app,
    campaign_with_event,
):
    """Hashtags, coordinates, dates, user names and an English description read left to right."""
    _campaign, event = campaign_with_event
    context = browser.new_context(locale="ar", viewport={"width": 900, "height": 900})
    page = context.new_page()
    page.goto(f"{served_app.url}/event/yowiki/{quote(event)}")
    assert page.get_attribute("html", "dir") == "rtl"

    def before(selector: str, first: str, second: str) -> None:
        left = page.evaluate(X_OF, [selector, first])
        right = page.evaluate(X_OF, [selector, second])
        assert left < right, f"in {selector}, {first!r} is drawn after {second!r}"

    before("bdi.hashtag", "#", "W")  # not "…environment#"
    before("bdi.coordinates", "6.5095", "-3.3711")  # not "3.3711- ,6.5095"
    before("bdi.coordinates", "-", "3.3711")
    before("bdi.when", "2026-11-20", "2026-12-20")
    before("bdi.user", "Ada", "Organizer")
    before("p.description", "Bring", ".")  # the full stop stays at the end
    description = page.inner_text("p.description")
    assert description.splitlines() == ["Bring a laptop.", "We start with a short training."]
    context.close()


def test_first_view_of_the_dashboard_is_under_100_kb(
    browser,  # noqa: F811
    served_app,
    campaign_with_event,
):
    """Everything a first visit transfers (compressed), map code and event data included."""
    campaign, _event = campaign_with_event
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{served_app.url}/campaign/{quote(campaign)}")
    page.wait_for_selector("#map[data-markers='1']")
    sizes = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize])"""
    )
    transferred = sum(size for _name, size, _encoded, _decoded in sizes)
    assert transferred < 100 * 1024, sizes
    leaflet = [s for s in sizes if "leaflet" in s[0] and s[0].endswith(".js")]
    assert leaflet and leaflet[0][2] < leaflet[0][3] / 2  # sent compressed
    context.close()
