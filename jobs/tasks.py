"""Celery tasks: sync a page, a campaign or everything; write a journaled submission.

Every task rebuilds its result from the wiki's current state, so a task that
runs twice (after a worker was killed, say) makes no second edit: the second
run finds nothing to change. Failures that pass (maxlag, read-only, a wiki that
does not answer) are retried with exponential backoff; a task delivered more
than :data:`MAX_DELIVERIES` times is given up and logged, so a poisoned task
cannot loop forever.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from celery import Task, shared_task

from campaignkit.config import Settings
from campaignkit.locks import PageLocks
from campaignkit.run_log import record_run
from campaignkit.wiki.errors import WikiUnreachable
from jobs.celery_app import METRICS_BUDGET, NOTIFY_BUDGET, SCHEDULED_BUDGET, settings_of

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
    from bot.sync.job import SyncJob

    settings = settings_of(task.app)
    _count_delivery(task, settings)
    job = SyncJob(
        _farm(settings),
        settings,
        full=full,
        locks=PageLocks.for_settings(settings),
        max_seconds=SCHEDULED_BUDGET.total_seconds(),
        exclusive=True,
        calendar=True,
    )
    summary = job.run(targets, wiki=wiki).as_dict()
    if job.bot_run.in_progress:
        log.info("%s", job.bot_run.in_progress)
        return summary | {"in_progress": job.bot_run.in_progress}
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
    return _sync(self, [title], None)


@shared_task(bind=True, **RETRY)
def sync_everything(self: Task, full: bool = False) -> dict:
    """The scheduled run: every tracked page (unchanged pages cost nothing)."""
    return _sync(self, [], None, full=full)


@shared_task(bind=True, **RETRY)
def write_submission(self: Task, submission_id: str) -> str:
    """Write a journaled webservice submission to the wiki (exactly once).

    The journal's claim and the history marker make a second delivery harmless:
    a submission already saved is found in the page history, not saved again.
    """
    from campaignkit.submissions.writer import attempt
    from campaignkit.web_settings import load_web_settings

    settings = settings_of(self.app)
    _count_delivery(self, settings)
    state = attempt(
        settings, load_web_settings(settings), submission_id, on_saved=_queue_refresh(self.app)
    )
    return state.status if state is not None else "unknown"


@shared_task(bind=True, **RETRY)
def retry_submissions(self: Task) -> dict:
    """Every journaled submission whose retry is due (scheduled every minute)."""
    from campaignkit.submissions.writer import retry_due
    from campaignkit.web_settings import load_web_settings

    settings = settings_of(self.app)
    return retry_due(settings, load_web_settings(settings), on_saved=_queue_refresh(self.app))


@shared_task(bind=True, **RETRY)
def compute_metrics(self: Task, targets: list[str] | None = None) -> dict:
    """Metrics of every event (or the named pages), written to the wiki, snapshot stored."""
    from bot.metrics.job import run_metrics
    from bot.run.summary import RunSummary

    settings = settings_of(self.app)
    _count_delivery(self, settings)
    summary = RunSummary("metrics")
    run_metrics(
        _farm(settings),
        settings,
        summary,
        targets=targets or (),
        locks=PageLocks.for_settings(settings),
        max_seconds=METRICS_BUDGET.total_seconds(),
        exclusive=True,
    )
    result = summary.as_dict()  # finished by the run, with this run's own request counts
    record_run(settings.database_url, result, origin="celery:compute_metrics")
    return result


@shared_task(bind=True, **RETRY)
def send_notifications(self: Task) -> dict:
    """Reminders before events and thank-yous after (``campaignkit notify``), each once."""
    from bot.notifications.job import run_notify

    settings = settings_of(self.app)
    _count_delivery(self, settings)
    summary, in_progress = run_notify(
        _farm(settings),
        settings,
        locks=PageLocks.for_settings(settings),
        max_seconds=NOTIFY_BUDGET.total_seconds(),
        exclusive=True,
    )
    result = summary.as_dict()
    if in_progress:
        result["in_progress"] = in_progress
    record_run(settings.database_url, result, origin="celery:send_notifications")
    return result


def _queue_refresh(app: Any) -> Any:
    """How a task asks for the refresh of a page it saved: through the queue, like the web."""

    def queue(_settings: Settings, wiki_id: str, title: str) -> None:
        request_refresh(app, wiki_id, title)

    return queue


def _pending_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}:refresh:pending"


def _marker_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}:refresh:queued"


def request_refresh(app: Any, wiki_id: str, title: str, delay: float = 15.0) -> bool:
    """Ask for a refresh of a page (and its campaign); requests close together share one run.

    The page joins a set of pending pages. The first request of a quiet period
    also queues one ``sync_pending`` task ``delay`` seconds ahead and sets a
    marker; later requests only join the set. The task clears the marker and
    takes the whole set when it starts, so ten form submissions in a minute for
    one campaign give one sync run, and an edit made after the run started gets
    a run of its own. Returns whether a task was queued.
    """
    settings = settings_of(app)
    client = _redis(settings)
    client.sadd(_pending_key(settings), json.dumps([wiki_id, title]))
    if not client.set(_marker_key(settings), "queued", nx=True, ex=int(delay) + 3600):
        return False
    app.send_task("jobs.tasks.sync_pending", countdown=delay)
    return True


def take_pending(settings: Settings) -> list[tuple[str, str]]:
    """Clear the marker and take every pending page (atomically, so none is lost)."""
    client = _redis(settings)
    client.delete(_marker_key(settings))
    pipe = client.pipeline()
    pipe.smembers(_pending_key(settings))
    pipe.delete(_pending_key(settings))
    members, _deleted = pipe.execute()
    return sorted(tuple(json.loads(m)) for m in members)


@shared_task(bind=True, **RETRY)
def sync_pending(self: Task) -> dict:
    """One sync run for every page whose refresh was requested since the last one."""
    pages = take_pending(settings_of(self.app))
    if not pages:
        return {"pages": 0}
    try:
        return _sync(self, [title for _wiki, title in pages], None)
    except Exception:
        # Put them back: the retry (or the next request) must still see them.
        client = _redis(settings_of(self.app))
        client.sadd(_pending_key(settings_of(self.app)), *(json.dumps(list(p)) for p in pages))
        raise
