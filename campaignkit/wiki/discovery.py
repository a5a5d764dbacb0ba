"""Find the pages that use a contract template, with their text, in few requests.

Events are the pages that transclude ``{{Campaign event}}`` (under its local
name) on any configured wiki; campaigns are the pages that transclude
``{{Campaign}}`` on the hub. One ``generator=embeddedin`` query lists them and
returns each page's latest text in the same answer, 500 pages per request with
the bot's high limits (50 without): a campaign of 500 events costs one or two
requests per wiki, not 500.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaignkit.wiki.batch import PageText, batch_size, query_all
from campaignkit.wiki.connection import WikiConnection

# Template, Module and MediaWiki pages document the templates (and may show them
# in use); they are never events or campaigns.
NOT_CONTENT_NAMESPACES = frozenset({8, 10, 828})


def template_title(name: str) -> str:
    """``Campaign event`` -> ``Template:Campaign event``."""
    return name if name.lower().startswith("template:") else f"Template:{name}"


def pages_embedding(
    connection: WikiConnection, template_names: Iterable[str], *, with_text: bool = True
) -> list[PageText]:
    """Every page that transcludes one of the templates, with its latest revision.

    Several names are asked for because a wiki may use both the localized
    template and the English one (a redirect is followed by MediaWiki: pages
    using a redirect are listed under its target too).
    """
    limit = "max" if batch_size(connection) > 50 else "50"
    found: dict[str, PageText] = {}
    for name in dict.fromkeys(template_names):
        params = {
            "generator": "embeddedin",
            "geititle": template_title(name),
            "geilimit": limit,
            "prop": "revisions|info",
            "rvprop": "ids|timestamp" + ("|content" if with_text else ""),
            "rvslots": "main",
            "curtimestamp": "1",
        }
        pages: dict[str, dict] = {}
        start = ""
        for answer in query_all(connection, **params):
            start = start or answer.get("curtimestamp", "")
            for page in answer.get("query", {}).get("pages", []):
                entry = pages.setdefault(page["title"], {})
                for key, value in page.items():
                    if key == "revisions" and not value:
                        continue
                    entry[key] = value
        for title, page in pages.items():
            if page.get("ns") in NOT_CONTENT_NAMESPACES:
                continue
            if title not in found:
                found[title] = PageText.from_api(page, start)
    return list(found.values())
