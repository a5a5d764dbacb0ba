"""Configure pywikibot from our settings instead of a user-config.py.

pywikibot reads its environment when it is first imported, so everything that
talks to a wiki imports it through :func:`import_pywikibot`, which sets that
environment first and then applies our throttle, maxlag, retries, user agent
and dry-run switch to ``pywikibot.config``.
"""

from __future__ import annotations

import logging
import os
from types import ModuleType

from campaignkit import __version__
from campaignkit.config import Settings


class _NoTracebacks(logging.Filter):
    """Keep pywikibot's warnings on the terminal but not its tracebacks.

    Our layer turns the same failures into one-line errors; a screen of
    traceback for an unreachable wiki hides that line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop traceback records and strip exception details from the others."""
        if str(record.msg).startswith("Traceback"):
            return False
        record.exc_info = None
        record.exc_text = None
        return True


def quiet_terminal(verbose: bool) -> None:
    """Show pywikibot's info lines only when verbose, and never its tracebacks unless so."""
    import pywikibot.bot

    pywikibot.bot.init_handlers()
    for handler in logging.getLogger("pywiki").handlers:
        handler.setLevel(logging.INFO if verbose else logging.WARNING)
        if not verbose and not any(isinstance(f, _NoTracebacks) for f in handler.filters):
            handler.addFilter(_NoTracebacks())


def import_pywikibot(
    settings: Settings, *, simulate: bool = False, verbose: bool = False
) -> ModuleType:
    """Import and configure pywikibot for this run."""
    base_dir = settings.state_dir / "pywikibot"
    base_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # pywikibot takes PYWIKIBOT_DIR as its home (cookies, throttle file) only when a
    # user-config.py is there; NO_USER_CONFIG=2 keeps it from being read.
    marker = base_dir / "user-config.py"
    if not marker.exists():
        marker.write_text(
            "# Placeholder: campaignkit configures pywikibot from campaignkit.toml.\n"
        )
    os.environ.setdefault("PYWIKIBOT_NO_USER_CONFIG", "2")
    os.environ["PYWIKIBOT_DIR"] = str(base_dir)
    import pywikibot
    from pywikibot import config

    config.put_throttle = settings.write_throttle
    config.minthrottle = 0
    config.maxthrottle = max(settings.write_throttle, 1)
    config.write_maxlag = settings.maxlag
    config.read_maxlag = settings.maxlag
    config.max_retries = settings.max_retries
    config.retry_wait = settings.retry_wait
    config.socket_timeout = (6.05, 60)
    config.simulate = simulate
    config.noisysleep = 60.0
    config.user_agent_description = settings.contact
    config.user_agent_format = (
        f"{settings.tool_name}/{__version__} ({settings.contact}) "
        "{pwb} ({revision}) {python} {http_backend}"
    )
    config.log = []
    quiet_terminal(verbose)
    return pywikibot
