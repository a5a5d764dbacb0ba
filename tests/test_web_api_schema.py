"""Property-based test of the JSON API against its own OpenAPI description (schemathesis).

Schemathesis generates requests from ``/api/openapi.json`` (odd titles, unknown
wikis, long and unicode paths) and checks that no answer is a server error and
that every answer matches the documented schema. Reads go to the real hub.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web_support import web_settings_for

pytestmark = pytest.mark.wiki
pytest_plugins = ("tests.web_support",)


@pytest.fixture(scope="module")
def api_app(settings, tmp_path_factory, redis_url):
    from webservice.app import create_app

    configured = web_settings_for(
        settings, tmp_path_factory.mktemp("api"), redis_url, cache_seconds=60
    )
    return create_app(configured, retry_worker=False)


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_api_matches_its_description_and_never_fails(api_app):
    """Schemathesis' checks on every operation (its pytest plugin predates pytest 9)."""
    found = operations(api_app)
    assert {op.path for op in found} == {
        "/api/v1/campaigns",
        "/api/v1/campaigns/{title}",
        "/api/v1/events/{wiki}/{title}",
        "/events.json",
        "/events.geojson",
        "/events.csv",
        "/events.ics",
    }
    for operation in found:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # Uncompressed: the WSGI transport hands schemathesis the raw body, and
            # compression has tests of its own (tests/test_web_static.py).
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        check()
