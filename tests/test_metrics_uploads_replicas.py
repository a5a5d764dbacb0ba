"""Uploads and their use through both sources: the Action API and SQL on MediaWiki's tables.

The MariaDB-backed local wiki takes uploads (as Commons does) and is read
through the API and through the replicas' queries (``page``, ``revision``,
``image``, ``categorylinks``, ``imagelinks``): the same files, flags and pages.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics.api_source import ApiSource
from bot.metrics.compute import UploadsSeen, event_figures
from bot.metrics.definitions import EventWindow, Participant
from bot.metrics.replica_source import LOCAL_TABLES, ReplicaSource
from campaignkit.devwiki.uploads import enable_uploads
from tests.metrics_history import Editor, create_account, wait_for_next_second
from tests.metrics_wikis import upload
from tests.test_metrics_sources import _maria_sql, maria, maria_farm  # noqa: F401 - fixtures

pytestmark = pytest.mark.wiki


def _comparable(uploads):
    return sorted((u.wiki, u.page_id, u.name, u.user, u.timestamp, u.in_category) for u in uploads)


def test_uploads_and_usage_identical_through_both_sources(maria, maria_farm):  # noqa: F811
    target, accounts = maria
    enable_uploads(target.wiki)
    sql = _maria_sql(target)
    tag = uuid.uuid4().hex[:8]
    long_ago = datetime.now(UTC) - timedelta(days=400)
    veteran = create_account(target.wiki, f"Photographer {tag}", sql, long_ago)
    second = create_account(target.wiki, f"Scanner {tag}", sql, long_ago)
    admin = Editor(target.wiki.api_url, accounts.admin_user, accounts.admin_password)
    category = f"Replica uploads {tag}"
    in_category = f"[[Category:{category}]]"
    names = {
        "used": f"Replica used {tag}.png",
        "unused": f"Replica unused {tag}.png",
        "other": f"Replica other {tag}.png",
    }
    stamps = [
        upload(veteran, names["used"], 11, in_category),
        upload(veteran, names["unused"], 12, in_category),
        upload(second, names["other"], 13, "No category."),
        upload(admin, f"Replica admin {tag}.png", 14, in_category),  # not a participant
    ]
    start, end = min(stamps), max(stamps)
    wait_for_next_second(end)
    upload(veteran, f"Replica late {tag}.png", 15, in_category)  # after the window
    admin.save(f"Replica page {tag}", f"[[File:{names['used']}]] [[File:{names['other']}]]\n")
    admin.save(f"Replica page 2 {tag}", f"[[File:{names['used']}|thumb]]\n")

    users = [veteran.username, second.username]
    wiki = target.wiki_id
    replicas = ReplicaSource(lambda _wiki: target.connect(), LOCAL_TABLES)
    results = {}
    for source in (ApiSource(maria_farm), replicas):
        found = source.uploads(wiki, users, start, end, f"Category:{category}")
        usage = source.file_usage([wiki], [u.name for u in found])
        results[source.name] = (found, usage)
    replicas.close()
    api_found, api_usage = results["api"]
    assert _comparable(api_found) == _comparable(results["replicas"][0])
    assert api_usage == results["replicas"][1]
    assert {(u.name, u.in_category) for u in api_found} == {
        (names["used"], True),
        (names["unused"], True),
        (names["other"], False),
    }
    assert {name: len(pages) for name, pages in api_usage.items()} == {
        names["used"]: 2,
        names["unused"]: 0,
        names["other"]: 1,
    }
    window = EventWindow(wiki, start, end)
    people = [Participant(name) for name in users]
    figures = event_figures(
        people, window, [], uploads=UploadsSeen(tuple(api_found), api_usage, category)
    ).figures
    assert (figures.uploads, figures.uploads_used, figures.upload_usage_pages) == (2, 1, 2)
