"""The bot-exclusion convention: ``{{nobots}}`` and ``{{bots|allow=…|deny=…}}``.

pywikibot's ``Page.botMayEdit`` asks the API which templates a page uses (two
requests per page); the bot already holds the page's text, so the same rules
are applied to it here, with no request:

- ``{{nobots}}``: no bot edits the page; ``{{nobots|Name1,Name2}}`` names the
  bots that may not (``all`` for every bot);
- ``{{bots|deny=Name1,Name2}}`` (or ``all``) keeps the named bots out;
  ``{{bots|allow=Name1,Name2}}`` lets only the named bots in (``none``: none);
- ``{{bots}}`` alone, ``deny=none`` and ``allow=all`` change nothing;
- ``{{bots|optout=all}}`` (or a list of message kinds) keeps every bot's
  *messages* of those kinds off a user talk page, while other bot edits stay
  allowed: :func:`bot_may_notify` asks both questions.

Templates inside comments and ``<nowiki>`` do not count, as on the wiki.
"""

from __future__ import annotations

import mwparserfromhell


def _names(value: str) -> set[str]:
    return {name.strip().casefold() for name in value.split(",") if name.strip()}


def _templates(text: str) -> list[tuple[str, dict[str, str]]]:
    """The ``bots``/``nobots`` calls on a page: (kind, parameters)."""
    found = []
    for template in mwparserfromhell.parse(text).filter_templates(recursive=True):
        name = str(template.name).strip().replace("_", " ")
        kind = name[:1].lower() + name[1:]
        if kind in ("bots", "nobots"):
            params = {str(p.name).strip().lower(): str(p.value).strip() for p in template.params}
            found.append((kind, params))
    return found


def opted_out(text: str, kinds: set[str]) -> bool:
    """Whether ``{{bots|optout=…}}`` names ``all`` or one of these message kinds."""
    if "optout" not in text.lower():
        return False
    wanted = {kind.casefold() for kind in kinds} | {"all"}
    return any(
        _names(params["optout"]) & wanted
        for kind, params in _templates(text)
        if kind == "bots" and "optout" in params
    )


def bot_may_notify(text: str, username: str, kinds: set[str]) -> bool:
    """Whether the bot may leave a message of these kinds on a talk page with this text."""
    return bot_may_edit(text, username) and not opted_out(text, kinds)


def bot_may_edit(text: str, username: str) -> bool:
    """Whether the bot called ``username`` may edit a page with this text."""
    if "bots" not in text.lower():
        return True  # no {{bots}} or {{nobots}} anywhere: skip parsing a big page
    me = username.casefold()
    for kind, params in _templates(text):
        if kind == "nobots":
            listed = _names(params.get("1", "all"))
            if "all" in listed or me in listed:
                return False
            continue
        if "deny" in params:
            denied = _names(params["deny"])
            if "all" in denied or me in denied:
                return False
        if "allow" in params:
            allowed = _names(params["allow"])
            if "all" not in allowed and me not in allowed:
                return False
    return True
