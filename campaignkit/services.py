"""Reaching Redis and MariaDB; starting them only where that is the caller's job.

A fresh machine has neither running. The demo and the test fixtures call
:func:`ensure_redis` / :func:`ensure_mariadb`: reach the service, else install
(when root) and start it, else fail with the command that would start it.
The commands operators run (``sync``, ``metrics``, ``worker``) call
:func:`require_redis` instead: on a server whose Redis crashed, a Redis started
by the bot would take the port the real one needs, so they say in one line
that it does not answer, and never start one. Nothing here ever touches a
service that is not on this machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit

REDIS_START = (
    "redis-server --daemonize yes --bind 127.0.0.1 --port {port} --save '' --appendonly no"
)
MARIADB_START = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


_started: set[tuple[str, int]] = set()


def redis_started_by_us(url: str) -> bool:
    """Whether :func:`ensure_redis` started the Redis at ``url`` in this process."""
    parts = urlsplit(url)
    return (parts.hostname or "127.0.0.1", parts.port or 6379) in _started


class ServiceUnavailable(Exception):
    """A service the run needs cannot be reached; the message says how to start it."""


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _wait_until_reachable(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reachable(host, port):
            return True
        time.sleep(0.1)  # polling a booting server
    return False


def _apt_install(package: str) -> None:
    if os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
        env=env,
        capture_output=True,
        check=False,
    )


def redis_address(url: str) -> tuple[str, int]:
    """Host and port of a ``redis://`` URL."""
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


def require_redis(url: str) -> None:
    """Fail with one line naming the URL when the configured Redis does not answer."""
    host, port = redis_address(url)
    if not reachable(host, port):
        raise ServiceUnavailable(
            f"Redis at {host}:{port} ({url}) does not answer; start it (services.redis_url)"
        )


def ensure_redis(url: str = "redis://127.0.0.1:6379/0") -> None:
    """Make sure the Redis named by ``url`` answers, starting a local one if needed."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if reachable(host, port):
        return
    start = REDIS_START.format(port=port)
    if host in LOCAL_HOSTS:
        if shutil.which("redis-server") is None:
            _apt_install("redis-server")
        if shutil.which("redis-server") is not None:
            subprocess.run(start, shell=True, capture_output=True, check=False)
            if _wait_until_reachable(host, port, 10):
                _started.add((host, port))
                return
    raise ServiceUnavailable(
        f"Redis at {host}:{port} does not answer; start it with: {start} "
        f"(install it with: apt-get install redis-server)"
    )


def ensure_mariadb(host: str = "127.0.0.1", port: int = 3306) -> None:
    """Make sure a local MariaDB answers, starting it if needed."""
    if reachable(host, port):
        return
    if host in LOCAL_HOSTS:
        if not os.path.exists("/usr/sbin/mariadbd"):
            _apt_install("mariadb-server")
        if os.path.exists("/usr/sbin/mariadbd"):
            os.makedirs("/run/mysqld", exist_ok=True)
            if shutil.which("chown"):
                subprocess.run(
                    ["chown", "mysql:mysql", "/run/mysqld"], check=False, capture_output=True
                )
            subprocess.run(MARIADB_START, shell=True, capture_output=True, check=False)
            if _wait_until_reachable(host, port, 30):
                return
    raise ServiceUnavailable(
        f"MariaDB at {host}:{port} does not answer; start it with: {MARIADB_START} "
        f"(install it with: apt-get install mariadb-server)"
    )
