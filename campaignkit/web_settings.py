"""The webservice's part of the configuration: the ``[web]`` table and its envvars.

The web app reads the same TOML file as the bot (``campaignkit.config``), so an
operator keeps one file. Secrets never live in that file: the session signing
key and the OAuth consumer secret come from environment variables or from
private files that are refused when others can read them, exactly like the
bot's password.

```toml
[web]
login = "oauth"                       # "oauth" (production) or "local" (clientlogin, local wikis)
oauth_wiki = "metawiki"               # where Special:OAuth lives (default: the hub)
oauth_consumer_key = "…"              # public; the secret comes from the envvar below
secret_key_file = "web-secret"        # default: generated in state_dir, mode 600
tile_url = "https://maps.wikimedia.org/osm-intl/{z}/{x}/{y}.png"
tile_attribution = "Wikimedia maps | © OpenStreetMap contributors"
secure_cookies = true                 # false only for plain-http development
write_limit = "30 per minute;300 per hour"
account_limit = "60 per hour"
retry_interval = 60                   # seconds between retries of journaled submissions
```
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignkit.config import ConfigError, Settings

SECRET_KEY_ENVVAR = "CAMPAIGNKIT_WEB_SECRET_KEY"
OAUTH_KEY_ENVVAR = "CAMPAIGNKIT_OAUTH_CONSUMER_KEY"
OAUTH_SECRET_ENVVAR = "CAMPAIGNKIT_OAUTH_CONSUMER_SECRET"
LOGIN_MODES = ("local", "oauth")
KNOWN_KEYS = {
    "login",
    "oauth_wiki",
    "oauth_consumer_key",
    "oauth_consumer_secret_file",
    "secret_key_file",
    "tile_url",
    "tile_attribution",
    "secure_cookies",
    "write_limit",
    "account_limit",
    "retry_interval",
    "cache_seconds",
}


@dataclass(frozen=True)
class WebSettings:
    """What the web app needs beyond the shared settings, validated."""

    login: str
    oauth_wiki: str
    oauth_consumer_key: str
    oauth_consumer_secret: str
    secret_key: str
    tile_url: str
    tile_attribution: str
    secure_cookies: bool
    write_limit: str
    account_limit: str
    retry_interval: float
    cache_seconds: float


def _private_file(settings: Settings, key: str, path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXO | stat.S_IRGRP | stat.S_IWGRP):
        raise ConfigError(
            f"{settings.path}: web.{key} {path} is readable by other users "
            f"(mode {stat.filemode(mode)}); run: chmod 600 {path}"
        )
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(f"{settings.path}: web.{key} {path} is empty")
    return value


def _secret_key(settings: Settings, raw: dict[str, Any]) -> str:
    """The session signing key: envvar, configured file, else one generated once."""
    if os.environ.get(SECRET_KEY_ENVVAR):
        return os.environ[SECRET_KEY_ENVVAR]
    if raw.get("secret_key_file"):
        return _private_file(
            settings, "secret_key_file", settings.path.parent / str(raw["secret_key_file"])
        )
    path = settings.state_dir / "web-secret-key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
    return _private_file(settings, "secret_key_file", path)


def _text(settings: Settings, raw: dict[str, Any], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{settings.path}: key web.{key} must be a str, got {value!r}")
    return value.strip()


def _number(settings: Settings, raw: dict[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{settings.path}: key web.{key} must be a non-negative number")
    return float(value)


def load_web_settings(settings: Settings) -> WebSettings:
    """Check the ``[web]`` table; every error names the file and the key."""
    raw = dict(settings.web)
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{settings.path}: unknown key web.{unknown[0]}")
    login = _text(settings, raw, "login", "local")
    if login not in LOGIN_MODES:
        raise ConfigError(f"{settings.path}: key web.login must be one of {', '.join(LOGIN_MODES)}")
    oauth_wiki = _text(settings, raw, "oauth_wiki", settings.hub_id)
    settings.wiki(oauth_wiki)
    consumer_key = os.environ.get(OAUTH_KEY_ENVVAR) or _text(
        settings, raw, "oauth_consumer_key", ""
    )
    consumer_secret = os.environ.get(OAUTH_SECRET_ENVVAR, "")
    if not consumer_secret and raw.get("oauth_consumer_secret_file"):
        consumer_secret = _private_file(
            settings,
            "oauth_consumer_secret_file",
            settings.path.parent / str(raw["oauth_consumer_secret_file"]),
        )
    if login == "oauth" and not (consumer_key and consumer_secret):
        raise ConfigError(
            f"{settings.path}: web.login is oauth but the consumer is incomplete: set "
            f"web.oauth_consumer_key (or {OAUTH_KEY_ENVVAR}) and {OAUTH_SECRET_ENVVAR} "
            "(or web.oauth_consumer_secret_file)"
        )
    secure = raw.get("secure_cookies", True)
    if not isinstance(secure, bool):
        raise ConfigError(f"{settings.path}: key web.secure_cookies must be true or false")
    return WebSettings(
        login=login,
        oauth_wiki=oauth_wiki,
        oauth_consumer_key=consumer_key,
        oauth_consumer_secret=consumer_secret,
        secret_key=_secret_key(settings, raw),
        tile_url=_text(settings, raw, "tile_url", ""),
        tile_attribution=_text(settings, raw, "tile_attribution", ""),
        secure_cookies=secure,
        write_limit=_text(settings, raw, "write_limit", "30 per minute;300 per hour"),
        account_limit=_text(settings, raw, "account_limit", "60 per hour"),
        retry_interval=_number(settings, raw, "retry_interval", 60),
        cache_seconds=_number(settings, raw, "cache_seconds", 30),
    )
