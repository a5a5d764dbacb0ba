"""Read who signed up on an event page.

Two ways count, both outside the bot's own regions (its table must never count
as people signing up):

- a ``{{Participant|Name}}`` call anywhere (under its local name too);
- a plain signature in the sign-up section: on each line of a section whose
  heading is one of the manifest's sign-up headings, the first link to a user
  page, user talk page or ``Special:Contributions/Name`` (localized namespace
  names and aliases included).

Names are normalized and deduplicated in page order. A ``{{Participant}}``
without a usable name is reported, never dropped silently.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import mwparserfromhell

from campaignkit.codecs.usernames import (
    UserNamespaces,
    normalize_username,
    unique_in_order,
    user_from_link_target,
)
from campaignkit.contract import PARTICIPANT
from campaignkit.manifest import Manifest
from campaignkit.validation import InvalidValue, parse_value
from campaignkit.wikitext.regions import strip_regions
from campaignkit.wikitext.templates import find_calls


@dataclass(frozen=True)
class Signups:
    """The sign-ups found on one page: valid-looking names and unreadable lines."""

    names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _heading_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.replace("_", " ").split()).casefold()


def _signature_names(text: str, headings: tuple[str, ...], namespaces: UserNamespaces) -> list[str]:
    wanted = {_heading_key(h) for h in headings}
    code = mwparserfromhell.parse(text)
    names: list[str] = []
    for section in code.get_sections(
        matches=lambda heading: (
            _heading_key(str(mwparserfromhell.parse(heading).strip_code())) in wanted
        )
    ):
        body = str(section)
        for line in body.splitlines()[1:]:
            for link in mwparserfromhell.parse(line).filter_wikilinks():
                name = user_from_link_target(str(link.title), namespaces)
                if name:
                    names.append(name)
                    break
    return names


def read_signups(
    text: str, manifest: Manifest, namespaces: UserNamespaces, page: str = ""
) -> Signups:
    """The sign-ups on a page's human-owned text, in page order, without repeats."""
    human_text = strip_regions(text, page)
    names: list[str] = []
    problems: list[str] = []
    participant = manifest.template("participant")
    for call in find_calls(human_text, participant):
        raw = call.values.get("1", "")
        name = normalize_username(raw, namespaces)
        if name:
            names.append(name)
        else:
            problems.append(f"{{{{{call.name_used}}}}} without a username")
    names.extend(_signature_names(human_text, manifest.signup_headings, namespaces))
    return Signups(unique_in_order(names), problems)


def attended_names(
    text: str, manifest: Manifest, namespaces: UserNamespaces, page: str = ""
) -> set[str]:
    """Who was checked in: ``{{Participant|Name|attended=yes}}`` in the human-owned text.

    Only the template carries attendance (a signature cannot); any of a
    person's calls saying yes is enough, so a second sign-up line does not undo it.
    """
    spec = PARTICIPANT.field("attended")
    found = set()
    for call in find_calls(strip_regions(text, page), manifest.template("participant")):
        try:
            came = parse_value(spec, call.values.get("attended", ""))
        except InvalidValue:
            continue  # a typo in attended= is shown by the template, not guessed at
        name = normalize_username(call.values.get("1", ""), namespaces)
        if came and name:
            found.add(name)
    return found


def signed_up_names(text: str, manifest: Manifest, namespaces: UserNamespaces) -> set[str]:
    """Just the names, for walking the page history."""
    try:
        return set(read_signups(text, manifest, namespaces).names)
    except Exception:  # an old revision with broken markers: it signed nobody up
        return set()
