r"""Escaping of values written into template parameters, and its exact inverse.

Whatever an organizer or participant types ends up inside ``{{Campaign event|name=…}}``
and is later echoed by the template into spans, table cells, link targets and
attributes. So a value must never be able to close the call, start a new
parameter, or add a template, link, category, signature, parser tag, heading,
list, table or behaviour switch, wherever the template puts it.

The rules follow MediaWiki's ``wfEscapeWikiText()``, made context-aware so
that ordinary text stays readable:

* always entity-encoded: ``" & ' < = > [ ] { | } ;``;
* at the start of a line (the value's start counts): ``* # : ; ! space tab``,
  the first ``-`` of ``----`` and a combining mark (which NFC would otherwise
  compose with the ``=`` before the value: ``=`` + U+0338 is ``≠``);
* ``__`` (behaviour switches), ``~~~`` (signatures), ``://`` and the colon of
  schemes without slashes (``mailto:``, ``tel:`` …: free external links), the
  whitespace after ``ISBN``/``RFC``/``PMID`` (magic links);
* whitespace that MediaWiki trims from a named parameter (value start and end,
  and the end of each line, so that no editor's "trim trailing spaces" changes
  the value);
* bidirectional controls and line/paragraph separators, so that they cannot
  reorder or hide the surrounding wikitext in the edit box.

Entities are decimal (``&#124;``), as in MediaWiki.

Multi-line values (``Kind.MULTILINE``, ``Kind.TITLES``) keep their line breaks
as real newlines, with every line escaped as a line start. A newline that would
make a blank line (or that starts or ends the value) is written as ``&#10;``
instead, so a value never contains a blank line (a new paragraph breaks the
span or table cell the template puts it in); ``a\n\nb`` is written
``a\n&#10;b``. ``\r\n`` and ``\r`` become ``\n``, as they would on save.
Single-line values refuse any line break with :class:`LineBreakNotAllowed`.

Characters that a wiki page cannot hold are refused with
:class:`ForbiddenCharacter`: C0 controls other than tab and newline, DEL, C1
controls, lone surrogates and Unicode noncharacters. MediaWiki would turn most
of them into U+FFFD on save, so accepting them would break "reads back exactly".

Unicode normalization: MediaWiki NFC-normalizes the whole page on save.
Values are therefore stored NFC: :func:`escape_value` normalizes its input to
NFC and :func:`unescape_value` returns NFC. The guarantee is
``unescape_value(saved(escape_value(v))) == unicodedata.normalize("NFC", v)``,
which is ``v`` itself for every value the model holds (the model validates
text to NFC). Entity-encoding non-NFC text instead would keep decomposed input
byte-exact but make the wikitext unreadable for every language that uses
combining marks.

There is no length limit here; fields limit length in validation.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata

from campaignkit.contract import Kind

ALWAYS_ENCODED = frozenset("\"&'<=>[]{|};")
LINE_START_ENCODED = frozenset("*#:;! \t")
TRIMMED_WHITESPACE = " \t\n\r\0\x0b"  # PHP trim(), which MediaWiki applies to named params
ENCODED_FORMAT_CHARACTERS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff"
)
MAGIC_LINK_WORDS = ("ISBN", "RFC", "PMID")
# $wgUrlProtocols entries that do not use "//" (MediaWiki 1.39 defaults).
SCHEMES_WITHOUT_SLASHES = (
    "bitcoin",
    "geo",
    "magnet",
    "mailto",
    "matrix",
    "news",
    "sip",
    "sips",
    "sms",
    "tel",
    "urn",
    "xmpp",
)
URL_START = re.compile(r"https?://", re.IGNORECASE)


class EscapeError(ValueError):
    """A value cannot be written into a template parameter as it is."""


class LineBreakNotAllowed(EscapeError):
    """A single-line field was given a line break."""


class ForbiddenCharacter(EscapeError):
    """A value holds a character that a wiki page cannot store."""


def entity(char: str) -> str:
    """The decimal character reference MediaWiki itself would write."""
    return f"&#{ord(char)};"


def is_forbidden(char: str) -> bool:
    """Whether a wiki page cannot hold this character (see the module docstring)."""
    code = ord(char)
    if code < 0x20:
        return char not in "\t\n\r"
    return (
        0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def _check_characters(value: str, multiline: bool) -> str:
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for position, char in enumerate(value):
        if char in "\r\n" and not multiline:
            raise LineBreakNotAllowed(
                f"line breaks are not allowed in this one-line field "
                f"(found one at character {position + 1}); put the text on one line"
            )
        if is_forbidden(char):
            name = unicodedata.name(char, "control character")
            raise ForbiddenCharacter(
                f"the character U+{ord(char):04X} ({name}) at character {position + 1} "
                f"cannot be stored on a wiki page; remove it"
            )
    return unicodedata.normalize("NFC", value)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def _follows_scheme(value: str, colon: int) -> bool:
    """Whether the ``:`` at ``colon`` ends a scheme that MediaWiki would auto-link."""
    before = value[max(0, colon - 8) : colon].lower()
    for scheme in SCHEMES_WITHOUT_SLASHES:
        if before.endswith(scheme):
            start = colon - len(scheme)
            if start == 0 or not re.match(r"[A-Za-z0-9_]", value[start - 1]):
                return True
            # A word character that is itself written as an entity ends in ``;``,
            # which is a boundary for MediaWiki's free-link rule (``__tel:`` is
            # written ``_&#95;tel:``), so the scheme's colon must be escaped too.
            if _must_encode(value, start - 1):
                return True
    return False


def _follows_magic_word(value: str, position: int) -> bool:
    before = value[max(0, position - 4) : position].upper()
    return any(before.endswith(word) for word in MAGIC_LINK_WORDS)


def _must_encode(value: str, i: int) -> bool:
    char = value[i]
    last = len(value) - 1
    line_start = i == 0 or value[i - 1] == "\n"
    if char in ALWAYS_ENCODED or char in ENCODED_FORMAT_CHARACTERS:
        return True
    if char == "\n":
        return i == 0 or i == last or value[i - 1] == "\n" or _follows_magic_word(value, i)
    if line_start and (char in LINE_START_ENCODED or _is_mark(char) or value.startswith("----", i)):
        return True
    if char in " \t" and (i == last or value[i + 1] == "\n"):
        return True
    if (char.isspace() or unicodedata.category(char) == "Zs") and _follows_magic_word(value, i):
        return True
    if char == "_":
        return i > 0 and value[i - 1] == "_"
    if char == "~":
        return i > 1 and value[i - 2 : i] == "~~"
    if char == ":":
        return value.startswith("//", i + 1) or _follows_scheme(value, i)
    return False


def _encode(value: str) -> str:
    return "".join(entity(c) if _must_encode(value, i) else c for i, c in enumerate(value))


def escape_value(value: str, *, multiline: bool = False) -> str:
    """Write a value so that MediaWiki reads exactly it back and renders no markup.

    Raises :class:`LineBreakNotAllowed` for a line break in a single-line value and
    :class:`ForbiddenCharacter` for characters no page can hold.
    """
    return _encode(_check_characters(value, multiline))


def escape_url(value: str) -> str:
    """Write an http(s) URL so that a template can still link it.

    Same as :func:`escape_value` except that the ``://`` after the scheme stays,
    because ``[{{{meeting_link}}} Join]`` must remain an external link;
    MediaWiki decodes the other entities in a link target.
    """
    checked = _check_characters(value, multiline=False)
    match = URL_START.match(checked)
    if match is None:
        raise EscapeError(f"{value!r} is not an http:// or https:// URL")
    if any(c.isspace() for c in checked):
        raise EscapeError(f"{value!r} contains whitespace, which would end the link")
    scheme, rest = checked[: match.end() - 3], checked[match.end() - 3 :]
    return scheme + "://" + _encode(rest)[len("&#58;//") :]


def normalize_value(value: str, kind: Kind) -> str:
    r"""The value as it will read back: NFC, ``\r\n`` as ``\n``; refuses what cannot be stored.

    Used to decide whether a value changed at all, so that an unchanged field
    is never rewritten.
    """
    return _check_characters(value, multiline=kind in (Kind.MULTILINE, Kind.TITLES))


def escape_field(value: str, kind: Kind) -> str:
    """Escape a value the way its field kind needs (line breaks kept, URL linkable)."""
    if kind in (Kind.MULTILINE, Kind.TITLES):
        return escape_value(value, multiline=True)
    if kind is Kind.URL and value:
        return escape_url(value)
    return escape_value(value)


# --- reading -------------------------------------------------------------------

_ENTITY_ALIASES = {"רלמ;": "rlm;", "رلم;": "rlm;"}
_CHAR_REF = re.compile(r"&(?:([A-Za-z0-9\u0080-\U0010ffff]+;)|#([0-9]+);|#[xX]([0-9A-Fa-f]+);)")
_SPECIAL = re.compile(
    r"(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<nowiki_empty><nowiki\s*/>)"
    r"|<nowiki(?:\s[^>]*)?>(?P<nowiki>.*?)</nowiki\s*>"
    r"|(?P<pipe>\{\{\s*!\s*\}\})"
    r"|(?P<equals>\{\{\s*=\s*\}\})",
    re.DOTALL | re.IGNORECASE,
)
_OWN_LINE_COMMENTS = re.compile(r"(?<=\n)[ \t]*(?:<!--.*?-->[ \t]*)+\n", re.DOTALL)


def _valid_codepoint(code: int) -> bool:
    """Sanitizer::validateCodepoint() of MediaWiki 1.39."""
    return (
        code in (0x09, 0x0A)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _decode_reference(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:
        name = _ENTITY_ALIASES.get(name, name)
        return html.entities.html5.get(name, match.group(0))
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if _valid_codepoint(code) else "\ufffd"


def decode_character_references(text: str) -> str:
    """Decode ``&#61;``, ``&#x3D;`` and named entities as MediaWiki's Sanitizer does."""
    return _CHAR_REF.sub(_decode_reference, text)


def unescape_value(raw: str) -> str:
    """Read a parameter value as MediaWiki sees it: the exact inverse of :func:`escape_value`.

    Also reads what people type by hand: comments are dropped (a comment on a
    line of its own takes the line with it, as in MediaWiki), surrounding
    whitespace is trimmed as for a named parameter, ``<nowiki>…</nowiki>`` is
    taken literally, ``{{!}}`` and ``{{=}}`` are ``|`` and ``=``, and every
    character reference (``&amp;``, ``&#124;``, ``&nbsp;``) is decoded.
    """
    raw = _OWN_LINE_COMMENTS.sub("", raw)
    pieces: list[tuple[str, bool]] = []  # (text, is_plain_wikitext)
    position = 0
    for match in _SPECIAL.finditer(raw):
        pieces.append((raw[position : match.start()], True))
        if match.group("nowiki") is not None:
            pieces.append((match.group("nowiki"), False))
        elif match.group("pipe"):
            pieces.append(("&#124;", False))
        elif match.group("equals"):
            pieces.append(("&#61;", False))
        position = match.end()
    pieces.append((raw[position:], True))
    pieces = _trim(pieces)
    return unicodedata.normalize(
        "NFC", "".join(decode_character_references(text) for text, _ in pieces)
    )


def _trim(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Trim plain whitespace at both ends, never inside a nowiki or magic word."""
    pieces = [piece for piece in pieces if piece[0]]
    while pieces and pieces[0][1]:
        text = pieces[0][0].lstrip(TRIMMED_WHITESPACE)
        if text:
            pieces[0] = (text, True)
            break
        pieces.pop(0)
    while pieces and pieces[-1][1]:
        text = pieces[-1][0].rstrip(TRIMMED_WHITESPACE)
        if text:
            pieces[-1] = (text, True)
            break
        pieces.pop()
    return pieces
