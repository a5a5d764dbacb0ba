"""Reading ``templates_wikitext/``: template code, the Lua module, messages and styles.

The files there are what a wiki editor would recognise: wikitext and Lua
with a few ``@@...@@`` placeholders. This module only finds and parses them;
:mod:`campaignkit.template_pages.placeholders` fills them in. Every problem is
a :class:`TemplateSourceError` naming the file, because a broken source must
stop an install before anything is written to any wiki.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent.parent.parent / "templates_wikitext"
DEFAULT_LANG = "en"


class TemplateSourceError(Exception):
    """A file in templates_wikitext is missing or broken; the message names it."""


def nfc(text: str) -> str:
    """MediaWiki stores text in Unicode NFC; we compare and write it the same way."""
    return unicodedata.normalize("NFC", text)


def _read(path: Path) -> str:
    try:
        return nfc(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateSourceError(f"{path}: source file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateSourceError(f"{path}: cannot read source file: {error}") from error


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as error:
        raise TemplateSourceError(f"{path}: not valid TOML: {error}") from error


def template_path(english_name: str, directory: Path = SOURCE_DIR) -> Path:
    """The source file of one template, named after its English name."""
    return directory / "Template" / f"{english_name}.wikitext"


def template_code(english_name: str, directory: Path = SOURCE_DIR) -> str:
    """The transcluded part of a template, without the trailing newline of the file.

    A trailing newline would become part of every transclusion, so it goes.
    """
    return _read(template_path(english_name, directory)).rstrip()


MODULE_PATH = Path("Module") / "Campaignkit.lua"


def module_code(directory: Path = SOURCE_DIR) -> str:
    """The Lua helper module that the templates invoke."""
    return _read(directory / MODULE_PATH).rstrip()


def _flatten(table: dict, prefix: str, path: Path) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{dotted}.", path))
        elif isinstance(value, str):
            flat[dotted] = value.strip()
        else:
            raise TemplateSourceError(f"{path}: {dotted} must be text, got {value!r}")
    return flat


@dataclass(frozen=True)
class Messages:
    """The templates' text in one language, falling back to English key by key."""

    lang: str
    own: dict[str, str]
    english: dict[str, str]

    def get(self, key: str) -> str:
        """The text for a key; an unknown key is a bug in a source file."""
        if key in self.own:
            return self.own[key]
        if key in self.english:
            return self.english[key]
        raise TemplateSourceError(f"messages/{DEFAULT_LANG}.toml: no message {key!r}")

    def translated(self, key: str) -> str | None:
        """The text in this language only, for TemplateData's per-language labels."""
        if self.lang == DEFAULT_LANG:
            return self.english.get(key)
        return self.own.get(key)


@cache
def load_messages(lang: str, directory: Path = SOURCE_DIR) -> Messages:
    """Messages for a language; a language without a file shows English."""
    english_path = directory / "messages" / f"{DEFAULT_LANG}.toml"
    english = _flatten(_toml(english_path), "", english_path)
    own: dict[str, str] = {}
    own_path = directory / "messages" / f"{lang}.toml"
    if lang != DEFAULT_LANG and own_path.is_file():
        own = _flatten(_toml(own_path), "", own_path)
        unknown = sorted(
            key
            for key in own
            if key not in english and not key.startswith(("label.", "description."))
        )
        if unknown:
            raise TemplateSourceError(
                f"{own_path}: {unknown[0]} is not a message of messages/{DEFAULT_LANG}.toml"
            )
    return Messages(lang=lang, own=own, english=english)


@cache
def load_styles(directory: Path = SOURCE_DIR) -> dict[str, str]:
    """Inline CSS snippets by name (styles.toml)."""
    path = directory / "styles.toml"
    return _flatten(_toml(path), "", path)
