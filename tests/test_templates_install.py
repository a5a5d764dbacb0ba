"""`campaignkit templates install` and the installed templates, against the real local wikis.

Other test modules may install the same templates on the same wikis at the
same time, so these tests install first and then assert what must hold
whoever installed; tests of the conflict rules use pages with unique titles.
The command runs in a subprocess because a dry run switches pywikibot's
process-wide simulate flag.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import requests
import tomli_w

from bot.templates.installer import (
    InstallOptions,
    Outcome,
    TemplateInstaller,
    fingerprint,
    summary_marker,
)
from campaignkit.contract import TEMPLATES, Kind
from campaignkit.manifest import load_manifest
from campaignkit.template_pages import PageKind, TemplatePage, build_pages_for
from campaignkit.template_pages.pages import ALL_SPECS
from campaignkit.wikitext.escape import escape_field

pytestmark = pytest.mark.wiki

REPO = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(
    r"^(?:Templates: (?P<created>\d+) created, (?P<updated>\d+) updated"
    r"|Dry run, nothing written: (?P<to_create>\d+) to create, (?P<to_update>\d+) to update)"
    r", (?P<unchanged>\d+) unchanged, (?P<skipped>\d+) skipped.*, (?P<failed>\d+) failed; "
    r"API requests: (?P<requests>.*)$",
    re.MULTILINE,
)


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=240,
        check=False,
    )


def summary_of(result: subprocess.CompletedProcess[str]) -> dict:
    match = SUMMARY.search(result.stdout)
    assert match, f"no summary line in:\n{result.stdout}\n{result.stderr}"
    counts = {k: int(v) for k, v in match.groupdict().items() if v and k != "requests"}
    counts["requests"] = {
        wiki: int(n) for wiki, n in (p.split("=") for p in match.group("requests").split(", "))
    }
    return counts


class Person:
    """Someone editing a local wiki through the API with their own account."""

    def __init__(self, api_url: str, username: str, password: str) -> None:
        self.api_url = api_url
        self.username = username
        self.session = requests.Session()
        token = self._get(action="query", meta="tokens", type="login")["query"]["tokens"]
        answer = self._post(
            action="clientlogin",
            username=username,
            password=password,
            logintoken=token["logintoken"],
            loginreturnurl="http://127.0.0.1/",
        )
        assert answer["clientlogin"]["status"] == "PASS", answer

    def _get(self, **params: str) -> dict:
        response = self.session.get(
            self.api_url, params={**params, "format": "json", "formatversion": "2"}, timeout=30
        )
        return response.json()

    def _post(self, **params: str) -> dict:
        response = self.session.post(
            self.api_url, data={**params, "format": "json", "formatversion": "2"}, timeout=60
        )
        return response.json()

    def csrf(self) -> str:
        return self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]

    def edit(self, title: str, text: str) -> dict:
        answer = self._post(
            action="edit",
            title=title,
            text=text,
            summary="a person's own edit",
            token=self.csrf(),
        )
        assert answer.get("edit", {}).get("result") == "Success", answer
        return answer["edit"]

    def protect_creation(self, title: str) -> None:
        answer = self._post(
            action="protect", title=title, protections="create=sysop", token=self.csrf()
        )
        assert "protect" in answer, answer


def latest(connection, title: str) -> dict:
    answer = connection.api(
        action="query",
        prop="revisions",
        titles=title,
        rvprop="content|user|comment|ids|timestamp",
        rvslots="main",
        formatversion="2",
    )
    page = answer["query"]["pages"][0]
    if page.get("missing"):
        return {}
    revision = page["revisions"][0]
    revision["text"] = revision["slots"]["main"]["content"]
    return revision


def last_revids(connection, titles: list[str]) -> dict[str, int]:
    revids = {}
    for start in range(0, len(titles), 50):
        answer = connection.api(
            action="query",
            prop="info",
            titles="|".join(titles[start : start + 50]),
            formatversion="2",
        )
        for page in answer["query"]["pages"]:
            revids[page["title"]] = page.get("lastrevid", 0)
    return revids


def parse(connection, text: str, title: str = "Campaignkit render test") -> dict:
    answer = connection.api(
        action="parse",
        text=text,
        title=title,
        prop="text|categories|links|externallinks|properties",
        contentmodel="wikitext",
        disablelimitreport="1",
        formatversion="2",
    )
    return answer["parse"]


@pytest.fixture(scope="module")
def installed(devwiki_layout, settings):
    """The templates as this checkout has them, on both local wikis."""
    result = run_cli(devwiki_layout.config_path, "templates", "install")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def people(accounts, settings):
    """Ada, a participant with an ordinary account, on each wiki."""
    password = accounts.users["Ada Organizer"]
    return {
        wiki_id: Person(wiki.api_url, "Ada Organizer", password)
        for wiki_id, wiki in settings.wikis.items()
    }


def options_for(settings, **extra) -> InstallOptions:
    return InstallOptions(
        bot_user=settings.bot.main_username,
        tool_name=settings.tool_name,
        docs_url=settings.docs_url,
        **extra,
    )


def test_second_install_makes_no_edit_and_reads_in_one_batch(installed, devwiki_layout, farm):
    first = summary_of(installed)
    assert first["failed"] == 0
    again = run_cli(devwiki_layout.config_path, "templates", "install")
    assert again.returncode == 0, again.stdout + again.stderr
    counts = summary_of(again)
    assert (counts["created"], counts["updated"], counts["skipped"], counts["failed"]) == (0,) * 4
    assert counts["unchanged"] >= 40
    # 22 pages on the hub and 26 on yowiki, yet a handful of requests each: batched reads
    assert set(counts["requests"]) == {"metawiki", "yowiki"}
    assert all(n <= 3 for n in counts["requests"].values()), counts["requests"]
    for wiki_id, title in (("metawiki", "Template:Campaign event"), ("yowiki", "Àdàkọ:Olùkópa")):
        revision = latest(farm[wiki_id], title)
        assert revision["user"] == "CampaignBot"
        assert summary_marker("campaignkit") in revision["comment"]
        assert fingerprint(revision["text"]) in revision["comment"]


def _config_copy(devwiki_layout, tmp_path: Path, **changes) -> Path:
    """The test wikis' configuration with absolute paths and some keys changed."""
    raw = tomllib.loads(devwiki_layout.config_path.read_text(encoding="utf-8"))
    raw["bot"]["password_file"] = str(devwiki_layout.bot_password_file)
    raw["services"]["state_dir"] = str(tmp_path / "state")
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        raw.setdefault(section, {})[key] = value
    path = tmp_path / "campaignkit.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "arguments",
    [("templates", "install", "--dry-run"), ("--dry-run", "templates", "install")],
    ids=["command option", "global option"],
)
def test_dry_run_prints_diffs_and_writes_nothing(
    installed, devwiki_layout, tmp_path, farm, settings, arguments
):
    docs = "https://docs.example.org/campaignkit-dry-run"
    config = _config_copy(devwiki_layout, tmp_path, tool__docs_url=docs)
    titles = {w: [p.title for p in build_pages_for(settings, w)] for w in settings.wikis}
    before = {w: last_revids(farm[w], t) for w, t in titles.items()}

    result = subprocess.run(
        [sys.executable, "-m", "campaignkit", "--config", str(config), *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=240,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "metawiki: Template:Campaign event: would be updated" in out
    assert "yowiki: Àdàkọ:Ìṣẹ̀lẹ̀ ìpolongo: would be updated" in out
    assert "--- metawiki:Template:Campaign event (rev " in out
    assert "+++ metawiki:Template:Campaign event (campaignkit " in out
    assert re.search(rf"^\+.*\[{re.escape(docs)} documentation\]", out, re.MULTILINE)
    assert re.search(r"^-.*\[https://www\.mediawiki\.org/wiki/Tool:Campaignkit ", out, re.M)
    counts = summary_of(result)
    assert counts["to_update"] >= 2 and counts["failed"] == 0
    after = {w: last_revids(farm[w], t) for w, t in titles.items()}
    assert after == before


def test_a_failing_wiki_fails_its_pages_only_and_the_exit_code(installed, devwiki_layout, tmp_path):
    config = _config_copy(
        devwiki_layout,
        tmp_path,
        wikis__deadwiki={"api": "http://127.0.0.1:9/api.php", "lang": "en"},
    )
    result = run_cli(config, "templates", "install", "--dry-run")
    assert result.returncode == 1
    assert "deadwiki: Template:Campaign event: FAILED - cannot read the pages" in result.stderr
    # the other wikis were read and compared as usual
    assert "metawiki: Module:Campaignkit/wikis: " in result.stdout
    assert not re.search(r"^(metawiki|yowiki): .*FAILED", result.stderr, re.MULTILINE)
    counts = summary_of(result)
    assert counts["failed"] == len(build_pages_for_config(config, "deadwiki"))


def build_pages_for_config(config: Path, wiki_id: str) -> list[TemplatePage]:
    from campaignkit.config import load_settings

    return build_pages_for(load_settings(config), wiki_id)


def test_a_change_by_someone_else_is_reported_and_kept_until_force(
    installed, devwiki_layout, farm, settings, people
):
    title = "Category:Campaignkit templates"
    ours = next(p for p in build_pages_for(settings, "metawiki") if p.title == title)
    hub = farm["metawiki"]
    edit = people["metawiki"].edit(title, ours.text + "\n\nA note by Ada.")
    try:
        refused = run_cli(devwiki_layout.config_path, "templates", "install", "--wiki", "metawiki")
        assert refused.returncode == 0, refused.stdout + refused.stderr
        line = next(
            li for li in refused.stdout.splitlines() if li.startswith(f"metawiki: {title}:")
        )
        assert "SKIPPED - changed on the wiki by Ada Organizer, last edit at 20" in line
        assert f"diff={edit['newrevid']}" in line
        assert "--force" in line
        assert summary_of(refused)["skipped"] == 1
        assert latest(hub, title)["text"].endswith("A note by Ada.")

        forced = run_cli(
            devwiki_layout.config_path, "templates", "install", "--wiki", "metawiki", "--force"
        )
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert f"metawiki: {title}: updated - overwrote the change by Ada Organizer" in (
            forced.stdout
        )
    finally:
        run_cli(devwiki_layout.config_path, "templates", "install", "--wiki", "metawiki", "--force")
    revision = latest(hub, title)
    assert revision["text"] == ours.text
    assert revision["user"] == "CampaignBot"


def _pages(unique_title, *texts: str) -> list[TemplatePage]:
    return [
        TemplatePage(f"Template:{unique_title('Ck install')}", text, PageKind.TEMPLATE, "test")
        for text in texts
    ]


@pytest.mark.parametrize("wiki_id", ["metawiki", "yowiki"])
def test_installer_refuses_a_human_edit_until_forced(farm, settings, people, unique_title, wiki_id):
    connection = farm[wiki_id]
    (page,) = _pages(unique_title, "line one\nline two")
    installer = TemplateInstaller(connection, options_for(settings))
    (created,) = installer.install([page])
    assert created.outcome is Outcome.CREATED
    if wiki_id == "yowiki":
        assert created.title.startswith("Àdàkọ:")  # the wiki's own name for the namespace

    edit = people[wiki_id].edit(page.title, "line one\nline two, said Ada")
    (skipped,) = installer.install([page])
    assert skipped.outcome is Outcome.SKIPPED
    assert (skipped.editor, skipped.diff_url.rsplit("=", 1)[1]) == (
        "Ada Organizer",
        str(edit["newrevid"]),
    )
    assert skipped.edited_at == latest(connection, page.title)["timestamp"]
    assert latest(connection, page.title)["text"] == "line one\nline two, said Ada"

    (forced,) = TemplateInstaller(connection, options_for(settings, force=True)).install([page])
    assert forced.outcome is Outcome.UPDATED
    assert "Ada Organizer" in forced.reason
    assert latest(connection, page.title)["text"] == page.text
    (again,) = installer.install([page])
    assert again.outcome is Outcome.UNCHANGED


def test_installer_dry_run_reports_a_diff_and_saves_nothing(farm, settings, unique_title):
    connection = farm["yowiki"]
    (page,) = _pages(unique_title, "old line")
    TemplateInstaller(connection, options_for(settings)).install([page])
    revid = latest(connection, page.title)["revid"]
    changed = TemplatePage(page.title, "new line", PageKind.TEMPLATE, "test")
    (result,) = TemplateInstaller(connection, options_for(settings, dry_run=True)).install(
        [changed]
    )
    assert result.outcome is Outcome.UPDATED
    assert "-old line\n+new line" in result.diff
    assert latest(connection, page.title)["revid"] == revid


class HumanEditsDuringSave(TemplateInstaller):
    """An installer during whose read-then-save a person edits the page."""

    def __init__(self, connection, options, person, human_text: str) -> None:
        super().__init__(connection, options)
        self.person = person
        self.human_text = human_text

    def _save(self, page, current, now):
        self.person.edit(page.title, self.human_text)
        return super()._save(page, current, now)


def test_a_concurrent_edit_to_the_same_line_is_a_conflict_not_an_overwrite(
    farm, settings, people, unique_title
):
    connection = farm["metawiki"]
    (page,) = _pages(unique_title, "line one\nline two\nline three")
    TemplateInstaller(connection, options_for(settings)).install([page])
    newer = TemplatePage(page.title, "line one\nline two\nline three, v2", PageKind.TEMPLATE, "t")
    human = "line one\nline two\nline three, said Ada"
    installer = HumanEditsDuringSave(connection, options_for(settings), people["metawiki"], human)
    (result,) = installer.install([newer])
    assert result.outcome is Outcome.FAILED
    assert "edited on the wiki while installing" in result.reason
    assert latest(connection, page.title)["text"] == human


def test_a_concurrent_edit_merged_by_mediawiki_is_not_taken_for_ours(
    farm, settings, people, unique_title
):
    connection = farm["metawiki"]
    (page,) = _pages(unique_title, "line one\nline two\nline three\nline four\nline five")
    TemplateInstaller(connection, options_for(settings)).install([page])
    newer = TemplatePage(
        page.title,
        "line one\nline two\nline three\nline four\nline five, v2",
        PageKind.TEMPLATE,
        "t",
    )
    human = "line one, said Ada\nline two\nline three\nline four\nline five"
    installer = HumanEditsDuringSave(connection, options_for(settings), people["metawiki"], human)
    (saved,) = installer.install([newer])
    text = latest(connection, page.title)["text"]
    assert "said Ada" in text  # the person's edit survived the save
    if saved.outcome is Outcome.FAILED:  # MediaWiki may also call it a conflict
        assert "edited on the wiki while installing" in saved.reason
        return
    assert saved.outcome is Outcome.UPDATED and text.endswith("v2")
    (next_run,) = TemplateInstaller(connection, options_for(settings)).install([newer])
    assert next_run.outcome is Outcome.SKIPPED
    assert "merged" in next_run.reason


def test_one_failing_page_does_not_stop_the_others(farm, settings, accounts, unique_title):
    connection = farm["metawiki"]
    first, protected, last = _pages(unique_title, "first", "protected", "last")
    admin = Person(connection.config.api_url, accounts.admin_user, accounts.admin_password)
    admin.protect_creation(protected.title)
    bad = TemplatePage("Template:Bad[title]", "x", PageKind.TEMPLATE, "test")
    results = TemplateInstaller(connection, options_for(settings)).install(
        [first, protected, bad, last]
    )
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.CREATED,
    ]
    assert "protected" in results[1].reason
    assert results[2].reason


# --- what the installed templates do on the wiki --------------------------------------


def test_templatedata_on_the_hub_matches_the_contract(installed, farm):
    answer = farm["metawiki"].api(
        action="templatedata", titles="Template:Campaign event", lang="en", formatversion="2"
    )
    (data,) = answer["pages"].values()
    spec = TEMPLATES["campaign_event"]
    assert list(data["params"]) == list(spec.field_names)
    assert data["paramOrder"] == list(spec.field_names)
    for field in spec.fields:
        param = data["params"][field.name]
        assert param["label"] == field.label
        assert param["description"] == field.description
        assert param["required"] is field.required
    assert data["params"]["format"]["suggestedvalues"] == ["online", "in-person", "hybrid"]
    assert data["params"]["timezone"]["default"] == "UTC"
    assert data["params"]["start"]["example"] == "2027-04-20 10:00"


def test_templatedata_on_yowiki_has_local_names_english_aliases_and_yoruba_labels(installed, farm):
    answer = farm["yowiki"].api(
        action="templatedata",
        titles="Template:Campaign event",  # the English name, a redirect there
        redirects="1",
        lang="yo",
        formatversion="2",
    )
    (data,) = answer["pages"].values()
    assert data["title"] == "Àdàkọ:Ìṣẹ̀lẹ̀ ìpolongo"
    local = load_manifest("yowiki", "yo").template("campaign_event")
    spec = TEMPLATES["campaign_event"]
    assert list(data["params"]) == [local.written_param(f) for f in spec.field_names]
    name = data["params"]["orúkọ"]
    assert name["aliases"] == ["name"]
    assert name["label"] == "Orúkọ"
    assert name["required"] is True
    assert data["params"]["wiki"]["required"] is True
    assert data["params"]["hashtag"]["required"] is False


EVENT = """{{Campaign event
| campaign = WikiForHumanRights 2027
| name = Lagos edit-a-thon
| start = 2027-04-20 10:00
| end = 2027-04-20 16:00
| timezone = Africa/Lagos
| format = hybrid
| location = Yaba Library, Lagos
| wiki = yowiki
| organizers = Ada Organizer, Bola Participant
| signup = open
| meeting_link = https://meet.example.org/lagos
}}"""


def test_an_event_shows_name_dates_time_zone_and_sign_up_link(installed, farm):
    parsed = parse(farm["metawiki"], EVENT)
    html = parsed["text"]
    assert "Lagos edit-a-thon" in html
    assert "20 April 2027, 10:00 – 20 April 2027, 16:00" in html
    assert "Time zone: Africa/Lagos" in html
    assert '<a href="#Sign-up">add your name in the sign-up section</a>' in html
    assert 'href="https://meet.example.org/lagos">Join the meeting</a>' in html
    assert "{{{" not in html and 'class="error' not in html and "<p><br" not in html
    assert parsed["categories"] == []
    assert {"ns": 2, "title": "User:Ada Organizer", "exists": False} in parsed["links"]


def test_an_event_without_parameters_renders_cleanly_in_the_tracking_category(installed, farm):
    parsed = parse(farm["metawiki"], "{{Campaign event}}")
    html = parsed["text"]
    assert "{{{" not in html and 'class="error' not in html and "<p><br" not in html
    categories = {c["category"]: c.get("hidden") for c in parsed["categories"]}
    assert categories == {"Campaign_events_with_missing_or_invalid_data": True}
    for label in ("<li>Campaign</li>", "<li>Name</li>", "<li>Start</li>", "<li>Format</li>"):
        assert label in html


def test_an_invalid_choice_is_tracked_too(installed, farm):
    parsed = parse(farm["metawiki"], EVENT.replace("format = hybrid", "format = sometimes"))
    assert [c["category"] for c in parsed["categories"]] == [
        "Campaign_events_with_missing_or_invalid_data"
    ]
    assert "<li>Format</li>" in parsed["text"]


@pytest.mark.parametrize(
    "call",
    [
        "{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=C|orúkọ=Ìṣẹ̀lẹ̀ Èkó|ìbẹ̀rẹ̀=2027-04-20 10:00"
        "|ìparí=2027-04-20 16:00|format=online|wiki=yowiki}}",
        "{{Ìṣẹ̀lẹ̀ ìpolongo|campaign=C|name=Ìṣẹ̀lẹ̀ Èkó|start=2027-04-20 10:00"
        "|end=2027-04-20 16:00|format=online|wiki=yowiki}}",
        "{{Campaign event|ìpolongo=C|orúkọ=Ìṣẹ̀lẹ̀ Èkó|start=2027-04-20 10:00"
        "|ìparí=2027-04-20 16:00|format=online|wiki=yowiki}}",
    ],
    ids=["yoruba names", "english parameters", "english template name"],
)
def test_yoruba_event_accepts_local_and_english_names(installed, farm, call):
    parsed = parse(farm["yowiki"], call)
    html = parsed["text"]
    assert "Ìṣẹ̀lẹ̀ Èkó" in html
    assert "20 Oṣù Igbe 2027, 10:00" in html  # #time in Yoruba
    assert "Lórí ayélujára" in html
    assert parsed["categories"] == []


def test_yoruba_event_without_data_goes_to_the_yoruba_tracking_category(installed, farm):
    parsed = parse(farm["yowiki"], "{{Ìṣẹ̀lẹ̀ ìpolongo}}")
    assert [c["category"] for c in parsed["categories"]] == [
        "Àwọn_ìṣẹ̀lẹ̀_ìpolongo_tí_dátà_wọn_kò_pé"
    ]
    assert "{{{" not in parsed["text"]


def test_participant_is_a_user_link(installed, farm):
    parsed = parse(
        farm["yowiki"], "* {{Olùkópa|Bola Participant}}\n* {{Participant|Ada Organizer}}"
    )
    titles = {link["title"] for link in parsed["links"]}
    assert titles == {"Oníṣe:Bola Participant", "Oníṣe:Ada Organizer"}
    assert parsed["categories"] == []


TYPICAL = {
    Kind.TEXT: "Lagos",
    Kind.MULTILINE: "Line one\nLine two",
    Kind.DATE: "2027-04-15",
    Kind.DATETIME: "2027-04-20 10:00",
    Kind.TIMEZONE: "Africa/Lagos",
    Kind.COORDINATES: "6.5, 3.3",
    Kind.WIKI: "yowiki",
    Kind.TITLE: "Lagos",
    Kind.TITLES: "Lagos\nIbadan",
    Kind.USER: "Bola Participant",
    Kind.USERS: "Ada Organizer, Bola Participant",
    Kind.URL: "https://meet.example.org/x",
    Kind.INTEGER: "12",
    Kind.BOOLEAN: "yes",
    Kind.LANGUAGE: "yo",
    Kind.COUNTRY: "NG",
}

FRAMES = {
    "campaign_events_row": ("campaign_events_header", "campaign_events_end"),
    "campaign_participants_row": ("campaign_participants_header", "campaign_participants_end"),
    "campaign_worklist_row": ("campaign_worklist_header", "campaign_worklist_end"),
}


def typical_call(key: str, wiki_id: str) -> str:
    spec = ALL_SPECS[key]
    manifest = load_manifest(wiki_id, "yo" if wiki_id == "yowiki" else "en")
    if key in TEMPLATES:
        local = manifest.template(key)
        name, param = local.name, local.written_param
    else:
        name, param = manifest.frame_name(key), str
    args = []
    for field in spec.fields:
        value = field.example or (field.choices[0] if field.choices else TYPICAL[field.kind])
        args.append(f"|{param(field.name)}={escape_field(value, field.kind)}")
    call = f"{{{{{name}{''.join(args)}}}}}"
    if key in FRAMES:
        header, end = FRAMES[key]
        call = f"{{{{{manifest.frame_name(header)}}}}}\n{call}\n{{{{{manifest.frame_name(end)}}}}}"
    return call


@pytest.mark.parametrize("wiki_id", ["metawiki", "yowiki"])
@pytest.mark.parametrize("key", list(ALL_SPECS))
def test_every_template_renders_typical_values_without_errors(installed, farm, key, wiki_id):
    parsed = parse(farm[wiki_id], typical_call(key, wiki_id))
    html = parsed["text"]
    assert "{{{" not in html
    assert 'class="error' not in html and "scribunto-error" not in html
    assert "<p><br" not in html
    assert "Template:" not in html and "Àdàkọ:" not in html  # no red link to a missing template
    assert parsed["categories"] == []


def test_hostile_values_escaped_by_the_codec_add_nothing(installed, farm):
    hostile = "[[Category:Evil]] {{subst:Evil}} ~~~~ <ref>x</ref> __NOINDEX__ | }} [[User:Evil]]"
    fields = {
        "campaign": "C",
        "name": hostile,
        "start": "2027-04-20 10:00",
        "end": "2027-04-20 16:00",
        "format": "online",
        "wiki": "yowiki",
        "location": hostile,
        "organizers": hostile,
        "hashtag": hostile,
        "description": hostile + "\n* a list?",
    }
    spec = TEMPLATES["campaign_event"]
    args = "".join(
        f"|{name}={escape_field(value, spec.field(name).kind)}" for name, value in fields.items()
    )
    parsed = parse(farm["metawiki"], f"{{{{Campaign event{args}}}}}")
    html = parsed["text"]
    assert parsed["categories"] == []
    assert not [link for link in parsed["links"] if "Evil" in link["title"]]
    assert "noindex" not in {p.get("name") for p in parsed.get("properties", [])}
    assert "<li>" not in html and "<sup" not in html
    assert "[[Category:Evil]] {{subst:Evil}} ~~~~" in html.replace("&#91;", "[").replace(
        "&#93;", "]"
    ).replace("&#123;", "{").replace("&#125;", "}").replace("&#126;", "~")
