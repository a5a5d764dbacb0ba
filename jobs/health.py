"""Liveness of the continuous worker, for the Toolforge job's health check.

The worker touches a file every :data:`BEAT` seconds while its consumer runs;
``jobs/healthcheck.sh`` (and ``campaignkit jobs health``) call the worker dead
when the file is older than :data:`STALE`. A stuck worker stops touching it and
Kubernetes restarts the job.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from campaignkit.config import Settings

BEAT = 30.0
STALE = 120.0


def health_file(settings: Settings) -> Path:
    """Where the worker writes its heartbeat."""
    return settings.state_dir / "worker.health"


def start_heartbeat(settings: Settings, stop: threading.Event) -> threading.Thread:
    """Touch the health file until ``stop`` is set."""
    path = health_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)

    def beat() -> None:
        while not stop.is_set():
            path.touch()
            stop.wait(BEAT)

    thread = threading.Thread(target=beat, name="campaignkit-heartbeat", daemon=True)
    thread.start()
    return thread


def is_alive(settings: Settings, now: float | None = None) -> bool:
    """Whether the worker touched its health file recently."""
    try:
        age = (now or time.time()) - health_file(settings).stat().st_mtime
    except FileNotFoundError:
        return False
    return age < STALE
