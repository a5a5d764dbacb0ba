"""The one configuration file, shared by the bot, the webservice and the jobs.

Operators describe their wikis and the bot account in a small TOML file; nobody
writes a pywikibot ``user-config.py`` or family file. Every problem with the
file is reported as one :class:`ConfigError` whose message names the file and
the key, because an operator reading a cron log has nothing else to go on.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CONFIG_ENVVAR = "CAMPAIGNKIT_CONFIG"
DEFAULT_PASSWORD_ENVVAR = "CAMPAIGNKIT_BOT_PASSWORD"
WIKI_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    """The configuration file is missing, unreadable or has a bad key."""


@dataclass(frozen=True)
class WikiConfig:
    """One wiki the tool works on, as the operator named it."""

    id: str
    api_url: str
    lang: str
    is_hub: bool = False

    @property
    def index_url(self) -> str:
        """The wiki's index.php, for links that people open."""
        return self.api_url.removesuffix("api.php") + "index.php"


@dataclass(frozen=True)
class BotAccount:
    """The bot's login. The password is read only when a login needs it."""

    username: str
    password_env: str = DEFAULT_PASSWORD_ENVVAR
    password_file: Path | None = None
    source: Path | None = None

    @property
    def main_username(self) -> str:
        """The account name without a BotPassword suffix (``Bot@app`` -> ``Bot``)."""
        return self.username.partition("@")[0]

    def password(self) -> str:
        """Return the BotPassword, refusing a password file others can read."""
        value = os.environ.get(self.password_env)
        if value:
            return value
        if self.password_file is None:
            raise ConfigError(
                f"{self.source}: no password for bot account {self.username!r}: "
                f"set the environment variable {self.password_env} or bot.password_file"
            )
        try:
            mode = self.password_file.stat().st_mode
        except OSError as error:
            raise ConfigError(
                f"{self.source}: bot.password_file {self.password_file} cannot be read: "
                f"{error.strerror}"
            ) from error
        if mode & (stat.S_IRWXO | stat.S_IRGRP | stat.S_IWGRP):
            raise ConfigError(
                f"{self.source}: bot.password_file {self.password_file} is readable by "
                f"other users (mode {stat.filemode(mode)}); run: chmod 600 {self.password_file}"
            )
        value = self.password_file.read_text(encoding="utf-8").strip()
        if not value:
            raise ConfigError(f"{self.source}: bot.password_file {self.password_file} is empty")
        return value


@dataclass(frozen=True)
class Settings:
    """Everything the configuration file says, validated."""

    path: Path
    wikis: Mapping[str, WikiConfig]
    hub_id: str
    bot: BotAccount
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "campaignkit"
    task_visibility_timeout: float = 7200.0
    page_lock_ttl: float = 300.0
    database_url: str = ""
    state_dir: Path = field(default_factory=lambda: default_state_dir())
    write_throttle: float = 10.0
    maxlag: int = 5
    max_retries: int = 5
    retry_wait: float = 5.0
    tool_name: str = "campaignkit"
    contact: str = "https://www.mediawiki.org/wiki/Tool:Campaignkit"
    docs_url: str = "https://www.mediawiki.org/wiki/Tool:Campaignkit"
    stop_page: str = "User:{bot}/Stop"
    stop_run_word: str = "run"
    web: Mapping[str, Any] = field(
        default_factory=dict
    )  # [web], checked by campaignkit.web_settings
    file_wiki: str = ""  # [metrics] file_wiki: where uploads are counted (Commons)
    wikidata_wiki: str = ""  # [metrics] wikidata_wiki: where Wikidata edits are counted
    # The hub page the bot keeps with every campaign's events (its data page beside
    # it, "<page>/events.json"); empty: no calendar.
    calendar_page: str = "Campaign events"
    notify: Mapping[str, Any] = field(
        default_factory=dict
    )  # [notify], checked by bot.notifications.settings

    @property
    def hub(self) -> WikiConfig:
        """The wiki that holds the campaign pages (Meta in production)."""
        return self.wikis[self.hub_id]

    def wiki(self, wiki_id: str) -> WikiConfig:
        """Return a configured wiki, or say which ids exist."""
        try:
            return self.wikis[wiki_id]
        except KeyError:
            known = ", ".join(sorted(self.wikis))
            raise ConfigError(
                f"{self.path}: unknown wiki {wiki_id!r}; configured wikis: {known}"
            ) from None


def default_state_dir() -> Path:
    """Where cookies, throttle files and the embedded database live by default."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "campaignkit"


def user_config_path() -> Path:
    """The per-user configuration file looked for when none is named."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "campaignkit" / "config.toml"


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Pick the configuration file: ``--config``, the envvar, the user's, the local wikis'.

    The last fallback is the file ``campaignkit devwiki up`` writes, which is what
    makes the local wikis the embedded default for a first-time user.
    """
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(CONFIG_ENVVAR)
    if from_env:
        return Path(from_env).expanduser()
    candidates = [Path.cwd() / "campaignkit.toml", user_config_path()]
    from campaignkit.devwiki.layout import DevWikiLayout

    candidates.append(DevWikiLayout.default().config_path)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(
        f"no configuration file found (tried {tried}); pass --config PATH, set "
        f"{CONFIG_ENVVAR}, or run 'campaignkit devwiki up' for local wikis"
    )


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    """Find, read and validate the configuration file."""
    path = find_config_path(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration file: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    return parse_settings(raw, path)


class _Section:
    """Reads typed keys from one TOML table and reports the dotted key on error."""

    def __init__(self, raw: Any, path: Path, prefix: str) -> None:
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: {prefix or 'the file'} must be a table")
        self.raw = raw
        self.path = path
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def _get(self, name: str, kind: type | tuple[type, ...], required: bool) -> Any:
        self.used.add(name)
        if name not in self.raw:
            if required:
                raise ConfigError(f"{self.path}: missing key {self.key(name)}")
            return None
        value = self.raw[name]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            wanted = kind.__name__ if isinstance(kind, type) else kind[0].__name__
            raise ConfigError(
                f"{self.path}: key {self.key(name)} must be a {wanted}, got {value!r}"
            )
        return value

    def text(self, name: str, default: str | None = None) -> str:
        value = self._get(name, str, required=default is None)
        if value is None:
            return default  # type: ignore[return-value]
        if not value.strip():
            raise ConfigError(f"{self.path}: key {self.key(name)} is empty")
        return value.strip()

    def number(self, name: str, default: float) -> float:
        value = self._get(name, (int, float), required=False)
        if value is None:
            return default
        if value < 0:
            raise ConfigError(f"{self.path}: key {self.key(name)} must not be negative")
        return float(value)

    def table(self, name: str, required: bool = True) -> dict[str, Any]:
        value = self._get(name, dict, required=required)
        return value or {}

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.raw) - self.used)
        if unknown:
            raise ConfigError(f"{self.path}: unknown key {self.key(unknown[0])}")


def _api_url(section: _Section) -> str:
    url = section.text("api")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{section.path}: key {section.key('api')} is not an http(s) URL: {url}")
    if not parsed.path.endswith("/api.php"):
        raise ConfigError(
            f"{section.path}: key {section.key('api')} must point at api.php, got {url}"
        )
    return url


def parse_settings(raw: dict[str, Any], path: Path) -> Settings:
    """Validate a parsed TOML document; errors name the file and the dotted key."""
    top = _Section(raw, path, "")
    hub_id = top.text("hub")
    # An empty calendar_page turns the movement-wide calendar off.
    if raw.get("calendar_page") == "":
        top.used.add("calendar_page")
        calendar_page = ""
    else:
        text = top.text("calendar_page", default=Settings.calendar_page)
        calendar_page = " ".join(text.replace("_", " ").split())  # as MediaWiki names it
        if set(calendar_page) & set("#<>[]|{}") or calendar_page.startswith("/"):
            raise ConfigError(
                f"{path}: key calendar_page is not a page title on the hub "
                f"(no # < > [ ] | {{ }}, no leading /): {calendar_page!r}"
            )
    wikis_raw = top.table("wikis")
    if not wikis_raw:
        raise ConfigError(f"{path}: key wikis has no wiki in it")
    wikis: dict[str, WikiConfig] = {}
    wikis_section = _Section(wikis_raw, path, "wikis")
    for wiki_id in wikis_raw:
        if not WIKI_ID_PATTERN.match(wiki_id):
            raise ConfigError(
                f"{path}: wiki id wikis.{wiki_id} must be lowercase letters, digits and _"
            )
        section = _Section(wikis_section.table(wiki_id), path, f"wikis.{wiki_id}")
        wikis[wiki_id] = WikiConfig(
            id=wiki_id,
            api_url=_api_url(section),
            lang=section.text("lang"),
            is_hub=wiki_id == hub_id,
        )
        section.reject_unknown()
    if hub_id not in wikis:
        raise ConfigError(f"{path}: key hub names {hub_id!r}, which is not among the wikis")

    bot_section = _Section(top.table("bot"), path, "bot")
    password_file = bot_section.text("password_file", default="")
    source_dir = path.parent
    bot = BotAccount(
        username=bot_section.text("username"),
        password_env=bot_section.text("password_env", default=DEFAULT_PASSWORD_ENVVAR),
        password_file=(source_dir / Path(password_file).expanduser()) if password_file else None,
        source=path,
    )
    write_throttle = bot_section.number("write_throttle", 10.0)
    maxlag = int(bot_section.number("maxlag", 5))
    max_retries = int(bot_section.number("max_retries", 5))
    retry_wait = bot_section.number("retry_wait", 5.0)
    stop_page = bot_section.text("stop_page", default="User:{bot}/Stop")
    stop_run_word = bot_section.text("stop_run_word", default="run")
    bot_section.reject_unknown()

    services = _Section(top.table("services", required=False), path, "services")
    state_dir_text = services.text("state_dir", default="")
    state_dir = (
        (source_dir / Path(state_dir_text).expanduser())
        if state_dir_text
        else (default_state_dir())
    )
    database_url = services.text("database_url", default="") or (
        f"sqlite:///{state_dir / 'campaignkit.sqlite'}"
    )
    # An empty redis_url is allowed: one bot process, no page locks, no task queue.
    if services.raw.get("redis_url") == "":
        services.used.add("redis_url")
        redis_url = ""
    else:
        redis_url = services.text("redis_url", default="redis://127.0.0.1:6379/0")
    redis_prefix = services.text("redis_prefix", default="campaignkit")
    task_visibility_timeout = services.number("task_visibility_timeout", 7200.0)
    page_lock_ttl = services.number("page_lock_ttl", 300.0)
    services.reject_unknown()

    tool = _Section(top.table("tool", required=False), path, "tool")
    tool_name = tool.text("name", default="campaignkit")
    contact = tool.text("contact", default=Settings.contact)
    docs_url = tool.text("docs_url", default=Settings.docs_url)
    tool.reject_unknown()
    web = top.table("web", required=False)
    notify = top.table("notify", required=False)
    metrics = _Section(top.table("metrics", required=False), path, "metrics")
    file_wiki = metrics.text("file_wiki", default="")
    wikidata_wiki = metrics.text("wikidata_wiki", default="")
    for key, value in (("file_wiki", file_wiki), ("wikidata_wiki", wikidata_wiki)):
        if value and value not in wikis:
            known = ", ".join(sorted(wikis))
            raise ConfigError(
                f"{path}: key metrics.{key} names {value!r}, which is not among the wikis "
                f"({known}); add it under [wikis]"
            )
    metrics.reject_unknown()
    top.reject_unknown()

    return Settings(
        path=path,
        wikis=wikis,
        hub_id=hub_id,
        bot=bot,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        task_visibility_timeout=task_visibility_timeout,
        page_lock_ttl=page_lock_ttl,
        database_url=database_url,
        state_dir=state_dir,
        write_throttle=write_throttle,
        maxlag=maxlag,
        max_retries=max_retries,
        retry_wait=retry_wait,
        tool_name=tool_name,
        contact=contact,
        docs_url=docs_url,
        stop_page=stop_page,
        stop_run_word=stop_run_word,
        web=web,
        file_wiki=file_wiki,
        wikidata_wiki=wikidata_wiki,
        calendar_page=calendar_page,
        notify=notify,
    )
