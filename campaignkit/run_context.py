"""The id of the run in progress, stamped on every log line.

A bot run, a Celery task and the webservice's refresh all log through the
standard ``logging`` module; :class:`RunIdFilter` adds ``run_id`` to each
record so that the lines of one run can be picked out of a shared job log,
and matched with the run's summary on the status page.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

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
