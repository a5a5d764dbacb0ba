"""The bot's way to a wiki for the edit core: pywikibot, one try per request.

pywikibot retries on its own: it sleeps through ``readonly``, ``maxlag``,
``ratelimited``, HTTP 5xx and network errors (``max_retries`` times, doubling
waits up to two minutes each) and then raises ``ApiTimeoutError``,
``MaxlagTimeoutError`` or ``ServerError``, which an ``except APIError``
misses. The edit core (:func:`~campaignkit.wiki.safe_edit.safe_edit`) owns the
waiting instead — one policy, honouring ``Retry-After``, with a time budget per
page — so the requests of an edit go through a pywikibot ``Request`` subclass
(:func:`one_try_request_class`) that keeps pywikibot's throttle, ``maxlag``
parameter, login, token renewal on ``badtoken`` and the farm's request
counting, but raises at the first answer that would make pywikibot wait.
:class:`BotTransport` turns whatever pywikibot, requests or the network raise
into a :class:`~campaignkit.wiki.edit_errors.TransportError` with a code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from campaignkit.wiki.batch import PageText
from campaignkit.wiki.connection import WikiConnection
from campaignkit.wiki.edit_errors import (
    BUSY,
    LOGIN_FAILED,
    NOT_JSON,
    TIMEOUT,
    UNREACHABLE,
    ErrorKind,
    TransportError,
    classify_error,
    http_code,
    retry_after_seconds,
)
from campaignkit.wiki.errors import LoginFailed, MissingRights, WikiError, WikiUnreachable
from campaignkit.wiki.safe_edit import (
    page_from_answer,
    read_page_params,
    revision_from_answer,
    revision_params,
)


class _WouldWait(Exception):
    """pywikibot was about to sleep and retry; the edit core decides instead."""

    def __init__(self, code: str, info: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.retry_after = retry_after


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@functools.cache
def one_try_request_class() -> type:
    """A pywikibot ``Request`` that raises where pywikibot would wait and retry.

    Built on first use: pywikibot may only be imported once the farm has set
    its environment (:mod:`~campaignkit.wiki.pywikibot_setup`).
    """
    from pywikibot.comms import http
    from pywikibot.data import api
    from pywikibot.exceptions import Client414Error

    def check(response: Any) -> None:
        if isinstance(response, requests.Timeout | TimeoutError):
            raise _WouldWait(TIMEOUT, _first_line(response))
        if isinstance(response, Exception):
            raise _WouldWait(UNREACHABLE, _first_line(response))
        if response.status_code >= 500:
            raise _WouldWait(
                http_code(response.status_code),
                response.reason or "",
                retry_after_seconds(response.headers),
            )
        http.error_handling_callback(response)  # pywikibot's own checks of other answers

    class OneTryRequest(api.Request):
        """pywikibot's request, with failures raised instead of slept through."""

        def _http_request(
            self,
            use_get: bool,
            uri: str,
            data: Any,
            headers: dict[str, str] | None,
            paramstring: str,
        ) -> tuple[Any, bool]:
            try:
                response = http.request(
                    self.site,
                    uri=uri,
                    method="GET" if use_get else "POST",
                    data=data,
                    headers=headers,
                    default_error_handling=False,
                    callbacks=[check],
                )
            except Client414Error:
                if use_get:
                    return None, False  # pywikibot's loop sends it again as a POST
                raise
            return response, use_get

        def _json_loads(self, response: requests.Response) -> dict[str, Any] | None:
            try:
                result = response.json()
            except ValueError:
                raise _WouldWait(NOT_JSON, f"HTTP {response.status_code}") from None
            error = result.get("error") if isinstance(result, dict) else None
            code = str((error or {}).get("code", ""))
            if code and classify_error(code) is ErrorKind.RETRY_LATER:
                # readonly, maxlag, ratelimited: pywikibot would sleep here
                retry_after = retry_after_seconds(response.headers)
                if code == "ratelimited" and retry_after is None:
                    # MediaWiki says no more; the bot's own interval between saves
                    # is what the limit is about, so one interval is the wait.
                    from pywikibot import config

                    retry_after = float(config.put_throttle) or None
                raise _WouldWait(code, str(error.get("info", "")), retry_after)
            return result or {}

        def wait(self, delay: float | None = None, **kwargs: Any) -> None:
            code = (self.last_error or {}).get("code") or BUSY
            raise _WouldWait(str(code), "", delay or None)

    return OneTryRequest


def _failure_code(error: BaseException) -> str:
    """The transport code of an exception that is not an API error answer."""
    from pywikibot import exceptions as pwb

    if isinstance(error, pwb.MaxlagTimeoutError):
        return "maxlag"
    if isinstance(error, pwb.ApiTimeoutError):
        return TIMEOUT
    if isinstance(error, pwb.Server504Error):
        return http_code(504)
    if isinstance(error, pwb.ServerError) and not isinstance(error, pwb.FatalServerError):
        status = str(error).split(" ", 1)[0]
        return http_code(int(status)) if status.isdigit() else UNREACHABLE
    if isinstance(error, pwb.NoUsernameError | LoginFailed | MissingRights):
        return LOGIN_FAILED
    if isinstance(error, requests.Timeout | TimeoutError):
        return TIMEOUT
    if isinstance(error, pwb.FatalServerError | WikiUnreachable | OSError):
        return UNREACHABLE  # requests' errors are OSErrors too
    return "wiki-error"


class BotTransport:
    """The bot's pywikibot session with one wiki, as an edit transport."""

    is_bot = True

    def __init__(self, connection: WikiConnection) -> None:
        self.connection = connection

    @property
    def wiki_id(self) -> str:
        """The configured wiki id."""
        return self.connection.id

    @property
    def username(self) -> str:
        """The bot's account name (without the BotPassword suffix)."""
        return self.connection.farm.settings.bot.main_username

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Every way pywikibot, requests or the network can fail, as a TransportError."""
        from pywikibot.exceptions import APIError
        from pywikibot.exceptions import Error as PywikibotError

        try:
            yield
        except TransportError:
            raise
        except _WouldWait as error:
            raise TransportError(self.wiki_id, error.code, error.info, error.retry_after) from None
        except APIError as error:
            raise TransportError(self.wiki_id, error.code, error.info) from None
        except (PywikibotError, WikiError, OSError) as error:
            raise TransportError(self.wiki_id, _failure_code(error), _first_line(error)) from None

    def _submit(self, params: dict[str, str]) -> dict[str, Any]:
        with self._failures():
            request = one_try_request_class().create_simple(self.connection.site, **params)
            if "assert" in params:
                request["assert"] = params["assert"]  # pywikibot asserts only "user" on writes
            return request.submit()

    def read_page(self, title: str) -> PageText:
        """The page's latest revision and the server time, in one request."""
        return page_from_answer(self._submit(read_page_params(title)), title)

    def read_revision(self, revid: int) -> str:
        """One saved revision's text."""
        return revision_from_answer(self._submit(revision_params(revid)), self.wiki_id, revid)

    def token(self, *, fresh: bool = False) -> str:
        """The bot's CSRF token, cached by pywikibot for the session."""
        with self._failures():
            self.connection.login()
            tokens = self.connection.site.tokens
            if fresh:
                tokens.clear()
            return tokens["csrf"]

    def send_edit(self, params: dict[str, str]) -> dict[str, Any]:
        """``action=edit`` as the edit core composed it."""
        return self._submit(params).get("edit", {})
