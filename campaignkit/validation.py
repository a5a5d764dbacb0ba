"""Checking one field's text against its contract kind, and errors a person can act on.

Every value reaches the bot through a person: an organizer's form, or a page
edited by hand. So a check never stops at the first problem, and every
problem becomes a :class:`FieldError` that names the page, the template, the
field and what to type instead. :func:`parse_value` turns the text of one
field into a typed value (a ``date``, a tuple of usernames, …) or raises
:class:`InvalidValue`; :func:`format_value` writes a typed value back in the
one canonical spelling, so that reading what was written gives the same value.

Free text is returned NFC-normalized (see :mod:`campaignkit.wikitext.escape`),
because that is what MediaWiki stores.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from campaignkit.contract import FieldSpec, Kind
from campaignkit.dates import DateError, parse_day, parse_moment
from campaignkit.wikitext.escape import EscapeError, normalize_value

MAX_TEXT_LENGTH = 1000
MAX_MULTILINE_LENGTH = 10_000
MAX_URL_LENGTH = 2000
MAX_TITLE_BYTES = 255  # MediaWiki's limit on a title, and $wgMaxNameChars for usernames
MAX_TITLES = 10_000
TITLE_FORBIDDEN = frozenset("#<>[]|{}")
USERNAME_FORBIDDEN = frozenset("#<>[]|{}/@:")
LIST_SEPARATORS = re.compile(r"[,،、，\n]")

# ISO 3166-1 alpha-2, officially assigned, plus XK (Kosovo), which Wikimedia and CLDR use.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
    """.split()  # noqa: SIM905 - a table people can proof-read
)
BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False}
BOOLEANS |= {"false": False, "0": False}


class InvalidValue(ValueError):
    """One field's text is not a valid value of its kind; the message says why."""


@dataclass(frozen=True)
class FieldError:
    """A problem with one field (or, with ``field`` empty, one template) on one page."""

    page: str
    wiki: str
    template: str
    field: str
    message: str
    page_kind: str = "Page"
    canonical: str = ""
    warning: bool = False

    def __str__(self) -> str:
        """One line naming the page, the template, the field and the problem."""
        where = f'{self.page_kind} "{self.page}" on {self.wiki}, template {{{{{self.template}}}}}'
        if self.field:
            where += f', field "{self.field}"'
            if self.canonical and self.canonical != self.field:
                where += f" ({self.canonical})"
        prefix = "warning: " if self.warning else ""
        return f"{where}: {prefix}{self.message}"


@dataclass(frozen=True)
class Coordinates:
    """A point in decimal degrees."""

    latitude: float
    longitude: float

    def __str__(self) -> str:
        """The canonical spelling, ``6.5095, 3.3711``: no exponent, no trailing zeros."""
        return f"{_decimal(self.latitude)}, {_decimal(self.longitude)}"


def _decimal(number: float) -> str:
    text = format(Decimal(repr(number)), "f")
    return "0" if text in ("-0", "-0.0") else text


def _quote(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return f'"{shown}"'


# --- one checker per kind -------------------------------------------------------


def _free_text(text: str, kind: Kind, limit: int) -> str:
    try:
        value = normalize_value(text, kind)
    except EscapeError as error:
        raise InvalidValue(str(error)) from None
    if len(value) > limit:
        raise InvalidValue(f"is {len(value)} characters long; at most {limit} fit")
    return value


def _text(text: str) -> str:
    return _free_text(re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text), Kind.TEXT, MAX_TEXT_LENGTH)


def _multiline(text: str) -> str:
    return _free_text(text, Kind.MULTILINE, MAX_MULTILINE_LENGTH)


def _date(text: str, lang: str = "en") -> date:
    try:
        return parse_day(text, lang)
    except DateError as error:
        raise InvalidValue(str(error)) from None


def _datetime(text: str, lang: str = "en", end_of_day: bool = False) -> datetime:
    """A date and time; a date alone is a whole day: 00:00, or 23:59 for an end."""
    try:
        moment = parse_moment(text, lang)
    except DateError as error:
        raise InvalidValue(str(error)) from None
    if not moment.has_time and end_of_day:
        return moment.value.replace(hour=23, minute=59)
    return moment.value


@cache
def _time_zones() -> dict[str, str]:
    names = available_timezones() - {"localtime", "Factory", "posixrules"}
    return {name.casefold(): name for name in names}


@cache
def _abbreviations() -> dict[str, tuple[str, ...]]:
    """Time zone abbreviations (WAT, CET, …) -> the IANA zones using them, for hints."""
    found: dict[str, set[str]] = {}
    for name in _time_zones().values():
        zone = ZoneInfo(name)
        for month in (1, 7):
            abbreviation = datetime(2027, month, 1, tzinfo=zone).tzname() or ""
            if abbreviation.isalpha():
                found.setdefault(abbreviation.casefold(), set()).add(name)
    return {key: tuple(sorted(names)) for key, names in found.items()}


def _timezone(text: str) -> str:
    zones = _time_zones()
    found = zones.get(text.replace(" ", "_").casefold())
    if found:
        return found
    users = _abbreviations().get(text.strip().casefold())
    if users:
        shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        raise InvalidValue(
            f"{_quote(text)} is an abbreviation, not an IANA time zone; it is used by {shown}: "
            "write the zone of the event's city (e.g. Africa/Lagos)"
        )
    if re.fullmatch(r"(?:UTC|GMT)?\s*[+-]\s*\d{1,2}(?::?\d{2})?", text.strip(), re.IGNORECASE):
        raise InvalidValue(
            f"{_quote(text)} is a UTC offset, not an IANA time zone; offsets change with summer "
            "time in many places: write the zone of the event's city (e.g. Africa/Lagos)"
        )
    hints = [name for key, name in zones.items() if key.endswith("/" + text.casefold())]
    hint = f"; did you mean {hints[0]}?" if hints else " (e.g. Africa/Lagos)"
    raise InvalidValue(f"{_quote(text)} is not an IANA time zone{hint}")


def _coordinates(text: str) -> Coordinates:
    number = r"([+-]?\d+(?:\.\d+)?)"
    match = re.fullmatch(rf"{number}\s*(?:[,;]|\s)\s*{number}", text)
    if match is None:
        raise InvalidValue(
            f"{_quote(text)} is not coordinates (latitude, longitude in decimal degrees, "
            f"e.g. 6.5095, 3.3711)"
        )
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not -90 <= latitude <= 90:
        raise InvalidValue(f"latitude {match.group(1)} is not between -90 and 90")
    if not -180 <= longitude <= 180:
        raise InvalidValue(f"longitude {match.group(2)} is not between -180 and 180")
    return Coordinates(latitude, longitude)


def _wiki(text: str, wiki_ids: Collection[str] | None) -> str:
    value = text.strip().lower()
    if wiki_ids is not None and value not in wiki_ids:
        known = ", ".join(sorted(wiki_ids)) or "none"
        raise InvalidValue(f"{_quote(text)} is not a configured wiki (configured: {known})")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise InvalidValue(f"{_quote(text)} is not a wiki id (e.g. yowiki)")
    return value


def _unlink(text: str) -> str:
    """``[[Target|label]]`` → ``Target``: people link titles out of habit."""
    match = re.fullmatch(r"\[\[([^\[\]|]+)(?:\|[^\[\]]*)?\]\]", text.strip())
    return match.group(1) if match else text


def _title(text: str) -> str:
    value = _free_text(_unlink(text), Kind.TEXT, MAX_TEXT_LENGTH)
    value = " ".join(value.replace("_", " ").split()).removeprefix(":").strip()
    if not value:
        raise InvalidValue("is empty; give a page title")
    bad = sorted(set(value) & TITLE_FORBIDDEN)
    if bad:
        raise InvalidValue(f"{_quote(value)} cannot be a page title: it contains {bad[0]!r}")
    if "~~~" in value or re.search(r"%[0-9A-Fa-f]{2}", value):
        raise InvalidValue(f"{_quote(value)} cannot be a page title (~~~ or %-encoding)")
    if value in (".", "..") or value.startswith(("./", "../")) or "/./" in value:
        raise InvalidValue(f"{_quote(value)} cannot be a page title (relative path)")
    if len(value.encode("utf-8")) > MAX_TITLE_BYTES:
        raise InvalidValue(f"{_quote(value)} is longer than {MAX_TITLE_BYTES} bytes")
    return value


def _titles(text: str) -> tuple[str, ...]:
    value = _free_text(text, Kind.TITLES, MAX_MULTILINE_LENGTH * 100)
    titles: list[str] = []
    for number, line in enumerate(value.split("\n"), start=1):
        line = line.strip().lstrip("*#").strip()
        if not line:
            continue
        try:
            title = _title(line)
        except InvalidValue as error:
            raise InvalidValue(f"line {number}: {error}") from None
        if title not in titles:
            titles.append(title)
    if len(titles) > MAX_TITLES:
        raise InvalidValue(f"lists {len(titles)} titles; at most {MAX_TITLES} fit")
    return tuple(titles)


def _user(text: str) -> str:
    value = _free_text(_unlink(text), Kind.TEXT, MAX_TEXT_LENGTH)
    value = " ".join(value.replace("_", " ").split())
    if value.casefold().startswith("user:"):
        value = value[len("user:") :].strip()
    if not value:
        raise InvalidValue("is empty; give a username")
    bad = sorted(set(value) & USERNAME_FORBIDDEN)
    if bad:
        raise InvalidValue(f"{_quote(value)} is not a username: it contains {bad[0]!r}")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        raise InvalidValue(f"{_quote(value)} is an IP address, not an account")
    if len(value.encode("utf-8")) > MAX_TITLE_BYTES:
        raise InvalidValue(f"{_quote(value)} is longer than {MAX_TITLE_BYTES} bytes")
    first = value[0].upper()
    return (first if len(first) == 1 else value[0]) + value[1:]


def _users(text: str) -> tuple[str, ...]:
    users: list[str] = []
    for part in LIST_SEPARATORS.split(text):
        if part.strip():
            user = _user(part)
            if user not in users:
                users.append(user)
    return tuple(users)


def _url(text: str) -> str:
    value = _free_text(text, Kind.URL, MAX_URL_LENGTH)
    if any(c.isspace() for c in value):
        raise InvalidValue(f"{_quote(value)} is not a URL: it contains a space")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"{_quote(value)} is not an http:// or https:// URL")
    return value


def _choice(text: str, spec: FieldSpec) -> str:
    for choice in spec.choices:
        if text.casefold() == choice.casefold():
            return choice
    raise InvalidValue(f"{_quote(text)} is not one of: {', '.join(spec.choices)}")


def _integer(text: str) -> int:
    if not re.fullmatch(r"\d{1,12}", text):
        raise InvalidValue(f"{_quote(text)} is not a whole number (0, 1, 2, …)")
    return int(text)


def _boolean(text: str) -> bool:
    try:
        return BOOLEANS[text.casefold()]
    except KeyError:
        raise InvalidValue(f"{_quote(text)} is not yes or no") from None


def _language(text: str) -> str:
    value = text.lower().replace("_", "-")
    if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", value):
        raise InvalidValue(f"{_quote(text)} is not a language code (e.g. yo, en, zh-hans)")
    return value


def _country(text: str) -> str:
    value = text.upper()
    if value not in COUNTRY_CODES:
        raise InvalidValue(f"{_quote(text)} is not an ISO 3166-1 country code (e.g. NG)")
    return value


_CHECKERS: dict[Kind, Callable[[str], Any]] = {
    Kind.TEXT: _text,
    Kind.MULTILINE: _multiline,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.TIMEZONE: _timezone,
    Kind.COORDINATES: _coordinates,
    Kind.TITLE: _title,
    Kind.TITLES: _titles,
    Kind.USER: _user,
    Kind.USERS: _users,
    Kind.URL: _url,
    Kind.INTEGER: _integer,
    Kind.BOOLEAN: _boolean,
    Kind.LANGUAGE: _language,
    Kind.COUNTRY: _country,
}


def parse_value(
    spec: FieldSpec,
    text: str,
    *,
    wiki_ids: Collection[str] | None = None,
    lang: str = "en",
    end_of_day: bool = False,
) -> Any:
    """The typed value of one field's text, or None when it is empty.

    ``wiki_ids`` are the configured wikis; None skips that check (for
    comparing values, where membership does not matter). ``lang`` is the
    wiki's language, whose month names dates may use besides English ones;
    ``end_of_day`` makes a date without a time (an all-day event's end) 23:59.
    """
    text = text.strip()
    if not text:
        return None
    if spec.kind is Kind.MULTILINE:
        return _multiline(text)
    if spec.kind is Kind.WIKI:
        return _wiki(text, wiki_ids)
    if spec.kind is Kind.CHOICE:
        return _choice(text, spec)
    if spec.kind is Kind.DATETIME:
        return _datetime(text, lang, end_of_day)
    if spec.kind is Kind.DATE:
        return _date(text, lang)
    return _CHECKERS[spec.kind](text)


def default_value(spec: FieldSpec) -> Any:
    """What an empty optional field means: the spec's default, else empty."""
    if spec.default:
        return parse_value(spec, spec.default)
    if spec.kind in (Kind.TITLES, Kind.USERS):
        return ()
    if spec.kind in (Kind.TEXT, Kind.MULTILINE, Kind.TITLE, Kind.URL, Kind.USER):
        return ""
    return None


def format_value(spec: FieldSpec, value: Any) -> str:
    """The canonical text of a typed value; ``parse_value`` reads it back equal."""
    if value is None or value == "" or value == ():
        return ""
    kind = spec.kind
    if kind is Kind.DATE:
        return value.isoformat()
    if kind is Kind.DATETIME:
        return value.strftime("%Y-%m-%d %H:%M")
    if kind is Kind.BOOLEAN:
        return "yes" if value else "no"
    if kind is Kind.USERS:
        return ", ".join(value)
    if kind is Kind.TITLES:
        return "\n".join(value)
    return str(value)


def similar_names(name: str, known: Collection[str]) -> list[str]:
    """Names a typo probably meant, for "did you mean" hints."""
    return difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
