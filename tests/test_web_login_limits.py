"""Login budgets (issue 14): per account, and per address with a ceiling a venue does not reach."""

from __future__ import annotations

import pytest

from tests.test_web_units import make_settings
from tests.web_support import csrf_token


def _client(tmp_path, **overrides):
    from webservice.app import create_app

    return create_app(
        make_settings(tmp_path), retry_worker=False, overrides=overrides
    ).test_client()


def _attempt(client, username: str) -> int:
    token = csrf_token(client.get("/login").text)
    answer = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": "wrong"}
    )
    return answer.status_code


def test_fifty_people_behind_one_venue_connection_can_all_log_in_twice(tmp_path):
    client = _client(tmp_path)
    statuses = [_attempt(client, f"Venue person {n}") for n in range(50) for _ in range(2)]
    assert 429 not in statuses
    assert set(statuses) == {400}  # the (unreachable) wiki's answer, not a limit


def test_one_account_cannot_be_guessed_quickly(tmp_path):
    client = _client(tmp_path)
    statuses = [_attempt(client, "Ada Organizer") for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert _attempt(client, "ada_Organizer") == 429  # the same account, as the wiki spells it
    assert _attempt(client, "Bola Participant") == 400  # someone else is not held up


@pytest.mark.parametrize("ceiling", ["20 per minute"])
def test_the_address_ceiling_still_exists(tmp_path, ceiling):
    client = _client(tmp_path, CAMPAIGNKIT_LOGIN_ADDRESS_LIMIT=ceiling)
    statuses = [_attempt(client, f"Person {n}") for n in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429
