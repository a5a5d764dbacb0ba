"""Install the contract's template pages on a wiki without trampling local changes.

For each wiki the installer reads every page it would write in one batched
``prop=revisions`` query, then decides page by page:

* missing on the wiki -> create it (``createonly``, so a page someone creates
  meanwhile is not overwritten);
* same text as ours -> leave it (no edit, whoever wrote it);
* different, and the last revision is ours -> update it (an older version);
* different, and the last revision is someone else's -> refuse and report who
  changed it and when, unless ``force``.

"Ours" means: the last revision was saved by the bot account, its edit
summary carries our marker (``<tool>: install/update template``) **and** the
fingerprint of the text that install sent (``text sha1 <10 hex>``), and the
page's current text has that fingerprint. Anyone else editing the page, a
person using the bot's account by hand, or a human edit that MediaWiki merged
into an install's save (it merges edits to other lines silently instead of
raising a conflict) makes the page "changed by someone else". Updates send the
revision id of the batched read as ``baserevid`` (and its time as
``starttimestamp``), so an edit to the same lines between the read and the
save is an edit conflict reported for that page, never an overwrite.

A dry run reads the same way, computes the same decisions and unified diffs,
and never calls the edit API (independently of pywikibot's simulate switch).

Saves go through the bot's one write door (:class:`bot.run.writer.PageWriter`:
stop page, page lock, ``{{nobots}}``, the conflict-safe edit), and a run of
``templates install`` is a :class:`TemplateInstallTask` on the run loop, so one
page's failure is that page's alone.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.run.loop import BotRun, BotTask, Priority, WorkItem
from bot.run.summary import RunSummary
from bot.run.writer import PageWriter
from campaignkit import __version__
from campaignkit.template_pages import TemplatePage
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.editing import EditOutcome, EditRequest, EditResult, TransformError

TITLES_PER_REQUEST = 50
SUMMARY_ACTION = "install/update template"


def summary_marker(tool_name: str) -> str:
    """The part of our edit summaries that says an install saved this revision."""
    return f"{tool_name}: {SUMMARY_ACTION}"


def fingerprint(text: str) -> str:
    """A short hash of a page text, written into the summary of the install that saved it."""
    return "text sha1 " + hashlib.sha1(text.rstrip().encode("utf-8")).hexdigest()[:10]


def edit_summary(tool_name: str, docs_url: str, text: str, version: str = __version__) -> str:
    """The summary of an install edit: what, which version, which text, where to read more."""
    return f"{summary_marker(tool_name)} (version {version}, {fingerprint(text)}; {docs_url})"


class Outcome(StrEnum):
    """What happened to one page."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class CurrentPage:
    """A page as the wiki has it now (its latest revision), from the batched read."""

    title: str
    exists: bool
    text: str = ""
    user: str = ""
    comment: str = ""
    timestamp: str = ""
    revid: int = 0
    problem: str = ""


@dataclass(frozen=True)
class PageResult:
    """The outcome for one page, with what a person needs to act on it."""

    wiki_id: str
    title: str
    outcome: Outcome
    reason: str = ""
    diff: str = ""
    editor: str = ""
    edited_at: str = ""
    diff_url: str = ""


@dataclass(frozen=True)
class InstallOptions:
    """How to install: who the bot is, what to write in summaries, dry run, force."""

    bot_user: str
    tool_name: str
    docs_url: str
    dry_run: bool = False
    force: bool = False

    def summary(self, text: str) -> str:
        """The edit summary for saving this text."""
        return edit_summary(self.tool_name, self.docs_url, text)

    @property
    def marker(self) -> str:
        """What an edit summary must contain for the revision to count as ours."""
        return summary_marker(self.tool_name)


@dataclass
class InstallReport:
    """Every page's outcome plus the API requests each wiki cost."""

    results: list[PageResult] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def count(self, outcome: Outcome) -> int:
        """How many pages ended with this outcome."""
        return sum(1 for result in self.results if result.outcome is outcome)

    @property
    def failed(self) -> bool:
        """Whether any page could not be installed (the command then exits non-zero)."""
        return self.count(Outcome.FAILED) > 0

    def summary_line(self) -> str:
        """One line for the end of the run (and for cron logs)."""
        created, updated = self.count(Outcome.CREATED), self.count(Outcome.UPDATED)
        if self.dry_run:
            head = f"Dry run, nothing written: {created} to create, {updated} to update"
        else:
            head = f"Templates: {created} created, {updated} updated"
        parts = [head, f"{self.count(Outcome.UNCHANGED)} unchanged"]
        skipped = [r for r in self.results if r.outcome is Outcome.SKIPPED]
        if skipped:
            reasons = "; ".join(f"{r.wiki_id} {r.title}: {r.reason}" for r in skipped)
            parts.append(f"{len(skipped)} skipped ({reasons})")
        else:
            parts.append("0 skipped")
        parts.append(f"{self.count(Outcome.FAILED)} failed")
        requests = ", ".join(f"{wiki}={count}" for wiki, count in self.requests.items())
        return f"{', '.join(parts)}; API requests: {requests or 'none'}"


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_current_pages(
    connection: Any, titles: Sequence[str]
) -> tuple[dict[str, CurrentPage], str]:
    """The latest revision of every title, 50 titles per request, and the wiki's time.

    Returns pages keyed by the title as given (the wiki may normalize
    ``Template:`` to its own namespace name) and the wiki's current timestamp,
    which later edits send as ``starttimestamp``.
    """
    pages: dict[str, CurrentPage] = {}
    now = ""
    for chunk in _chunks(list(titles), TITLES_PER_REQUEST):
        params: dict[str, Any] = {
            "action": "query",
            "prop": "revisions",
            "titles": "|".join(chunk),
            "rvprop": "content|user|comment|timestamp|ids",
            "rvslots": "main",
            "curtimestamp": "1",
            "formatversion": "2",
        }
        found: dict[str, dict[str, Any]] = {}
        normalized: dict[str, str] = {}
        while True:
            answer = connection.api(**params)
            now = now or answer.get("curtimestamp", "")
            query = answer.get("query", {})
            for item in query.get("normalized", []):
                normalized[item["from"]] = item["to"]
            for page in query.get("pages", []):
                if page.get("revisions") or page["title"] not in found:
                    found[page["title"]] = page
            if "continue" not in answer:
                break
            params.update(answer["continue"])
        for title in chunk:
            wiki_title = normalized.get(title, title)
            page = found.get(wiki_title)
            if page is None or page.get("invalid"):
                reason = (page or {}).get("invalidreason", "the wiki gave no answer for it")
                pages[title] = CurrentPage(title=title, exists=False, problem=reason)
                continue
            revisions = page.get("revisions") or []
            if page.get("missing") or not revisions:
                pages[title] = CurrentPage(title=wiki_title, exists=False)
                continue
            revision = revisions[0]
            pages[title] = CurrentPage(
                title=wiki_title,
                exists=True,
                text=revision.get("slots", {}).get("main", {}).get("content", ""),
                user=revision.get("user", ""),
                comment=revision.get("comment", ""),
                timestamp=revision.get("timestamp", ""),
                revid=int(revision.get("revid", 0)),
            )
    return pages, now


def unified_diff(wiki_id: str, current: CurrentPage, wanted: str) -> str:
    """What an install would change on one page, as a unified diff."""
    before = f"{wiki_id}:{current.title} (rev {current.revid})" if current.exists else "/dev/null"
    lines = difflib.unified_diff(
        current.text.splitlines(),
        wanted.splitlines(),
        fromfile=before,
        tofile=f"{wiki_id}:{current.title} (campaignkit {__version__})",
        lineterm="",
    )
    return "\n".join(lines)


def is_ours(current: CurrentPage, options: InstallOptions) -> bool:
    """Whether the page's text is exactly what an install saved (see the module docstring)."""
    return (
        current.user == options.bot_user
        and options.marker in current.comment
        and fingerprint(current.text) in current.comment
    )


def _someone_else(current: CurrentPage, options: InstallOptions) -> str:
    """Who made the page differ from the last install, in words for the report."""
    if current.user != options.bot_user:
        return current.user
    if options.marker in current.comment:
        return (
            "someone whose edit MediaWiki merged into the install of "
            f"{current.timestamp} (the text is not what that install saved; see the history)"
        )
    return "the bot account, by hand or by another task"


def _same(current: CurrentPage, wanted: str) -> bool:
    # The wiki stores text without trailing whitespace; compare as it does.
    return current.exists and current.text.rstrip() == wanted.rstrip()


def _changed_while_installing(current: CurrentPage, found: PageText) -> str:
    if not current.exists:
        return (
            "created on the wiki by someone else while installing; "
            "run the install again to see by whom"
        )
    if not found.exists:
        return "deleted on the wiki while installing; run the install again"
    return "edited on the wiki while installing; run the install again"


def _api_failure(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class TemplateInstaller:
    """Installs a list of pages on one wiki (see the module docstring for the rules)."""

    def __init__(
        self, connection: Any, options: InstallOptions, writer: PageWriter | None = None
    ) -> None:
        self.connection = connection
        self.options = options
        farm = connection.farm
        self.writer = writer or PageWriter(
            farm, farm.settings, RunSummary("templates"), dry_run=options.dry_run
        )

    @property
    def wiki_id(self) -> str:
        """The configured id of the wiki this installer writes to."""
        return self.connection.id

    def read(self, pages: Sequence[TemplatePage]) -> tuple[dict[str, CurrentPage], str] | str:
        """The pages as the wiki has them, in batches; or why they cannot be read."""
        try:
            return read_current_pages(self.connection, [p.title for p in pages])
        except Exception as error:  # the wiki is down or refuses reads: every page fails
            return f"cannot read the pages: {error}".replace("\n", " ")

    def install(self, pages: Sequence[TemplatePage]) -> list[PageResult]:
        """Bring every page up to date; one page's failure does not stop the others."""
        found = self.read(pages)
        if isinstance(found, str):
            return [PageResult(self.wiki_id, p.title, Outcome.FAILED, found) for p in pages]
        current, now = found
        return [self.install_one(page, current[page.title], now) for page in pages]

    def install_one(self, page: TemplatePage, current: CurrentPage, now: str) -> PageResult:
        """One page's decision and save; an error is this page's result, not the run's end."""
        try:
            return self._install_one(page, current, now)
        except Exception as error:  # reported per page; the others go on
            return PageResult(self.wiki_id, current.title, Outcome.FAILED, _api_failure(error))

    def _diff_url(self, current: CurrentPage) -> str:
        index = self.connection.config.index_url
        return f"{index}?diff={current.revid}" if current.revid else ""

    def _install_one(self, page: TemplatePage, current: CurrentPage, now: str) -> PageResult:
        title = current.title
        if current.problem:
            return PageResult(self.wiki_id, title, Outcome.FAILED, current.problem)
        if _same(current, page.text):
            return PageResult(self.wiki_id, title, Outcome.UNCHANGED)
        diff = unified_diff(self.wiki_id, current, page.text) if self.options.dry_run else ""
        if current.exists and not is_ours(current, self.options) and not self.options.force:
            who = _someone_else(current, self.options)
            return PageResult(
                self.wiki_id,
                title,
                Outcome.SKIPPED,
                reason=f"changed on the wiki by {who}, last edit at {current.timestamp}; "
                "rerun with --force to overwrite",
                diff=diff,
                editor=current.user,
                edited_at=current.timestamp,
                diff_url=self._diff_url(current),
            )
        outcome = Outcome.UPDATED if current.exists else Outcome.CREATED
        forced = current.exists and not is_ours(current, self.options)
        reason = (
            f"overwrote the change by {_someone_else(current, self.options)}, "
            f"last edit at {current.timestamp}"
            if forced
            else ""
        )
        if not self.options.dry_run:
            saved = self._save(page, current, now)
            if not saved.wrote and saved.outcome is not EditOutcome.UNCHANGED:
                # Protected, stopped by the stop page, held by another process: the
                # operator asked for an install, and this page did not get it.
                return PageResult(self.wiki_id, title, Outcome.FAILED, reason=saved.reason)
        return PageResult(
            self.wiki_id,
            title,
            outcome,
            reason=reason,
            diff=diff,
            editor=current.user if forced else "",
            edited_at=current.timestamp if forced else "",
        )

    def _save(self, page: TemplatePage, current: CurrentPage, now: str) -> EditResult:
        """Save through the one write door, from the revision the decision was made on.

        The base revision is the batched read's (``baserevid``; with
        ``basetimestamp``, MediaWiki 1.39 suppresses the conflict when "the same
        user" edited last within the same second). Should the page change before
        the save, the conflict is this page's failure: the decision (ours, or
        someone else's) was made on the text read, and is not remade silently.
        """
        wanted = page.text

        def transform(latest: PageText) -> str:
            if latest.exists != current.exists or (
                current.exists and latest.revid != current.revid
            ):
                raise TransformError(_changed_while_installing(current, latest))
            return wanted

        base = PageText(
            current.title,
            current.exists,
            text=current.text,
            revid=current.revid,
            timestamp=current.timestamp,
            starttimestamp=now,
        )
        return self.writer.write(
            self.wiki_id,
            EditRequest(
                current.title,
                transform,
                self.options.summary(wanted),
                minor=False,
                current=base,
                extra={"watchlist": "nochange"},
            ),
        )


class TemplateInstallTask(BotTask):
    """``templates install`` on the run loop: every page of every wiki an item of its own."""

    name = "templates"

    def __init__(
        self, pages_by_wiki: dict[str, list[TemplatePage]], options: InstallOptions
    ) -> None:
        self.pages_by_wiki = pages_by_wiki
        self.options = options
        self.results: list[PageResult] = []
        self.installers: dict[str, TemplateInstaller] = {}
        self.current: dict[str, tuple[dict[str, CurrentPage], str]] = {}

    def setup(self, run: BotRun) -> None:
        """Read each wiki's pages in batches; a wiki that cannot be read fails its pages."""
        for wiki_id, pages in self.pages_by_wiki.items():
            installer = TemplateInstaller(run.farm[wiki_id], self.options, run.writer)
            found = installer.read(pages)
            if isinstance(found, str):
                self.results += [PageResult(wiki_id, p.title, Outcome.FAILED, found) for p in pages]
                continue
            self.installers[wiki_id] = installer
            self.current[wiki_id] = found

    def items(self, run: BotRun) -> Iterable[WorkItem]:
        """The pages in the order the sources list them (modules before their templates)."""
        for wiki_id in self.installers:
            for index, page in enumerate(self.pages_by_wiki[wiki_id]):
                yield WorkItem(
                    self.name, wiki_id, page.title, Priority.MAINTENANCE, (index,), payload=page
                )

    def treat(self, run: BotRun, item: WorkItem) -> None:
        """Install one page."""
        current, now = self.current[item.wiki]
        page = item.payload
        self.results.append(self.installers[item.wiki].install_one(page, current[page.title], now))
