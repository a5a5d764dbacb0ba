"""A sign-up page with thousands of revisions and sign-ups at known ones, on a local wiki.

Thousands of API edits would take many minutes, and so does
``campaignkit/devwiki/php/bulk_history.php`` here (500 edits in 94 s: each save
parses the page and runs its updates). The history is imported instead, as a
wiki moves a page's history to another: an XML export file (format 0.11) read
by MediaWiki's ``importDump.php --no-updates`` (500 revisions in about 14 s).
The export gives every revision its timestamp, one minute after its parent's
and ending in the past, so a revision's time says which revision it is, as on
a real sign-up page where edits are minutes or days apart. Revision ids are
the wiki's own, read back from its database. Nothing else of the wiki is
touched; the page's title is the caller's and must not exist yet.

Used by tests/test_signup_times_wiki.py and benchmarks/signup_dating_benchmark.py.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from campaignkit.codecs.signups import signed_up_names
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.devwiki.layout import MEDIAWIKI_ROOT, LocalWiki
from campaignkit.manifest import english_manifest

REPO = Path(__file__).resolve().parent.parent
EDITOR = "Admin"  # every local wiki has it
EXPORT_HEAD = (
    '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n'
)


@dataclass(frozen=True)
class SignupHistory:
    """The page as built: its revisions (oldest first) and where each name came in."""

    title: str
    revids: list[int]
    timestamps: list[datetime]
    added_at: dict[str, int]  # name -> index of the revision of its latest addition
    additions: dict[str, list[int]]  # name -> indices of every revision that added it

    def revid_of(self, name: str) -> int:
        """The revision that added ``name`` last."""
        return self.revids[self.added_at[name]]

    def time_of(self, name: str) -> datetime:
        """When ``name`` was added last."""
        return self.timestamps[self.added_at[name]]


def names_in(text: str) -> set[str]:
    """The bot's own reading of a revision (templates and signatures), English wiki."""
    return signed_up_names(text, english_manifest(), UserNamespaces.english())


def plan_texts(
    revisions: int, signups: int, seed: int = 12
) -> tuple[list[str], dict[str, list[int]]]:
    """Texts of a sign-up page's revisions, and the revisions that added each name.

    ``signups`` names come in at revisions spread at random over the history (a
    few share an edit, as when an organizer adds several at once); half sign
    with a signature, half with ``{{Participant}}``. One name is removed and
    added again later. Every other revision edits the page's news line, so each
    revision differs from its parent (MediaWiki makes no revision for a null edit).
    """
    chooser = random.Random(seed)
    moments = sorted(chooser.sample(range(1, revisions), k=max(1, signups * 4 // 5)))
    additions: dict[int, list[str]] = {}
    for number in range(signups):
        at = moments[number % len(moments)] if number < len(moments) else chooser.choice(moments)
        additions.setdefault(at, []).append(f"Signup {number:04d}")
    removed_name = additions[moments[0]][0]
    removal, readdition = sorted(chooser.sample(range(moments[0] + 1, revisions), k=2))
    lines: list[str] = []
    texts: list[str] = []
    added_at: dict[str, list[int]] = {}
    for index in range(revisions):
        for name in additions.get(index, []):
            if len(lines) % 2:
                lines.append(f"# [[User:{name}|{name}]] ([[User talk:{name}|talk]]) 10:00")
            else:
                lines.append(f"{{{{Participant|{name}}}}}")
            added_at.setdefault(name, []).append(index)
        for position, line in enumerate(lines):
            if index == removal and f"|{removed_name}" in line:
                del lines[position]
                break
        if index == readdition:
            lines.append(f"{{{{Participant|{removed_name}}}}}")
            added_at[removed_name].append(index)
        texts.append(
            "An event of the benchmark campaign. News line "
            f"{index}: the venue is confirmed.\n\n== Sign up ==\n" + "\n".join(lines) + "\n"
        )
    return texts, added_at


def build_signup_history(
    wiki: LocalWiki, title: str, revisions: int, signups: int, seed: int = 12
) -> SignupHistory:
    """Import the planned revisions of ``title`` and read back their ids."""
    texts, additions = plan_texts(revisions, signups, seed)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=revisions + 5)
    timestamps = [start + timedelta(minutes=i) for i in range(revisions)]
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as dump:
        dump.write(EXPORT_HEAD)
        dump.write(f"<page><title>{escape(title)}</title><ns>0</ns>\n")
        for when, text in zip(timestamps, texts, strict=True):
            dump.write(
                f"<revision><timestamp>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</timestamp>"
                f"<contributor><username>{EDITOR}</username></contributor>"
                "<comment>sign-up</comment><model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(text)}</text></revision>\n'
            )
        dump.write("</page></mediawiki>\n")
    try:
        result = subprocess.run(
            [
                "php",
                str(MEDIAWIKI_ROOT / "maintenance" / "importDump.php"),
                "--conf",
                str(wiki.settings_file),
                "--no-updates",
                dump.name,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "MW_CONFIG_FILE": str(wiki.settings_file)},
            check=False,
        )
    finally:
        os.unlink(dump.name)
    if result.returncode != 0:
        raise RuntimeError(f"importDump.php failed: {result.stderr or result.stdout}")
    with sqlite3.connect(wiki.database_file, timeout=60) as database:
        revids = [
            row[0]
            for row in database.execute(
                "SELECT rev_id FROM revision JOIN page ON rev_page = page_id "
                "WHERE page_namespace = 0 AND page_title = ? ORDER BY rev_timestamp, rev_id",
                (title.replace(" ", "_"),),
            )
        ]
    if len(revids) != revisions:
        raise RuntimeError(f"{title}: {len(revids)} revisions imported, {revisions} planned")
    added_at = {name: indices[-1] for name, indices in additions.items()}
    return SignupHistory(title, revids, timestamps, added_at, additions)
