"""A real ``campaignkit worker`` process for tests, and polling with a deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def wait_for(condition, timeout: float, what: str, log: Path | None = None):
    """Poll until ``condition()`` is truthy (a real worker does the work meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


class Worker:
    """``campaignkit worker`` as a child process in its own process group."""

    def __init__(self, config: Path, log: Path):
        self.config = config
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self):
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGNKIT", "PYWIKIBOT"))
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "campaignkit", "--config", str(self.config), "worker"],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in self.log.read_text(errors="replace"), 60, "worker ready")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
