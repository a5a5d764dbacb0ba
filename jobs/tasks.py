"""Celery tasks: sync a page, a campaign or everything; write a journaled submission.

Every task rebuilds its result from the wiki's current state, so a task that
runs twice (after a worker was killed, say) makes no second edit: the second
run finds nothing to change. Failures that pass (maxlag, read-only, a wiki that
does not answer) are retried with exponential backoff; a task delivered more
than :data:`MAX_DELIVERIES` times is given up and logged, so a poisoned task
cannot loop forever.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import Task, shared_task

from campaignkit.config import Settings
from campaignkit.locks import PageLocks
from campaignkit.run_log import record_run
from campaignkit.wiki.errors import WikiUnreachable
from jobs.celery_app import settings_of

log = logging.getLogger(__name__)

MAX_DELIVERIES = 5
RETRY = {
    "autoretry_for": (WikiUnreachable, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 6,
}


class GivenUp(Exception):
    """A task came back too often; it is dropped and logged."""


_FARMS: dict[str, Any] = {}


def _farm(settings: Settings) -> Any:
    """One logged-in farm per worker process (per configuration file)."""
    from campaignkit.wiki.connection import WikiFarm

    key = str(settings.path)
    if key not in _FARMS:
        _FARMS[key] = WikiFarm(settings)
    return _FARMS[key]


def _redis(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url)


def _count_delivery(task: Task, settings: Settings) -> None:
    """Bounded redelivery: count deliveries of this task id, give up past the limit."""
    key = f"{settings.redis_prefix}:deliveries:{task.request.id}"
    client = _redis(settings)
    count = client.incr(key)
    client.expire(key, 86400)
    if count > MAX_DELIVERIES + task.request.retries:
        raise GivenUp(f"task {task.name}[{task.request.id}] delivered {count} times; giving up")


def _sync(task: Task, targets: list[str], wiki: str | None, full: bool = False) -> dict:
    from bot.sync import SyncJob

    settings = settings_of(task.app)
    _count_delivery(task, settings)
    job = SyncJob(
        _farm(settings),
        settings,
        full=full,
        locks=PageLocks.from_url(settings.redis_url, settings.redis_prefix),
    )
    summary = job.run(targets, wiki=wiki).as_dict()
    record_run(settings.database_url, summary, origin=f"celery:{task.name.rsplit('.', 1)[-1]}")
    log.info(
        "run %s: %s edited, %s errors", summary["run_id"], summary["edited"], len(summary["errors"])
    )
    return summary


@shared_task(bind=True, **RETRY)
def sync_page(self: Task, wiki_id: str, title: str) -> dict:
    """An event page's participants table, then its campaign's events table."""
    return _sync(self, [title], wiki_id)


@shared_task(bind=True, **RETRY)
def sync_campaign(self: Task, title: str) -> dict:
    """A campaign page and every event that names it."""
    coalesce_done(settings_of(self.app), title)
    return _sync(self, [title], None)


@shared_task(bind=True, **RETRY)
def sync_everything(self: Task, full: bool = False) -> dict:
    """The scheduled run: every tracked page (unchanged pages cost nothing)."""
    return _sync(self, [], None, full=full)


@shared_task(bind=True, **RETRY)
def write_submission(self: Task, submission_id: int) -> Any:
    """Write a journaled webservice submission to the wiki (exactly once)."""
    from webservice.journal_worker import process_submission

    settings = settings_of(self.app)
    _count_delivery(self, settings)
    return process_submission(settings, submission_id)


def coalesce_key(settings: Settings, campaign: str) -> str:
    """The Redis key that marks a refresh of this campaign as already queued."""
    return f"{settings.redis_prefix}:coalesce:campaign:{campaign}"


def coalesce_done(settings: Settings, campaign: str) -> None:
    """The queued refresh has started: later requests need a new one."""
    _redis(settings).delete(coalesce_key(settings, campaign))


def request_campaign_refresh(app: Any, campaign: str, delay: float = 15.0) -> bool:
    """Queue one refresh of a campaign; requests while one is queued are absorbed.

    Ten form submissions in a minute for one campaign give one refresh: the
    first queues a task ``delay`` seconds ahead and sets a marker; the others
    see the marker and add nothing. The task clears the marker when it starts,
    so an edit made after that start gets a refresh of its own.
    """
    settings = settings_of(app)
    key = coalesce_key(settings, campaign)
    if not _redis(settings).set(key, "queued", nx=True, ex=int(delay) + 3600):
        return False
    app.send_task("jobs.tasks.sync_campaign", args=[campaign], countdown=delay)
    return True
