"""The local wikis as the funders' metrics need them: a file wiki and a Wikidata stand-in.

- The hub takes uploads (:mod:`campaignkit.devwiki.uploads`) and is the file wiki,
  as Commons is in production.
- A plain third wiki (:mod:`campaignkit.devwiki.wikidata_standin`) is the Wikidata
  wiki, with its own directory and port and the same accounts as the test wikis.
- :func:`metrics_settings` is the test wikis' configuration with both named under
  ``[metrics]``, written to a file of its own as an operator would write it.

Uploads are real ``action=upload`` requests with small generated PNG images,
each one different (MediaWiki warns about duplicate files).
"""

from __future__ import annotations

import os
import struct
import tomllib
import zlib
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

from campaignkit.config import Settings, load_settings
from campaignkit.devwiki import servers, wikidata_standin
from campaignkit.devwiki.uploads import enable_uploads
from campaignkit.devwiki.wikidata_standin import WikidataStandIn
from tests.metrics_history import Editor, parse_api_time

REPO = Path(__file__).resolve().parent.parent
WIKIDATA_DIR = Path(
    os.environ.get("CAMPAIGNKIT_TEST_WIKIDATA_WIKI_DIR", REPO / ".state" / "test-wikidata")
)
WIKIDATA_PORT = int(os.environ.get("CAMPAIGNKIT_TEST_WIKIDATA_WIKI_PORT", "8817"))


def png(seed: int, size: int = 4) -> bytes:
    """A small valid PNG whose pixels depend on ``seed`` (so no two files are duplicates)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + bytes(
            value
            for x in range(size)
            for value in ((seed * 37 + x) % 256, (seed * 11 + y) % 256, (seed >> 8) % 256)
        )
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload(editor: Editor, name: str, seed: int, page_text: str = "") -> datetime:
    """Upload a generated PNG as ``editor``; return the upload's timestamp."""
    answer = editor.session.post(
        editor.api_url,
        data={
            "action": "upload",
            "format": "json",
            "formatversion": "2",
            "filename": name,
            "text": page_text or "A test image.",
            "comment": "metrics test upload",
            "ignorewarnings": "1",
            "token": editor.csrf(),
        },
        files={"file": (name, png(seed), "image/png")},
        timeout=60,
    ).json()
    result = answer.get("upload", {})
    if result.get("result") != "Success":
        raise RuntimeError(f"upload of {name} by {editor.username} failed: {answer}")
    return parse_api_time(result["imageinfo"]["timestamp"])


def _standin_port(root: Path) -> int:
    if "CAMPAIGNKIT_TEST_WIKIDATA_WIKI_PORT" in os.environ:
        return WIKIDATA_PORT
    for port in range(WIKIDATA_PORT, WIKIDATA_PORT + 1000, 100):
        target = WikidataStandIn(root=root, port=port)
        if servers.wiki_processes(target.wiki) or not servers.port_in_use(port):
            return port
    raise RuntimeError("no free port for the Wikidata stand-in")


@pytest.fixture(scope="session")
def file_wiki(devwikis, devwiki_layout) -> str:
    """The hub takes uploads and is the file wiki; its id."""
    enable_uploads(devwiki_layout.hub)
    return devwiki_layout.hub.id


@pytest.fixture(scope="session")
def wikidata_wiki(devwikis):
    """The Wikidata stand-in, running, with the test wikis' accounts."""
    target = WikidataStandIn(root=WIKIDATA_DIR, port=_standin_port(WIKIDATA_DIR))
    running_before = servers.state(target.layout, target.wiki).pid is not None
    wikidata_standin.up(target, devwikis)
    yield target
    if not running_before:
        wikidata_standin.down(target)


@pytest.fixture(scope="session")
def metrics_settings(settings, devwiki_layout, file_wiki, wikidata_wiki) -> Settings:
    """The test wikis' configuration plus the Wikidata stand-in, with ``[metrics]`` set."""
    document = tomllib.loads(devwiki_layout.config_path.read_text(encoding="utf-8"))
    standin = wikidata_wiki.wiki
    document["wikis"][standin.id] = {"api": standin.api_url, "lang": standin.lang}
    document["metrics"] = {"file_wiki": file_wiki, "wikidata_wiki": standin.id}
    path = devwiki_layout.root / "campaignkit-metrics.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return load_settings(path)


@pytest.fixture(scope="session")
def metrics_farm(metrics_settings):
    from campaignkit.wiki.connection import WikiFarm

    wikis = WikiFarm(metrics_settings)
    yield wikis
    wikis.close()
