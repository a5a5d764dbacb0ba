"""What the queue holds and what ran lately, for ``jobs status`` and the status page."""

from __future__ import annotations

from typing import Any

import redis

from campaignkit.config import Settings
from campaignkit.run_log import recent_runs
from jobs.celery_app import queue_name
from jobs.health import is_alive


def queued_tasks(settings: Settings) -> int | None:
    """Messages waiting in our queue (None when Redis does not answer)."""
    key = f"{settings.redis_prefix}:celery:{queue_name(settings)}"
    try:
        return int(redis.Redis.from_url(settings.redis_url, socket_timeout=2).llen(key))
    except redis.exceptions.RedisError:
        return None


def queue_status(settings: Settings, limit: int = 20) -> dict[str, Any]:
    """Queue length, worker liveness and the latest runs with their summaries."""
    return {
        "queue": queue_name(settings),
        "queued": queued_tasks(settings),
        "worker_alive": is_alive(settings),
        "runs": [
            {
                "run_id": r.run_id,
                "task": r.task,
                "origin": r.origin,
                "finished": r.finished.isoformat(),
                "edited": r.edited,
                "errors": r.errors,
                "summary": r.summary,
            }
            for r in recent_runs(settings.database_url, limit)
        ],
    }
