"""Which namespace a title is in, by number, as the wiki itself would read it.

A wiki names its namespaces in its own language (``Àdàkọ:`` is Template on the
Yoruba Wikipedia) and accepts the English canonical names and aliases too
(``Image:`` for ``File:``), case-insensitively. A check by English prefix lets
``Àdàkọ:X`` through as an ordinary page; so the rules here work on namespace
*numbers*, from the wiki's own ``meta=siteinfo`` (namespaces, aliases and the
interwiki map, which turns ``yo:Evil`` into a link to another wiki, not a
page).

:func:`fetch_site_namespaces` costs one read per wiki; callers cache it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAIN = 0
PROJECT = 4  # where Wikimedia wikis keep event pages ("Wikipedia:Art+Feminism Lagos")
SITEINFO_PARAMS = {
    "action": "query",
    "meta": "siteinfo",
    "siprop": "namespaces|namespacealiases|interwikimap",
    "formatversion": "2",
}


def _key(name: str) -> str:
    """How MediaWiki compares namespace names and interwiki prefixes."""
    return " ".join(name.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class SiteNamespaces:
    """One wiki's namespace names (local, canonical, aliases) and interwiki prefixes."""

    by_name: Mapping[str, int]
    names: Mapping[int, str]
    content: frozenset[int]
    interwiki: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_siteinfo(cls, answer: Mapping[str, Any]) -> SiteNamespaces:
        """Build from a ``meta=siteinfo`` answer with ``SITEINFO_PARAMS``."""
        query = answer.get("query", {})
        by_name: dict[str, int] = {}
        names: dict[int, str] = {}
        content: set[int] = set()
        for entry in query.get("namespaces", {}).values():
            number = int(entry.get("id", 0))
            names[number] = entry.get("name", "")
            for name in (entry.get("name", ""), entry.get("canonical", "")):
                if name:
                    by_name[_key(name)] = number
            if entry.get("content"):
                content.add(number)
        for alias in query.get("namespacealiases", []):
            by_name[_key(alias.get("alias", ""))] = int(alias.get("id", 0))
        prefixes = frozenset(_key(i.get("prefix", "")) for i in query.get("interwikimap", []))
        return cls(by_name, names, frozenset(content | {MAIN}), prefixes)

    def namespace_of(self, title: str) -> int:
        """The namespace number the wiki would give ``title`` (0 when it has no prefix)."""
        prefix, colon, _rest = title.strip().lstrip(":").partition(":")
        if not colon:
            return MAIN
        return self.by_name.get(_key(prefix), MAIN)

    def interwiki_prefix(self, title: str) -> str:
        """The interwiki (or language link) prefix ``title`` starts with, else ''."""
        text = title.strip().lstrip(":")
        prefix, colon, _rest = text.partition(":")
        if colon and _key(prefix) not in self.by_name and _key(prefix) in self.interwiki:
            return prefix
        return ""

    def new_page_problem(self, title: str) -> str:
        """Why the forms may not create ``title`` on this wiki, or '' when they may.

        New pages go in the wiki's content namespaces and its project namespace
        (where Wikimedia wikis keep event pages); a talk page, a template, a
        category, a user page, a file … are refused by number, whatever the
        wiki calls them.
        """
        prefix = self.interwiki_prefix(title)
        if prefix:
            return f'"{title[:80]}" is a link to another wiki ({prefix}:), not a page here'
        number = self.namespace_of(title)
        if number in self.content or number == PROJECT:
            return ""
        name = self.names.get(number, str(number))
        return f'"{title[:80]}" is in the {name} namespace ({number}); new pages go in articles'


def fetch_site_namespaces(get: Callable[..., Mapping[str, Any]]) -> SiteNamespaces:
    """Read one wiki's namespaces through ``get`` (an API session's read method)."""
    return SiteNamespaces.from_siteinfo(get(**SITEINFO_PARAMS))
