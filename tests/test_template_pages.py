"""The template pages built from templates_wikitext and the contract (no wiki needed)."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from bot.templates.installer import (
    CurrentPage,
    InstallOptions,
    InstallReport,
    Outcome,
    PageResult,
    edit_summary,
    is_ours,
)
from campaignkit.contract import TEMPLATES, TemplateSpec
from campaignkit.manifest import load_manifest
from campaignkit.template_pages import PageKind, TemplateSourceError, WikiTarget, build_pages
from campaignkit.template_pages.frames import FRAME_SPECS
from campaignkit.template_pages.pages import ALL_SPECS, wikis_module
from campaignkit.template_pages.placeholders import check_param_reads, localize_param_reads
from campaignkit.template_pages.sources import SOURCE_DIR, load_messages
from campaignkit.template_pages.templatedata import TYPES

WIKIS = {
    "metawiki": ("http://127.0.0.1:1/index.php", "en"),
    "yowiki": ("http://127.0.0.1:2/index.php", "yo"),
}
HUB = WikiTarget("metawiki", "en", "metawiki", WIKIS, docs_url="https://docs.example/ck")
YORUBA = WikiTarget("yowiki", "yo", "metawiki", WIKIS, docs_url="https://docs.example/ck")


@pytest.fixture(scope="module")
def hub_pages():
    return {page.title: page for page in build_pages(HUB)}


@pytest.fixture(scope="module")
def yoruba_pages():
    return {page.title: page for page in build_pages(YORUBA)}


def templatedata_of(text: str) -> dict:
    match = re.search(r"<templatedata>\n(.*?)\n</templatedata>", text, re.DOTALL)
    assert match, "no <templatedata> block"
    return json.loads(match.group(1))


def code_of(text: str) -> str:
    return text.partition("<noinclude>")[0]


def test_every_spec_has_a_source_file_and_every_file_a_spec():
    files = {path.stem for path in (SOURCE_DIR / "Template").glob("*.wikitext")}
    assert files == {spec.name for spec in ALL_SPECS.values()}
    assert set(FRAME_SPECS) | set(TEMPLATES) == set(ALL_SPECS)


def test_sources_read_only_their_own_fields_with_an_empty_default():
    for spec in ALL_SPECS.values():
        code = (SOURCE_DIR / "Template" / f"{spec.name}.wikitext").read_text(encoding="utf-8")
        check_param_reads(code, spec, spec.name)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("{{{name}}}", "empty default"),
        ("{{{name|x}}}", "empty default"),
        ("{{{nmae|}}}", "not a field"),
    ],
)
def test_a_bad_parameter_read_is_refused_with_its_line(code, problem):
    spec = TEMPLATES["campaign"]
    with pytest.raises(TemplateSourceError, match=problem) as error:
        check_param_reads(f"ok\n{code}", spec, "Template/Campaign.wikitext")
    assert "Template/Campaign.wikitext:2" in str(error.value)


def test_localized_reads_prefer_the_local_name_and_keep_the_english_one():
    code = "{{#if:{{{name|}}}|{{{name|}}}}} {{{start|}}}"
    localized = localize_param_reads(code, {"name": ["orúkọ", "orukọ"]})
    assert localized == (
        "{{#if:{{{orúkọ|{{{orukọ|{{{name|}}}}}}}}}|{{{orúkọ|{{{orukọ|{{{name|}}}}}}}}}}} "
        "{{{start|}}}"
    )


@pytest.mark.parametrize("target", [HUB, YORUBA], ids=["hub", "yowiki"])
def test_built_pages_are_as_mediawiki_stores_them(target):
    pages = build_pages(target)
    titles = [page.title for page in pages]
    assert len(titles) == len(set(titles))
    assert pages[0].kind is PageKind.MODULE  # the module exists before templates invoke it
    for page in pages:
        assert page.text == unicodedata.normalize("NFC", page.text), page.title
        assert page.text == page.text.rstrip(), page.title
        assert "@@" not in page.text, page.title
        # every parameter read has a default: nothing shows as {{{name}}}
        for read in re.finditer(r"\{\{\{([^{}|]*)(\||\}\}\})", page.text):
            assert read.group(2) == "|", f"{page.title}: {read.group(0)}"


def test_the_hub_gets_english_templates_and_no_redirects(hub_pages):
    assert "Template:Campaign event" in hub_pages
    assert "Category:Campaign events with missing or invalid data" in hub_pages
    assert not [p for p in hub_pages.values() if p.kind is PageKind.REDIRECT]


def test_yowiki_gets_yoruba_templates_and_english_redirects(yoruba_pages):
    manifest = load_manifest("yowiki", "yo")
    for key in ("campaign", "campaign_event", "participant", "worklist"):
        local = manifest.template(key).name
        english = TEMPLATES[key].name
        assert local != english
        assert yoruba_pages[f"Template:{local}"].kind is PageKind.TEMPLATE
        redirect = yoruba_pages[f"Template:{english}"]
        assert redirect.kind is PageKind.REDIRECT
        assert redirect.text == f"#REDIRECT [[Template:{local}]]"


def test_yoruba_names_are_nfc_as_the_wiki_will_store_them():
    manifest = load_manifest("yowiki", "yo")
    for local in manifest.templates.values():
        assert local.name == unicodedata.normalize("NFC", local.name)
        for name in local.accepted_params:
            assert name == unicodedata.normalize("NFC", name)


def test_yoruba_template_code_accepts_local_and_english_parameter_names(yoruba_pages):
    code = code_of(yoruba_pages["Template:Ìṣẹ̀lẹ̀ ìpolongo"].text)
    assert "{{{orúkọ|{{{name|}}}}}}" in code
    assert "{{{ìbẹ̀rẹ̀|{{{start|}}}}}}" in code
    assert "{{{name|}}}" in code and "{{{orúkọ|" in code


def _check_templatedata(data: dict, spec: TemplateSpec, names: dict[str, str]) -> None:
    assert list(data["params"]) == [names.get(f.name, f.name) for f in spec.fields]
    assert data["paramOrder"] == list(data["params"])
    for field in spec.fields:
        param = data["params"][names.get(field.name, field.name)]
        assert param["label"]["en"] == field.label
        assert param["description"]["en"] == field.description
        assert param["required"] is field.required
        assert param["type"] == TYPES[field.kind]
        if field.choices:
            assert param["suggestedvalues"] == list(field.choices)
        assert param.get("default", "") == field.default
        assert param.get("example", "") == field.example
        if field.name in names:
            assert field.name in param["aliases"]


@pytest.mark.parametrize("key", list(ALL_SPECS))
def test_templatedata_follows_the_contract_on_the_hub(hub_pages, key):
    spec = ALL_SPECS[key]
    data = templatedata_of(hub_pages[f"Template:{spec.name}"].text)
    _check_templatedata(data, spec, {})
    assert data["description"]["en"] == spec.description


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_templatedata_lists_local_names_with_english_aliases_on_yowiki(yoruba_pages, key):
    local = load_manifest("yowiki", "yo").template(key)
    spec = TEMPLATES[key]
    data = templatedata_of(yoruba_pages[f"Template:{local.name}"].text)
    _check_templatedata(data, spec, dict(local.written_params))


def test_templatedata_labels_are_translated_where_yoruba_has_them(yoruba_pages):
    data = templatedata_of(yoruba_pages["Template:Ìṣẹ̀lẹ̀ ìpolongo"].text)
    assert data["params"]["orúkọ"]["label"] == {"en": "Name", "yo": "Orúkọ"}
    assert data["params"]["wiki"]["suggestedvalues"] == ["metawiki", "yowiki"]


def test_every_choice_has_a_label_in_english():
    messages = load_messages("en")
    for spec in ALL_SPECS.values():
        for field in spec.fields:
            for choice in field.choices:
                assert messages.get(f"choice.{field.name}.{choice}")


@pytest.mark.parametrize("lang", ["en", "yo"])
def test_messages_hold_no_markup_that_could_break_a_template(lang):
    messages = load_messages(lang)
    for key, text in {**messages.english, **messages.own}.items():
        if key.startswith("description."):
            continue  # shown in <nowiki> and JSON only
        assert not re.search(r"[|{}]|\[\[|\]\]|@@", text), f"{lang}: {key}: {text}"


def test_a_descriptions_template_call_is_shown_not_expanded(yoruba_pages):
    text = yoruba_pages["Template:Olùkópa"].text
    assert "<nowiki>Ìforúkọsílẹ̀ kan. Fi ìlà kan bí {{Olùkópa|" in text


def test_wikis_module_lists_each_wiki_with_escaped_strings():
    target = WikiTarget("yowiki", "yo", "metawiki", {"yowiki": ('http://x/"a\\b', "yo")})
    module = wikis_module(target)
    assert 'current = "yowiki"' in module
    assert '["yowiki"] = { index = "http://x/\\"a\\\\b", lang = "yo" }' in module


def test_an_unknown_placeholder_names_the_source(monkeypatch):
    from campaignkit.template_pages import pages

    monkeypatch.setattr(pages, "template_code", lambda name: "ok\n@@msg:no.such.key@@")
    with pytest.raises(TemplateSourceError, match=r"Template/Campaign\.wikitext:2: .*no\.such"):
        pages.build_pages(HUB)


# --- who last changed a page -------------------------------------------------------

OPTIONS = InstallOptions(bot_user="CampaignBot", tool_name="campaignkit", docs_url="https://d")


def revision(text: str, user: str, comment: str) -> CurrentPage:
    return CurrentPage("Template:X", True, text, user, comment, "2026-01-01T00:00:00Z", 7)


def test_a_page_saved_by_an_install_is_ours():
    text = "code"
    assert is_ours(revision(text, "CampaignBot", edit_summary("campaignkit", "u", text)), OPTIONS)


@pytest.mark.parametrize(
    "page",
    [
        revision("code", "Ada Organizer", edit_summary("campaignkit", "u", "code")),
        revision("code", "CampaignBot", "tidy up by hand"),
        # an install's save into which MediaWiki merged someone's edit
        revision("code + human", "CampaignBot", edit_summary("campaignkit", "u", "code")),
    ],
    ids=["other user", "bot by hand", "merged edit"],
)
def test_any_other_last_revision_is_someone_elses(page):
    assert not is_ours(page, OPTIONS)


def test_summary_line_names_skipped_pages_and_requests():
    report = InstallReport(
        results=[
            PageResult("metawiki", "Template:A", Outcome.CREATED),
            PageResult("yowiki", "Àdàkọ:B", Outcome.SKIPPED, reason="changed by Ada"),
            PageResult("yowiki", "Àdàkọ:C", Outcome.UNCHANGED),
        ],
        requests={"metawiki": 3, "yowiki": 2},
    )
    assert report.summary_line() == (
        "Templates: 1 created, 0 updated, 1 unchanged, 1 skipped "
        "(yowiki Àdàkọ:B: changed by Ada), 0 failed; API requests: metawiki=3, yowiki=2"
    )
    assert not report.failed
