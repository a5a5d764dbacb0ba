"""What every command's run shares: the global options, the settings, the run id in logs.

A bot run, a Celery task and the webservice's refresh all log through the
standard ``logging`` module; :class:`RunIdFilter` adds ``run_id`` to each
record so that the lines of one run can be picked out of a shared job log,
and matched with the run's summary on the status page.

:class:`RunContext` carries ``--config``, ``-v`` and ``--dry-run`` from the
``campaignkit`` group to every subcommand. It lives here, not in the command
line's composition root, so that the commands of ``bot/``, ``jobs/`` and
``webservice/`` import it without importing each other.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from campaignkit.config import Settings, load_settings

current_run_id: ContextVar[str] = ContextVar("campaignkit_run_id", default="-")

LOG_FORMAT = "%(asctime)s %(levelname)s run=%(run_id)s %(name)s: %(message)s"


class RunIdFilter(logging.Filter):
    """Adds ``record.run_id`` (``-`` outside a run)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record; never drops one."""
        record.run_id = current_run_id.get()
        return True


def configure_logging(verbose: bool) -> None:
    """Root logging for the command line, the worker and beat: one line per record, run ids."""
    handler = logging.StreamHandler()
    handler.addFilter(RunIdFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


@dataclass
class RunContext:
    """What the global options said, with the settings loaded on first use."""

    config_path: str | None
    verbose: bool
    dry_run: bool
    _settings: Settings | None = field(default=None, repr=False)
    _farm: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The configuration, loaded once."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def decide_dry_run(self, requested: bool) -> bool:
        """The run's dry-run switch: the global ``--dry-run`` or the command's own, decided once.

        It must be decided before the wikis are built: the farm's ``simulate``
        switch (pywikibot's, which blocks every write at the request) follows it.
        """
        if requested and self._farm is not None and not self._farm.simulate:
            raise RuntimeError("--dry-run decided after the wikis were built")
        self.dry_run = self.dry_run or requested
        return self.dry_run

    @property
    def farm(self) -> Any:
        """The configured wikis (imports pywikibot only for commands that need it).

        The dry-run switch is decided here, once: the farm's ``simulate`` is
        what every write path reads, so no job can forget it.
        """
        if self._farm is None:
            from campaignkit.wiki.connection import WikiFarm

            self._farm = WikiFarm(self.settings, simulate=self.dry_run, verbose=self.verbose)
        return self._farm
