"""Usernames as people type them, turned into the names MediaWiki stores.

People sign up as ``user:ada_organizer ``, ``[[Oníṣe:Ada Organizer]]`` or with a
signature; they must all count once as ``Ada Organizer``. The user-namespace
names (localized names and aliases included) come from the wiki's siteinfo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

BIDI_AND_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad]")


@dataclass(frozen=True)
class UserNamespaces:
    """Every prefix that makes a link point at a user page on one wiki."""

    user: frozenset[str]
    user_talk: frozenset[str]
    special: frozenset[str]
    contributions: frozenset[str]

    @classmethod
    def english(cls) -> UserNamespaces:
        """The canonical names every wiki accepts."""
        return cls(
            user=frozenset({"user"}),
            user_talk=frozenset({"user talk"}),
            special=frozenset({"special"}),
            contributions=frozenset({"contributions", "contribs"}),
        )

    @classmethod
    def from_site(cls, site: object) -> UserNamespaces:
        """Read localized namespace names and aliases from a pywikibot site's siteinfo."""
        namespaces = site.namespaces  # type: ignore[attr-defined]

        def names(number: int) -> frozenset[str]:
            namespace = namespaces[number]
            found = {namespace.canonical_name, namespace.custom_name, *namespace.aliases}
            return frozenset(_fold(n) for n in found if n)

        contributions = {"contributions", "contribs"}
        aliases = site.siteinfo.get("specialpagealiases", [])  # type: ignore[attr-defined]
        for entry in aliases:
            if entry.get("realname") == "Contributions":
                contributions.update(_fold(a) for a in entry.get("aliases", []))
        return cls(names(2), names(3), names(-1), frozenset(contributions))


def _fold(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def normalize_username(raw: str, namespaces: UserNamespaces | None = None) -> str:
    """The stored form of a username: spaces, first letter upper, no ``User:`` prefix."""
    text = BIDI_AND_INVISIBLE.sub("", raw)
    text = " ".join(text.replace("_", " ").split())
    namespaces = namespaces or UserNamespaces.english()
    prefix, colon, rest = text.partition(":")
    if colon and _fold(prefix) in namespaces.user | namespaces.user_talk:
        text = rest.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:]


def user_from_link_target(target: str, namespaces: UserNamespaces) -> str | None:
    """The username a wikilink target points at (user page, talk, contributions), if any."""
    target = BIDI_AND_INVISIBLE.sub("", target).strip().lstrip(":")
    target = target.split("#", 1)[0]
    prefix, colon, rest = target.partition(":")
    if not colon:
        return None
    folded = _fold(prefix)
    if folded in namespaces.user | namespaces.user_talk:
        name = rest.split("/", 1)[0]
        return normalize_username(name, namespaces) or None
    if folded in namespaces.special:
        page, slash, name = rest.partition("/")
        if slash and _fold(page) in namespaces.contributions:
            return normalize_username(name, namespaces) or None
    return None


def unique_in_order(names: Iterable[str]) -> list[str]:
    """Names without repeats, keeping the first occurrence's position."""
    return list(dict.fromkeys(n for n in names if n))
