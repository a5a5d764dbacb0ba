"""Figures from edits: per event, per participant, and campaign totals.

Pure functions over what a source returned, so that the API and the replicas
give the same figures by construction once they return the same revisions, and
so that the definitions (:mod:`bot.metrics.definitions`) are tested without a wiki.

Campaign totals count each person, revision and article once even when events
overlap (two events on one wiki in the same week): people by name, revisions
and articles by wiki and id. An event whose figures were kept from an earlier
run (its source failed) adds its figures as they were.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.metrics.definitions import (
    Contribution,
    CreatedArticle,
    EventWindow,
    FileUsage,
    Participant,
    Upload,
    is_article_work,
    words_from_bytes,
)
from bot.metrics.wikidata import WikidataEdits, is_item

FIGURES = (
    "participants",
    "new_editors",
    "edits",
    "articles_created",
    "articles_deleted",
    "articles_improved",
    "bytes_added",
    "words_added",
    "worklist_done",
    "retention",
    "references_added",
    "uploads",
    "uploads_used",
    "upload_usage_pages",
    "wikidata_edits",
    "wikidata_items_created",
    "wikidata_items_edited",
    "attended",
)
# Figures that are always measured (0 when nothing happened); the others are None
# when not known: retention before its delay, worklists, uploads and Wikidata when no
# worklist, file wiki or Wikidata wiki is configured.
ALWAYS_KNOWN = (
    "participants",
    "new_editors",
    "edits",
    "articles_created",
    "articles_deleted",
    "articles_improved",
    "bytes_added",
    "words_added",
    "references_added",
)
GOAL_FIGURES = {
    "participants": "participants",
    "new_editors": "new_editors",
    "articles": "articles_created",
    "bytes": "bytes_added",
    "references": "references_added",
    "uploads": "uploads",
}
"""Which figure each goal (``goal_<name>`` on the page) is compared with."""


@dataclass(frozen=True)
class Figures:
    """The metrics of an event or a campaign. ``None`` means not known (yet)."""

    participants: int = 0
    new_editors: int = 0
    edits: int = 0
    articles_created: int = 0
    articles_deleted: int = 0
    articles_improved: int = 0
    bytes_added: int = 0
    words_added: int = 0
    worklist_done: int | None = None
    retention: int | None = None
    references_added: int = 0
    uploads: int | None = None
    uploads_used: int | None = None
    upload_usage_pages: int | None = None
    wikidata_edits: int | None = None
    wikidata_items_created: int | None = None
    wikidata_items_edited: int | None = None
    attended: int | None = None  # participants checked in; unknown when nobody was

    def as_dict(self) -> dict[str, int | None]:
        """Figures by name, in report order."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> Figures:
        """Read figures back (a snapshot, a JSON report); unknown keys are ignored."""
        known: dict[str, int | None] = {}
        for name in FIGURES:
            value = values.get(name)
            known[name] = None if value is None or value == "" else int(value)  # type: ignore[arg-type]
        for name in ALWAYS_KNOWN:
            known[name] = known[name] or 0
        return cls(**known)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ParticipantFigures:
    """One participant's share, for the organizers' CSV (public data only)."""

    user: str
    new_editor: bool
    edits: int = 0
    articles_created: int = 0
    articles_improved: int = 0
    bytes_added: int = 0
    retained: bool | None = None
    references_added: int = 0
    uploads: int | None = None
    wikidata_edits: int | None = None
    attended: bool = False


@dataclass(frozen=True)
class EventDetails:
    """What the totals of a campaign need to count people and edits once."""

    participants: frozenset[str] = frozenset()
    new_editors: frozenset[str] = frozenset()
    retained: frozenset[str] | None = None
    revisions: dict[tuple[str, int], int] = field(default_factory=dict)  # -> bytes added
    all_revisions: frozenset[tuple[str, int]] = frozenset()
    created: frozenset[tuple[str, int]] = frozenset()
    deleted: frozenset[tuple[str, int]] = frozenset()
    edited_articles: frozenset[tuple[str, int]] = frozenset()
    references: dict[tuple[str, int], int] = field(default_factory=dict)  # -> references added
    uploads: frozenset[tuple[str, int]] | None = None  # (file wiki, page id)
    file_pages: dict[tuple[str, int], frozenset[tuple[str, int]]] = field(default_factory=dict)
    wikidata_revisions: frozenset[tuple[str, int]] | None = None
    attended: frozenset[str] = frozenset()
    wikidata_created: frozenset[tuple[str, int]] = frozenset()
    wikidata_edited: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class EventResult:
    """An event's figures with what made them."""

    figures: Figures
    per_participant: list[ParticipantFigures]
    created: list[CreatedArticle]
    deleted: list[CreatedArticle]
    details: EventDetails


@dataclass(frozen=True)
class UploadsSeen:
    """What the file wiki said about participants' uploads: the files and where they are used.

    ``category``: when the event names one, only files in it count.
    """

    uploads: tuple[Upload, ...]
    usage: FileUsage
    category: str = ""


def _upload_figures(
    seen: UploadsSeen | None, people: dict[str, Participant], window: EventWindow
) -> tuple[list[Upload], dict[tuple[str, int], frozenset[tuple[str, int]]]]:
    if seen is None:
        return [], {}
    counted = [
        u
        for u in seen.uploads
        if u.user in people
        and window.contains(u.timestamp)
        and (not seen.category or u.in_category)
    ]
    pages = {(u.wiki, u.page_id): seen.usage.get(u.name, frozenset()) for u in counted}
    return counted, pages


def event_figures(
    participants: Iterable[Participant],
    window: EventWindow,
    contributions: Iterable[Contribution],
    deleted: Iterable[CreatedArticle] = (),
    edited_after: set[str] | None = None,
    worklist_done: int | None = None,
    *,
    references: Mapping[int, int] | None = None,
    uploads: UploadsSeen | None = None,
    wikidata: WikidataEdits | None = None,
    bookkeeping: Collection[str] = (),
) -> EventResult:
    """An event's metrics from its participants' edits (other users' edits are ignored).

    ``edited_after`` is the set of new editors with an edit after the retention
    delay, or ``None`` while that delay has not passed (retention unknown).
    ``references`` maps revision ids to the references they added; ``uploads``
    and ``wikidata`` are ``None`` when no file wiki or Wikidata wiki is configured
    (their figures are then unknown, not 0). ``bookkeeping`` holds the titles of
    the campaigns' own pages on the event's wiki: edits there count as edits,
    never as article work (:func:`~bot.metrics.definitions.is_article_work`).
    """
    people = {p.name: p for p in participants}
    new_editors = {name for name, p in people.items() if p.new_editor}
    counted = [c for c in contributions if c.user in people and window.contains(c.timestamp)]
    work = [c for c in counted if is_article_work(c, bookkeeping)]
    created: dict[int, CreatedArticle] = {}
    for c in work:
        if c.new_page:
            article = CreatedArticle(window.wiki, c.page_id, c.title, c.user, c.timestamp)
            created[c.page_id] = article
    edited_articles = {c.page_id for c in work}
    improved = edited_articles - set(created)
    positive = {c.revid: max(c.size_diff, 0) for c in work}
    refs = {c.revid: max((references or {}).get(c.revid, 0), 0) for c in work}
    gone = {
        d.page_id: d
        for d in deleted
        if d.user in people
        and window.contains(d.timestamp)
        and d.page_id not in created
        and d.title not in bookkeeping
    }
    retained = None if edited_after is None else new_editors & edited_after
    files, file_pages = _upload_figures(uploads, people, window)
    data_edits = (
        [c for c in wikidata.contributions if c.user in people and window.contains(c.timestamp)]
        if wikidata is not None
        else None
    )
    data_created = {c.page_id for c in data_edits or () if is_item(c) and c.new_page}
    data_items = {c.page_id for c in data_edits or () if is_item(c)}
    bytes_added = sum(positive.values())
    figures = Figures(
        participants=len(people),
        new_editors=len(new_editors),
        edits=len(counted),
        articles_created=len(created),
        articles_deleted=len(gone),
        articles_improved=len(improved),
        bytes_added=bytes_added,
        words_added=words_from_bytes(bytes_added),
        worklist_done=worklist_done,
        retention=None if retained is None else len(retained),
        references_added=sum(refs.values()),
        uploads=None if uploads is None else len(files),
        uploads_used=None if uploads is None else sum(1 for p in file_pages.values() if p),
        upload_usage_pages=(None if uploads is None else len(set().union(*file_pages.values()))),
        wikidata_edits=None if data_edits is None else len(data_edits),
        wikidata_items_created=None if data_edits is None else len(data_created),
        wikidata_items_edited=None if data_edits is None else len(data_items - data_created),
        attended=sum(1 for p in people.values() if p.attended) or None,
    )
    rows = []
    for name, person in people.items():
        mine = [c for c in counted if c.user == name]
        mine_created = {a.page_id for a in created.values() if a.user == name}
        mine_main = {c.page_id for c in mine if c.revid in positive}
        rows.append(
            ParticipantFigures(
                user=name,
                new_editor=person.new_editor,
                edits=len(mine),
                articles_created=len(mine_created),
                articles_improved=len(mine_main - set(created)),
                bytes_added=sum(positive.get(c.revid, 0) for c in mine),
                retained=(None if retained is None or not person.new_editor else name in retained),
                references_added=sum(refs.get(c.revid, 0) for c in mine),
                uploads=None if uploads is None else sum(1 for u in files if u.user == name),
                wikidata_edits=(
                    None if data_edits is None else sum(1 for c in data_edits if c.user == name)
                ),
                attended=person.attended,
            )
        )
    wiki = window.wiki
    data_wiki = wikidata.wiki if wikidata is not None else ""
    details = EventDetails(
        participants=frozenset(people),
        new_editors=frozenset(new_editors),
        retained=None if retained is None else frozenset(retained),
        revisions={(wiki, revid): value for revid, value in positive.items()},
        all_revisions=frozenset((wiki, c.revid) for c in counted),
        created=frozenset((wiki, page_id) for page_id in created),
        deleted=frozenset((wiki, page_id) for page_id in gone),
        edited_articles=frozenset((wiki, page_id) for page_id in edited_articles),
        references={(wiki, revid): value for revid, value in refs.items()},
        uploads=None if uploads is None else frozenset(file_pages),
        file_pages=file_pages,
        wikidata_revisions=(
            None if data_edits is None else frozenset((data_wiki, c.revid) for c in data_edits)
        ),
        wikidata_created=frozenset((data_wiki, i) for i in data_created),
        wikidata_edited=frozenset((data_wiki, i) for i in data_items),
        attended=frozenset(name for name, p in people.items() if p.attended),
    )
    return EventResult(
        figures=figures,
        per_participant=rows,
        created=sorted(created.values(), key=lambda a: (a.timestamp, a.page_id)),
        deleted=sorted(gone.values(), key=lambda a: (a.timestamp, a.page_id)),
        details=details,
    )


def campaign_totals(results: Iterable[EventResult], kept: Iterable[Figures] = ()) -> Figures:
    """Totals over a campaign's events, each person, edit, article and file counted once."""
    people: set[str] = set()
    new_editors: set[str] = set()
    retained: set[str] = set()
    retention_known = False
    revisions: dict[tuple[str, int], int] = {}
    all_revisions: set[tuple[str, int]] = set()
    created: set[tuple[str, int]] = set()
    deleted: set[tuple[str, int]] = set()
    edited: set[tuple[str, int]] = set()
    references: dict[tuple[str, int], int] = {}
    uploads: set[tuple[str, int]] | None = None
    file_pages: dict[tuple[str, int], frozenset[tuple[str, int]]] = {}
    data_revisions: set[tuple[str, int]] | None = None
    data_created: set[tuple[str, int]] = set()
    data_edited: set[tuple[str, int]] = set()
    worklist: int | None = None
    attended: set[str] = set()
    for result in results:
        d = result.details
        attended |= d.attended
        people |= d.participants
        new_editors |= d.new_editors
        if d.retained is not None:
            retention_known = True
            retained |= d.retained
        revisions.update(d.revisions)
        all_revisions |= d.all_revisions
        created |= d.created
        deleted |= d.deleted
        edited |= d.edited_articles
        references.update(d.references)
        if d.uploads is not None:
            uploads = (uploads or set()) | d.uploads
            file_pages.update(d.file_pages)
        if d.wikidata_revisions is not None:
            data_revisions = (data_revisions or set()) | d.wikidata_revisions
            data_created |= d.wikidata_created
            data_edited |= d.wikidata_edited
        if result.figures.worklist_done is not None:
            worklist = (worklist or 0) + result.figures.worklist_done
    bytes_added = sum(revisions.values())
    used = [file_pages[key] for key in uploads or ()]
    totals = Figures(
        participants=len(people),
        new_editors=len(new_editors),
        edits=len(all_revisions),
        articles_created=len(created),
        articles_deleted=len(deleted - created),
        articles_improved=len(edited - created),
        bytes_added=bytes_added,
        words_added=words_from_bytes(bytes_added),
        worklist_done=worklist,
        retention=len(retained) if retention_known else None,
        references_added=sum(references.values()),
        uploads=None if uploads is None else len(uploads),
        uploads_used=None if uploads is None else sum(1 for pages in used if pages),
        upload_usage_pages=None if uploads is None else len(set().union(*used)),
        wikidata_edits=None if data_revisions is None else len(data_revisions),
        wikidata_items_created=None if data_revisions is None else len(data_created),
        wikidata_items_edited=(None if data_revisions is None else len(data_edited - data_created)),
        attended=len(attended) or None,
    )
    for figures in kept:
        totals = add_figures(totals, figures)
    return totals


def goal_progress(figures: Figures, goals: Mapping[str, int]) -> list[GoalProgress]:
    """Each goal set, with the figure it is compared with, in the contract's order."""
    found = []
    for goal, figure in GOAL_FIGURES.items():
        target = goals.get(goal)
        if not target:
            continue
        value = getattr(figures, figure) or 0
        found.append(GoalProgress(goal, figure, value, target))
    return found


@dataclass(frozen=True)
class GoalProgress:
    """How far a figure is toward its goal."""

    goal: str  # participants, new_editors, articles, bytes, references, uploads
    figure: str  # the Figures field it is measured by
    value: int
    target: int

    @property
    def percent(self) -> int:
        """Whole percent reached, rounded down (may exceed 100)."""
        return self.value * 100 // self.target if self.target > 0 else 0

    @property
    def reached(self) -> bool:
        """Whether the goal is met."""
        return self.value >= self.target


def add_figures(a: Figures, b: Figures) -> Figures:
    """Two sets of figures added (for events known only by their figures)."""
    values: dict[str, int | None] = {}
    for name in FIGURES:
        x, y = getattr(a, name), getattr(b, name)
        values[name] = None if x is None and y is None else (x or 0) + (y or 0)
    bytes_added = values["bytes_added"] or 0
    values["words_added"] = words_from_bytes(bytes_added)
    return Figures(**values)  # type: ignore[arg-type]


def retention_due(window: EventWindow, now: datetime) -> bool:
    """Whether the 7 days after the end have passed, so retention can be measured."""
    return now > window.retention_after
