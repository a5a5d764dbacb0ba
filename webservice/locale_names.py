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
from typing import Any
from zoneinfo import available_timezones

import babel
from babel.dates import get_timezone_location
from flask import Flask, g
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

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
        name for name in pickable_zones() if name.split("/", 1)[0] in ZONE_REGIONS and "/" in name
    )
    groups = []
    for region in ZONE_REGIONS:
        members = [(z, _zone_label(z, locale)) for z in zones if z.startswith(region + "/")]
        members.sort(key=lambda item: _sort_key(item[1]))
        groups.append((region, tuple(members)))
    return (("UTC", (("UTC", "UTC"),)), *groups)


# Inputs whose text runs left to right in every language (dates, codes, URLs,
# coordinates): in an Arabic form they would otherwise be shown scrambled.
LEFT_TO_RIGHT_FIELDS = frozenset(
    {"start", "end", "coordinates", "meeting_link", "language", "limit", "depth", "wiki"}
)
# Free text that may be in either direction: the browser decides from the first letter.
EITHER_DIRECTION_FIELDS = frozenset(
    {"page_title", "name", "campaign", "location", "organizers", "worklist", "hashtag"}
    | {"topic", "description", "titles", "category", "links_from", "minus_category"}
    | {"minus_titles", "username"}
)


def _replace(unbound: UnboundField, field_class: type, **changes: Any) -> UnboundField:
    kwargs = {**unbound.kwargs, **changes}
    replaced = UnboundField(field_class, *unbound.args, **kwargs)
    replaced.creation_counter = unbound.creation_counter  # same place in the form
    return replaced


def with_pickers(form_class: type, language: str) -> type:
    """``form_class`` with a time zone and a country ``<select>``, and a direction per input.

    The values stay the contract's (IANA name, ISO code); ``validate_choice``
    is off because the contract's own check (``checked_values``) decides, so a
    page that holds a zone no longer in ``zone.tab`` can still be edited.
    """
    changes: dict[str, UnboundField] = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        render_kw = dict(unbound.kwargs.get("render_kw") or {})
        if name == "timezone":
            render_kw.pop("placeholder", None)
            zones = [
                SelectChoice(zone, label, optgroup=region)
                for region, members in zone_groups(language)
                for zone, label in members
            ]
            changes[name] = _replace(
                unbound, SelectField, choices=zones, validate_choice=False, render_kw=render_kw
            )
        elif name == "country":
            render_kw.pop("placeholder", None)
            render_kw.pop("maxlength", None)
            choices = [SelectChoice("", "—")]
            choices += [SelectChoice(code, name) for code, name in country_choices(language)]
            changes[name] = _replace(
                unbound, SelectField, choices=choices, validate_choice=False, render_kw=render_kw
            )
        elif name in LEFT_TO_RIGHT_FIELDS or name in EITHER_DIRECTION_FIELDS:
            render_kw["dir"] = "ltr" if name in LEFT_TO_RIGHT_FIELDS else "auto"
            changes[name] = _replace(unbound, unbound.field_class, render_kw=render_kw)
    return type(form_class.__name__, (form_class,), changes)


def keep_current_choice(field: Any) -> None:
    """Show a value the picker does not list (a hand-edited page's zone) as selected."""
    if not field.data or field.type != "SelectField":
        return
    if not any(field.data == choice.value for choice in field.choices):
        field.choices = [*field.choices, SelectChoice(field.data, field.data)]


def init_app(app: Flask) -> None:
    """Templates get ``country_name(code)``."""
    app.jinja_env.globals["country_name"] = country_name
