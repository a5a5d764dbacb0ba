"""Claims: who works on which article, written by participants in the human part of the page.

A participant claims an article by adding a line anywhere on the worklist
page outside the bot's table, usually under a "Claims" heading::

    * {{Worklist claim|Lagos|Bola Participant}}
    * {{Worklist claim|Ibadan|Ada Organizer|done=yes}}
    * {{Worklist claim|Ọ̀yọ́}} ~~~~

In the visual editor that is Insert → Template → "Worklist claim", three
labelled boxes. The username may be left out when the line carries a
signature. The bot only reads these lines: it never writes outside its own
region, so a claim can never be lost when the table is regenerated, and it
reads them again from the page's current text whenever an edit conflict
makes it recompute, so a claim saved while the bot worked shows up too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mwparserfromhell.nodes import Comment, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from bot.worklists.sources import normalize_title
from campaignkit.codecs.usernames import UserNamespaces, user_from_link_target
from campaignkit.manifest import Manifest
from campaignkit.validation import BOOLEANS, InvalidValue, parse_value
from campaignkit.wikitext.regions import strip_regions
from campaignkit.wikitext.templates import (
    find_calls,
    parse_wikitext,
    read_call,
    template_name_matches,
)


@dataclass(frozen=True)
class Claim:
    """One participant's claim on one article."""

    title: str
    user: str
    done: bool = False


@dataclass
class Claims:
    """Every claim on a page, by article, and the lines that could not be read."""

    by_title: dict[str, list[Claim]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, claim: Claim) -> None:
        """Record a claim; the same person claiming twice counts once (done if either says so)."""
        claims = self.by_title.setdefault(claim.title, [])
        for index, existing in enumerate(claims):
            if existing.user == claim.user:
                claims[index] = Claim(claim.title, claim.user, existing.done or claim.done)
                return
        claims.append(claim)

    def users(self, title: str) -> tuple[str, ...]:
        """Who claimed an article, in page order."""
        return tuple(c.user for c in self.by_title.get(title, []))

    def done(self, title: str) -> bool:
        """Whether anyone who claimed the article marked it done."""
        return any(c.done for c in self.by_title.get(title, []))


def _name(node: Template) -> str:
    return "".join(str(n) for n in node.name.nodes if not isinstance(n, Comment))


def _signatures_after(code: Wikicode, namespaces: UserNamespaces) -> dict[int, str]:
    """For each top-level template call, the first user linked later on the same line."""
    found: dict[int, str] = {}
    waiting: list[Template] = []
    for node in code.nodes:
        if isinstance(node, Text) and "\n" in str(node):
            waiting = []
        elif isinstance(node, Template):
            waiting.append(node)
        elif isinstance(node, Wikilink) and waiting:
            name = user_from_link_target(str(node.title), namespaces)
            if name:
                for template in waiting:
                    found[id(template)] = name
                waiting = []
    return found


def read_claims(
    text: str, manifest: Manifest, namespaces: UserNamespaces | None = None, page: str = ""
) -> Claims:
    """Every ``{{Worklist claim}}`` outside the bot's regions (raises RegionError if broken)."""
    namespaces = namespaces or UserNamespaces.english()
    local = manifest.template("worklist_claim")
    spec = local.spec
    human = strip_regions(text, page)
    code = parse_wikitext(human)
    signatures = _signatures_after(code, namespaces)
    claims = Claims()
    for node in code.filter_templates(recursive=True):
        if not template_name_matches(_name(node), local):
            continue
        call = read_call(node, local)
        raw_title = call.values.get("1", "")
        try:
            title = parse_value(spec.field("1"), raw_title)
            user = parse_value(spec.field("2"), call.values.get("2", "")) or signatures.get(
                id(node), ""
            )
        except InvalidValue as error:
            claims.problems.append(f"{{{{{call.name_used}|{raw_title}}}}}: {error}")
            continue
        if not title:
            claims.problems.append(f"{{{{{call.name_used}}}}} without an article title")
            continue
        if not user:
            claims.problems.append(
                f"{{{{{call.name_used}|{title}}}}} names no user and has no signature"
            )
            continue
        done_text = call.values.get("done", "").strip().casefold()
        if done_text and done_text not in BOOLEANS:
            claims.problems.append(
                f"{{{{{call.name_used}|{title}}}}}: done={done_text!r} is not yes or no"
            )
        claims.add(Claim(normalize_title(title), user, BOOLEANS.get(done_text, False)))
    return claims


def claimed_titles(text: str, manifest: Manifest, page: str = "") -> list[str]:
    """Just the claimed articles (for the facts query before the table is built)."""
    local = manifest.template("worklist_claim")
    titles = []
    for call in find_calls(strip_regions(text, page), local):
        try:
            title = parse_value(local.spec.field("1"), call.values.get("1", ""))
        except InvalidValue:
            continue
        if title:
            titles.append(normalize_title(title))
    return list(dict.fromkeys(titles))
