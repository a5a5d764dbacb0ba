"""What a run did, counted as it goes and printed at the end of every run.

Operators read this in cron mail and Toolforge job logs, so it says, per run:
pages read, edited, unchanged, skipped (with reasons), errors (with the page),
API requests per wiki and seconds.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from campaignkit.run_context import current_run_id
from campaignkit.wiki.editing import EditOutcome, EditResult


@dataclass
class RunSummary:
    """Counters and notes of one bot run."""

    task: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.monotonic)
    pages_read: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    finished: bool = False

    def __post_init__(self) -> None:
        """Every log line from now on carries this run's id."""
        current_run_id.set(self.run_id)

    def read(self, wiki_id: str, count: int = 1) -> None:
        """Count pages read on a wiki."""
        self.pages_read[wiki_id] += count

    def error(self, message: str) -> None:
        """Record an error that did not stop the run."""
        self.errors.append(message)

    def warn(self, message: str) -> None:
        """Record something a person should look at (an invalid sign-up, say)."""
        self.warnings.append(message)

    def skip(self, line: str) -> None:
        """Record a page left alone, with where and why."""
        self.skipped.append(line)

    def edit(self, result: EditResult) -> None:
        """Record one page's edit outcome."""
        self.outcomes[result.outcome.value] += 1
        where = f"{result.wiki_id}:{result.title}"
        if result.outcome is EditOutcome.SKIPPED:
            self.skipped.append(f"{where}: {result.reason}")
        elif result.outcome is EditOutcome.FAILED:
            self.errors.append(f"{where}: {result.reason}")
        if result.outcome is EditOutcome.DRY_RUN and result.diff:
            self.diffs.append(result.diff)

    @property
    def edited(self) -> int:
        """Pages saved or created."""
        return self.outcomes[EditOutcome.SAVED.value] + self.outcomes[EditOutcome.CREATED.value]

    def finish(self, requests: dict[str, int]) -> RunSummary:
        """Close the run with this run's request counts per wiki (the first call wins).

        A second call would replace this run's figures with whatever the caller
        holds (a worker's running totals, say), so it is ignored.
        """
        if self.finished:
            return self
        self.requests = dict(requests)
        self.seconds = time.monotonic() - self.started
        self.finished = True
        return self

    def as_dict(self) -> dict[str, Any]:
        """For the jobs' status store and the webservice's status page."""
        return {
            "task": self.task,
            "run_id": self.run_id,
            "pages_read": dict(self.pages_read),
            "edited": self.edited,
            "outcomes": dict(self.outcomes),
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
        }

    def lines(self) -> list[str]:
        """The human summary printed at the end of a run."""
        read = sum(self.pages_read.values())
        lines = [
            f"{self.task} run {self.run_id}: {read} pages read, {self.edited} edited, "
            f"{self.outcomes[EditOutcome.UNCHANGED.value]} unchanged, "
            f"{len(self.skipped)} skipped, {len(self.errors)} errors, "
            f"{self.outcomes[EditOutcome.DRY_RUN.value]} would change (dry run), "
            f"{self.seconds:.1f} s",
            "API requests: " + ", ".join(f"{k}={v}" for k, v in sorted(self.requests.items())),
        ]
        lines += [f"skipped {line}" for line in self.skipped]
        lines += [f"error {line}" for line in self.errors]
        lines += [f"warning {line}" for line in self.warnings]
        return lines
