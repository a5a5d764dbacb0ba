"""The MariaDB wiki goes through the same installer and lifecycle as the SQLite ones."""

from __future__ import annotations

import tomllib

import pytest

from campaignkit.devwiki import lifecycle, mariadb_wiki, servers
from campaignkit.devwiki.mariadb_wiki import MariaDBWiki

pytestmark = pytest.mark.wiki


def _free_port(start: int) -> int:
    for port in range(start, start + 1000, 100):
        if not servers.port_in_use(port):
            return port
    raise RuntimeError("no free port for a scratch MariaDB wiki")


@pytest.fixture(scope="module")
def scratch_maria(mariadb, tmp_path_factory):
    target = MariaDBWiki(
        root=tmp_path_factory.mktemp("maria"), port=_free_port(8835), wiki_id="scratchmariawiki"
    )
    yield target
    mariadb_wiki.down(target)
    mariadb_wiki.sql(target, f"DROP DATABASE IF EXISTS `{target.database}`")


def test_up_installs_into_mariadb_and_writes_a_one_wiki_config(scratch_maria):
    target = scratch_maria
    lines: list[str] = []
    accounts = mariadb_wiki.up(target, echo=lines.append)
    assert any(line.startswith("Installing scratchmariawiki (en, MariaDB") for line in lines)
    assert servers.api_answers(target.wiki)

    with target.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT user_name FROM user ORDER BY user_name")
        names = {row[0].decode() for row in cursor.fetchall()}
    assert {"Admin", "CampaignBot", *accounts.users} <= names

    config = tomllib.loads(target.config_path.read_text(encoding="utf-8"))
    assert config["hub"] == "scratchmariawiki"
    assert list(config["wikis"]) == ["scratchmariawiki"]
    assert config["services"]["redis_prefix"] == f"campaignkit-mariadb-{target.port}"

    status = lifecycle.status(target.layout)
    assert status["database"] == "mysql"
    assert [(w["id"], w["running"]) for w in status["wikis"]] == [("scratchmariawiki", True)]

    again: list[str] = []
    mariadb_wiki.up(target, echo=again.append)
    assert again == [f"scratchmariawiki already runs at {target.wiki.server}"]


def test_reset_reinstalls_a_mariadb_wiki(scratch_maria):
    target = scratch_maria
    mariadb_wiki.up(target, echo=lambda _line: None)
    mariadb_wiki.sql(target, "CREATE TABLE campaignkit_scratch (id INT)")
    lines: list[str] = []
    lifecycle.reset(target.layout, echo=lines.append)
    assert any(line.startswith("Installing scratchmariawiki") for line in lines)
    with target.connect() as connection, connection.cursor() as cursor:
        assert cursor.execute("SHOW TABLES LIKE 'campaignkit_scratch'") == 0
    assert servers.api_answers(target.wiki)
    assert mariadb_wiki.down(target)
    assert not servers.port_in_use(target.port)
