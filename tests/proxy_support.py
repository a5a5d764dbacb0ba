"""Wikimedia's conditions in front of the test wikis: proxies, a configuration and a farm.

A test module loads the fixtures as a plugin (conftest.py stays as it is)::

    pytest_plugins = ["tests.proxy_support"]

``proxied_wikis`` starts one :class:`ConditionsProxy` in front of each running test wiki
and writes a campaignkit configuration whose api URLs point at the proxies; every test
starts with no fault, no rate limit and zeroed counters. ``proxied_farm`` is a
:class:`WikiFarm` built from that configuration, so pywikibot meets the conditions.

Pywikibot keeps process-wide state that a second farm would otherwise leak into the
session's own ``farm``: sites are cached by family name and code (the same ids through
the proxy and without it) and ``import_pywikibot`` rewrites ``pywikibot.config``.
:func:`pywikibot_isolated` puts both back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from campaignkit.config import Settings, load_settings
from campaignkit.devwiki.conditions_proxy import ConditionsProxy, write_proxied_config
from campaignkit.devwiki.layout import LocalWiki

# One wiki second lasts 10 ms: Wikimedia's "one edit per 10 s" takes 0.1 s in a test.
TIME_SCALE = 0.01
# Pywikibot through the proxies: few, short retries, so a test sees its final exception
# in well under a second. retry_max caps every pywikibot wait (also Retry-After on maxlag).
BOT_RETRIES = {"write_throttle": 0, "max_retries": 2, "retry_wait": 0.05}
PYWIKIBOT_RETRY_MAX = 0.2
PYWIKIBOT_SETTINGS = (
    "put_throttle",
    "minthrottle",
    "maxthrottle",
    "write_maxlag",
    "read_maxlag",
    "max_retries",
    "retry_wait",
    "retry_max",
    "socket_timeout",
    "simulate",
    "noisysleep",
    "user_agent_description",
    "user_agent_format",
)


@dataclass
class ProxiedWikis:
    """The proxies in front of the test wikis, by wiki id, and the configuration using them."""

    proxies: dict[str, ConditionsProxy]
    config_path: Path

    def __getitem__(self, wiki_id: str) -> ConditionsProxy:
        """The proxy in front of one wiki."""
        return self.proxies[wiki_id]

    @property
    def settings(self) -> Settings:
        """The configuration, loaded."""
        return load_settings(self.config_path)

    def quiet(self) -> None:
        """No faults, no rate limits, counters at zero: the state every test starts from."""
        for proxy in self.proxies.values():
            proxy.clear()
            proxy.reset_counts()


@contextlib.contextmanager
def pywikibot_isolated(wiki_ids: set[str]) -> Iterator[None]:
    """Let a farm through the proxies use pywikibot, then restore pywikibot's globals."""
    import pywikibot
    from pywikibot import config

    saved_config = {name: getattr(config, name) for name in PYWIKIBOT_SETTINGS}
    saved_sites = dict(pywikibot._sites)
    for key in list(pywikibot._sites):
        # keys are "Interface:family:code:user"; our families are named by wiki id
        if key.split(":")[1] in wiki_ids:
            del pywikibot._sites[key]
    try:
        yield
    finally:
        pywikibot._sites.clear()
        pywikibot._sites.update(saved_sites)
        for name, value in saved_config.items():
            setattr(config, name, value)


@pytest.fixture
def proxy_in_front(devwikis) -> Iterator[Callable[..., ConditionsProxy]]:
    """Start one more proxy in front of a test wiki (for a test that needs its own clock).

    ``proxy_in_front(devwiki_layout.hub, clock=my_clock)``; stopped after the test.
    """
    started: list[ConditionsProxy] = []

    def start(wiki: LocalWiki, **options: Any) -> ConditionsProxy:
        options.setdefault("time_scale", TIME_SCALE)
        proxy = ConditionsProxy(wiki.api_url, name=wiki.id, **options).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


@pytest.fixture(scope="module")
def _proxies_for_module(devwikis, devwiki_layout, tmp_path_factory) -> Iterator[ProxiedWikis]:
    proxies = {
        wiki.id: ConditionsProxy(wiki.api_url, name=wiki.id, time_scale=TIME_SCALE).start()
        for wiki in devwiki_layout.wikis
    }
    try:
        config = write_proxied_config(
            devwiki_layout.config_path,
            tmp_path_factory.mktemp("proxied") / "campaignkit.toml",
            proxies,
            bot=BOT_RETRIES,
        )
        yield ProxiedWikis(proxies, config)
    finally:
        for proxy in proxies.values():
            proxy.stop()


@pytest.fixture
def proxied_wikis(_proxies_for_module: ProxiedWikis) -> ProxiedWikis:
    """Proxies in front of the test wikis, quiet and with zeroed counters."""
    _proxies_for_module.quiet()
    return _proxies_for_module


@pytest.fixture(scope="module")
def _farm_for_module(_proxies_for_module: ProxiedWikis) -> Iterator[tuple[Any, dict[str, Any]]]:
    from campaignkit.wiki.connection import WikiFarm

    with pywikibot_isolated(set(_proxies_for_module.proxies)):
        farm = WikiFarm(_proxies_for_module.settings)
        from pywikibot import config

        config.retry_max = PYWIKIBOT_RETRY_MAX
        try:
            for connection in farm:
                connection.login()  # before any test's counters start
            yield farm, {name: getattr(config, name) for name in PYWIKIBOT_SETTINGS}
        finally:
            farm.close()


@pytest.fixture
def proxied_farm(_farm_for_module: tuple[Any, dict[str, Any]], proxied_wikis) -> Iterator[Any]:
    """A WikiFarm reaching the test wikis through the proxies (logged in once per module).

    A test may change ``pywikibot.config`` (a short socket timeout, say); it is put back
    afterwards.
    """
    from pywikibot import config

    farm, module_config = _farm_for_module
    for name, value in module_config.items():
        setattr(config, name, value)
    yield farm
    for name, value in module_config.items():
        setattr(config, name, value)
