"""Checks of the organizers' forms that need the wiki, and the hashtag's alphabet.

:func:`webservice.forms.checked_values` checks each field by itself, as the
bot reads it. Some mistakes only the wiki can see, and each costs someone
later: an event whose campaign does not exist is orphaned (no campaign page
ever lists it); an organizer name with a typo locks the real co-organizer out
of the event; a title in the Template namespace (``Àdàkọ:X`` on the Yoruba
wiki) makes a template, not an event page. So before a preview or a save:

- the page title's namespace is read by number from the wiki's siteinfo;
- the campaign must be a page on the hub holding ``{{Campaign}}``;
- every organizer must be an account on the wiki, not blocked; the error
  names the ones that are not;
- a hashtag is letters, digits and ``_`` only, which is what hashtag tools
  (and the edit summaries they search) match.

A wiki that does not answer does not stop the form: the journaled save checks
the page again, and the organizer is told nothing was guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from campaignkit.config import Settings
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.namespaces import SiteNamespaces, fetch_site_namespaces
from campaignkit.wiki.organizer_session import ApiError
from campaignkit.wiki.users import UserInfo, user_info
from webservice import campaign_reads
from webservice.field_limits import MAX_HASHTAG_LENGTH, MAX_ORGANIZERS

SITEINFO_SECONDS = 3600.0  # namespace names change with a wiki's configuration, rarely
USERS_PER_REQUEST = 50  # list=users without apihighlimits


def site_namespaces(settings: Settings, wiki_id: str) -> SiteNamespaces:
    """One wiki's namespaces, read once an hour."""
    return campaign_reads.cache.get(
        ("siteinfo", wiki_id),
        SITEINFO_SECONDS,
        lambda: fetch_site_namespaces(campaign_reads.reader(settings, wiki_id).get),
    )


def new_page_problem(settings: Settings, wiki_id: str, title: str) -> str:
    """Why the forms may not create ``title`` on ``wiki_id`` ('' when they may)."""
    return site_namespaces(settings, wiki_id).new_page_problem(title)


def hashtag_problem(text: str) -> str:
    """Why ``text`` is not a hashtag that hashtag tools find ('' when it is).

    Letters (any script, with their combining marks, so Yoruba's ẹ́ counts),
    digits and ``_``; an organizer's leading ``#`` is dropped before this.
    """
    if len(text) > MAX_HASHTAG_LENGTH:
        return f"is {len(text)} characters long; at most {MAX_HASHTAG_LENGTH} fit"
    for char in text:
        category = unicodedata.category(char)
        if char != "_" and category[0] not in ("L", "M") and category != "Nd":
            shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
            return f'"{shown}" cannot be part of a hashtag: use letters, digits and _ only'
    if text and unicodedata.category(text[0])[0] == "M":
        return "a hashtag cannot start with a combining mark"
    return ""


def clean_hashtag(text: str) -> str:
    """The hashtag as organizers often type it (``#Tag``), without the ``#``."""
    return re.sub(r"^\s*#", "", text or "").strip()


def campaign_problem(settings: Settings, title: str) -> str:
    """Why ``title`` is not a campaign an event can join ('' when it is one)."""
    hub = settings.hub_id
    namespaces = site_namespaces(settings, hub)
    prefix = namespaces.interwiki_prefix(title)
    if prefix:
        return f'"{title[:80]}" links to another wiki ({prefix}:); give a campaign page on {hub}'
    dashboard = campaign_reads.campaign_dashboard(settings, title, 0)
    if not dashboard.exists:
        return f'there is no page "{title[:80]}" on {hub}'
    if dashboard.campaign is None:
        return f'the page "{title[:80]}" on {hub} holds no valid {{{{Campaign}}}}'
    return ""


def check_accounts(settings: Settings, wiki_id: str, names: Iterable[str]) -> dict[str, UserInfo]:
    """Each name as the wiki knows it (exists, blocked), 50 names per request."""
    wanted = list(dict.fromkeys(n for n in names if n))
    api = campaign_reads.reader(settings, wiki_id)
    found: dict[str, UserInfo] = {}
    for start in range(0, len(wanted), USERS_PER_REQUEST):
        group = wanted[start : start + USERS_PER_REQUEST]
        answer = api.get(action="query", list="users", ususers="|".join(group), usprop="blockinfo")
        for entry in answer.get("query", {}).get("users", []):
            info = user_info(entry)
            found[info.name] = info
    return {name: found.get(name, UserInfo(name, exists=False, valid=False)) for name in wanted}


def organizers_problem(settings: Settings, wiki_id: str, names: tuple[str, ...]) -> str:
    """Which organizers cannot organize on ``wiki_id`` and why ('' when all can)."""
    if len(names) > MAX_ORGANIZERS:
        return f"lists {len(names)} organizers; at most {MAX_ORGANIZERS} fit"
    accounts = check_accounts(settings, wiki_id, names)
    missing = [n for n, info in accounts.items() if not info.exists]
    blocked = [n for n, info in accounts.items() if info.exists and info.blocked]
    problems = []
    if missing:
        problems.append(f"no account on {wiki_id}: {', '.join(missing)}")
    if blocked:
        problems.append(f"blocked on {wiki_id}: {', '.join(blocked)}")
    return "; ".join(problems)


def wiki_checks(
    settings: Settings, wiki_id: str, values: dict[str, str], organizers: tuple[str, ...]
) -> dict[str, tuple[str, str]]:
    """Problems by field name, as (message key, detail); empty when every check passes.

    ``values`` are the canonical texts of the fields to check (an edit passes
    only the changed ones), ``organizers`` the parsed organizers among them.
    A wiki that does not answer skips the check it was needed for (the save is
    journaled and the wiki itself refuses what it must).
    """
    problems: dict[str, tuple[str, str]] = {}
    if values.get("hashtag"):
        problem = hashtag_problem(values["hashtag"])
        if problem:
            problems["hashtag"] = ("error-hashtag", problem)
    try:
        if values.get("campaign"):
            problem = campaign_problem(settings, values["campaign"])
            if problem:
                problems["campaign"] = ("error-campaign-missing", problem)
        if organizers:
            problem = organizers_problem(settings, wiki_id, organizers)
            if problem:
                problems["organizers"] = ("error-organizers-unknown", problem)
    except (WikiUnreachable, ApiError):
        pass
    return problems
