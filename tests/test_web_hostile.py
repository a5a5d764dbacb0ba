"""The hostile-input corpus through every form field, checked on the real wiki.

Each value of ``tests/hostile_inputs.py`` goes into every field of the event
and campaign forms. A value a field's check refuses must come back as an error
on that very field, with nothing journaled or written. A value it accepts is
saved for real, as the organizer; then ``action=parse`` of the saved page must
show no template, category, external link, interwiki, section or HTML element
that the same page with plain values does not have (links only to the
titles or users the field itself names), and the page must read back exactly
the value the form accepted.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from campaignkit.contract import TEMPLATES, Kind
from campaignkit.manifest import load_manifest
from campaignkit.model import read_campaign, read_event
from campaignkit.submissions import journal
from campaignkit.validation import InvalidValue, format_value, parse_value
from tests.hostile_inputs import HOSTILE_INPUTS, URL_INPUTS
from tests.test_web_wiki import ADA, make_campaign
from tests.web_support import csrf_token, log_in, web_settings_for
from webservice.field_limits import limit_for
from webservice.form_checks import clean_hashtag, hashtag_problem

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)

VALUES = [h.value for h in HOSTILE_INPUTS]
LINKING_KINDS = (Kind.TITLE, Kind.USERS, Kind.USER)


class Tags(HTMLParser):
    """The set of HTML element names in a parsed page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)


def tag_names(html: str) -> set[str]:
    parser = Tags()
    parser.feed(html)
    return parser.names


def accepted(spec, value: str, wiki_ids) -> str | None:
    """What the form stores for a value, or None when the field refuses it."""
    try:
        typed = parse_value(
            spec,
            value.replace("T", " ", 1) if spec.kind is Kind.DATETIME else value,
            wiki_ids=wiki_ids,
        )
    except InvalidValue:
        return None
    if typed is None:
        return None if spec.required else ""
    return format_value(spec, typed)


def accepted_by_form(template: str, field: str, value: str, settings, known_users) -> str | None:
    """What the organizers' form stores: the contract's check plus the web's own rules.

    The form also limits each field's length, keeps hashtags to letters, digits
    and _ (dropping a typed #), and takes only organizers that have an account
    (issue 14), so hostile names in those fields are refused, not stored.
    """
    limit = limit_for(template, field)
    if limit is not None and len(value) > limit:
        return None
    spec = TEMPLATES[template].field(field)
    if field == "hashtag":
        value = clean_hashtag(value)
        if hashtag_problem(value):
            return None
    stored = accepted(spec, value, settings.wikis)
    names = parse_value(spec, stored) if field == "organizers" and stored else ()
    if any(name not in known_users for name in names):
        return None
    return stored


def page_title_refused(value: str) -> bool:
    """What a new page's title may not be: markup characters, ~~~, %-codes, other namespaces."""
    if re.search(r"[#<>\[\]|{}]|~~~|%[0-9A-Fa-f]{2}", value) or value.strip().startswith(":"):
        return True
    prefix = value.partition(":")[0].strip().lower()
    return ":" in value and prefix in (
        "category",
        "file",
        "template",
        "user",
        "mediawiki",
        "module",
    )


def parse_report(api, title: str) -> dict:
    answer = api.get(
        action="parse",
        page=title,
        prop="templates|links|categories|externallinks|iwlinks|langlinks|sections|text",
        disablelimitreport="1",
    )["parse"]
    return {
        "templates": {t["title"] for t in answer["templates"]},
        "links": {link["title"] for link in answer["links"]},
        "categories": {c["category"] for c in answer["categories"]},
        "externallinks": sorted(answer["externallinks"]),
        "iwlinks": len(answer["iwlinks"]) + len(answer["langlinks"]),
        "sections": len(answer["sections"]),
        "tags": tag_names(answer["text"]),
    }


def _key(title: str) -> str:
    """A title as MediaWiki normalizes it: no LRM/RLM, spaces, first letter capital."""
    title = re.sub(r"[\u200e\u200f\u202a-\u202e]", "", title)
    title = " ".join(title.split())
    title = re.sub(r"^(User|Template|Module):", "", title.replace("_", " "))
    return title[:1].upper() + title[1:]


@pytest.fixture
def hostile_client(settings, tmp_path, redis_url, accounts):
    from webservice.app import create_app

    web_settings = web_settings_for(settings, tmp_path, redis_url, cache_seconds=300)
    web_settings = __import__("dataclasses").replace(
        web_settings, web={**web_settings.web, "write_limit": "10000 per minute"}
    )
    client = create_app(web_settings, retry_worker=False).test_client()
    # Hundreds of saves: as the wiki's administrator, whose account has MediaWiki's
    # noratelimit right, so that the shared organizer account keeps its edit budget
    # (90 edits a minute) for the other tests that run against the same wikis.
    log_in(client, accounts.admin_user, accounts.admin_password)
    return client, web_settings


def logged_in_client(app, accounts):
    client = app.test_client()
    log_in(client, accounts.admin_user, accounts.admin_password)
    return client


FORMS = {
    "campaign_event": {
        "fixed": {
            "page_wiki": "yowiki",
            "name": "Plain event",
            "start": "2026-11-20T10:00",
            "end": "2026-12-20T16:00",
            "timezone": "UTC",
            "format": "hybrid",
            "location": "Yaba",
            "wiki": "yowiki",
            "organizers": ADA,
            "signup": "open",
            "hashtag": "Plain",
            "description": "Plain\nsecond line\nthird line",
            "meeting_link": "https://meet.example.org/plain",
            "coordinates": "6.5, 3.3",
            "country": "NG",
            "language": "yo",
        },
        "rotated": ["name", "location", "hashtag", "description", "organizers", "worklist"],
        "refused_only": ["start", "end", "timezone", "coordinates", "country", "language"],
        "wiki": "yowiki",
    },
    "campaign": {
        "fixed": {
            "name": "Plain campaign",
            "start": "2027-01-01",
            "end": "2027-12-31",
            "hashtag": "Plain",
            "topic": "Plain",
            "organizers": ADA,
            "description": "Plain\nsecond line\nthird line",
        },
        "rotated": ["name", "hashtag", "topic", "description"],
        "refused_only": ["start", "end"],
        "wiki": "metawiki",
    },
}


def _url(template: str, campaign: str) -> str:
    return f"/campaign/{campaign}/add-event" if template == "campaign_event" else "/new/campaign"


def _read(template, text, title, settings, wiki):
    manifest = load_manifest(wiki, settings.wiki(wiki).lang)
    if template == "campaign":
        return read_campaign(text, title=title, wiki=wiki, manifest=manifest).strict()
    return read_event(
        text, title=title, wiki=wiki, manifest=manifest, wiki_ids=settings.wikis, hub_id="metawiki"
    ).strict()


@pytest.mark.parametrize("template", ["campaign_event", "campaign"])
def test_hostile_corpus_through_every_field(
    template, hostile_client, human, accounts, unique_title
):
    client, settings = hostile_client
    form = FORMS[template]
    spec = TEMPLATES[template]
    wiki = form["wiki"]
    campaign = unique_title("Hostile campaign")
    make_campaign(settings, human, campaign)
    url = _url(template, campaign)
    token = csrf_token(client.get(url).text)
    base = {**form["fixed"]}
    if template == "campaign_event":
        base["campaign"] = campaign
    known_users = {*accounts.users, accounts.admin_user}

    def submit(values: dict, action: str = "save"):
        return client.post(
            url,
            data={
                "csrf_token": token,
                "page_title": unique_title("Hostile"),
                **values,
                "action": action,
            },
        )

    # 1. every refused value comes back as an error on its own field, nothing written
    refused = 0
    for field in form["rotated"] + form["refused_only"] + ["page_title"]:
        field_spec = spec.field(field) if field != "page_title" else None
        for value in VALUES:
            if (
                field_spec is not None
                and accepted_by_form(template, field, value, settings, known_users) is not None
            ):
                continue
            if field_spec is None and not page_title_refused(value):
                continue
            data = {**base, field: value}
            answer = client.post(
                url,
                data={
                    "csrf_token": token,
                    "page_title": unique_title("Hostile"),
                    **data,
                    "action": "save",
                },
            )
            assert answer.status_code == 400, (field, value)
            assert f'id="{field}-error"' in answer.text, (field, value)
            refused += 1
    assert journal.for_user(settings, accounts.admin_user) == []
    assert refused > 100

    # 2. a baseline page with plain values
    api = human(wiki, ADA)
    baseline_title = unique_title("Hostile baseline")
    answer = client.post(
        url, data={"csrf_token": token, "page_title": baseline_title, **base, "action": "save"}
    )
    assert answer.status_code == 302, answer.text[:2000]
    baseline = parse_report(api, baseline_title)

    # 3. accepted values, rotated so that every field gets every value once;
    #    four organizers' browsers at a time (the local wiki serves four requests at once)
    columns = form["rotated"]
    urls = [u.value for u in URL_INPUTS]
    clients = [client] + [logged_in_client(client.application, accounts) for _ in range(3)]
    tokens = [csrf_token(c.get(url).text) for c in clients]

    def check_row(row: int) -> None:
        values = dict(base)
        expected: dict[str, str] = {}
        for column, field in enumerate(columns):
            candidate = VALUES[(row + 7 * column) % len(VALUES)]
            stored = accepted_by_form(template, field, candidate, settings, known_users)
            if stored is not None and stored != "":
                values[field] = candidate
                expected[field] = stored
        if template == "campaign_event":
            values["meeting_link"] = urls[row % len(urls)]
            expected["meeting_link"] = urls[row % len(urls)]
        title = unique_title("Hostile")
        answer = clients[row % 4].post(
            url,
            data={"csrf_token": tokens[row % 4], "page_title": title, **values, "action": "save"},
        )
        assert answer.status_code == 302, (values, answer.text[:3000])
        submission_id = answer.headers["Location"].rsplit("/", 1)[1]
        assert journal.get(settings, submission_id).status == journal.SAVED
        text = api.text(title)
        assert "~~~" not in text
        model = _read(template, text, title, settings, wiki)
        for field, stored in expected.items():
            assert format_value(spec.field(field), getattr(model, field)) == stored, (field, stored)
        report = parse_report(api, title)
        named = {
            _key(part)
            for f in columns
            if spec.field(f).kind in LINKING_KINDS and f in expected
            for t in re.split(r",\s*", expected[f])
            for part in (t, t.partition(":")[2])
        }
        assert report["templates"] <= baseline["templates"], (values, report["templates"])
        assert report["categories"] <= baseline["categories"], values
        allowed = [
            re.match(r"https?://[^/]+/", expected.get("meeting_link", "")),
            re.match(r"https://hashtags[^?]+\?query=", next(iter(baseline_hashtags), "")),
        ]
        extra = set(report["externallinks"]) - set(baseline["externallinks"])
        for link in extra:
            assert any(m and link.startswith(m.group(0)) for m in allowed), (values, link)
        assert report["iwlinks"] <= baseline["iwlinks"], values
        assert report["sections"] == baseline["sections"], values
        # a description's line breaks are shown as <br> by the template (Module:Campaignkit
        # lines): the template's own markup, the only tag a value may bring out
        line_breaks = {"br"} if "\n" in values.get("description", "") else set()
        extra_tags = report["tags"] - baseline["tags"] - line_breaks
        assert not extra_tags, (values, extra_tags)
        extra_links = {
            link
            for link in report["links"] - baseline["links"]
            if _key(link) not in named and _key(link.partition(":")[2]) not in named
        }
        assert not extra_links, (values, extra_links)

    baseline_hashtags = [u for u in baseline["externallinks"] if "hashtags" in u]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(check_row, range(len(VALUES))))


def test_hostile_corpus_through_the_worklist_and_newcomer_forms(
    hostile_client, human, accounts, unique_title
):
    client, settings = hostile_client
    spec = TEMPLATES["worklist"]
    url = "/new/worklist"
    token = csrf_token(client.get(url).text)
    base = {"page_wiki": "metawiki", "wiki": "yowiki", "titles": "Lagos"}
    fields = [
        "titles",
        "category",
        "links_from",
        "minus_category",
        "minus_titles",
        "depth",
        "limit",
    ]
    refused = 0
    for field in fields:
        for value in VALUES:
            if accepted(spec.field(field), value, settings.wikis) is not None:
                continue
            data = {**base, field: value} if field != "titles" else {**base, "titles": value}
            answer = client.post(
                url,
                data={
                    "csrf_token": token,
                    "page_title": unique_title("Hostile"),
                    **data,
                    "action": "save",
                },
            )
            assert answer.status_code == 400, (field, value)
            assert f'id="{field}-error"' in answer.text, (field, value)
            refused += 1
    assert refused > 300

    # every value a title field accepts, as the lines of one worklist's titles
    lines = [accepted(spec.field("category"), v, settings.wikis) for v in VALUES]
    lines = [line for line in dict.fromkeys(lines) if line]
    assert len(lines) > 10
    baseline_title, title = unique_title("Hostile baseline"), unique_title("Hostile")
    for page_title, titles in ((baseline_title, "Lagos"), (title, "\n".join(lines))):
        answer = client.post(
            url,
            data={
                "csrf_token": token,
                "page_title": page_title,
                **base,
                "titles": titles,
                "action": "save",
            },
        )
        assert answer.status_code == 302, answer.text[:2000]
    api = human("metawiki", ADA)
    from campaignkit.model import read_worklist_source

    source = read_worklist_source(
        api.text(title),
        title=title,
        wiki="metawiki",
        manifest=load_manifest("metawiki", "en"),
        wiki_ids=settings.wikis,
    ).strict()
    assert list(source.titles) == lines
    baseline, report = parse_report(api, baseline_title), parse_report(api, title)
    assert report["templates"] <= baseline["templates"]
    assert report["categories"] <= baseline["categories"]
    named = {_key(line) for line in lines} | {_key(line.partition(":")[2]) for line in lines}
    wiki_links = tuple(f"{w.index_url}?title=" for w in settings.wikis.values())
    for link in set(report["externallinks"]) - set(baseline["externallinks"]):
        assert link.startswith(wiki_links), link  # a link to a listed title on its wiki
        linked = unquote(link.partition("?title=")[2]).replace("_", " ")
        assert _key(linked) in named or _key(linked.partition(":")[2]) in named, link
    assert report["sections"] == baseline["sections"]
    assert report["tags"] <= baseline["tags"] | {"p", "br"}, report["tags"] - baseline["tags"]
    assert all(
        _key(link) in named or _key(link.partition(":")[2]) in named
        for link in report["links"] - baseline["links"]
    )

    # the newcomer's username: refused values never reach the wiki
    event = unique_title("Hostile event")
    from tests.test_web_wiki import make_campaign as campaign_page
    from tests.test_web_wiki import make_event

    campaign = unique_title("Hostile campaign")
    campaign_page(settings, human, campaign)
    make_event(settings, human, event, campaign, organizers=f"{ADA}, {accounts.admin_user}")
    newcomer_url = f"/event/yowiki/{event}/newcomers"
    token = csrf_token(client.get(newcomer_url).text)
    username = __import__("campaignkit.contract", fromlist=["FieldSpec"]).FieldSpec(
        "username", Kind.USER, "", "", required=True
    )
    for value in VALUES:
        if accepted(username, value, None) is not None:
            continue
        answer = client.post(
            newcomer_url,
            data={
                "csrf_token": token,
                "username": value,
                "password": "p4ss-w0rd!",
                "password_again": "p4ss-w0rd!",
            },
        )
        assert answer.status_code == 400 and 'id="username-error"' in answer.text, value
