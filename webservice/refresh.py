"""Ask for a page's bot refresh right after an organizer's save.

The organizer who just added an event expects the campaign page to list it
now, not at the next scheduled run. For now the bot's sync for that one page
runs in a background thread of the web process; the jobs queue will take this
over (one Celery task), which is why it is one function with a small surface.
Refreshes run one at a time in a single worker thread: two syncs of the same
campaign at once would only conflict with each other.
"""

from __future__ import annotations

import logging
import queue
import threading

from campaignkit.config import Settings

log = logging.getLogger(__name__)

_requests: queue.Queue[tuple[Settings, str, str]] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()
_idle = threading.Condition()
_busy = 0


def _run(settings: Settings, pages: list[tuple[str, str]]) -> None:
    from bot.sync.job import SyncJob
    from campaignkit.submissions.journal import engine
    from campaignkit.wiki.connection import WikiFarm

    engine(settings)  # the bot's own tables, declared by the import above
    farm = WikiFarm(settings)
    wikis = {wiki_id for wiki_id, _title in pages}
    try:
        summary = SyncJob(farm, settings).run(
            targets=[title for _wiki, title in pages],
            wiki=next(iter(wikis)) if len(wikis) == 1 else None,
        )
        log.info("refresh of %s done: %s", pages, summary)
    finally:
        farm.close()


def _take_waiting(first: tuple[Settings, str, str]) -> list[tuple[Settings, str, str]]:
    """The request just taken plus every one queued behind it: one sync run serves all."""
    taken = [first]
    while True:
        try:
            taken.append(_requests.get_nowait())
        except queue.Empty:
            return taken


def _work() -> None:
    global _busy
    while True:
        taken = _take_waiting(_requests.get())
        by_settings: dict[int, tuple[Settings, list[tuple[str, str]]]] = {}
        for settings, wiki_id, title in taken:
            by_settings.setdefault(id(settings), (settings, []))[1].append((wiki_id, title))
        for settings, pages in by_settings.values():
            try:
                _run(settings, pages)
            except Exception:  # a failed refresh is retried by the next scheduled run
                log.exception("refresh of %s failed", pages)
        with _idle:
            _busy -= len(taken)
            _idle.notify_all()


def request_refresh(settings: Settings, wiki_id: str, title: str) -> None:
    """Have the bot refresh this page (and its campaign's table) soon, without waiting.

    When a campaignkit worker is alive (its heartbeat is fresh), the request goes
    to the task queue, where requests close together share one sync run
    (:func:`jobs.tasks.request_refresh`). Without a worker (a laptop, a test), or
    when Redis does not answer, the sync runs in this process's refresh thread.
    """
    if _queue_refresh(settings, wiki_id, title):
        return
    global _worker, _busy
    with _idle:
        _busy += 1
    _requests.put((settings, wiki_id, title))
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="campaignkit-refresh", daemon=True)
            _worker.start()


def _queue_refresh(settings: Settings, wiki_id: str, title: str) -> bool:
    from jobs.health import is_alive

    if not settings.redis_url or not is_alive(settings):
        return False
    try:
        from jobs.celery_app import make_celery
        from jobs.tasks import request_refresh as queue_refresh

        queue_refresh(make_celery(settings), wiki_id, title)
    except Exception:  # Redis down: the in-process refresh still works
        log.warning(
            "task queue unavailable; refreshing %s:%s in process", wiki_id, title, exc_info=True
        )
        return False
    return True


def wait_until_idle(timeout: float) -> bool:
    """Block until every requested refresh has run (for tests and clean shutdowns)."""
    with _idle:
        return _idle.wait_for(lambda: _busy == 0, timeout=timeout)
