"""Redis and MariaDB fixtures reach real servers; an unreachable one fails loudly."""

from __future__ import annotations

import pymysql
import pytest
import redis

from campaignkit.services import ServiceUnavailable, ensure_redis


def test_redis_fixture_reaches_a_real_server(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("campaignkit:test:ping", "pong", ex=10)
    assert client.get("campaignkit:test:ping") == b"pong"


def test_mariadb_fixture_reaches_a_real_server(mariadb):
    host, port = mariadb
    connection = pymysql.connect(host=host, port=port, user="root", password="")
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        assert "MariaDB" in cursor.fetchone()[0]


def test_unreachable_redis_says_how_to_start_it():
    with pytest.raises(ServiceUnavailable, match="does not answer; start it with: redis-server"):
        ensure_redis("redis://127.0.0.2:1/0")
