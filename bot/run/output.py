"""What a bot command prints at the end of a run, the same way for every command.

Diffs of a dry run, then the summary (as text for people, as JSON for scripts
with ``--json``), and exit code 1 when the run had errors: cron mail and
Toolforge's ``emails: onfailure`` rely on that code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import click

from bot.run.summary import RunSummary


def print_summary(
    summary: RunSummary,
    *,
    as_json: bool,
    lines_before: Iterable[str] = (),
    json_extra: dict[str, Any] | None = None,
) -> None:
    """Print the run's diffs and summary; exit 1 when it had errors."""
    for diff in summary.diffs:
        click.echo(diff)
    if as_json:
        report = summary.as_dict() | (json_extra or {})
        click.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        for line in [*lines_before, *summary.lines()]:
            click.echo(line)
    if summary.errors:
        raise click.exceptions.Exit(1)
