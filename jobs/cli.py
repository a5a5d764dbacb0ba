"""``campaignkit worker``, ``campaignkit beat`` and ``campaignkit jobs status|health``."""

from __future__ import annotations

import json
import threading

import click

from campaignkit.run_context import RunContext


def register(group: click.Group) -> None:
    """Add the jobs commands to ``campaignkit``."""

    @group.command("worker")
    @click.option("--concurrency", default=1, show_default=True, help="Worker processes.")
    @click.pass_obj
    def worker(run: RunContext, concurrency: int) -> None:
        """Run the Celery worker (continuous Toolforge job); stops cleanly on SIGTERM."""
        from campaignkit.services import require_redis
        from jobs.celery_app import make_celery, queue_name
        from jobs.health import start_heartbeat

        settings = run.settings
        require_redis(settings.redis_url)
        app = make_celery(settings)
        stop = threading.Event()
        start_heartbeat(settings, stop)
        try:
            app.worker_main(
                [
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={concurrency}",
                    "-Q",
                    queue_name(settings),
                    "-n",
                    f"{settings.redis_prefix}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ]
            )
        finally:
            stop.set()

    @group.command("beat")
    @click.pass_obj
    def beat(run: RunContext) -> None:
        """Run Celery beat: queues the sync every 15 minutes (use this or jobs.yaml's cron)."""
        from jobs.celery_app import make_celery

        settings = run.settings
        schedule = settings.state_dir / "celerybeat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        make_celery(settings).start(["beat", "--loglevel=INFO", "-s", str(schedule)])

    @group.group("jobs")
    def jobs() -> None:
        """The task queue's state."""

    @jobs.command("status")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def status(run: RunContext, as_json: bool) -> None:
        """Queued tasks, worker health and the latest runs."""
        from jobs.status import queue_status

        report = queue_status(run.settings)
        if as_json:
            click.echo(json.dumps(report, indent=2, default=str))
            return
        click.echo(
            f"queue {report['queue']}: {report['queued']} queued; worker "
            f"{'alive' if report['worker_alive'] else 'NOT alive'}"
        )
        for entry in report["runs"]:
            click.echo(
                f"{entry['finished']} {entry['task']} ({entry['origin']}): "
                f"{entry['edited']} edited, {entry['errors']} errors"
            )

    @jobs.command("health")
    @click.pass_obj
    def health(run: RunContext) -> None:
        """Exit 0 when the worker's heartbeat is fresh (for health checks)."""
        from jobs.health import is_alive

        if not is_alive(run.settings):
            raise click.ClickException("worker heartbeat is stale or missing")
        click.echo("worker alive")
