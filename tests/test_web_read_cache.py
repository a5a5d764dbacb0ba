"""The read cache on the real Redis: shared by workers, one refresh at a time, no stampede.

Two ``SharedCache`` objects stand for two gunicorn workers: each has its own
Redis connections and its own dogpile region, as separate processes would,
so whatever they agree on goes through Redis.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.web_support import free_port
from webservice.read_cache import SharedCache

ALMOST_AT_ONCE = 1e-6  # seconds: any answer already stored is older than this


@pytest.fixture
def workers(redis_url):
    prefix = f"campaignkit-test-cache-{uuid.uuid4().hex[:8]}"
    # no local memory: what the two workers agree on must come from Redis
    first, second = SharedCache(local_seconds=0), SharedCache(local_seconds=0)
    first.configure(redis_url, prefix)
    second.configure(redis_url, prefix)
    return first, second


def test_an_answer_computed_by_one_worker_is_served_by_the_other(workers):
    first, second = workers
    calls: list[str] = []
    assert first.get("dashboard", 60, lambda: calls.append("first") or "answer") == "answer"
    assert second.get("dashboard", 60, lambda: calls.append("second") or "other") == "answer"
    assert calls == ["first"]


def _refreshes() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "campaignkit-cache-refresh"]


def test_an_expired_answer_is_refreshed_once_while_everyone_gets_the_previous_one(workers):
    first, second = workers
    first.get("dashboard", 60, lambda: "previous")
    release = threading.Event()
    computed: list[int] = []

    def slow_refresh() -> str:
        computed.append(1)
        assert release.wait(30), "never released"
        return "fresh"

    # 21 requests in both workers while the refresh is blocked: all get the previous
    # answer at once (they return while it is still running), one refresh runs, in
    # the background, even for the request that started it.
    with ThreadPoolExecutor(max_workers=21) as pool:
        futures = [
            pool.submit((first, second)[n % 2].get, "dashboard", ALMOST_AT_ONCE, slow_refresh)
            for n in range(21)
        ]
        assert [future.result(timeout=30) for future in futures] == ["previous"] * 21
    release.set()
    for refresh in _refreshes():
        refresh.join(30)
    assert second.get("dashboard", 60, lambda: "unused") == "fresh"
    assert computed == [1]


def test_a_missing_answer_is_computed_once_and_shared(workers):
    first, second = workers
    computed: list[int] = []
    gate = threading.Barrier(10)

    def compute() -> str:
        computed.append(1)
        return "answer"

    def ask(n: int) -> str:
        gate.wait(30)
        return (first, second)[n % 2].get("campaigns", 60, compute)

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(ask, range(10))) == ["answer"] * 10
    assert computed == [1]


def test_clear_in_one_worker_is_seen_by_every_worker(workers):
    first, second = workers
    first.get("dashboard", 60, lambda: "before the save")
    second.clear()
    assert first.get("dashboard", 60, lambda: "after the save") == "after the save"


def test_redis_that_does_not_answer_slows_pages_but_does_not_break_them():
    cache = SharedCache()
    cache.configure(f"redis://127.0.0.1:{free_port()}/0", "campaignkit-test-cache-down")
    assert cache.get("dashboard", 60, lambda: "computed") == "computed"


def test_a_busy_worker_asks_redis_once_a_second_not_once_per_view(redis_url, monkeypatch):
    cache = SharedCache()
    cache.configure(redis_url, f"campaignkit-test-cache-{uuid.uuid4().hex[:8]}")
    cache.get("dashboard", 60, lambda: "answer")
    reads: list[str] = []
    original = cache._region.get_or_create
    monkeypatch.setattr(
        cache._region, "get_or_create", lambda *a, **k: reads.append(a[0]) or original(*a, **k)
    )
    assert [cache.get("dashboard", 60, lambda: "other") for _ in range(50)] == ["answer"] * 50
    assert reads == []  # all 50 from the worker's memory of the last second
    cache.clear()  # this worker's own save: seen at once
    assert cache.get("dashboard", 60, lambda: "after the save") == "after the save"


def test_a_background_refresh_renders_in_the_readers_language(tmp_path):
    from flask import g

    from tests.test_web_units import make_settings
    from webservice.app import create_app

    app = create_app(make_settings(tmp_path), retry_worker=False)
    cache = SharedCache(local_seconds=0)
    with app.test_request_context("/campaign/X", headers={"Accept-Language": "ar"}):
        app.preprocess_request()
        assert g.lang == "ar"
        assert cache.get("body", 60, lambda: f"rendered in {g.lang}") == "rendered in ar"
        previous = cache.get("body", ALMOST_AT_ONCE, lambda: f"refreshed in {g.lang}")
        assert previous == "rendered in ar"  # served at once, refreshed in a thread
    for refresh in _refreshes():
        refresh.join(30)
    with app.test_request_context("/campaign/X"):
        assert cache.get("body", 60, lambda: "unused") == "refreshed in ar"
