"""The worklist table in the bot's ``worklist`` region: rows, order, limit and counts.

The region holds a header with the summary counts (total, missing, stubs,
claimed, done), one ``{{Campaign worklist row}}`` per shown article and an
end template: every row is one line, so a diff shows one line per changed
article and a person can read the source. Values pass through the codec's
escaping (:func:`~campaignkit.wikitext.templates.render_call`), so a title or
a username can add nothing to the page.

``sort`` orders the rows: ``title`` (the default), ``size`` (smallest first:
the articles most in need come first; missing ones count as 0) or
``missing-first``. ``limit`` shows the first N rows of that order, and the
counts still cover every article. A claimed article is always shown, past
the limit too: someone is working on it. A claim on an article that no
source lists (a typo, an article taken out) is shown apart, after the list,
as "claimed, not in the list" (``unlisted=yes``), and counted nowhere.

The rows the bot wrote last time are read back (:func:`read_rows`) so that
a failed source keeps its table and a language gap keeps the articles it
listed once, with their progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.worklists.claims import Claims
from bot.worklists.items import Item
from campaignkit.manifest import LocalTemplate, Manifest
from campaignkit.wikitext.escape import escape_field
from campaignkit.wikitext.templates import find_calls

TIME_FORMAT = "%Y-%m-%d %H:%M"
STUB_FLAG = "stub"


@dataclass(frozen=True)
class Row:
    """One article as the table shows it (values as written)."""

    values: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Rows are identified by wiki and title."""
        return (self.values.get("wiki", ""), self.values.get("title", ""))


@dataclass(frozen=True)
class TableCounts:
    """The summary above the table."""

    total: int
    shown: int
    missing: int
    stubs: int
    claimed: int
    done: int


def claim_titles(item: Item) -> tuple[str, ...]:
    """Titles a claim on this article may use: as listed, resolved, or its counterpart."""
    names = (item.title, item.redirect_from, item.counterpart, item.target)
    return tuple(dict.fromkeys(n for n in names if n))


def claimed_by(item: Item, claims: Claims) -> tuple[str, ...]:
    """Who claimed the article, under any of its titles."""
    return tuple(dict.fromkeys(u for t in claim_titles(item) for u in claims.users(t)))


def is_done(item: Item, claims: Claims) -> bool:
    """Whether a claim on the article, under any of its titles, says done."""
    return any(claims.done(t) for t in claim_titles(item))


def flags_text(item: Item) -> str:
    """``stub, citation needed (3)``: the flags, with a count where one was taken."""
    parts = []
    for flag in item.flags:
        label = flag.replace("_", " ")
        count = item.counts.get(flag)
        parts.append(f"{label} ({count})" if count else label)
    return ", ".join(parts)


def row_for(item: Item, claims: Claims, bytes_added: Mapping[str, int]) -> Row:
    """The row of one article, with its claims and the bytes participants added."""
    added = bytes_added.get(item.target, 0) if item.target else 0
    values = {
        "title": item.title,
        "wiki": item.wiki,
        "redirect_from": item.redirect_from,
        "exists": "yes" if item.exists else "no",
        "size": "" if item.size is None else str(item.size),
        "last_edit": item.last_edit.strftime(TIME_FORMAT) if item.last_edit else "",
        "counterpart": item.counterpart,
        "counterpart_wiki": item.counterpart_wiki if item.counterpart else "",
        "wikidata": item.wikidata,
        "flags": flags_text(item),
        "claimed_by": ", ".join(claimed_by(item, claims)),
        "done": "yes" if is_done(item, claims) else "",
        "bytes_added": str(added) if added else "",
        "unlisted": "yes" if item.unlisted else "",
    }
    return Row({k: v for k, v in values.items() if v})


def _size(item: Item) -> int:
    return item.size if item.exists and item.size is not None else 0


SORT_KEYS = {
    "title": lambda item: (item.title,),
    "size": lambda item: (_size(item), item.title),
    "missing-first": lambda item: (item.exists, item.title),
}


def order_items(items: list[Item], sort: str, limit: int | None, claims: Claims) -> list[Item]:
    """The items to show, in the table's order: the first ``limit``, plus every claimed one.

    Claimed articles that no source lists come last, apart.
    """
    listed = [item for item in items if not item.unlisted]
    apart = sorted((item for item in items if item.unlisted), key=lambda item: item.title)
    ordered = sorted(listed, key=SORT_KEYS.get(sort, SORT_KEYS["title"]))
    if limit is not None:
        ordered = [
            item for index, item in enumerate(ordered) if index < limit or claimed_by(item, claims)
        ]
    return ordered + apart


def count(items: list[Item], shown: list[Item], claims: Claims) -> TableCounts:
    """The summary counts over every listed item (not only the shown ones).

    Claims on articles outside the list count nowhere: a typo in a claim must
    not raise the totals.
    """
    items = [item for item in items if not item.unlisted]
    return TableCounts(
        total=len(items),
        shown=len(shown),
        missing=sum(1 for i in items if not i.exists),
        stubs=sum(1 for i in items if i.has_flag(STUB_FLAG)),
        claimed=sum(1 for i in items if claimed_by(i, claims)),
        done=sum(1 for i in items if is_done(i, claims)),
    )


def render_table(
    items: list[Item],
    claims: Claims,
    bytes_added: Mapping[str, int],
    manifest: Manifest,
    *,
    sort: str = "title",
    limit: int | None = None,
) -> str:
    """The region's content: header with counts, one row per shown article, end."""
    shown = order_items(items, sort, limit, claims)
    counts = count(items, shown, claims)
    row_template = manifest.template("campaign_worklist_row")
    header = (
        f"{{{{{manifest.frame_name('campaign_worklist_header')}|count={counts.shown}"
        f"|total={counts.total}|missing={counts.missing}|stubs={counts.stubs}"
        f"|claimed={counts.claimed}|done={counts.done}}}}}"
    )
    lines = [header]
    lines += [render_row(row_template, row_for(item, claims, bytes_added).values) for item in shown]
    lines.append(f"{{{{{manifest.frame_name('campaign_worklist_end')}}}}}")
    return "\n".join(lines)


def render_row(template: LocalTemplate, values: Mapping[str, str]) -> str:
    """One row on one line: what ``render_call(..., inline=True)`` writes, ten times faster.

    A table of 10,000 rows is rendered on every run, and building
    mwparserfromhell nodes for each value dominated the run's time. The values
    pass through the same :func:`~campaignkit.wikitext.escape.escape_field`, in
    the contract's order under this wiki's names; a unit test checks that the
    text equals the codec's own rendering.
    """
    parts = [template.name]
    for spec in template.spec.fields:
        value = values.get(spec.name)
        if value:
            parts.append(f"{template.written_param(spec.name)}={escape_field(value, spec.kind)}")
    return "{{" + "|".join(parts) + "}}"


def read_rows(region_text: str, manifest: Manifest) -> list[Row]:
    """The rows the bot wrote last time."""
    rows = []
    for call in find_calls(region_text, manifest.template("campaign_worklist_row")):
        if call.values.get("title"):
            rows.append(Row(dict(call.values)))
    return rows
