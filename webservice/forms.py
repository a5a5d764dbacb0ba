"""Forms built from the on-wiki contract, so a field is named in exactly one place.

Each form's fields are the template's fields (``campaignkit.contract``): the
kind decides the input (a date picker, a list of wikis, a text area), the
label and help text are interface messages (``field-<template>-<name>``), and
the check is the contract's own :func:`campaignkit.validation.parse_value`,
so the form accepts exactly what the bot will read back. Flask-WTF adds the
CSRF token to every form. Problems are attached to their field and shown next
to it; the values the organizer typed stay in the form.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from campaignkit.contract import TEMPLATES, Kind, TemplateSpec
from campaignkit.validation import InvalidValue, format_value, parse_value
from webservice.i18n import msg

TEXTAREA_KINDS = (Kind.MULTILINE, Kind.TITLES)
INPUT_TYPES = {Kind.DATE: "date", Kind.DATETIME: "datetime-local", Kind.URL: "url"}
PAGE_TITLE_MAX = 255


class ContractForm(FlaskForm):
    """A form whose fields come from one contract template."""

    template_key = ""

    def contract_fields(self) -> list[Field]:
        """The template's fields, in the contract's order."""
        spec = TEMPLATES[self.template_key]
        return [self[name] for name in spec.field_names if name in self]


def _input_attributes(spec: TemplateSpec, name: str) -> dict[str, Any]:
    field = spec.field(name)
    attributes: dict[str, Any] = {}
    if field.kind in INPUT_TYPES:
        attributes["type"] = INPUT_TYPES[field.kind]
    if field.kind is Kind.INTEGER:
        attributes["inputmode"] = "numeric"
    if field.kind in (Kind.USER, Kind.USERS, Kind.TITLE, Kind.TIMEZONE, Kind.LANGUAGE):
        attributes["autocapitalize"] = "off"
        attributes["spellcheck"] = "false"
    if field.required:
        attributes["required"] = True
    if field.example and field.kind not in INPUT_TYPES:
        attributes["placeholder"] = field.example
    return attributes


def make_form(
    template_key: str,
    wiki_ids: Collection[str],
    *,
    only: Collection[str] | None = None,
    page_fields: bool = True,
) -> type[ContractForm]:
    """A form class for a contract template (optionally only some of its fields)."""
    spec = TEMPLATES[template_key]
    attributes: dict[str, Any] = {"template_key": template_key}
    wiki_choices = [SelectChoice(w) for w in sorted(wiki_ids)]
    if page_fields:
        if template_key != "campaign":
            attributes["page_wiki"] = SelectField(
                "page_wiki", choices=wiki_choices, validators=[Optional()]
            )
        attributes["page_title"] = StringField(
            "page_title", render_kw={"required": True, "maxlength": PAGE_TITLE_MAX}
        )
    for field in spec.fields:
        if only is not None and field.name not in only:
            continue
        render_kw = _input_attributes(spec, field.name)
        if field.kind is Kind.CHOICE:
            choices = [SelectChoice(c) for c in field.choices]
            if not field.required:
                choices = [SelectChoice("", "—"), *choices]
            attributes[field.name] = SelectField(
                field.name, choices=choices, default=field.default, validators=[Optional()]
            )
        elif field.kind is Kind.BOOLEAN:
            choices = [SelectChoice("", "—"), SelectChoice("yes"), SelectChoice("no")]
            attributes[field.name] = SelectField(
                field.name, choices=choices, validators=[Optional()]
            )
        elif field.kind is Kind.WIKI:
            choices = wiki_choices if field.required else [SelectChoice("", "—"), *wiki_choices]
            attributes[field.name] = SelectField(
                field.name, choices=choices, validators=[Optional()]
            )
        elif field.kind in TEXTAREA_KINDS:
            render_kw.pop("placeholder", None)
            attributes[field.name] = TextAreaField(field.name, render_kw=render_kw)
        else:
            attributes[field.name] = StringField(field.name, render_kw=render_kw)
    return type(f"{spec.name.title().replace(' ', '')}Form", (ContractForm,), attributes)


def _raw(form: ContractForm, name: str, kind: Kind) -> str:
    data = form[name].data
    text = "" if data is None else str(data)
    if kind is Kind.DATETIME:
        text = text.replace("T", " ", 1)
    return text


def error_text(kind: Kind, detail: str) -> str:
    """A localized hint for a field kind, with the check's exact finding."""
    hint = msg(f"error-invalid-{kind.value}")
    return f"{hint} ({detail})" if detail else hint


def _worklist_checks(form: ContractForm, typed: Mapping[str, Any]) -> bool:
    """The model's rules across fields: exactly one source; a gap needs two wikis."""
    sources = [name for name in ("titles", "category", "links_from") if typed.get(name)]
    if len(sources) != 1:
        for name in sources or ["titles"]:
            form[name].errors.append(msg("error-worklist-one-source"))
        return False
    if typed.get("source_wiki") and typed.get("source_wiki") == typed.get("wiki"):
        form["source_wiki"].errors.append(msg("error-worklist-same-wiki"))
        return False
    return True


def checked_values(form: ContractForm, wiki_ids: Collection[str]) -> dict[str, str] | None:
    """The form's values in the contract's canonical spelling, or None with field errors set."""
    spec = TEMPLATES[form.template_key]
    values: dict[str, str] = {}
    typed: dict[str, Any] = {}
    ok = True
    for field in spec.fields:
        if field.name not in form:
            continue
        form_field = form[field.name]
        form_field.errors = list(form_field.errors or [])
        text = _raw(form, field.name, field.kind)
        try:
            value = parse_value(field, text, wiki_ids=wiki_ids)
        except InvalidValue as error:
            form_field.errors.append(error_text(field.kind, str(error)))
            ok = False
            continue
        if value is None and field.required:
            form_field.errors.append(msg("error-required"))
            ok = False
            continue
        typed[field.name] = value
        values[field.name] = "" if value is None else format_value(field, value)
    if form.template_key == "worklist":
        ok = _worklist_checks(form, typed) and ok
    start, end = typed.get("start"), typed.get("end")
    if start is not None and end is not None and end < start:
        form["end"].errors.append(msg("error-end-before-start"))
        ok = False
    return values if ok else None


RESERVED_NAMESPACES = frozenset(
    (
        "category",
        "file",
        "image",
        "media",
        "mediawiki",
        "module",
        "special",
        "template",
        "user",
        "user talk",
        "talk",
    )
)


def page_title_problem(text: str) -> str:
    """Why a new page may not have this title (empty when it may).

    New pages from the forms go in content namespaces only: a title typed as a
    link (``[[…]]``) or in the File, Category, Template, User … namespaces is
    refused rather than guessed at.
    """
    value = text.strip()
    if set(value) & set("#<>[]|{}"):
        return f'"{value[:80]}" cannot be a page title: it contains one of # < > [ ] | {{ }}'
    prefix, colon, _rest = value.partition(":")
    if value.startswith(":") or (
        colon and prefix.strip().replace("_", " ").lower() in RESERVED_NAMESPACES
    ):
        return f'"{value[:80]}" is in a namespace the forms do not create pages in'
    return ""


def checked_page_title(form: FlaskForm) -> str | None:
    """The page title field, checked like any title in the contract, in content namespaces."""
    from campaignkit.contract import FieldSpec

    spec = FieldSpec("page_title", Kind.TITLE, "", "", required=True)
    field = form["page_title"]
    field.errors = list(field.errors or [])
    problem = page_title_problem(field.data or "")
    try:
        value = None if problem else parse_value(spec, field.data or "")
    except InvalidValue as error:
        problem = str(error)
    if problem:
        field.errors.append(error_text(Kind.TITLE, problem))
        return None
    if not value:
        field.errors.append(msg("error-required"))
        return None
    return value


def fill(form: ContractForm, values: Mapping[str, str]) -> None:
    """Put canonical values into the form's inputs (datetime pickers want a ``T``)."""
    spec = TEMPLATES[form.template_key]
    for field in spec.fields:
        if field.name in form and field.name in values:
            text = values[field.name]
            if field.kind is Kind.DATETIME:
                text = text.replace(" ", "T", 1)
            form[field.name].data = text


class SignupForm(FlaskForm):
    """One click: the CSRF token is the only field; the name is the logged-in organizer's."""


class NewcomerForm(FlaskForm):
    """A newcomer's account, created by the organizer at the event.

    ``captcha_id`` carries the id of the captcha the wiki issued when the form
    was shown; the answer goes with it, and without an id the view asks the
    wiki first whether a captcha is needed (an unanswered attempt would still
    count against the day's limit).
    """

    username = StringField("username", render_kw={"required": True, "autocapitalize": "off"})
    password = PasswordField(
        "password", render_kw={"required": True, "autocomplete": "new-password"}
    )
    password_again = PasswordField(
        "password_again", render_kw={"required": True, "autocomplete": "new-password"}
    )
    email = StringField("email", render_kw={"type": "email", "autocomplete": "off"})
    captcha_word = StringField("captcha_word", render_kw={"autocomplete": "off"})
    captcha_id = HiddenField("captcha_id")


class LoginForm(FlaskForm):
    """The local wikis' login (production uses OAuth and shows no password field)."""

    username = StringField("username", render_kw={"required": True, "autocomplete": "username"})
    password = PasswordField(
        "password", render_kw={"required": True, "autocomplete": "current-password"}
    )


class LanguageForm(FlaskForm):
    """The language chooser in the footer."""

    language = SelectField("language", choices=[])
