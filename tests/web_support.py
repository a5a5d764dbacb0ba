"""Fixtures and helpers shared by the webservice tests (imported by tests/test_web_*.py).

The app under test is configured like production (Secure cookies, CSRF, rate
limits on the real Redis) against the local wikis, with its own SQLite
journal in a temporary directory and its own Redis key prefix.

(PYTEST_DONT_REWRITE: the test modules import these helpers before pytest
loads this module as their plugin.)
"""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from webservice import campaign_reads

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def web_settings_for(settings: Any, tmp_path: Any, redis_url: str, **web: Any) -> Any:
    """The shared test settings with a private journal and Redis prefix."""
    options = {"retry_interval": 0, "cache_seconds": 0, **web}
    return dataclasses.replace(
        settings,
        web=options,
        database_url=f"sqlite:///{tmp_path / 'web.sqlite'}",
        redis_url=redis_url,
        redis_prefix=f"campaignkit-test-web-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def web_settings(settings, tmp_path, redis_url):
    return web_settings_for(settings, tmp_path, redis_url)


@pytest.fixture
def app(web_settings):
    from webservice.app import create_app

    campaign_reads.cache.clear()
    return create_app(web_settings, retry_worker=False)


@pytest.fixture
def client(app):
    return app.test_client()


def log_in(client: Any, username: str, password: str) -> None:
    """Log in through the form, as a person would."""
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.text), "username": username, "password": password},
    )
    assert answer.status_code == 302, answer.text[:2000]


def post_form(client: Any, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    """GET a form page for its CSRF token, then POST the data to it."""
    page = client.get(url)
    assert page.status_code == 200, page.text[:2000]
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data}, **kwargs)


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class RunningApp:
    """The app served on a real port in a thread, for a real browser."""

    url: str
    app: Any


@pytest.fixture
def served_app(app) -> Iterator[RunningApp]:
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RunningApp(f"http://127.0.0.1:{port}", app)
    server.shutdown()
