"""How long each form field may be, in the browser and on the server.

A field without a limit lets one request carry megabytes of text into a
preview, a journal row and a wiki page (3,000 organizer names were accepted).
Every input of the contract forms gets a ``maxlength`` (so a browser stops the
typing) and a ``Length`` check (so a request that skips the browser is refused
with a message next to the field). The limits follow what the bot accepts
(:mod:`campaignkit.validation`), tightened where a person never needs more.

:func:`oversized_field` is the second line, for every form including those
not built here: any submitted value past :data:`ANY_FIELD_CEILING` characters
is refused before a view runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from campaignkit.contract import TEMPLATES, Kind
from campaignkit.validation import (
    MAX_MULTILINE_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TITLE_BYTES,
    MAX_URL_LENGTH,
)
from webservice.i18n import msg

MAX_ORGANIZERS = 30
MAX_HASHTAG_LENGTH = 100
# Characters (not bytes) per kind; a title's 255 bytes are checked by the contract.
LENGTH_BY_KIND: Mapping[Kind, int] = {
    Kind.TEXT: MAX_TEXT_LENGTH,
    Kind.MULTILINE: MAX_MULTILINE_LENGTH,
    Kind.DATE: 10,
    Kind.DATETIME: 16,
    Kind.TIMEZONE: 64,
    Kind.COORDINATES: 64,
    Kind.WIKI: 64,
    Kind.TITLE: MAX_TITLE_BYTES,
    Kind.TITLES: 500_000,
    Kind.USER: MAX_TITLE_BYTES,
    Kind.USERS: 4_000,
    Kind.URL: MAX_URL_LENGTH,
    Kind.CHOICE: 64,
    Kind.INTEGER: 12,
    Kind.BOOLEAN: 5,
    Kind.LANGUAGE: 35,
    Kind.COUNTRY: 2,
}
LENGTH_BY_NAME: Mapping[str, int] = {
    "page_title": MAX_TITLE_BYTES,
    "hashtag": MAX_HASHTAG_LENGTH,
    "name": 200,
    "location": 300,
    "topic": 200,
}
# The largest value any field of any form may carry (a worklist's titles).
ANY_FIELD_CEILING = max(LENGTH_BY_KIND.values())
# Fields that may be as long as the ceiling; every other field of any form is
# refused past OTHER_FIELD_CEILING, even on forms not built from the contract.
LONG_FIELDS = frozenset({"titles", "minus_titles"})
OTHER_FIELD_CEILING = MAX_MULTILINE_LENGTH


def limit_for(template_key: str, name: str) -> int | None:
    """The most characters field ``name`` of a contract form may hold."""
    if name in LENGTH_BY_NAME:
        return LENGTH_BY_NAME[name]
    spec = TEMPLATES[template_key]
    if name in spec.field_names:
        return LENGTH_BY_KIND[spec.field(name).kind]
    return None


def _bounded(unbound: UnboundField, limit: int) -> UnboundField:
    kwargs = dict(unbound.kwargs)
    render_kw = dict(kwargs.get("render_kw") or {})
    render_kw["maxlength"] = limit
    kwargs["render_kw"] = render_kw
    kwargs["validators"] = [
        *(kwargs.get("validators") or []),
        Length(max=limit, message=msg("error-too-long", limit)),
    ]
    bounded = UnboundField(unbound.field_class, *unbound.args, **kwargs)
    bounded.creation_counter = unbound.creation_counter  # keep the form's field order
    return bounded


def bounded_form(form_class: type, template_key: str) -> type:
    """``form_class`` with a length limit on every text input (same fields, same order)."""
    replaced: dict[str, UnboundField] = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if not issubclass(unbound.field_class, (StringField, TextAreaField)):
            continue
        limit = limit_for(template_key, name)
        if limit is not None:
            replaced[name] = _bounded(unbound, limit)
    return type(form_class.__name__, (form_class,), replaced)


def oversized_field(items: Iterable[tuple[str, str]]) -> str:
    """The name of a submitted field longer than any form allows, or ''."""
    for name, value in items:
        ceiling = ANY_FIELD_CEILING if name in LONG_FIELDS else OTHER_FIELD_CEILING
        if len(value) > ceiling:
            return name
    return ""
