"""The configuration file: valid files load, every mistake names its key and file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaignkit.config import ConfigError, find_config_path, load_settings

VALID = """
hub = "metawiki"

[wikis.metawiki]
api = "https://meta.wikimedia.org/w/api.php"
lang = "en"

[wikis.yowiki]
api = "https://yo.wikipedia.org/w/api.php"
lang = "yo"

[bot]
username = "CampaignBot@campaignkit"
password_file = "bot-password"
write_throttle = 12

[services]
redis_url = "redis://127.0.0.1:6379/3"
database_url = "mysql+pymysql://s1234@tools.db.svc.wikimedia.cloud/s1234__campaignkit"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "campaignkit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_wikimedia_wikis(tmp_path):
    settings = load_settings(write(tmp_path, VALID))
    assert settings.hub.id == "metawiki"
    assert settings.hub.is_hub and not settings.wiki("yowiki").is_hub
    assert settings.wiki("yowiki").api_url == "https://yo.wikipedia.org/w/api.php"
    assert settings.wiki("yowiki").index_url == "https://yo.wikipedia.org/w/index.php"
    assert settings.bot.main_username == "CampaignBot"
    assert settings.write_throttle == 12
    assert settings.redis_url.endswith("/3")
    assert settings.database_url.startswith("mysql+pymysql://")
    assert settings.bot.password_file == tmp_path / "bot-password"


def test_database_defaults_to_sqlite_in_state_dir(tmp_path):
    text = VALID.replace(
        'database_url = "mysql+pymysql://s1234@tools.db.svc.wikimedia.cloud/s1234__campaignkit"',
        'state_dir = "st"',
    )
    settings = load_settings(write(tmp_path, text))
    assert settings.state_dir == tmp_path / "st"
    assert settings.database_url == f"sqlite:///{tmp_path / 'st' / 'campaignkit.sqlite'}"


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (VALID.replace('hub = "metawiki"', ""), "missing key hub"),
        (VALID.replace('lang = "yo"', ""), "missing key wikis.yowiki.lang"),
        (VALID.replace('username = "CampaignBot@campaignkit"', ""), "missing key bot.username"),
        (VALID.replace('hub = "metawiki"', 'hub = "enwiki"'), "key hub names 'enwiki'"),
        (
            VALID.replace("write_throttle = 12", 'write_throttle = "fast"'),
            "key bot.write_throttle must be a int",
        ),
        (
            VALID.replace("https://yo.wikipedia.org/w/api.php", "yo.wikipedia.org"),
            "key wikis.yowiki.api is not an http(s) URL",
        ),
        (
            VALID.replace("https://yo.wikipedia.org/w/api.php", "https://yo.wikipedia.org/wiki/"),
            "key wikis.yowiki.api must point at api.php",
        ),
        (VALID + "\n[tool]\ncolour = 'red'\n", "unknown key tool.colour"),
        (VALID.replace("[wikis.yowiki]", "[wikis.YoWiki]"), "wiki id wikis.YoWiki"),
        ("hub = ", "not valid TOML"),
    ],
)
def test_every_mistake_names_key_and_file(tmp_path, broken, expected):
    path = write(tmp_path, broken)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.toml: configuration file not found"):
        load_settings(tmp_path / "nowhere.toml")


def test_password_from_environment_wins(tmp_path, monkeypatch):
    settings = load_settings(write(tmp_path, VALID))
    monkeypatch.setenv("CAMPAIGNKIT_BOT_PASSWORD", "from-env")
    assert settings.bot.password() == "from-env"


def test_private_password_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPAIGNKIT_BOT_PASSWORD", raising=False)
    secret = tmp_path / "bot-password"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    assert load_settings(write(tmp_path, VALID)).bot.password() == "s3cret"


def test_world_readable_password_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPAIGNKIT_BOT_PASSWORD", raising=False)
    secret = tmp_path / "bot-password"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o644)
    settings = load_settings(write(tmp_path, VALID))
    with pytest.raises(ConfigError, match=r"readable by other users .* chmod 600"):
        settings.bot.password()


def test_no_password_anywhere_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPAIGNKIT_BOT_PASSWORD", raising=False)
    settings = load_settings(write(tmp_path, VALID.replace('password_file = "bot-password"', "")))
    with pytest.raises(ConfigError, match="set the environment variable CAMPAIGNKIT_BOT_PASSWORD"):
        settings.bot.password()


def test_config_path_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CAMPAIGNKIT_DEVWIKI_DIR", str(tmp_path / "devwiki"))
    monkeypatch.delenv("CAMPAIGNKIT_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="no configuration file found"):
        find_config_path()
    (tmp_path / "devwiki").mkdir()
    (tmp_path / "devwiki" / "campaignkit.toml").write_text(VALID)
    assert find_config_path() == tmp_path / "devwiki" / "campaignkit.toml"
    (tmp_path / "xdg" / "campaignkit").mkdir(parents=True)
    (tmp_path / "xdg" / "campaignkit" / "config.toml").write_text(VALID)
    assert find_config_path() == tmp_path / "xdg" / "campaignkit" / "config.toml"
    (tmp_path / "campaignkit.toml").write_text(VALID)
    assert find_config_path() == tmp_path / "campaignkit.toml"
    monkeypatch.setenv("CAMPAIGNKIT_CONFIG", str(tmp_path / "env.toml"))
    assert find_config_path() == tmp_path / "env.toml"
    assert find_config_path("explicit.toml") == Path("explicit.toml")
