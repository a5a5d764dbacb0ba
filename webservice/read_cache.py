"""The read pages' cache: shared by every web worker, one refresh at a time, never a stampede.

A dashboard link shared on a mailing list is opened by many people in the
same minute, and gunicorn runs several worker processes. A per-process cache
recomputes each entry once per worker, and when an entry expires every
waiting request reads the wiki again at once (p95 of 174 ms to 1.7 s at 100
requests/s). This cache is dogpile.cache's region on the tool's Redis:

- entries live in Redis, so all workers share one copy (a worker keeps what
  it read for :data:`LOCAL_SECONDS`, so a busy page costs one Redis read per
  second per worker, not one per view);
- when an entry is older than its ``seconds``, exactly one request (across
  processes, by dogpile's Redis lock) recomputes it, and every other request
  meanwhile gets the previous answer at once;
- the previous answer stays in Redis for :data:`STALE_SECONDS` after it
  expired, so there is something to serve while the refresh runs;
- only when there is no answer at all do requests wait, for the one
  computation, instead of each making their own;
- the refresh itself runs in a background thread of the worker that found the
  entry expired (dogpile's ``async_creation_runner``), so no request waits for
  a wiki read once an answer exists.

:meth:`SharedCache.clear` (after an organizer's own save, so they see it)
moves every worker to a new generation of keys at once. Without a Redis URL
(unit tests: ``memory://``), or when Redis stops answering, the same region
runs in this process's memory, so a Redis outage slows pages, never breaks them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import redis
from dogpile.cache import CacheRegion, make_region
from flask import g, has_request_context
from flask.globals import request_ctx

log = logging.getLogger(__name__)
T = TypeVar("T")
LOCAL_SECONDS = 1.0  # a worker reuses what it read from Redis this long, without asking again
STALE_SECONDS = 2 * 3600  # how long an expired answer may still be served during its refresh
LOCK_SECONDS = 60  # a refresh that takes longer (a wiki timing out) lets the next one try


def _refresh_in_background(
    region: CacheRegion, key: str, creator: Callable[[], object], mutex: object
) -> None:
    """dogpile's ``async_creation_runner``: refresh an expired entry in a thread.

    The request that finds the entry expired returns the previous answer at
    once, like every other request meanwhile; under gunicorn's sync workers a
    request that read the wiki itself would hold one of the two workers for
    the whole read, and the queue behind it is what made p95 climb.
    """

    def refresh() -> None:
        try:
            region.set(key, creator())
        except Exception:  # the previous answer stays; the next expiry tries again
            log.exception("refreshing %s in the background failed", key)
        finally:
            mutex.release()  # type: ignore[attr-defined]

    threading.Thread(target=refresh, name="campaignkit-cache-refresh", daemon=True).start()


def _memory_region() -> CacheRegion:
    return make_region(async_creation_runner=_refresh_in_background).configure(
        "dogpile.cache.memory"
    )


def _with_request_context(compute: Callable[[], T]) -> Callable[[], T]:
    """``compute`` as it can run in another thread: same request, same ``g`` (language)."""
    if not has_request_context():
        return compute
    # the context itself, copied only if the refresh runs: most calls are hits, and a
    # copy binds a URL adapter (a cost on every view of a busy page otherwise)
    context = request_ctx._get_current_object()  # type: ignore[attr-defined]
    values = dict(g.__dict__)

    def run() -> T:
        if has_request_context() and request_ctx._get_current_object() is context:  # type: ignore[attr-defined]
            return compute()  # the same request, in its own thread: nothing to carry
        with context.copy():
            g.__dict__.update(values)
            return compute()

    return run


class SharedCache:
    """``get(key, seconds, compute)``: the cached answer, recomputed by one caller at a time."""

    def __init__(self, local_seconds: float = LOCAL_SECONDS) -> None:
        self.local_seconds = local_seconds
        self._region = _memory_region()
        self._memory = self._region
        self._client: redis.Redis | None = None
        self._prefix = "campaignkit:web-cache"
        self._generation_key = f"{self._prefix}:generation"
        self._local_generation = 0
        self._lock = threading.Lock()
        # answers read from Redis in the last second, and the generation: a busy
        # worker asks Redis once a second per entry, not once per view
        self._recent: dict[str, tuple[float, object]] = {}
        self._generation_seen: tuple[float, str] = (0.0, "0")

    def configure(self, redis_url: str, prefix: str) -> None:
        """Use the tool's Redis (``redis://…``); anything else keeps the in-process region."""
        self._prefix = f"{prefix}:web-cache"
        self._generation_key = f"{self._prefix}:generation"
        self._memory = _memory_region()
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            self._region, self._client = self._memory, None
            return
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._region = make_region(async_creation_runner=_refresh_in_background).configure(
            "dogpile.cache.redis",
            arguments={
                "connection_pool": self._client.connection_pool,
                "redis_expiration_time": STALE_SECONDS,
                "distributed_lock": True,
                "thread_local_lock": False,
                "lock_timeout": LOCK_SECONDS,
            },
        )

    def _generation(self) -> str:
        if self._client is None:
            return str(self._local_generation)
        now = time.monotonic()
        seen_at, generation = self._generation_seen
        if now - seen_at < self.local_seconds:
            return generation
        value = self._client.get(self._generation_key)
        generation = f"{value.decode('ascii') if value else '0'}.{self._local_generation}"
        self._generation_seen = (now, generation)
        return generation

    def _recently_read(self, full_key: str, seconds: float, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        hit = self._recent.get(full_key)
        if hit is not None and now - hit[0] < min(self.local_seconds, seconds):
            return hit[1]  # type: ignore[return-value]
        value = self._region.get_or_create(full_key, compute, expiration_time=seconds)
        with self._lock:
            if len(self._recent) > 1000:
                self._recent.clear()
            self._recent[full_key] = (now, value)
        return value

    def _key(self, key: Hashable, generation: str) -> str:
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:32]
        return f"{self._prefix}:{generation}:{digest}"

    def get(self, key: Hashable, seconds: float, compute: Callable[[], T]) -> T:
        """The answer for ``key`` if younger than ``seconds``, else one caller's fresh one.

        ``seconds`` <= 0 asks for a fresh answer (a check just before a save).
        """
        if seconds <= 0:
            return compute()
        compute = _with_request_context(compute)
        try:
            full_key = self._key(key, self._generation())
            if self._client is None:
                return self._region.get_or_create(full_key, compute, expiration_time=seconds)
            return self._recently_read(full_key, seconds, compute)
        except redis.RedisError as error:
            log.warning("the web cache's Redis does not answer (%s); using memory", error)
            full_key = self._key(key, str(self._local_generation))
            return self._memory.get_or_create(full_key, compute, expiration_time=seconds)

    def clear(self) -> None:
        """Forget everything, in every worker (after an organizer's own save, so they see it)."""
        with self._lock:
            self._local_generation += 1
            self._generation_seen = (0.0, "0")
            self._recent.clear()
            self._memory = _memory_region()
            if self._client is None:
                self._region = self._memory
        if self._client is not None:
            try:
                self._client.incr(self._generation_key)
            except redis.RedisError as error:
                log.warning("the web cache's Redis does not answer (%s); not cleared", error)
