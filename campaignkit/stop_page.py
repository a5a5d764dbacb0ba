"""The on-wiki stop switch.

Any user can stop the bot on a wiki by editing its stop page (``bot.stop_page``
in the configuration, ``User:{bot}/Stop`` by default): when the page holds
anything other than the run word (``run`` by default, case and spaces ignored),
the bot makes no edit on that wiki. A stop page that does not exist means run,
so a new wiki works before anyone creates it. The bot checks before each batch
of writes, so a stop takes effect within one batch.
"""

from __future__ import annotations

from campaignkit.config import Settings
from campaignkit.wiki.batch import read_text
from campaignkit.wiki.connection import WikiConnection


def stop_page_title(settings: Settings) -> str:
    """The stop page's title, with the bot's account name filled in."""
    return settings.stop_page.replace("{bot}", settings.bot.main_username)


def stop_reason(connection: WikiConnection, settings: Settings) -> str | None:
    """Why the bot must not write on this wiki now, or None when it may."""
    title = stop_page_title(settings)
    page = read_text(connection, title)
    if not page.exists:
        return None
    content = " ".join(page.text.split()).lower()
    if content == settings.stop_run_word.lower():
        return None
    return f"stopped by [[{title}]] on {connection.id} (it says {page.text.strip()[:60]!r})"
