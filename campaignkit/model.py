"""Campaigns, events and worklist sources as typed values read from their pages.

The wiki is the source of truth, so a model is only ever read from a page's
wikitext (through the per-wiki manifest) and written back into it. Reading
collects every problem instead of stopping at the first: :func:`read_event`
returns a :class:`Reading` with the model and a list of :class:`FieldError`.
A bad optional field is reported and left at its default, so the event is
still listed; a bad required field, or start after end, leaves no model.
``Reading.strict()`` (or the ``*_strict`` readers) raises :class:`InvalidPage`.

Writing goes through :func:`write_model`, which compares typed values with
what the page holds and rewrites only the fields that differ, so that
changing one field of a hand-written page is a one-line diff.

The ``campaign`` field of ``{{Campaign event}}`` names a page on the hub wiki.
On another wiki people often write it as an interwiki link, ``meta:Title`` or
``m:Title`` (any case, and possibly as ``[[m:Title|…]]``); that prefix is
dropped. On the hub itself the value is taken as it is, because there
``Meta:`` is a namespace. The model always holds the bare hub title, and
writes it without a prefix.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from campaignkit.contract import GOALS, TEMPLATES, Kind, TemplateSpec
from campaignkit.manifest import LocalTemplate, Manifest, normalize_template_name
from campaignkit.validation import (
    Coordinates,
    FieldError,
    InvalidValue,
    default_value,
    format_value,
    parse_value,
    similar_names,
)
from campaignkit.wikitext.templates import (
    TemplateCall,
    TemplateNotFound,
    find_calls,
    render_call,
    update_params,
)

HUB_PREFIXES = re.compile(r"\A(?:m|meta)\s*:\s*", re.IGNORECASE)
_INVALID = object()  # a field whose text on the page does not parse


@dataclass(frozen=True)
class PageRef:
    """Where a model was read from: a wiki id and a page title."""

    wiki: str
    title: str


@dataclass(frozen=True)
class ContractModel:
    """What every model shares: its page, and how it maps to its template."""

    TEMPLATE_KEY: ClassVar[str]
    PAGE_KIND: ClassVar[str]

    page: PageRef

    def to_params(self) -> dict[str, str]:
        """Every field as canonical text, keyed by canonical parameter name."""
        spec = _spec(self)
        return {f.name: format_value(f, getattr(self, f.name)) for f in spec.fields}


def _spec(model: ContractModel | type[ContractModel]) -> TemplateSpec:
    return TEMPLATES[model.TEMPLATE_KEY]


def _goals(model: ContractModel) -> dict[str, int]:
    """A model's ``goal_*`` fields that are set; a goal of 0 means none was set."""
    found = {}
    for name, _label, _description in GOALS:
        value = getattr(model, f"goal_{name}", None)
        if value:
            found[name] = int(value)
    return found


@dataclass(frozen=True)
class Campaign(ContractModel):
    """A campaign, from ``{{Campaign}}`` on its page on the hub wiki."""

    TEMPLATE_KEY: ClassVar[str] = "campaign"
    PAGE_KIND: ClassVar[str] = "Campaign page"

    name: str
    start: date
    end: date
    hashtag: str = ""
    topic: str = ""
    parent: str = ""
    organizers: tuple[str, ...] = ()
    description: str = ""
    upload_category: str = ""
    goal_participants: int | None = None
    goal_new_editors: int | None = None
    goal_articles: int | None = None
    goal_bytes: int | None = None
    goal_references: int | None = None
    goal_uploads: int | None = None

    def goals(self) -> dict[str, int]:
        """The goals set on the page, by name (``participants``, ...)."""
        return _goals(self)


@dataclass(frozen=True)
class CampaignEvent(ContractModel):
    """One event of a campaign, from ``{{Campaign event}}`` on its page on any wiki.

    ``page.wiki`` is where the event page lives; ``wiki`` is where the
    participants edit. ``start`` and ``end`` are local times in ``timezone``.
    """

    TEMPLATE_KEY: ClassVar[str] = "campaign_event"
    PAGE_KIND: ClassVar[str] = "Event page"

    campaign: str
    name: str
    start: datetime
    end: datetime
    format: str
    wiki: str
    timezone: str = "UTC"
    location: str = ""
    coordinates: Coordinates | None = None
    country: str | None = None
    language: str | None = None
    organizers: tuple[str, ...] = ()
    worklist: str = ""
    signup: str = "open"
    hashtag: str = ""
    meeting_link: str = ""
    description: str = ""
    upload_category: str = ""
    goal_participants: int | None = None
    goal_new_editors: int | None = None
    goal_articles: int | None = None
    goal_bytes: int | None = None
    goal_references: int | None = None
    goal_uploads: int | None = None
    capacity: int | None = None  # None or 0: no limit
    reminders: bool | None = None  # yes: talk-page reminders and thanks

    def goals(self) -> dict[str, int]:
        """The goals set on the page, by name (``participants``, ...)."""
        return _goals(self)

    @property
    def seats(self) -> int | None:
        """How many valid sign-ups get a place; None when the event has no limit."""
        return self.capacity or None

    @property
    def start_utc(self) -> datetime:
        """The start as an aware UTC datetime, for comparing with edit timestamps."""
        return self.start.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(ZoneInfo("UTC"))

    @property
    def end_utc(self) -> datetime:
        """The end as an aware UTC datetime."""
        return self.end.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class WorklistSource(ContractModel):
    """Where a worklist's articles come from, from ``{{Worklist}}``.

    Exactly one of ``titles``, ``category`` and ``links_from`` says which
    pages; with ``source_wiki`` they are read there and the list is the ones
    missing on ``wiki`` (a language gap).
    """

    TEMPLATE_KEY: ClassVar[str] = "worklist"
    PAGE_KIND: ClassVar[str] = "Worklist page"

    wiki: str
    titles: tuple[str, ...] = ()
    category: str = ""
    depth: int = 0
    links_from: str = ""
    source_wiki: str | None = None
    minus_category: str = ""
    minus_titles: tuple[str, ...] = ()
    limit: int | None = None
    sort: str = "title"

    @property
    def kind(self) -> str:
        """``titles``, ``category`` or ``links``, with ``-gap`` for a language gap."""
        base = "titles" if self.titles else "category" if self.category else "links"
        return f"{base}-gap" if self.source_wiki else base


M = TypeVar("M", bound=ContractModel)


class InvalidPage(Exception):
    """A page's template has errors; the message lists every one."""

    def __init__(self, errors: Collection[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Reading(Generic[M]):
    """What reading a page gave: the model (None if unusable) and every problem found."""

    model: M | None
    errors: tuple[FieldError, ...] = ()
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The fields that could be read, even when the model could not (for a "needs
    fixing" row: which campaign and name an unreadable event page gives)."""

    @property
    def problems(self) -> tuple[FieldError, ...]:
        """The errors, without the warnings (unknown or repeated parameters)."""
        return tuple(e for e in self.errors if not e.warning)

    @property
    def warnings(self) -> tuple[FieldError, ...]:
        """Things worth telling the organizer that do not stop the model."""
        return tuple(e for e in self.errors if e.warning)

    def strict(self) -> M:
        """The model, or :class:`InvalidPage` if anything but a warning was wrong."""
        if self.model is None or self.problems:
            raise InvalidPage(self.problems)
        return self.model


# --- reading --------------------------------------------------------------------


@dataclass
class _Context:
    model: type[ContractModel]
    page: PageRef
    local: LocalTemplate
    template_name: str
    wiki_ids: Collection[str] | None
    hub_id: str | None
    errors: list[FieldError] = dataclasses.field(default_factory=list)
    lang: str = "en"
    failed: set[str] = dataclasses.field(default_factory=set)

    def error(self, field: str, message: str, canonical: str = "", warning: bool = False) -> None:
        self.errors.append(
            FieldError(
                page=self.page.title,
                wiki=self.page.wiki,
                template=self.template_name,
                field=field,
                message=message,
                page_kind=self.model.PAGE_KIND,
                canonical=canonical,
                warning=warning,
            )
        )


def _campaign_title(value: str, context: _Context) -> str:
    if context.page.wiki != context.hub_id:
        return HUB_PREFIXES.sub("", value, count=1)
    return value


def _parse_field(context: _Context, canonical: str, text: str) -> Any:
    """A field's typed value; raises InvalidValue. Empty gives the default."""
    spec = context.local.spec.field(canonical)
    value = parse_value(
        spec,
        text,
        wiki_ids=context.wiki_ids,
        lang=context.lang,
        end_of_day=spec.kind is Kind.DATETIME and canonical == "end",
    )
    if value is None:
        return default_value(spec)
    if context.model is CampaignEvent and canonical == "campaign":
        value = _campaign_title(value, context)
        if not value:
            raise InvalidValue("has only a wiki prefix; give the campaign page's title")
    return value


def _read_fields(context: _Context, call: TemplateCall) -> tuple[dict[str, Any], bool]:
    """Typed values of every field, and whether the required ones are all usable."""
    values: dict[str, Any] = {}
    usable = True
    for spec in context.local.spec.fields:
        shown = call.names_used.get(spec.name, context.local.written_param(spec.name))
        text = call.values.get(spec.name, "")
        try:
            values[spec.name] = _parse_field(context, spec.name, text)
        except InvalidValue as error:
            context.error(shown, str(error), spec.name)
            values[spec.name] = default_value(spec)
            context.failed.add(spec.name)
            # A wrong time zone is as bad as a missing start: every time of the
            # event would be shown and counted in the default zone, wrongly.
            usable = usable and not (spec.required or spec.kind is Kind.TIMEZONE)
            continue
        if spec.required and values[spec.name] in (None, "", ()):
            context.error(shown, "is required but empty or missing", spec.name)
            usable = False
    for name in call.repeated:
        shown = call.names_used[name]
        context.error(shown, "is given more than once; the last one counts", name, True)
    known = context.local.accepted_params
    for name in call.unknown:
        hints = similar_names(name, known)
        hint = f"; did you mean {hints[0]}?" if hints else ""
        context.error(name, f"is not a parameter of this template{hint}", warning=True)
    return values, usable


def _cross_checks(context: _Context, values: dict[str, Any]) -> bool:
    start, end = values.get("start"), values.get("end")
    if "start" in values and start is not None and end is not None and end < start:
        spec = context.local.spec.field("end")
        context.error(
            context.local.written_param("end"),
            f'"{format_value(spec, end)}" is before the start ({format_value(spec, start)})',
            "end",
        )
        return False
    if context.model is WorklistSource:
        return _worklist_checks(context, values)
    return True


def _worklist_checks(context: _Context, values: dict[str, Any]) -> bool:
    sources = [name for name in ("titles", "category", "links_from") if values.get(name)]
    names = ", ".join(context.local.written_param(n) for n in ("titles", "category", "links_from"))
    if len(sources) != 1:
        found = " and ".join(context.local.written_param(n) for n in sources) or "none"
        context.error("", f"give exactly one source of pages ({names}); found {found}")
        return False
    if values.get("source_wiki") and values["source_wiki"] == values.get("wiki"):
        context.error(
            context.local.written_param("source_wiki"),
            "is the same wiki as wiki; a language gap needs two different wikis",
            "source_wiki",
        )
        return False
    return True


def read_model(
    model: type[M],
    text: str,
    *,
    title: str,
    wiki: str,
    manifest: Manifest,
    wiki_ids: Collection[str] | None,
    hub_id: str | None = None,
    namespaces: Collection[str] = (),
) -> Reading[M]:
    """Read one model from a page that should hold exactly one call of its template."""
    local = manifest.template(model.TEMPLATE_KEY)
    context = _Context(
        model, PageRef(wiki, title), local, local.name, wiki_ids, hub_id, lang=manifest.lang
    )
    calls = find_calls(text, local, namespaces=namespaces)
    if len(calls) != 1:
        problem = (
            "is not on the page"
            if not calls
            else f"is on the page {len(calls)} times; keep one (or wrap examples in <nowiki>)"
        )
        context.error("", problem)
        return Reading(None, tuple(context.errors))
    call = calls[0]
    context.template_name = normalize_template_name(call.name_used) or local.name
    values, usable = _read_fields(context, call)
    usable = _cross_checks(context, values) and usable
    if not usable:
        read = {k: v for k, v in values.items() if k not in context.failed}
        return Reading(None, tuple(context.errors), read)
    instance = model(page=context.page, **values)
    return Reading(instance, tuple(context.errors))


def read_campaign(
    text: str, *, title: str, wiki: str, manifest: Manifest, wiki_ids: Collection[str] = ()
) -> Reading[Campaign]:
    """The campaign on a campaign page."""
    return read_model(Campaign, text, title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids)


def read_event(
    text: str,
    *,
    title: str,
    wiki: str,
    manifest: Manifest,
    wiki_ids: Collection[str],
    hub_id: str | None = None,
) -> Reading[CampaignEvent]:
    """The event on an event page (``hub_id`` decides how ``m:`` prefixes are read)."""
    return read_model(
        CampaignEvent,
        text,
        title=title,
        wiki=wiki,
        manifest=manifest,
        wiki_ids=wiki_ids,
        hub_id=hub_id,
    )


def read_worklist_source(
    text: str, *, title: str, wiki: str, manifest: Manifest, wiki_ids: Collection[str]
) -> Reading[WorklistSource]:
    """The worklist source declared on a worklist page."""
    return read_model(
        WorklistSource, text, title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids
    )


def read_event_strict(
    text: str,
    *,
    title: str,
    wiki: str,
    manifest: Manifest,
    wiki_ids: Collection[str],
    hub_id: str | None = None,
) -> CampaignEvent:
    """The event, or :class:`InvalidPage` listing every problem."""
    return read_event(
        text, title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids, hub_id=hub_id
    ).strict()


def read_campaign_strict(
    text: str, *, title: str, wiki: str, manifest: Manifest, wiki_ids: Collection[str] = ()
) -> Campaign:
    """The campaign, or :class:`InvalidPage` listing every problem."""
    return read_campaign(
        text, title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids
    ).strict()


def read_worklist_source_strict(
    text: str, *, title: str, wiki: str, manifest: Manifest, wiki_ids: Collection[str]
) -> WorklistSource:
    """The worklist source, or :class:`InvalidPage` listing every problem."""
    return read_worklist_source(
        text, title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids
    ).strict()


# --- writing --------------------------------------------------------------------


def changed_params(text: str, model: ContractModel, manifest: Manifest) -> dict[str, str]:
    """The fields whose typed value on the page differs from the model's, as text.

    Comparing typed values (not text) is what keeps a hand-typed ``africa/lagos``
    or ``Ada,Bola`` untouched when the organizer changed something else.
    """
    local = manifest.template(model.TEMPLATE_KEY)
    calls = find_calls(text, local)
    if not calls:
        raise TemplateNotFound(f"no {{{{{local.name}}}}} on page {model.page.title!r}")
    context = _Context(type(model), model.page, local, local.name, None, None, lang=manifest.lang)
    params = model.to_params()
    changes = {}
    for spec in local.spec.fields:
        try:
            old = _parse_field(context, spec.name, calls[0].values.get(spec.name, ""))
        except InvalidValue:
            old = _INVALID
        if old != getattr(model, spec.name):
            changes[spec.name] = params[spec.name]
    return changes


def write_model(text: str, model: ContractModel, manifest: Manifest) -> str:
    """The page with the model written into its template call; only changed fields move."""
    local = manifest.template(model.TEMPLATE_KEY)
    return update_params(text, local, changed_params(text, model, manifest))


def render_model(model: ContractModel, manifest: Manifest) -> str:
    """A new template call for a new page: required fields and every non-empty one."""
    local = manifest.template(model.TEMPLATE_KEY)
    params = model.to_params()
    values: Mapping[str, str] = {
        spec.name: params[spec.name]
        for spec in local.spec.fields
        if spec.required or params[spec.name]
    }
    return render_call(local, values)
