"""Interface messages in MediaWiki's JSON format, and the reader's language.

Every text the webservice shows comes from ``i18n/<lang>.json`` (documented in
``i18n/qqq.json``), the format translatewiki.net exchanges with MediaWiki
tools: ``$1``… are parameters and ``{{PLURAL:$1|one|other}}`` picks a form by
the language's CLDR plural rules (from Babel). Messages are plain text: the
templates escape them, so a translation can never inject markup.

The language is, in order: ``?uselang=``, the chooser's cookie, the browser's
``Accept-Language``, English. Missing messages fall back to English, so a
partial translation still gives a working page. The writing direction comes
from Babel's locale data, which is what makes an Arabic page right-to-left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import babel
from flask import Flask, g, request

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGE_COOKIE = "campaignkit_lang"
_PLURAL = re.compile(r"\{\{PLURAL:\$(\d+)\|([^{}]*)\}\}", re.IGNORECASE)
_PARAM = re.compile(r"\$(\d+)")
_PLURAL_TAGS = ("zero", "one", "two", "few", "many")


def _unique(path: Path) -> Callable[[list[tuple[str, object]]], dict[str, object]]:
    """A JSON object hook that refuses a key given twice.

    JSON lets the last of two equal keys win in silence: a second message added
    under a key already in use replaced the first one on every page using it.
    """

    def build(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for key, value in pairs:
            if key in seen:
                raise ValueError(f"{path}: message key {key!r} is given twice")
            seen[key] = value
        return seen

    return build


class Messages:
    """All message files of one directory, by language code."""

    def __init__(self, directory: Path = I18N_DIR) -> None:
        self.by_language: dict[str, dict[str, str]] = {}
        self.documentation: dict[str, str] = {}
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique(path))
            messages = {k: v for k, v in data.items() if not k.startswith("@")}
            if path.stem == "qqq":
                self.documentation = messages
            else:
                self.by_language[path.stem] = messages

    @property
    def languages(self) -> list[str]:
        """Codes of the languages with a message file, English first."""
        return sorted(self.by_language, key=lambda code: (code != "en", code))

    def has(self, key: str) -> bool:
        """Whether English (the source language) defines the message."""
        return key in self.by_language.get("en", {})

    def text(self, language: str, key: str, *params: object) -> str:
        """One message in a language (else English), parameters filled in."""
        template = self.by_language.get(language, {}).get(key)
        page_direction = direction(language)
        if template is None:
            language = "en"
            template = self.by_language.get("en", {}).get(key)
        if template is None:
            return f"⧼{key}⧽"  # what MediaWiki shows for a missing message
        values = [str(p) for p in params]
        if page_direction == "rtl":
            # isolate each value (a date, a username, a title) so that its own
            # direction cannot reorder the sentence around it
            values = [f"\u2068{v}\u2069" for v in values]

        def plural(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            raw = params[index] if index < len(params) else 0
            return choose_plural(language, raw, match.group(2).split("|"))

        filled = _PLURAL.sub(plural, template)
        return _PARAM.sub(
            lambda m: values[int(m.group(1)) - 1] if int(m.group(1)) <= len(values) else m.group(0),
            filled,
        )


@cache
def _locale(language: str) -> babel.Locale:
    try:
        return babel.Locale.parse(language.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        return babel.Locale("en")


def choose_plural(language: str, number: object, forms: list[str]) -> str:
    """MediaWiki's PLURAL: explicit ``N=`` forms first, then CLDR's order of forms."""
    try:
        count = float(str(number).replace(",", ""))
    except ValueError:
        count = 0
    plain = []
    for form in forms:
        explicit, sep, text = form.partition("=")
        if sep and explicit.strip().isdigit():
            if float(explicit) == count:
                return text
            continue
        plain.append(form)
    if not plain:
        return ""
    locale = _locale(language)
    tags = [t for t in _PLURAL_TAGS if t in locale.plural_form.tags] + ["other"]
    tag = locale.plural_form(int(count) if count.is_integer() else count)
    index = tags.index(tag) if tag in tags else len(tags) - 1
    return plain[min(index, len(plain) - 1)]


@cache
def direction(language: str) -> str:
    """``rtl`` or ``ltr`` for the ``dir`` attribute (cached: Babel works it out each time)."""
    return "rtl" if _locale(language).text_direction == "rtl" else "ltr"


def autonym(language: str) -> str:
    """A language's name in itself, for the chooser."""
    name = _locale(language).get_display_name(_locale(language))
    return name[:1].upper() + name[1:] if name else language


def pick_language(messages: Messages) -> str:
    """The reader's language for this request."""
    available = messages.languages
    wanted = request.args.get("uselang") or request.cookies.get(LANGUAGE_COOKIE)
    if wanted in available:
        return wanted
    return request.accept_languages.best_match(available, default="en") or "en"


def init_app(app: Flask, messages: Messages | None = None) -> Messages:
    """Attach the messages; every template gets ``msg()``, ``lang`` and ``dir``."""
    messages = messages or Messages()
    app.extensions["campaignkit_messages"] = messages

    @app.before_request
    def _language() -> None:
        g.lang = pick_language(messages)
        g.dir = direction(g.lang)

    def msg(key: str, *params: object) -> str:
        return messages.text(getattr(g, "lang", "en"), key, *params)

    app.jinja_env.globals.update(
        msg=msg,
        languages=[(code, autonym(code)) for code in messages.languages],
    )
    return messages


def msg(key: str, *params: object) -> str:
    """A message in the current request's language, for Python code (form errors)."""
    from flask import current_app

    messages: Messages = current_app.extensions["campaignkit_messages"]
    return messages.text(getattr(g, "lang", "en"), key, *params)
