"""The ``[notify]`` table of the configuration: when messages go out, and who never gets one.

```toml
[notify]
reminder_hours = 24                    # a reminder this long before the start
thanks_within_days = 14                # no thank-you later than this after the end
optout_page = "User:{bot}/No messages" # on the hub: one username per line (or [[User:…]] links)
max_messages = 200                     # per run; the rest go in the next run
```

Every key is optional. A wrong type or value stops the command with one line
naming the file and the key, like the rest of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from campaignkit.config import ConfigError, Settings

KNOWN_KEYS = ("reminder_hours", "thanks_within_days", "optout_page", "max_messages")


@dataclass(frozen=True)
class NotifySettings:
    """When reminders and thanks go out, the hub's opt-out page, and how many per run."""

    reminder_before: timedelta = timedelta(hours=24)
    thanks_within: timedelta = timedelta(days=14)
    optout_page: str = ""  # on the hub; empty: none
    max_messages: int = 200


def _number(settings: Settings, raw: dict[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{settings.path}: key notify.{key} must be a positive number")
    return float(value)


def notify_settings(settings: Settings) -> NotifySettings:
    """The ``[notify]`` table, validated, with the bot's name put into ``optout_page``."""
    raw = dict(settings.notify or {})
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{settings.path}: unknown key notify.{unknown[0]} (known: {', '.join(KNOWN_KEYS)})"
        )
    page = raw.get("optout_page", "User:{bot}/No messages")
    if not isinstance(page, str):
        raise ConfigError(f"{settings.path}: key notify.optout_page must be a page title")
    return NotifySettings(
        reminder_before=timedelta(hours=_number(settings, raw, "reminder_hours", 24)),
        thanks_within=timedelta(days=_number(settings, raw, "thanks_within_days", 14)),
        optout_page=page.replace("{bot}", settings.bot.main_username).strip(),
        max_messages=int(_number(settings, raw, "max_messages", 200)),
    )
