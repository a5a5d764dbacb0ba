"""The Celery application: Redis broker, delivery guarantees and the one schedule.

Settings come from the same configuration file as the bot (``CAMPAIGNKIT_CONFIG``
or the usual search path). Toolforge's Redis is shared by every tool, so all
keys carry the configured prefix and the queue is named after it.

Delivery: tasks are acknowledged late (after they finish) and rejected when a
worker dies, so a killed worker's task is delivered again; the broker's
visibility timeout is longer than the longest task, so a slow task is not
handed to a second worker while the first still runs. Tasks rebuild their
result from the wiki's current state, so running one twice is harmless, and a
per-task delivery count bounds how often a poisoned task comes back.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from celery import Celery

from campaignkit.config import Settings, load_settings

LONGEST_TASK = timedelta(hours=1)  # Celery kills a task past this
SYNC_EVERY = timedelta(minutes=15)
# A run stops taking pages before the next one is due, and well before Celery's
# time limit, so it ends cleanly and the next run continues where it stopped
# (jobs/jobs.yaml passes the same budgets with --max-seconds).
SCHEDULED_BUDGET = timedelta(minutes=14)
METRICS_BUDGET = timedelta(minutes=55)
NOTIFY_BUDGET = timedelta(minutes=55)  # hourly reminders and thank-yous


def queue_name(settings: Settings) -> str:
    """The queue of this tool (unique per tool on a shared Redis)."""
    return f"{settings.redis_prefix}-tasks"


def make_celery(settings: Settings) -> Celery:
    """A Celery app configured from our settings."""
    app = Celery("campaignkit", include=["jobs.tasks"])
    app.conf.update(
        broker_url=settings.redis_url,
        result_backend=settings.redis_url,
        broker_transport_options={
            "global_keyprefix": f"{settings.redis_prefix}:celery:",
            # Longer than the longest task (services.task_visibility_timeout, 2 h by default).
            "visibility_timeout": int(settings.task_visibility_timeout),
            # Look for the unacknowledged tasks of dead workers every 10 s (one ZRANGE),
            # so a task comes back soon after its visibility timeout, not minutes later.
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={
            "global_keyprefix": f"{settings.redis_prefix}:celery:",
        },
        result_expires=int(timedelta(days=1).total_seconds()),
        task_default_queue=queue_name(settings),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_time_limit=int(LONGEST_TASK.total_seconds()),
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        beat_schedule={
            "sync-everything": {
                "task": "jobs.tasks.sync_everything",
                "schedule": SYNC_EVERY.total_seconds(),
            },
            "metrics-hourly": {
                "task": "jobs.tasks.compute_metrics",
                "schedule": timedelta(hours=1).total_seconds(),
            },
            "notify-hourly": {
                "task": "jobs.tasks.send_notifications",
                "schedule": timedelta(hours=1).total_seconds(),
            },
            "retry-submissions": {
                "task": "jobs.tasks.retry_submissions",
                "schedule": 60.0,
            },
        },
    )
    app.conf.campaignkit_settings = settings
    return app


@cache
def default_app() -> Celery:
    """The app for workers and producers started without an explicit settings object."""
    return make_celery(load_settings())


def settings_of(app: Celery) -> Settings:
    """The campaignkit settings an app was made with."""
    return app.conf.campaignkit_settings
