"""Static files with fingerprinted names, cached for a year, compressed once at start-up.

Flask serves ``/static/style.css`` with ``Cache-Control: no-cache``, so every
page view asks again for the stylesheet and the map's 145 KB of Leaflet, and
sends them uncompressed. Here every file under ``static/`` gets a name with
its content's hash (``style.3f2a9c1e0b7d.css``); ``url_for('static', …)`` in
the templates writes that name, which never changes meaning, so it is served
``public, max-age=31536000, immutable``. A new release changes the hash and
so the URL: nobody keeps an old stylesheet.

Bodies are compressed once, when the app starts (Brotli at its best quality,
gzip at level 9), and the encoding the browser accepts is sent. Files asked
for by their plain name (Leaflet's stylesheet refers to its marker images
relative to itself) are still served, with a short cache lifetime and an
ETag. Nothing outside ``static/`` can be named: the lookup is in a table of
the files found at start-up, not in the file system.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, abort, redirect, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
PLAIN = "public, max-age=3600"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class StaticFile:
    """One file under ``static/``, with its encodings ready to send."""

    name: str
    fingerprinted: str
    mimetype: str
    etag: str
    bodies: dict[str, bytes]  # "identity", "br", "gzip"


def _fingerprinted(name: str, digest: str) -> str:
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def load_static_files(folder: Path) -> dict[str, StaticFile]:
    """Every file under ``folder`` by its plain and its fingerprinted name."""
    files: dict[str, StaticFile] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        bodies = {"identity": data}
        if mimetype.startswith(COMPRESSIBLE) and len(data) > 500:
            bodies["br"] = brotli.compress(data, quality=11)
            bodies["gzip"] = gzip.compress(data, compresslevel=9, mtime=0)
        entry = StaticFile(name, _fingerprinted(name, digest), mimetype, digest, bodies)
        files[name] = entry
        files[entry.fingerprinted] = entry
    return files


def _encoding(entry: StaticFile) -> str:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if encoding in entry.bodies and accepted[encoding]:
            return encoding
    return "identity"


def init_app(app: Flask) -> dict[str, StaticFile]:
    """Serve ``static/`` from memory and make ``url_for('static', …)`` fingerprint names."""
    assert app.static_folder is not None
    files = load_static_files(Path(app.static_folder))

    def serve(filename: str) -> Any:
        entry = files.get(filename)
        if entry is None:
            abort(404)
        encoding = _encoding(entry)
        response = Response(entry.bodies[encoding], mimetype=entry.mimetype)
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        response.headers["Vary"] = "Accept-Encoding"
        immutable = filename == entry.fingerprinted
        response.headers["Cache-Control"] = IMMUTABLE if immutable else PLAIN
        response.set_etag(f"{entry.etag}-{encoding}")
        return response.make_conditional(request)

    app.view_functions["static"] = serve

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in files:
            values["filename"] = files[values["filename"]].fingerprinted

    def favicon() -> Any:
        """Browsers ask for /favicon.ico on their own; the icon is an SVG."""
        response = redirect(url_for("static", filename="favicon.svg"))
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)
    return files
