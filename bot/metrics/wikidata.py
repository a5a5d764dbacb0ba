"""Wikidata figures: participants' edits on the Wikidata wiki, items created and edited.

Edits on Wikidata are ordinary revisions, so both sources read them as they
read any wiki's (``list=usercontribs`` or the replicas' ``revision``): the
configured Wikidata wiki (``[metrics] wikidata_wiki``) is just another wiki id.
The one thing specific to Wikibase is what an *item* is, and it is decided by
:func:`is_item` only: on Wikidata, items are the pages of namespace 0 (titles
``Q…``; properties live in namespace 120, lexemes in 146). The local wikis have
no Wikibase; a plain third wiki stands in for Wikidata there, and its
main-namespace pages are its "items", which is the same rule.

Not counted here (the Dashboard's Wikidata details need each edit's diff):
claims, labels, descriptions and references added to items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.metrics.definitions import Contribution

ITEM_NAMESPACE = 0


def is_item(contribution: Contribution) -> bool:
    """Whether an edit is to a Wikidata item (namespace 0 on Wikibase's default setup)."""
    return contribution.namespace == ITEM_NAMESPACE


@dataclass(frozen=True)
class WikidataEdits:
    """Participants' revisions on the Wikidata wiki, as a source read them."""

    wiki: str
    contributions: tuple[Contribution, ...]

    @classmethod
    def of(cls, wiki: str, contributions: Iterable[Contribution]) -> WikidataEdits:
        """From what a source returned."""
        return cls(wiki, tuple(contributions))
