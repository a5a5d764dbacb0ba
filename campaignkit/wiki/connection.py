"""The configured wikis, each logged in once and counted.

Everything that talks to a wiki, bot or webservice, goes through a
:class:`WikiConnection`: it builds the pywikibot site from the configured
api.php URL (no family file), logs the bot in with its BotPassword once per
process, and counts API requests so that every run can say what it cost.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import requests

from campaignkit.config import Settings, WikiConfig
from campaignkit.wiki.errors import LoginFailed, MissingRights, WikiError, WikiUnreachable
from campaignkit.wiki.pywikibot_setup import import_pywikibot

REQUIRED_RIGHTS = ("edit", "bot")


class RequestCounter:
    """Counts HTTP requests per wiki by matching the URL against each api.php."""

    def __init__(self) -> None:
        self._endpoints: dict[tuple[str, str], str] = {}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def watch(self, wiki: WikiConfig) -> None:
        """Start counting requests to one wiki's api.php."""
        url = urlsplit(wiki.api_url)
        self._endpoints[(url.netloc, url.path)] = wiki.id

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A requests response hook: one response is one request to that wiki."""
        url = urlsplit(response.url)
        wiki_id = self._endpoints.get((url.netloc, url.path))
        if wiki_id is not None:
            with self._lock:
                self._counts[wiki_id] += 1

    def counts(self) -> dict[str, int]:
        """Requests so far, per wiki id."""
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        """Start a new count, as at the beginning of a run."""
        with self._lock:
            self._counts.clear()


class WikiConnection:
    """One configured wiki through pywikibot, with the bot's login."""

    def __init__(self, wiki: WikiConfig, farm: WikiFarm) -> None:
        self.config = wiki
        self.farm = farm
        self._site: Any = None
        self._logged_in = False

    @property
    def id(self) -> str:
        """The wiki id from the configuration file."""
        return self.config.id

    @property
    def site(self) -> Any:
        """The pywikibot APISite, built on first use from the api.php URL."""
        if self._site is None:
            pywikibot = self.farm.pywikibot
            from pywikibot.family import AutoFamily

            family = AutoFamily(self.id, self.config.api_url)
            try:
                self._site = pywikibot.Site(
                    self.id, family, user=self.farm.settings.bot.main_username
                )
            except Exception as error:  # pywikibot raises many kinds for a dead wiki
                raise self._classify(error) from error
        return self._site

    def _classify(self, error: BaseException) -> WikiError:
        from pywikibot.exceptions import APIError, NoUsernameError

        if isinstance(error, WikiError):
            return error
        if isinstance(error, NoUsernameError):
            return LoginFailed(
                self.id,
                f"login as {self.farm.settings.bot.username} refused: {error}".replace("\n", " "),
            )
        if isinstance(error, APIError):
            return WikiError(self.id, f"API error {error.code}: {error.info}")
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return WikiUnreachable(self.id, f"{self.config.api_url} does not answer ({text})")

    def login(self) -> None:
        """Log the bot in once per process; later calls reuse the session cookies."""
        if self._logged_in:
            return
        from pywikibot import login as pwb_login
        from pywikibot.exceptions import APIError, NoUsernameError

        site = self.site
        bot = self.farm.settings.bot
        password = bot.password()
        try:
            if not site.logged_in():
                manager = pwb_login.ClientLoginManager(
                    site=site, user=bot.username, password=password
                )
                if not manager.login(retry=False):
                    raise LoginFailed(self.id, f"login as {bot.username} refused by the wiki")
                del site.userinfo
                site._loginstatus = pwb_login.LoginStatus.AS_USER
            name = site.userinfo.get("name")
        except (APIError, NoUsernameError) as error:
            raise self._classify(error) from error
        except WikiError:
            raise
        except Exception as error:
            raise self._classify(error) from error
        if name != bot.main_username:
            raise LoginFailed(self.id, f"logged in as {name!r}, expected {bot.main_username!r}")
        self._logged_in = True

    def rights(self) -> set[str]:
        """The rights the logged-in bot holds on this wiki."""
        self.login()
        return set(self.site.userinfo.get("rights", []))

    def groups(self) -> set[str]:
        """The groups the logged-in bot belongs to on this wiki."""
        self.login()
        return set(self.site.userinfo.get("groups", []))

    def check_rights(self, required: tuple[str, ...] = REQUIRED_RIGHTS) -> None:
        """Fail with the missing right's name unless the bot may do its job."""
        missing = [right for right in required if right not in self.rights()]
        if missing:
            raise MissingRights(
                self.id,
                f"{self.farm.settings.bot.main_username} lacks the right(s) "
                f"{', '.join(missing)}; ask a bureaucrat for the bot flag",
            )

    def api(self, **params: Any) -> dict[str, Any]:
        """One API request with pywikibot's maxlag, retries and (for writes) assert."""
        from pywikibot.exceptions import APIError

        request = self.site.simple_request(**params)
        try:
            return request.submit()
        except APIError:
            raise
        except Exception as error:
            raise self._classify(error) from error

    def page(self, title: str) -> Any:
        """A pywikibot Page on this wiki."""
        return self.farm.pywikibot.Page(self.site, title)

    def siteinfo(self) -> dict[str, Any]:
        """The wiki's general siteinfo (name, language, generator)."""
        try:
            return dict(self.site.siteinfo["general"])
        except WikiError:
            raise
        except Exception as error:
            raise self._classify(error) from error


class WikiFarm:
    """All configured wikis of one run, sharing pywikibot's HTTP session."""

    def __init__(
        self, settings: Settings, *, simulate: bool = False, verbose: bool = False
    ) -> None:
        self.settings = settings
        self.simulate = simulate
        self.pywikibot = import_pywikibot(settings, simulate=simulate, verbose=verbose)
        from pywikibot.comms import http

        self.counter = RequestCounter()
        for wiki in settings.wikis.values():
            self.counter.watch(wiki)
        http.session.hooks.setdefault("response", []).append(self.counter.hook)
        self._connections = {
            wiki_id: WikiConnection(wiki, self) for wiki_id, wiki in settings.wikis.items()
        }

    def __getitem__(self, wiki_id: str) -> WikiConnection:
        """One wiki by its configured id."""
        self.settings.wiki(wiki_id)  # raises a ConfigError naming the known ids
        return self._connections[wiki_id]

    def __iter__(self):
        """The configured wikis, hub first."""
        hub = self.settings.hub_id
        yield self._connections[hub]
        for wiki_id, connection in self._connections.items():
            if wiki_id != hub:
                yield connection

    @property
    def hub(self) -> WikiConnection:
        """The wiki that holds the campaign pages."""
        return self._connections[self.settings.hub_id]

    def request_counts(self) -> dict[str, int]:
        """API requests per wiki since the farm was made (or the counter was reset)."""
        counts = self.counter.counts()
        return {wiki_id: counts.get(wiki_id, 0) for wiki_id in self._connections}

    def close(self) -> None:
        """Stop counting for this farm (another farm may be made in the same process)."""
        from pywikibot.comms import http

        hooks = http.session.hooks.get("response", [])
        if self.counter.hook in hooks:
            hooks.remove(self.counter.hook)
