"""The bot's save: the edit core over the bot's pywikibot session.

Every bot job saves through :func:`apply_edit`, which is
:func:`campaignkit.wiki.safe_edit.safe_edit` (read, recompute on conflict,
read back only when MediaWiki may have merged, typed failures; see there) with
the bot's :class:`~campaignkit.wiki.bot_transport.BotTransport`. A dry run, or
a farm in pywikibot's simulate mode, computes the diff and sends nothing.

The names bot jobs import from here (``EditRequest``, ``EditResult``,
``EditOutcome``, ``TransformError``, ``ErrorKind``, ``classify_error``) are the
core's own.
"""

from __future__ import annotations

from campaignkit.wiki.bot_transport import BotTransport
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.edit_errors import ErrorKind, classify_error
from campaignkit.wiki.safe_edit import (
    DEFAULT_POLICY,
    EditOutcome,
    EditRequest,
    EditResult,
    RetryPolicy,
    Transform,
    TransformError,
    Verify,
    safe_edit,
    unified_diff,
)

__all__ = [
    "EditOutcome",
    "EditRequest",
    "EditResult",
    "ErrorKind",
    "RetryPolicy",
    "Transform",
    "TransformError",
    "Verify",
    "apply_edit",
    "classify_error",
    "unified_diff",
]


def apply_edit(
    connection: WikiConnection,
    request: EditRequest,
    *,
    dry_run: bool = False,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> EditResult:
    """Compute and save one page's new text as the bot, never overwriting a concurrent edit."""
    return safe_edit(
        BotTransport(connection),
        request,
        dry_run=dry_run or connection.farm.simulate,
        policy=policy,
    )
