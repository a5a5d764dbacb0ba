"""Worklists to and from the CampaignEvents extension's JSON: ``{"enwiki": ["Title", …]}``.

Organizers move between tools, so a worklist can leave as that JSON (the
articles of its table, keyed by each wiki's database name) and come back in:
the titles of a file become the ``titles`` of a ``{{Worklist}}`` box, on a
new page or merged into the page's box (``replace`` swaps them instead).

Everything read from a file is checked like a title typed on a page; an
error names the file, the wiki key and the position, and nothing is written.
A worklist box lists the articles of one wiki, so a file with several wikis
needs the one to import named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.worklists.items import Item
from bot.worklists.sources import normalize_title
from campaignkit.contract import FieldSpec, Kind
from campaignkit.manifest import Manifest
from campaignkit.validation import MAX_TITLES, FieldError, InvalidValue, parse_value
from campaignkit.wikitext.templates import (
    TemplateCodecError,
    find_calls,
    parse_wikitext,
    render_call,
    update_params,
)


class InterchangeError(Exception):
    """A worklist file or page cannot be imported; the message names the file or page and key."""


@dataclass(frozen=True)
class WorklistFile:
    """Titles per wiki key, as a CampaignEvents worklist file holds them."""

    source: str
    titles: dict[str, tuple[str, ...]]


def parse_worklist_json(text: str, source: str) -> WorklistFile:
    """Read and check a CampaignEvents worklist document."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InterchangeError(f"{source}: not valid JSON: {error}") from None
    if not isinstance(raw, dict) or not raw:
        raise InterchangeError(
            f"{source}: must be an object mapping a wiki to its titles, "
            """like {"enwiki": ["Lagos"]}"""
        )
    title_spec = _title_spec()
    titles: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if not isinstance(values, list):
            raise InterchangeError(f"{source}: {key} must be a list of titles")
        if len(values) > MAX_TITLES:
            raise InterchangeError(
                f"{source}: {key} has {len(values)} titles; at most {MAX_TITLES}"
            )
        checked: list[str] = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise InterchangeError(f"{source}: {key}[{index}] is not a title (got {value!r})")
            try:
                title = parse_value(title_spec, value)
            except InvalidValue as error:
                raise InterchangeError(f"{source}: {key}[{index}]: {error}") from None
            if title:
                checked.append(normalize_title(title))
        titles[key] = tuple(dict.fromkeys(checked))
    return WorklistFile(source, titles)


def read_worklist_file(path: Path) -> WorklistFile:
    """A worklist file from disk (UTF-8 JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InterchangeError(f"{path}: cannot read: {error}") from error
    return parse_worklist_json(text, str(path))


def _title_spec() -> FieldSpec:
    return FieldSpec("title", Kind.TITLE, "Title", "")


@dataclass(frozen=True)
class ExportedList:
    """A CampaignEvents document and what the organizer should know about it."""

    document: dict[str, list[str]]
    notes: tuple[str, ...] = ()


def export_document(
    items: Sequence[Item], target_wiki: str, database_names: Mapping[str, str]
) -> ExportedList:
    """Every item's title on the worklist's wiki (``target_wiki``), under its database name.

    For a language gap that is the counterpart on the target wiki (the page
    participants edit, or the title a language link already gives it). An
    article with no title there yet stays under its source wiki's key with
    its source title, and a note says how many: nothing is left out.
    """
    document: dict[str, list[str]] = {}
    untitled: dict[str, int] = {}
    for item in items:
        if item.unlisted:
            continue
        title = item.title if item.wiki == target_wiki else (item.target or item.counterpart)
        wiki = target_wiki
        if not title:
            wiki, title = item.wiki, item.title
            untitled[wiki] = untitled.get(wiki, 0) + 1
        document.setdefault(database_names.get(wiki, wiki), []).append(title)
    notes = tuple(
        f"{count} article(s) have no page or language link on {target_wiki} yet; exported "
        f"under {database_names.get(wiki, wiki)} with their {wiki} titles, for translation"
        for wiki, count in untitled.items()
    )
    return ExportedList(document, notes)


def export_json(document: Mapping[str, Sequence[str]]) -> str:
    """The document as JSON text, readable by people too."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def pick_wiki(
    document: WorklistFile, database_names: Mapping[str, str], wanted: str | None = None
) -> tuple[str, tuple[str, ...]]:
    """The configured wiki id and the titles to import; the key may be a wiki id or a dbname."""
    by_name = {name: wiki_id for wiki_id, name in database_names.items()}
    by_name.update({wiki_id: wiki_id for wiki_id in database_names})
    keys = list(document.titles)
    if wanted is not None:
        chosen = [k for k in keys if k == wanted or by_name.get(k) == wanted]
        if not chosen:
            raise InterchangeError(
                f"{document.source}: has no titles for {wanted} (it has {', '.join(keys)})"
            )
    elif len(keys) > 1:
        raise InterchangeError(
            f"{document.source}: lists articles of {len(keys)} wikis ({', '.join(keys)}); "
            "a worklist lists one wiki's articles: name it with --from-wiki"
        )
    else:
        chosen = keys
    key = chosen[0]
    if key not in by_name:
        raise InterchangeError(
            f"{document.source}: {key} is not a configured wiki "
            f"(configured: {', '.join(sorted(database_names))})"
        )
    return by_name[key], document.titles[key]


def new_page_text(manifest: Manifest, wiki_id: str, titles: Sequence[str]) -> str:
    """A new worklist page: the box, where the table goes, and a section for claims."""
    box = render_call(manifest.template("worklist"), {"wiki": wiki_id, "titles": "\n".join(titles)})
    claim = manifest.template("worklist_claim").name
    return (
        f"{box}\n\n{{{{{manifest.frame_name('campaign_bot_region')}|worklist}}}}\n\n"
        f"== Claims ==\n<!-- One line per article you work on: "
        f"* {{{{{claim}|Article|Your username}}}} - add |done=yes when you have finished. -->\n"
    )


def merge_titles(
    text: str,
    manifest: Manifest,
    wiki_id: str,
    titles: Sequence[str],
    *,
    page: str,
    replace: bool = False,
) -> str:
    """The page with the titles in its first ``titles`` box of that wiki (or a new box)."""
    local = manifest.template("worklist")
    code = parse_wikitext(text)
    calls = find_calls(code, local)
    if not calls:
        raise InterchangeError(
            f'Worklist page "{page}": has no {{{{{local.name}}}}}; '
            "import into a new page or add the box first"
        )
    wiki_spec = local.spec.field("wiki")
    for call in calls:
        try:
            box_wiki = parse_value(wiki_spec, call.values.get("wiki", ""))
        except InvalidValue:
            box_wiki = None
        if box_wiki != wiki_id:
            error = FieldError(
                page=page,
                wiki="",
                template=local.name,
                field=local.written_param("wiki"),
                message=f"is {box_wiki or 'empty'}; the file's articles are on {wiki_id}",
                page_kind="Worklist page",
            )
            raise InterchangeError(str(error))
    for index, call in enumerate(calls):
        if call.values.get("titles", "").strip():
            current = parse_value(local.spec.field("titles"), call.values["titles"])
            merged = list(titles) if replace else list(dict.fromkeys([*current, *titles]))
            try:
                return update_params(text, local, {"titles": "\n".join(merged)}, occurrence=index)
            except TemplateCodecError as error:
                raise InterchangeError(f'Worklist page "{page}": {error}') from error
    box = render_call(local, {"wiki": wiki_id, "titles": "\n".join(titles)})
    code.insert_after(calls[-1].node, "\n" + box)
    return str(code)
