"""Static files, compression and headers (issue 14): no wiki needed."""

from __future__ import annotations

import gzip
import re
import threading

import brotli
import pytest
import requests
from werkzeug.serving import make_server

from tests.test_web_units import make_settings
from tests.web_support import free_port


@pytest.fixture
def app(tmp_path):
    from webservice.app import create_app

    return create_app(make_settings(tmp_path), retry_worker=False)


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_are_fingerprinted_and_cached_for_a_year(app):
    client = app.test_client()
    urls = _static_urls(client.get("/login").text)
    assert {u.rsplit("/", 1)[-1].split(".")[0] for u in urls} == {"favicon", "style"}
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.(css|svg)$", url), url
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Cookie" not in answer.headers.get("Vary", "")
        assert "Set-Cookie" not in answer.headers
        again = client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304


def test_static_files_are_sent_compressed_as_the_browser_accepts(app):
    client = app.test_client()
    plain = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 140_000
    assert plain.headers["Cache-Control"] == "public, max-age=3600"  # plain name: short
    br = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == plain.data
    assert len(br.data) < 50_000
    gz = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain.data


def test_pages_are_compressed_and_only_static_files_can_be_named(app):
    client = app.test_client()
    page = client.get("/login", headers={"Accept-Encoding": "br"})
    assert page.headers["Content-Encoding"] == "br"
    assert b"<!doctype html>" in brotli.decompress(page.data)
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/nothing.css"):
        assert client.get(path).status_code == 404
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302 and re.search(r"favicon\.[0-9a-f]{12}\.svg$", icon.location)
    assert client.get(icon.location).mimetype == "image/svg+xml"


def test_the_development_server_does_not_advertise_its_version(app):
    from webservice.cli import quiet_request_handler

    port = free_port()
    server = make_server("127.0.0.1", port, app, request_handler=quiet_request_handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
    finally:
        server.shutdown()
    assert answer.headers["Server"] == "campaignkit"
