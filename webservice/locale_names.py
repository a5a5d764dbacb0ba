"""Countries and time zones as a reader knows them, from CLDR (through Babel).

The contract stores an ISO 3166-1 code (``NG``) and an IANA zone
(``Africa/Lagos``) because the bot and other tools need exact values; people
choose "Nigeria" / "نيجيريا" / "Nàìjíríà" and "Lagos". So the forms offer two
plain ``<select>`` pickers (no JavaScript needed): countries by their name in
the interface language, sorted in that language's order as far as Python's
collation allows, and time zones grouped by region (``<optgroup>``), each
labelled with its city's localized name.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

import babel
from babel.dates import get_timezone_location
from flask import Flask, g

from campaignkit.validation import COUNTRY_CODES

# Regions of the IANA database people pick from (no "Etc/GMT+3" or legacy links).
ZONE_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe")
ZONE_REGIONS += ("Indian", "Pacific")


@cache
def _locale(language: str) -> babel.Locale:
    try:
        return babel.Locale.parse(language.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        return babel.Locale("en")


def _sort_key(text: str) -> str:
    """A language-neutral order: letters without their accents first, then as written."""
    base = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in base if not unicodedata.combining(c)) + "\0" + text


def country_name(code: str, language: str | None = None) -> str:
    """A country's name in the interface language (the code when CLDR has none)."""
    locale = _locale(language or g.get("lang", "en"))
    return locale.territories.get(code.upper(), code)


@cache
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    """Every ISO code the contract accepts, as (code, localized name), by name."""
    locale = _locale(language)
    names = [(code, locale.territories.get(code, code)) for code in COUNTRY_CODES]
    return tuple(sorted(names, key=lambda item: _sort_key(item[1])))


def _zone_label(zone: str, locale: babel.Locale) -> str:
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    try:
        localized = get_timezone_location(zone, locale=locale, return_city=True)
    except (LookupError, ValueError):
        localized = city
    return localized if localized == city else f"{localized} ({city})"


@cache
def pickable_zones() -> frozenset[str]:
    """One canonical zone per place, from the IANA ``zone.tab`` (no legacy links).

    ``zone.tab`` ships with the ``tzdata`` package (the same IANA release the
    zone checks use); without it, every zone Python knows is offered.
    """
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset(available_timezones())
    lines = (line.split("\t") for line in text.splitlines() if line and line[0] != "#")
    return frozenset(fields[2] for fields in lines if len(fields) > 2)


@cache
def zone_groups(language: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Time zones grouped by region: ((region, ((zone, label), …)), …), plus UTC."""
    locale = _locale(language)
    zones = sorted(
        name
        for name in pickable_zones()
        if name.split("/", 1)[0] in ZONE_REGIONS and "/" in name
    )
    groups = []
    for region in ZONE_REGIONS:
        members = [(z, _zone_label(z, locale)) for z in zones if z.startswith(region + "/")]
        members.sort(key=lambda item: _sort_key(item[1]))
        groups.append((region, tuple(members)))
    return (("UTC", (("UTC", "UTC"),)), *groups)


def init_app(app: Flask) -> None:
    """Templates get ``country_name(code)``."""
    app.jinja_env.globals["country_name"] = country_name
