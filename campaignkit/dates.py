"""Dates and times as organizers type them: ISO forms, and month names in two languages.

Event pages are written by hand and copied from older campaigns, so
``start=2027-03-01``, ``start=1 March 2027``, ``start=March 1, 2027 10:00``
and, on the Yoruba wiki, ``start=1 Oṣù Ẹrẹ̀nà 2027`` must all mean what the
organizer meant. Accepted, for a date and time field:

- ``YYYY-MM-DD HH:MM`` and ISO 8601 with ``T`` (``2027-03-01T10:00``, seconds
  ``:00`` allowed);
- ``YYYY-MM-DD`` alone: a whole day (the caller decides whether that is 00:00
  or 23:59: the start or the end of the day);
- day-month-year (``1 March 2027``, ``1st Mar. 2027``) and month-day-year
  (``March 1, 2027``), with an optional time after them (``10:00``,
  ``10:00 am``, ``at 4 pm``), month names in English and in the wiki's
  language, full or abbreviated, from CLDR through Babel.

Refused, with a message that says what to write: numeric day/month orders
(``01/03/2027`` is March to some and January to others), a UTC offset or
``Z`` (the time zone belongs in the ``timezone`` field; an offset would make
the same event start at two times), and anything else.

Month names are compared case-insensitively and without diacritics when that
is unambiguous (``Erena`` for ``Ẹrẹ̀nà``: tone marks are often left out when
typing on a phone), and a word that every month name of the language starts
with (Yoruba's ``Oṣù``, "month") may be left out. The page's text is never
rewritten: callers keep the typed text and show the normalized value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache

from babel.core import Locale, UnknownLocaleError
from babel.dates import get_month_names

ACCEPTED = "YYYY-MM-DD HH:MM, YYYY-MM-DD for a whole day, or 1 March 2027 10:00"
"""What a date and time field accepts, in the words of error messages and documentation."""
ACCEPTED_DATE = "YYYY-MM-DD or 1 March 2027"
"""What a date field accepts."""


class DateError(ValueError):
    """A text is no date (and time) that can be read without guessing; the message says why."""


@dataclass(frozen=True)
class Moment:
    """A date with a time, or a whole day (``has_time`` False: the time is 00:00)."""

    value: datetime
    has_time: bool


def _fold(text: str) -> str:
    """Case and diacritics dropped, spaces collapsed, a final full stop dropped."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.casefold().replace(".", " ").split())


def _exact(text: str) -> str:
    """Case dropped, diacritics kept (NFC), spaces collapsed, full stops dropped."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().replace(".", " ").split())


def _locale_months(lang: str) -> list[tuple[int, str]]:
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return []
    found: list[tuple[int, str]] = []
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            found += list(get_month_names(width, context, locale).items())
    wide = [name for _month, name in get_month_names("wide", "format", locale).items()]
    first_words = {name.split()[0] for name in wide if " " in name}
    if len(first_words) == 1 and all(" " in name for name in wide):
        # Every month is "<word> <name>" (Yoruba "Oṣù Ṣẹ́rẹ́"): the name alone is
        # what people often write.
        word = next(iter(first_words))
        found += [(month, name.removeprefix(word).strip()) for month, name in found]
    return found


@cache
def month_names(lang: str) -> dict[str, int]:
    """Month names of English and of ``lang`` (exact and diacritic-free keys) -> month number.

    A diacritic-free spelling that two months share is left out, so that only
    the exact spelling of either is understood.
    """
    pairs = _locale_months("en") + (_locale_months(lang) if lang and lang != "en" else [])
    pairs.append((9, "Sept"))
    exact: dict[str, int] = {}
    folded: dict[str, set[int]] = {}
    for month, name in pairs:
        exact.setdefault(_exact(name), month)
        folded.setdefault(_fold(name), set()).add(month)
    names = {key: months.pop() for key, months in folded.items() if len(months) == 1}
    names.update(exact)
    return names


def _month(name: str, lang: str) -> int | None:
    names = month_names(lang)
    return names.get(_exact(name)) or names.get(_fold(name))


_TIME = (
    r"(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    r"\s*(?P<half>[ap]\.?\s?m\.?)?"
)
_ISO = re.compile(
    r"(?P<day>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:(?:\s+|T)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
    r"(?P<offset>\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT))?",
    re.IGNORECASE,
)
_ORDINAL = r"(?:st|nd|rd|th|\.)?"
_TAIL = rf"(?:\s*,?\s*(?:at\s+|à\s+|ní\s+)?{_TIME})?"
_DAY_MONTH = re.compile(
    rf"(?P<d>\d{{1,2}}){_ORDINAL}\s*(?P<m>[^\d,]+?)\s*,?\s*(?P<y>\d{{4}}){_TAIL}",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"(?P<m>[^\d,]+?)\s*(?P<d>\d{{1,2}}){_ORDINAL}\s*,?\s*(?P<y>\d{{4}}){_TAIL}",
    re.IGNORECASE,
)


def _quote(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return f'"{shown}"'


def _clock(match: re.Match[str], text: str) -> time | None:
    """The time of a match, or None when none was written."""
    if match.group("hour") is None:
        return None
    hour = int(match.group("hour"))
    minute = int(match.group("minute") or 0)
    second = int(match.group("second") or 0)
    half = (match.groupdict().get("half") or "").replace(".", "").replace(" ", "").lower()
    if match.groupdict().get("half") is None and match.group("minute") is None:
        raise DateError(f"{_quote(text)}: write the time as HH:MM (e.g. 10:00)")
    if half:
        if not 1 <= hour <= 12:
            raise DateError(f"{_quote(text)}: {hour} is not an hour of a 12-hour clock")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if second:
        raise DateError(f"{_quote(text)}: give the time to the minute (HH:MM), without seconds")
    if hour > 23 or minute > 59:
        raise DateError(f"{_quote(text)}: {hour:02d}:{minute:02d} is not a time of day")
    return time(hour, minute)


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as error:
        raise DateError(f"{_quote(text)} is not a valid date: {error}") from None


def parse_moment(text: str, lang: str = "en") -> Moment:
    """The date and time written in ``text``; :class:`DateError` says what to write instead.

    ``lang`` is the wiki's language: its month names are understood besides
    English ones.
    """
    value = " ".join(unicodedata.normalize("NFC", text).split())
    iso = _ISO.fullmatch(value)
    if iso is not None:
        if iso.group("offset"):
            raise DateError(
                f"{_quote(text)} has a UTC offset or zone; write the local time "
                "(e.g. 2027-03-01 10:00) and put the time zone in the timezone field"
            )
        year, month, day = (int(part) for part in iso.group("day").split("-"))
        found = _day(year, month, day, text)
        clock = _clock(iso, text)
        return Moment(datetime.combine(found, clock or time()), clock is not None)
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        match = pattern.fullmatch(value)
        if match is None:
            continue
        month = _month(match.group("m"), lang)
        if month is None:
            continue
        found = _day(int(match.group("y")), month, int(match.group("d")), text)
        clock = _clock(match, text)
        return Moment(datetime.combine(found, clock or time()), clock is not None)
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}.*", value):
        raise DateError(
            f"{_quote(text)}: day and month in numbers are read differently in different "
            "countries; write 2027-03-01 or 1 March 2027"
        )
    raise DateError(f"{_quote(text)} is not a date and time ({ACCEPTED})")


def parse_day(text: str, lang: str = "en") -> date:
    """A date without a time (a campaign's first or last day)."""
    try:
        moment = parse_moment(text, lang)
    except DateError as error:
        message = str(error).replace(f"a date and time ({ACCEPTED})", f"a date ({ACCEPTED_DATE})")
        raise DateError(message) from None
    if moment.has_time:
        raise DateError(f"{_quote(text)} has a time; give the day only ({ACCEPTED_DATE})")
    return moment.value.date()
