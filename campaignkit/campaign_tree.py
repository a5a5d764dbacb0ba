"""Campaigns made of campaigns: ``{{Campaign|parent=…}}`` resolved once, cycle-safe.

A global campaign (#WikiForHumanRights 2027) is made of national ones (its
Nigerian, Ghanaian, … editions), each a campaign page naming the global one as
its ``parent``. The bot's events tables, the metrics and the calendar all ask
the same two questions — "which campaigns does this one include?" and "which
campaigns is this one part of?" — so they are answered here, from the campaign
pages' ``parent`` fields alone (a pure function: no wiki, no database).

A page written by hand can say anything: a campaign can name itself, two
campaigns can name each other, a parent can be a page that is not a campaign.
Those links are *reported* (one line each, naming the pages) and *not
followed*: a campaign in a cycle keeps its own events and is part of nothing
through the broken link, so no event is counted twice and no walk loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def normalize_title(title: str) -> str:
    """A hub title as MediaWiki names it: spaces for underscores, first letter up."""
    text = " ".join(title.replace("_", " ").split())
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class CampaignTree:
    """Who is part of whom, after the broken links were left out."""

    parents: dict[str, str] = field(default_factory=dict)  # child -> parent (followed links)
    problems: tuple[str, ...] = ()

    def ancestors(self, title: str) -> list[str]:
        """The campaigns this one is part of, nearest first (never itself, never a loop)."""
        found: list[str] = []
        current = self.parents.get(title)
        while current is not None and current not in found and current != title:
            found.append(current)
            current = self.parents.get(current)
        return found

    def descendants(self, title: str) -> set[str]:
        """Every campaign that is part of this one, at any depth (not itself)."""
        return {child for child in self.parents if title in self.ancestors(child)}

    def family(self, title: str) -> set[str]:
        """The campaign and every campaign that is part of it: whose events it counts."""
        return {title} | self.descendants(title)


def build_tree(declared: Mapping[str, str]) -> CampaignTree:
    """Resolve each campaign's declared ``parent`` (title -> parent title, "" for none).

    Followed: a parent that is another known campaign, when following it never
    comes back. Reported and not followed: a campaign naming itself, a parent
    that is not a campaign page, and every link of a cycle.
    """
    known = {normalize_title(t): normalize_title(p) if p else "" for t, p in declared.items()}
    problems: list[str] = []
    candidates: dict[str, str] = {}
    for title, parent in sorted(known.items()):
        if not parent:
            continue
        if parent == title:
            problems.append(f"campaign {title!r} names itself as its parent; ignored")
        elif parent not in known:
            problems.append(
                f"campaign {title!r} names {parent!r} as its parent, which is not a campaign "
                "page (no {{Campaign}} on it); ignored"
            )
        else:
            candidates[title] = parent
    in_cycle: set[str] = set()
    for start in sorted(candidates):
        seen: list[str] = []
        current: str | None = start
        while current is not None and current not in seen:
            seen.append(current)
            current = candidates.get(current)
        if current is not None:  # came back to a campaign already on this walk
            loop = seen[seen.index(current) :]
            if not in_cycle.intersection(loop):
                chain = " → ".join([*loop, current])
                problems.append(f"campaigns form a cycle of parents ({chain}); ignored")
            in_cycle.update(loop)
    parents = {child: parent for child, parent in candidates.items() if child not in in_cycle}
    return CampaignTree(parents, tuple(problems))
