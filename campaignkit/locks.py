"""Per-page locks in Redis, so two bot processes never edit one page at once.

MediaWiki does not report an edit conflict between two edits by the same user,
so two workers of the same bot could overwrite each other. Each page edit holds
a Redis lock named after the wiki and title. The lock expires by itself, so a
worker that crashed never blocks a page for longer than ``ttl`` seconds.

When Redis does not answer, a page is not edited without its lock:
:class:`LocksUnavailable` says so, the writer skips the page and reports it,
and after the first failure the run does not wait on Redis again for every page.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from campaignkit.config import Settings


class PageBusy(Exception):
    """Another process holds the page's lock (or no lock can be taken): leave the page."""


class LocksUnavailable(PageBusy):
    """Redis does not answer, so no page lock can be taken in this run."""


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
        lock = self.client.lock(
            self.key(wiki_id, title), timeout=self.ttl, blocking_timeout=self.wait
        )
        try:
            acquired = lock.acquire()
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
