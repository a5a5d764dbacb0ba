"""A wiki that does not answer a read: one 503 for every page, feed and API view.

The app registers one error handler for ``WikiUnreachable`` and ``ApiError``;
these tests make sure every read view reaches it, whether nothing listens at
the wiki's address or the wiki answers with an API error (a fake at the HTTP
boundary: a loopback server that answers every request with ``readonly``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaignkit.config import parse_settings

READ_VIEWS = [
    "/",
    "/campaign/Some_campaign",
    "/event/metawiki/Some_event",
    "/campaign/Some_campaign/events.ics",
    "/campaign/Some_campaign/events.geojson",
]
API_VIEWS = [
    "/api/v1/campaigns",
    "/api/v1/campaigns/Some_campaign",
    "/api/v1/events/metawiki/Some_event",
]


class ReadOnlyWiki(BaseHTTPRequestHandler):
    """Answers every API call the way a wiki in read-only mode does."""

    def do_GET(self) -> None:
        body = json.dumps(
            {"error": {"code": "readonly", "info": "The wiki is currently in read-only mode."}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        """Quiet: the test output is about the app."""


@pytest.fixture
def read_only_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ReadOnlyWiki)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api.php"
    server.shutdown()
    server.server_close()


def _client(tmp_path, api_url: str):
    from webservice.app import create_app

    raw = {
        "hub": "metawiki",
        "wikis": {"metawiki": {"api": api_url, "lang": "en"}},
        "bot": {"username": "Bot@x"},
        "services": {"state_dir": str(tmp_path), "redis_url": "memory://"},
        "web": {"retry_interval": 0, "cache_seconds": 0},
    }
    settings = parse_settings(raw, tmp_path / "campaignkit.toml")
    return create_app(settings, retry_worker=False).test_client()


@pytest.mark.parametrize("down", ["nothing listens", "read-only"])
def test_every_read_view_answers_503_when_the_wiki_cannot_be_read(tmp_path, read_only_api, down):
    api_url = "http://127.0.0.1:9/api.php" if down == "nothing listens" else read_only_api
    client = _client(tmp_path, api_url)
    for path in READ_VIEWS:
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert "The wiki does not answer" in answer.text, path
        assert answer.headers["Retry-After"] == "60"
    for path in API_VIEWS:
        answer = client.get(path)
        assert answer.status_code == 503, path
        error = answer.get_json()["error"]
        assert error.startswith("metawiki: "), (path, error)
        if down == "read-only":
            assert "readonly" in error
