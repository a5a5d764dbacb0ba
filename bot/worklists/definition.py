"""What a worklist page asks for: its ``{{Worklist}}`` boxes, added up.

Each box declares one source of pages (explicit titles, a category with a
depth, or the links on a page), as the contract says. An organizer who
wants several sources puts several boxes on the page: the worklist is every
box's pages together, minus every box's ``minus_category`` and
``minus_titles``. Each box stays a simple form in the visual editor, and the
contract's "one source per box" rule stays true.

The boxes must agree on ``wiki`` (where the articles are) and on
``source_wiki`` (the other side of a language gap); ``limit`` and ``sort``
come from the first box that gives them. Every problem is a
:class:`~campaignkit.validation.FieldError` naming the page, the template and
the field.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from campaignkit.manifest import Manifest, normalize_template_name
from campaignkit.model import PageRef, WorklistSource, read_worklist_source
from campaignkit.validation import FieldError
from campaignkit.wikitext.regions import RegionError, strip_regions
from campaignkit.wikitext.templates import find_calls

PAGE_KIND = WorklistSource.PAGE_KIND


@dataclass(frozen=True)
class CategorySource:
    """A category and how many levels of subcategories to take with it."""

    title: str
    depth: int = 0


@dataclass(frozen=True)
class WorklistDefinition:
    """Every box of one worklist page, added up."""

    page: PageRef
    wiki: str
    source_wiki: str | None = None
    titles: tuple[str, ...] = ()
    categories: tuple[CategorySource, ...] = ()
    links_from: tuple[str, ...] = ()
    minus_categories: tuple[str, ...] = ()
    minus_titles: tuple[str, ...] = ()
    limit: int | None = None
    sort: str = "title"

    @property
    def listing_wiki(self) -> str:
        """Where the sources are read: the source wiki of a language gap, else the wiki."""
        return self.source_wiki or self.wiki

    @property
    def is_gap(self) -> bool:
        """Whether the list is the articles of one wiki missing on another."""
        return self.source_wiki is not None


@dataclass(frozen=True)
class DefinitionReading:
    """The definition (None when unusable) and every problem found on the page."""

    definition: WorklistDefinition | None
    errors: tuple[FieldError, ...] = ()

    @property
    def problems(self) -> tuple[FieldError, ...]:
        """Errors that leave no usable definition or a box out."""
        return tuple(e for e in self.errors if not e.warning)


def _error(
    title: str, wiki: str, template: str, field: str, message: str, *, warning: bool = False
) -> FieldError:
    return FieldError(
        page=title,
        wiki=wiki,
        template=template,
        field=field,
        message=message,
        page_kind=PAGE_KIND,
        canonical=field,
        warning=warning,
    )


def read_definition(
    text: str, *, title: str, wiki: str, manifest: Manifest, wiki_ids: Collection[str]
) -> DefinitionReading:
    """Read every ``{{Worklist}}`` box on a page (outside the bot's regions) and add them up."""
    local = manifest.template("worklist")
    try:
        human = strip_regions(text, title)
    except RegionError as error:
        return DefinitionReading(None, (_error(title, wiki, local.name, "", str(error)),))
    calls = find_calls(human, local)
    if not calls:
        return DefinitionReading(None, (_error(title, wiki, local.name, "", "is not on the page"),))
    errors: list[FieldError] = []
    boxes: list[tuple[WorklistSource, dict[str, str]]] = []
    for call in calls:
        reading = read_worklist_source(
            str(call.node), title=title, wiki=wiki, manifest=manifest, wiki_ids=wiki_ids
        )
        errors.extend(reading.errors)
        if reading.model is not None and not reading.problems:
            boxes.append((reading.model, dict(call.values)))
    if len(boxes) < len(calls):
        return DefinitionReading(None, tuple(errors))
    name = normalize_template_name(calls[0].name_used) or local.name
    first = boxes[0][0]
    for source, _values in boxes[1:]:
        for field in ("wiki", "source_wiki"):
            if getattr(source, field) != getattr(first, field):
                errors.append(
                    _error(
                        title,
                        wiki,
                        name,
                        local.written_param(field),
                        f"is {getattr(source, field) or 'empty'} in one box and "
                        f"{getattr(first, field) or 'empty'} in another; every box of a "
                        "worklist must list articles of the same wiki",
                    )
                )
    if any(not e.warning for e in errors):
        return DefinitionReading(None, tuple(errors))
    limit = next((s.limit for s, v in boxes if v.get("limit", "").strip()), None)
    sort = next((s.sort for s, v in boxes if v.get("sort", "").strip()), first.sort)
    for field, chosen in (("limit", limit), ("sort", sort)):
        given = {getattr(s, field) for s, v in boxes if v.get(field, "").strip()}
        if len(given) > 1:
            errors.append(
                _error(
                    title,
                    wiki,
                    name,
                    local.written_param(field),
                    f"boxes disagree ({', '.join(sorted(map(str, given)))}); the first box's "
                    f"value {chosen} counts",
                    warning=True,
                )
            )
    sources = [s for s, _ in boxes]
    definition = WorklistDefinition(
        page=PageRef(wiki, title),
        wiki=first.wiki,
        source_wiki=first.source_wiki,
        titles=_unique(t for s in sources for t in s.titles),
        categories=tuple(
            dict.fromkeys(CategorySource(s.category, s.depth or 0) for s in sources if s.category)
        ),
        links_from=_unique(s.links_from for s in sources if s.links_from),
        minus_categories=_unique(s.minus_category for s in sources if s.minus_category),
        minus_titles=_unique(t for s in sources for t in s.minus_titles),
        limit=limit,
        sort=sort,
    )
    return DefinitionReading(definition, tuple(errors))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
