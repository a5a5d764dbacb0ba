"""A small in-memory MediaWiki Action API for unit tests: the HTTP boundary, faked.

It answers the queries the worklist code sends (``prop=info|revisions|pageprops|
langlinks|templates|categories`` with ``redirects``, ``list=categorymembers``,
``prop=links``, ``prop=redirects``, ``list=usercontribs``, content reads) the way
MediaWiki 1.39 does with ``formatversion=2``, including ``normalized``,
``redirects``, limits and ``continue``. Every call is recorded, so tests can
count requests and check their parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campaignkit.wiki.errors import WikiError


@dataclass
class FakePage:
    """One page of the fake wiki."""

    text: str = ""
    redirect_to: str = ""
    templates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    langlinks: dict[str, str] = field(default_factory=dict)
    wikibase_item: str = ""
    timestamp: str = "2027-04-20T10:00:00Z"
    links: tuple[str, ...] = ()
    ns: int = 0

    @property
    def length(self) -> int:
        """Bytes, as MediaWiki counts them."""
        return len(self.text.encode())


@dataclass
class FakeContribution:
    """One edit in ``list=usercontribs``."""

    user: str
    title: str
    revid: int
    sizediff: int
    timestamp: str


class FakeWiki:
    """Stands where a WikiConnection stands: ``id``, ``api(**params)``, ``rights()``."""

    def __init__(self, wiki_id: str = "testwiki", *, high_limits: bool = True) -> None:
        self.id = wiki_id
        self.pages: dict[str, FakePage] = {}
        self.contributions: list[FakeContribution] = []
        self.calls: list[dict[str, Any]] = []
        self.high_limits = high_limits
        self.fail_on: str | None = None  # a parameter value that makes the API fail

    def rights(self) -> set[str]:
        """The bot's rights; ``apihighlimits`` decides 500 or 50 titles per request."""
        return {"edit", "bot", "apihighlimits"} if self.high_limits else {"edit"}

    def add(self, title: str, **facts: Any) -> FakePage:
        """Create a page."""
        self.pages[title] = FakePage(**facts)
        return self.pages[title]

    # --- the API ---------------------------------------------------------------

    def api(self, **params: Any) -> dict[str, Any]:
        """One API request."""
        self.calls.append(params)
        if self.fail_on and any(self.fail_on in str(v) for v in params.values()):
            raise WikiError(self.id, f"{self.fail_on}: the wiki does not answer")
        if params.get("list") == "categorymembers":
            return self._categorymembers(params)
        if params.get("list") == "usercontribs":
            return self._usercontribs(params)
        titles = params.get("titles", "").split("|") if params.get("titles") else []
        limit = 500 if self.high_limits else 50
        if len(titles) > limit:
            raise WikiError(self.id, f"toomanyvalues: {len(titles)} titles > {limit}")
        return self._pages(titles, params)

    def _limit(self, value: str, big: int = 5000) -> int:
        if value == "max":
            return big if self.high_limits else 500
        return int(value)

    @staticmethod
    def _normalize(title: str) -> str:
        title = title.replace("_", " ").strip()
        return title[:1].upper() + title[1:]

    def _pages(self, titles: list[str], params: dict[str, Any]) -> dict[str, Any]:
        props = set(params.get("prop", "").split("|"))
        normalized, redirects, pages = [], [], []
        for asked in titles:
            title = self._normalize(asked)
            if title != asked:
                normalized.append({"from": asked, "to": title})
            page = self.pages.get(title)
            if params.get("redirects") and page is not None and page.redirect_to:
                redirects.append({"from": title, "to": page.redirect_to})
                title, page = page.redirect_to, self.pages.get(page.redirect_to)
            if any(c in asked for c in "<>[]{}"):
                pages.append({"title": asked, "invalid": True, "invalidreason": "bad"})
                continue
            if page is None:
                pages.append({"ns": 0, "title": title, "missing": True})
                continue
            entry: dict[str, Any] = {"ns": page.ns, "title": title, "pageid": 1}
            if "info" in props:
                entry["length"] = page.length
                if page.redirect_to:
                    entry["redirect"] = True
            if "revisions" in props:
                revision: dict[str, Any] = {"timestamp": page.timestamp, "revid": 7}
                if "content" in params.get("rvprop", ""):
                    revision["slots"] = {"main": {"content": page.text}}
                entry["revisions"] = [revision]
            if "pageprops" in props and page.wikibase_item:
                entry["pageprops"] = {"wikibase_item": page.wikibase_item}
            if "langlinks" in props and params.get("lllang") in page.langlinks:
                lang = params["lllang"]
                entry["langlinks"] = [{"lang": lang, "title": page.langlinks[lang]}]
            if "templates" in props:
                wanted = set(params.get("tltemplates", "").split("|"))
                used = [t for t in page.templates if f"Template:{t.partition(':')[2]}" in wanted]
                if used:
                    entry["templates"] = [{"ns": 10, "title": t} for t in used]
            if "categories" in props:
                wanted = set(params.get("clcategories", "").split("|"))
                found = [c for c in page.categories if f"Category:{c}" in wanted]
                if found:
                    entry["categories"] = [{"ns": 14, "title": f"Category:{c}"} for c in found]
            if "links" in props:
                entry["links"] = [{"ns": 0, "title": t} for t in page.links]
            if "redirects" in props:
                here = [t for t, p in self.pages.items() if p.redirect_to == title]
                if here:
                    entry["redirects"] = [{"title": t} for t in here]
            pages.append(entry)
        query: dict[str, Any] = {"pages": pages}
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        return {"batchcomplete": True, "query": query, "curtimestamp": "2027-04-20T12:00:00Z"}

    def _categorymembers(self, params: dict[str, Any]) -> dict[str, Any]:
        category = params["cmtitle"].removeprefix("Category:")
        members = [
            (title, page)
            for title, page in sorted(self.pages.items())
            if category in page.categories
        ]
        start = int(params.get("cmcontinue", 0))
        limit = self._limit(params.get("cmlimit", "10"))
        chunk = members[start : start + limit]
        answer: dict[str, Any] = {
            "query": {
                "categorymembers": [
                    {
                        "ns": page.ns,
                        "title": title,
                        "type": "subcat" if page.ns == 14 else "page",
                    }
                    for title, page in chunk
                ]
            }
        }
        if start + limit < len(members):
            answer["continue"] = {"cmcontinue": str(start + limit), "continue": "-||"}
        return answer

    def _usercontribs(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params["ucuser"].split("|")
        limit = 500 if self.high_limits else 50
        if len(users) > limit:
            raise WikiError(self.id, f"toomanyvalues: {len(users)} users > {limit}")
        found = [
            c
            for c in self.contributions
            if c.user in users and params["ucstart"] <= c.timestamp <= params["ucend"]
        ]
        start = int(params.get("uccontinue", 0))
        size = self._limit(params.get("uclimit", "10"))
        chunk = found[start : start + size]
        answer: dict[str, Any] = {
            "query": {
                "usercontribs": [
                    {"user": c.user, "title": c.title, "revid": c.revid, "sizediff": c.sizediff}
                    for c in chunk
                ]
            }
        }
        if start + size < len(found):
            answer["continue"] = {"uccontinue": str(start + size), "continue": "-||"}
        return answer
