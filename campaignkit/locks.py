"""Per-page locks in Redis, so two bot processes never edit one page at once.

MediaWiki does not report an edit conflict between two edits by the same user,
so two workers of the same bot could overwrite each other. Each page edit holds
a Redis lock named after the wiki and title. The lock expires by itself, so a
worker that crashed never blocks a page for longer than ``ttl`` seconds.

A lock names its holder (host and process id), so a run that finds a page
locked by a process of this machine that no longer exists (killed with
SIGKILL mid-edit) takes the lock over at once instead of waiting for it to
expire: the next run continues the killed one without a pause.

When Redis does not answer, a page is not edited without its lock:
:class:`LocksUnavailable` says so, the writer skips the page and reports it,
and after the first failure the run does not wait on Redis again for every page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from campaignkit.config import Settings


class PageBusy(Exception):
    """Another process holds the page's lock (or no lock can be taken): leave the page."""


class LocksUnavailable(PageBusy):
    """Redis does not answer, so no page lock can be taken in this run."""


def _holder_token() -> str:
    return f"{socket.gethostname()}|{os.getpid()}|{uuid.uuid4().hex}"


def _holder_gone(token: bytes | None) -> bool:
    """Whether a lock's holder was a process on this machine that no longer runs."""
    if not token:
        return False
    host, _, rest = token.decode("utf-8", "replace").partition("|")
    pid_text = rest.partition("|")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# Delete the key only if it still holds the dead holder's token (another process
# may have taken it over in between).
_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


class PageLocks:
    """Locks on (wiki, title) pairs in one Redis, under a key prefix."""

    def __init__(
        self, client: redis.Redis | None, prefix: str, ttl: float = 300.0, wait: float = 30.0
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.wait = wait
        self.unavailable = ""  # why Redis failed, once it has in this run

    @classmethod
    def from_url(cls, url: str, prefix: str, **kwargs: float) -> PageLocks:
        """Locks on the Redis at ``url``; an empty URL gives process-local no-op locks."""
        client = (
            redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10) if url else None
        )
        return cls(client, prefix, **kwargs)

    @classmethod
    def for_settings(cls, settings: Settings) -> PageLocks:
        """The configured Redis, prefix and expiry (``services.page_lock_ttl``)."""
        return cls.from_url(settings.redis_url, settings.redis_prefix, ttl=settings.page_lock_ttl)

    def key(self, wiki_id: str, title: str) -> str:
        """The Redis key of one page's lock (titles hashed: keys stay short and safe)."""
        digest = hashlib.sha1(f"{wiki_id}\n{title}".encode()).hexdigest()
        return f"{self.prefix}:lock:page:{digest}"

    @contextmanager
    def hold(self, wiki_id: str, title: str) -> Iterator[None]:
        """Hold one page's lock for the duration of the block."""
        if self.client is None:
            yield
            return
        if self.unavailable:
            raise LocksUnavailable(self.unavailable)
        key = self.key(wiki_id, title)
        lock = self.client.lock(key, timeout=self.ttl, blocking_timeout=self.wait)
        token = _holder_token()
        try:
            acquired = lock.acquire(blocking=False, token=token)
            if not acquired:
                held_by = self.client.get(key)
                if _holder_gone(held_by):
                    self.client.eval(_DELETE_IF, 1, key, held_by)
                acquired = lock.acquire(token=token)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            self.unavailable = (
                f"not edited without its page lock: Redis does not answer ({error}); "
                "left for the next run"
            )
            raise LocksUnavailable(self.unavailable) from None
        if not acquired:
            raise PageBusy(f"{wiki_id}:{title} is being edited by another campaignkit process")
        try:
            yield
        finally:
            # LockError: it expired while we worked and someone else may hold it now;
            # a Redis gone meanwhile lets the lock expire by itself.
            with contextlib.suppress(redis.exceptions.LockError, redis.exceptions.RedisError):
                lock.release()
