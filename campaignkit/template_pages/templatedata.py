"""TemplateData for each template, generated from the contract.

VisualEditor's template dialog shows these labels, types, required flags,
suggested values, defaults and examples. Generating them from
:mod:`campaignkit.contract` means the form on the wiki cannot disagree with
what the bot and the webservice read and write. On a wiki whose manifest
renames parameters, each parameter is listed under the name the bot writes
there, with the English name and any other accepted name as aliases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from campaignkit.contract import FieldSpec, Kind, TemplateSpec
from campaignkit.template_pages.sources import DEFAULT_LANG, Messages

TYPES = {
    Kind.TEXT: "line",
    Kind.MULTILINE: "string",
    Kind.DATE: "date",
    Kind.DATETIME: "date",
    Kind.TIMEZONE: "line",
    Kind.COORDINATES: "line",
    Kind.WIKI: "line",
    Kind.TITLE: "wiki-page-name",
    Kind.TITLES: "string",
    Kind.USER: "wiki-user-name",
    Kind.USERS: "line",
    Kind.URL: "url",
    Kind.CHOICE: "line",
    Kind.INTEGER: "number",
    # TemplateData's "boolean" means 1/0 and makes VisualEditor write "1"; the
    # contract says yes/no, so a line with two suggested values it is.
    Kind.BOOLEAN: "line",
    Kind.LANGUAGE: "line",
    Kind.COUNTRY: "line",
}

INLINE_KEYS = frozenset({"participant", "worklist_claim"})  # one line each, in any editor


def _text(english: str, translation: str | None, lang: str) -> dict[str, str]:
    """An InterfaceText: English always, the wiki's language when translated."""
    text = {DEFAULT_LANG: english}
    if translation and lang != DEFAULT_LANG:
        text[lang] = translation
    return text


def _suggested_values(field: FieldSpec, wiki_ids: Sequence[str]) -> list[str]:
    if field.choices:
        return list(field.choices)
    if field.kind is Kind.BOOLEAN:
        return ["yes", "no"]
    if field.kind is Kind.WIKI:
        return list(wiki_ids)
    return []


def param_names(
    spec: TemplateSpec, local_names: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """For each field: the name written on this wiki first, then its other accepted names."""
    names: dict[str, list[str]] = {}
    for field in spec.fields:
        local = [name for name in local_names.get(field.name, ()) if name != field.name]
        names[field.name] = [*local, field.name]
    return names


def templatedata(
    spec: TemplateSpec,
    messages: Messages,
    local_names: Mapping[str, Sequence[str]],
    wiki_ids: Iterable[str],
) -> dict[str, Any]:
    """The TemplateData object for one template on one wiki."""
    lang = messages.lang
    wiki_ids = list(wiki_ids)
    params: dict[str, Any] = {}
    for field in spec.fields:
        written, *aliases = param_names(spec, local_names)[field.name]
        param: dict[str, Any] = {
            "label": _text(
                field.label, messages.translated(f"label.{spec.key}.{field.name}"), lang
            ),
            "description": _text(field.description, None, lang),
            "type": TYPES[field.kind],
            "required": field.required,
        }
        if aliases:
            param["aliases"] = aliases
        suggested = _suggested_values(field, wiki_ids)
        if suggested:
            param["suggestedvalues"] = suggested
        if field.default:
            param["default"] = field.default
        if field.example:
            param["example"] = field.example
        params[written] = param
    data: dict[str, Any] = {
        "description": _text(
            spec.description, messages.translated(f"description.{spec.key}"), lang
        ),
        "params": params,
        "paramOrder": list(params),
        "format": "inline" if spec.bot_generated or spec.key in INLINE_KEYS else "block",
    }
    if spec.key == "campaign_metrics":
        data["format"] = "block"
    return data


def templatedata_json(data: Mapping[str, Any]) -> str:
    """The JSON as it goes between <templatedata> tags: readable, one key per line."""
    text = json.dumps(data, ensure_ascii=False, indent="\t")
    # Nothing inside may close the tag early.
    return text.replace("</", "<\\/")
