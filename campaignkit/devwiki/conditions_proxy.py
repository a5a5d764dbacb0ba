"""A loopback proxy that gives the local wikis Wikimedia's conditions.

The local wikis answer every request at once; Wikimedia does not (PRODUCT.md, "Scale and
conditions"): a bot saves about once per 10 seconds, wikis go read-only, answer ``maxlag``
when replicas lag, time out and drop connections. A :class:`ConditionsProxy` listens on
127.0.0.1 in front of one real local MediaWiki and imposes those conditions as configured,
so that tests and benchmarks meet them against the real wiki, and it counts what it saw, so
that they can assert "every page edited exactly once"::

    with ConditionsProxy("http://127.0.0.1:8811/api.php", time_scale=0.01) as proxy:
        proxy.limit_rate(10)                    # one write per 10 wiki seconds (0.1 s here)
        proxy.inject("readonly", count=3)       # the next three writes answer readonly
        ...                                     # point the client at proxy.api_url
        assert proxy.counts().edits_by_title["Some page"] == 1

Where a condition is the server's state (lag, read-only mode, the rate limiter, an expired
token) the proxy answers as MediaWiki 1.39 does: the same error codes, texts, extra fields,
``errorformat``/``formatversion`` shapes and headers (``MediaWiki-API-Error``,
``Retry-After``, ``X-Database-Lag``), always as JSON (what pywikibot and campaignkit ask
for). Where it is the client's request (a lost session) the request goes to the real wiki
without its cookies, and the wiki itself answers.

Durations of the simulated wiki (rate-limit intervals, latency, fault windows) are in *wiki
seconds*; ``time_scale`` is how many real seconds one of them lasts, so that "10 s per edit"
can take 0.1 s in a test. Holding a connection for a timeout is in real seconds, since it
must outlast the client's real timeout. Everything listens on, and forwards to, loopback
addresses only.

Run on its own (for a benchmark that wants the proxy outside its own process)::

    python -m campaignkit.devwiki.conditions_proxy URL --time-scale 0.01 --rate-limit 10

It prints its api.php URL and is then configured over HTTP under ``/__conditions__/``:
``GET counts``, ``POST faults`` (a JSON object of :class:`Fault`'s fields), ``DELETE
faults``, ``POST rate-limit`` (``{"interval": 10}``), ``DELETE rate-limit``, ``POST
reset-counts``.
"""

from __future__ import annotations

import argparse
import contextlib
import email.parser
import email.policy
import gzip
import hashlib
import html
import http.client
import io
import ipaddress
import json
import re
import signal
import socket
import struct
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

FaultKind = Literal[
    "session_lost",
    "badtoken",
    "readonly",
    "maxlag",
    "ratelimited",
    "http503",
    "timeout",
    "reset",
    "latency",
]
FAULT_KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]
NETWORK_FAULTS = frozenset({"http503", "timeout", "reset"})
# MediaWiki 1.39 checks in this order (ApiMain::executeAction): asserts, the token, the
# read-only mode, maxlag; the rate limiter runs inside the module. The first that fails
# answers, so a request meeting two faults gets the one MediaWiki would report.
API_FAULT_ORDER = ("session_lost", "badtoken", "readonly", "maxlag", "ratelimited")

# MediaWiki core's modules that write (after pywikibot's WRITE_ACTIONS, without the
# extensions'); any other request that carries a ``token`` counts as a write too.
WRITE_ACTIONS = frozenset(
    {
        "block", "changecontentmodel", "clearhasmsg", "createaccount", "delete", "edit",
        "emailuser", "filerevert", "import", "managetags", "mergehistory", "move",
        "options", "patrol", "protect", "purge", "resetpassword", "review",
        "revisiondelete", "rollback", "setnotificationtimestamp", "setpagelanguage",
        "stashedit", "tag", "thank", "unblock", "undelete", "upload", "userrights", "watch",
    }
)  # fmt: skip
# Purge reports its rate limit as a warning and account creation as its own error code
# (acct_creation_throttle_hit), so by default the rate limit leaves them alone.
RATE_LIMITED_ACTIONS = WRITE_ACTIONS - {"purge", "createaccount"}
CONTROL_PREFIX = "/__conditions__/"
HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "trailers", "transfer-encoding", "upgrade", "content-length", "host",
    }
)  # fmt: skip
DOCREF = (
    "See {api} for API usage. Subscribe to the mediawiki-api-announce mailing list at "
    "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists."
    "wikimedia.org/&gt; for notice of API deprecations and breaking changes."
)
# What Wikimedia's edge caches send when the application servers fail.
WIKIMEDIA_503 = (
    '<!DOCTYPE html>\n<html lang="en">\n<meta charset="utf-8">\n'
    "<title>Wikimedia Error</title>\n<h1>Error</h1>\n"
    "<p>Our servers are currently under maintenance or experiencing a technical issue. "
    "Please try again in a few minutes.</p>\n"
    "<p>See the error message at the bottom of this page for more information.</p>\n"
    "<hr><p>Request served via conditions-proxy; Error: 503, Service Unavailable</p>\n"
    "</html>\n"
)
MAX_HOLD = 60.0
USER_AGENT = "campaignkit-conditions-proxy (local wikis only)"


class ProxyError(Exception):
    """The proxy was asked for something it must not do (a non-loopback target, a bad fault)."""


def _require_loopback(host: str, what: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ProxyError(f"{what} must be a loopback address such as 127.0.0.1, not {host!r}")


@dataclass(frozen=True)
class Fault:
    """One condition to impose, and which requests it hits.

    ``kind`` says what happens (see :data:`FAULT_KINDS`); the selectors say to which
    api.php requests: ``count`` (the next N matching ones; None = until cleared),
    ``share`` (a seeded random share of them), ``title`` (an exact page title, or
    ``title_pattern``, a regular expression searched in each title), ``actions`` (API
    modules; by default the kind's own: writes for readonly/badtoken/ratelimited,
    asserting requests for session_lost, requests carrying maxlag for maxlag, every
    request for the rest), ``account`` (the user name), and a window of
    ``starts_in``/``duration`` wiki seconds from the moment it is injected.
    """

    kind: FaultKind
    count: int | None = None
    share: float = 1.0
    title: str | None = None
    title_pattern: str | None = None
    actions: frozenset[str] | None = None
    account: str | None = None
    starts_in: float = 0.0
    duration: float | None = None
    # http503, timeout and reset: "before" the wiki sees the request, or "after" it
    # has done its work (the edit is saved, the answer is lost).
    when: Literal["before", "after"] = "before"
    lag: float = 7.0  # maxlag: the simulated replica lag, in seconds
    host: str | None = None  # maxlag: a database host to name ($wgShowHostnames)
    # maxlag: the Retry-After header; None sends MediaWiki's max(maxlag, 5). Pywikibot 11
    # waits that long (real seconds) before its next request, so a fast test sets 0.
    retry_after: int | None = None
    reason: str = "The database is being upgraded; please try again in a few minutes."
    delay: float = 1.0  # latency: wiki seconds added before the request goes on
    hold: float = 10.0  # timeout: real seconds the connection is held, at most MAX_HOLD

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ProxyError(f"unknown fault kind {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.count is not None and self.count < 0:
            raise ProxyError(f"{self.kind}: count must not be negative")
        if not 0.0 <= self.share <= 1.0:
            raise ProxyError(f"{self.kind}: share must be between 0 and 1, got {self.share}")
        if self.when not in ("before", "after"):
            raise ProxyError(f"{self.kind}: when must be 'before' or 'after'")
        if self.actions is not None:
            object.__setattr__(self, "actions", frozenset(self.actions))
        if self.title_pattern is not None:
            re.compile(self.title_pattern)  # a bad pattern fails here, not in a request

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Fault:
        """A fault from JSON (the control endpoint); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ProxyError(f"unknown fault field(s): {', '.join(unknown)}")
        values = dict(raw)
        if values.get("actions") is not None:
            values["actions"] = frozenset(values["actions"])
        return cls(**values)


@dataclass(frozen=True)
class ProxyCounts:
    """What one proxy saw, as a snapshot (the proxy goes on counting)."""

    # every request received: per API action on api.php ("" when none), else per path
    requests: Counter[str] = field(default_factory=Counter)
    # the requests that reached the wiki, keyed the same way
    forwarded: Counter[str] = field(default_factory=Counter)
    # faults injected, per kind (the rate limit's answers count as "ratelimited")
    faults: Counter[str] = field(default_factory=Counter)
    # saves the wiki made a new revision for, per account and per page title
    edits_by_account: Counter[str] = field(default_factory=Counter)
    edits_by_title: Counter[str] = field(default_factory=Counter)
    # action=edit requests that reached the wiki, whatever it answered, per title
    edit_requests_by_title: Counter[str] = field(default_factory=Counter)
    # requests the wiki did not answer (it was down): answered 502
    upstream_errors: int = 0
    # the saves counted in edits_by_title, in the order their answers came back:
    # (the proxy's clock in real seconds, account, title)
    edit_log: tuple[tuple[float, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts (and lists), for JSON."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["edit_log"] = [list(entry) for entry in self.edit_log]
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in values.items()}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ProxyCounts:
        """The counts read back from the control endpoint."""
        values = {key: Counter(value) if isinstance(value, dict) else value
                  for key, value in raw.items()}  # fmt: skip
        if "edit_log" in values:
            values["edit_log"] = tuple(
                (float(at), str(account), str(title)) for at, account, title in values["edit_log"]
            )
        return cls(**values)


def _normalize_title(title: str) -> str:
    title = title.replace("_", " ").strip()
    return title[:1].upper() + title[1:]


def _multi_value(value: str) -> list[str]:
    # MediaWiki's multi-value separator is "|", or U+001F when the value starts with it.
    if value.startswith("\x1f"):
        return value[1:].split("\x1f")
    return value.split("|")


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    found: dict[str, str] = {}
    if not message.is_multipart():
        return found
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name or part.get_filename():
            continue  # a file's bytes are nothing the proxy decides on
        payload = part.get_payload(decode=True) or b""
        found[str(name)] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return found


@dataclass(frozen=True)
class ApiCall:
    """One request as the proxy classifies it: its path and merged API parameters."""

    method: str
    path: str
    params: Mapping[str, str]

    @classmethod
    def parse(cls, method: str, target: str, content_type: str, body: bytes) -> ApiCall:
        """Merge the query string and a form-encoded or multipart body (POST wins, as in PHP)."""
        url = urlsplit(target)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        media_type = content_type.split(";")[0].strip().lower()
        if media_type == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif media_type == "multipart/form-data":
            params.update(_multipart_fields(content_type, body))
        return cls(method.upper(), url.path or "/", params)

    @property
    def is_api(self) -> bool:
        """Only api.php gets faults; index.php and the rest pass through."""
        return self.path.endswith("/api.php")

    @property
    def action(self) -> str:
        """The API module, "" for api.php without one."""
        return self.params.get("action", "")

    @property
    def counter_key(self) -> str:
        """The key in :attr:`ProxyCounts.requests`: the action, or the path off api.php."""
        return self.action if self.is_api else self.path

    @property
    def is_write(self) -> bool:
        """A module that writes, or any request carrying a CSRF-style token."""
        if self.action == "checktoken":
            return False
        return self.action in WRITE_ACTIONS or "token" in self.params

    @property
    def asserts(self) -> bool:
        """Whether the request asks MediaWiki to check that it is still logged in."""
        return self.params.get("assert") in ("user", "bot") or "assertuser" in self.params

    @property
    def maxlag(self) -> int | None:
        """The maxlag parameter, when it is a valid integer."""
        try:
            return int(self.params["maxlag"])
        except (KeyError, ValueError):
            return None

    @property
    def titles(self) -> tuple[str, ...]:
        """The page titles the request names (title, titles, page, from, to)."""
        found: list[str] = []
        for key in ("title", "titles", "page", "from", "to"):
            value = self.params.get(key)
            if value:
                values = _multi_value(value) if key == "titles" else [value]
                found += [_normalize_title(v) for v in values if v.strip()]
        return tuple(found)

    @property
    def signature(self) -> str:
        """What identifies "the same request" for a seeded share: method, action, titles."""
        return f"{self.method} {self.action} {'|'.join(self.titles)}"


@dataclass(frozen=True)
class _Message:
    key: str
    params: tuple[Any, ...]
    text: str


def _format_seconds(lag: float) -> str:
    return str(int(lag)) if float(lag).is_integer() else repr(float(lag))


def _maxlag_message(lag: float, host: str | None) -> _Message:
    amount = f"{_format_seconds(lag)} {'second' if lag == 1 else 'seconds'}"
    if host:
        return _Message("apierror-maxlag", (lag, host), f"Waiting for {host}: {amount} lagged.")
    return _Message(
        "apierror-maxlag-generic", (lag,), f"Waiting for a database server: {amount} lagged."
    )


MESSAGES = {
    "readonly": _Message("apierror-readonly", (), "The wiki is currently in read-only mode."),
    "badtoken": _Message("apierror-badtoken", (), "Invalid CSRF token."),
    "ratelimited": _Message(
        "apierror-ratelimited",
        (),
        "You've exceeded your rate limit. Please wait some time and try again.",
    ),
}


def mediawiki_error(
    params: Mapping[str, str],
    code: str,
    message: _Message,
    *,
    api_url: str,
    module: str = "main",
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An API error body in the shape the request asked for, as MediaWiki 1.39 builds it.

    ``errorformat=bc`` (the default, what pywikibot reads) puts code, info and the extra
    data in one ``error`` object; the other error formats list ``errors`` with the data
    under ``data``. ``formatversion=2`` names the help text ``docref`` instead of ``*``.
    """
    version2 = params.get("formatversion") in ("2", "latest")
    content = "docref" if version2 else "*"
    docref = DOCREF.format(api=api_url)
    errorformat = params.get("errorformat", "bc")
    if errorformat == "bc":
        answer: dict[str, Any] = {
            "error": {"code": code, "info": message.text, **(data or {}), content: docref}
        }
    else:
        item: dict[str, Any] = {"code": code}
        if errorformat == "raw":
            item |= {"key": message.key, "params": list(message.params)}
        elif errorformat != "none":
            item["text" if version2 else "*"] = message.text
        if data:
            item["data"] = dict(data)
        item["module"] = module
        answer = {"errors": [item], content: docref}
    if "servedby" in params:
        answer["servedby"] = "conditions-proxy"
    return answer


def _roll(seed: int, serial: int, signature: str, occurrence: int) -> float:
    """A uniform number in [0, 1) fixed by the seed, the fault and the request.

    Hashing the request's signature and how often it came (instead of drawing from one
    generator in arrival order) keeps a seeded share reproducible when threads interleave.
    """
    text = f"{seed}\0{serial}\0{signature}\0{occurrence}".encode()
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class InjectedFault:
    """A fault the proxy is imposing: how often it fired, and a way to clear it."""

    def __init__(self, spec: Fault, serial: int, now: float, time_scale: float, lock: Any):
        self.spec = spec
        self.serial = serial
        self._lock = lock
        self._remaining = spec.count
        self._fired = 0
        self._cleared = False
        self._starts = now + spec.starts_in * time_scale
        self._ends = None if spec.duration is None else self._starts + spec.duration * time_scale
        self._pattern = re.compile(spec.title_pattern) if spec.title_pattern else None
        self._title = _normalize_title(spec.title) if spec.title else None
        self._occurrences: Counter[str] = Counter()

    @property
    def fired(self) -> int:
        """How many requests this fault has hit."""
        with self._lock:
            return self._fired

    @property
    def remaining(self) -> int | None:
        """How many more requests it will hit (None: until cleared or its window ends)."""
        with self._lock:
            return self._remaining

    def clear(self) -> None:
        """Stop imposing this fault."""
        with self._lock:
            self._cleared = True

    def _live(self, now: float) -> bool:
        return (
            not self._cleared
            and (self._remaining is None or self._remaining > 0)
            and now >= self._starts
            and (self._ends is None or now < self._ends)
        )

    def _kind_applies(self, call: ApiCall) -> bool:
        kind = self.spec.kind
        if kind == "maxlag":
            return call.maxlag is not None and self.spec.lag > call.maxlag
        if kind in ("readonly", "ratelimited"):
            return call.is_write
        if kind == "badtoken":
            return call.is_write and "token" in call.params
        if kind == "session_lost":
            return call.asserts
        return True

    def _matches(self, call: ApiCall, account: str | None, seed: int) -> bool:
        """Whether this request is hit; called under the proxy's lock."""
        spec = self.spec
        if not self._kind_applies(call):
            return False
        if spec.actions is not None and call.action not in spec.actions:
            return False
        if self._title is not None and self._title not in call.titles:
            return False
        if self._pattern is not None and not any(self._pattern.search(t) for t in call.titles):
            return False
        if spec.account is not None and account != spec.account:
            return False
        if spec.share < 1.0:
            occurrence = self._occurrences[call.signature]
            self._occurrences[call.signature] += 1
            if _roll(seed, self.serial, call.signature, occurrence) >= spec.share:
                return False
        return True

    def _fire(self) -> None:
        self._fired += 1
        if self._remaining is not None:
            self._remaining -= 1


@dataclass(frozen=True)
class RateLimit:
    """At most one write per ``interval`` wiki seconds per account, for these actions."""

    interval: float
    actions: frozenset[str] = RATE_LIMITED_ACTIONS
    accounts: frozenset[str] | None = None  # None: every account


@dataclass
class _Decision:
    latency: float = 0.0
    fault: InjectedFault | None = None
    rate_limited: bool = False


@dataclass
class _Upstream:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], proxy: ConditionsProxy) -> None:
        self.proxy = proxy
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember each connection, so that stopping the proxy can close idle keep-alives."""
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a finished connection."""
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is not worth a traceback on the test's terminal."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients expect from Wikimedia
    timeout = 300  # an idle keep-alive connection's thread ends after this
    server: _Server

    def _any(self) -> None:
        self.server.proxy._exchange(self)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _any

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the counters are the proxy's record."""


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(65537)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _cookie_pairs(header: str) -> list[tuple[str, str]]:
    pairs = []
    for item in header.split(";"):
        name, sep, value = item.strip().partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


class ConditionsProxy:
    """One loopback HTTP proxy in front of one local wiki, imposing configured conditions.

    Start it with :meth:`start` (or ``with``); it listens on 127.0.0.1 on a free port
    (or ``port``) in a background thread and forwards to the wiki named by
    ``upstream_api`` (its api.php URL), keeping paths, methods, bodies and cookies as
    they are. ``seed`` fixes the random shares; ``time_scale`` is the real length of one
    wiki second; ``max_hold`` bounds how long a timeout holds a connection. ``clock``
    (seconds, monotonic) times rate limits and fault windows: a test can pass one it
    advances by hand to step over an interval deterministically.
    """

    def __init__(
        self,
        upstream_api: str,
        *,
        name: str = "",
        port: int = 0,
        time_scale: float = 1.0,
        seed: int = 0,
        max_hold: float = MAX_HOLD,
        upstream_timeout: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        upstream = urlsplit(upstream_api)
        if upstream.scheme != "http" or not upstream.hostname:
            raise ProxyError(f"the wiki must be an http:// api.php URL, got {upstream_api!r}")
        _require_loopback(upstream.hostname, "the wiki behind the proxy")
        if time_scale <= 0:
            raise ProxyError("time_scale must be positive")
        self.upstream_api = upstream_api
        self.name = name or upstream.netloc
        self.time_scale = time_scale
        self.seed = seed
        self.max_hold = max_hold
        self.upstream_timeout = upstream_timeout
        self.clock = clock
        self._upstream_host = upstream.hostname
        self._upstream_port = upstream.port or 80
        self._upstream_netloc = upstream.netloc
        self._api_path = upstream.path or "/api.php"
        self._requested_port = port
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._faults: list[InjectedFault] = []
        self._serial = 0
        self._rate_limits: list[RateLimit] = []
        self._last_write: dict[tuple[int, str], float] = {}
        self._counts = ProxyCounts()
        self._upstream_errors = 0
        self._edit_log: list[tuple[float, str, str]] = []
        self._accounts: dict[tuple[tuple[str, str], ...], str] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> ConditionsProxy:
        """Listen and serve in a daemon thread; connections are accepted once this returns."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"conditions-proxy-{self.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; held connections are released and open ones closed."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with server.connections_lock:
            connections = list(server.open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> ConditionsProxy:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving it."""
        self.stop()

    @property
    def port(self) -> int:
        """The port the proxy listens on (after :meth:`start`)."""
        if self._server is None:
            raise ProxyError("the proxy is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The wiki's api.php through the proxy: what a client's configuration names."""
        return self.url + self._api_path

    # -- configuration -------------------------------------------------------------

    def inject(self, kind: FaultKind | Fault, **selectors: Any) -> InjectedFault:
        """Impose a fault: ``inject("readonly", count=3)`` or ``inject(Fault(...))``."""
        spec = kind if isinstance(kind, Fault) else Fault(kind, **selectors)
        with self._lock:
            self._serial += 1
            fault = InjectedFault(spec, self._serial, self.clock(), self.time_scale, self._lock)
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Clear every fault and rate limit: the wiki is quiet again."""
        with self._lock:
            for fault in self._faults:
                fault._cleared = True
            self._faults.clear()
            self._rate_limits.clear()
            self._last_write.clear()

    def limit_rate(
        self,
        interval: float,
        *,
        actions: Iterable[str] = RATE_LIMITED_ACTIONS,
        accounts: Iterable[str] | None = None,
    ) -> RateLimit:
        """At most one write per ``interval`` wiki seconds per account.

        Faster ones answer ``ratelimited``; a refused write does not restart the
        interval, as in MediaWiki (its limiter counts from the first accepted hit).
        """
        rule = RateLimit(
            interval, frozenset(actions), frozenset(accounts) if accounts is not None else None
        )
        with self._lock:
            self._rate_limits.append(rule)
        return rule

    def clear_rate_limits(self) -> None:
        """Writes may come as fast as the wiki takes them."""
        with self._lock:
            self._rate_limits.clear()
            self._last_write.clear()

    # -- counters ------------------------------------------------------------------

    def counts(self) -> ProxyCounts:
        """A snapshot of everything counted since the start (or the last reset)."""
        with self._lock:
            current = self._counts
            return ProxyCounts(
                requests=Counter(current.requests),
                forwarded=Counter(current.forwarded),
                faults=Counter(current.faults),
                edits_by_account=Counter(current.edits_by_account),
                edits_by_title=Counter(current.edits_by_title),
                edit_requests_by_title=Counter(current.edit_requests_by_title),
                upstream_errors=self._upstream_errors,
                edit_log=tuple(self._edit_log),
            )

    def reset_counts(self) -> None:
        """Start counting afresh (faults and rate limits stay)."""
        with self._lock:
            self._counts = ProxyCounts()
            self._upstream_errors = 0
            self._edit_log = []

    def wait_for(
        self, predicate: Callable[[ProxyCounts], bool], timeout: float = 30.0
    ) -> ProxyCounts:
        """Block until the counts satisfy ``predicate`` (checked on every change), or fail.

        For tests whose client runs elsewhere (a worker, a subprocess): a deadline,
        never a sleep, decides when to stop waiting.
        """
        deadline = time.monotonic() + timeout
        while True:
            counts = self.counts()
            if predicate(counts):
                return counts
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: condition not met in {timeout} s; {counts}")
            with self._changed:
                self._changed.wait(min(remaining, 0.5))

    # -- one exchange ----------------------------------------------------------------

    def _exchange(self, handler: _Handler) -> None:
        try:
            body = _read_body(handler)
        except (ValueError, OSError):
            handler.close_connection = True
            return
        call = ApiCall.parse(
            handler.command, handler.path, handler.headers.get("Content-Type", ""), body
        )
        if call.path.startswith(CONTROL_PREFIX):
            self._control(handler, call, body)
            return
        with self._changed:
            self._counts.requests[call.counter_key] += 1
            self._changed.notify_all()
        if not call.is_api:
            self._pass(handler, call, body)
            return
        account = self._account(handler) if self._needs_account(call) else None
        decision = self._decide(call, account)
        if decision.latency > 0:
            self._stopping.wait(decision.latency)  # the added latency itself
        fault = decision.fault
        kind = fault.spec.kind if fault else None
        if fault is not None and kind in NETWORK_FAULTS and fault.spec.when == "before":
            self._network_fault(handler, fault.spec)
        elif kind == "session_lost":
            self._pass(handler, call, body, account=account, strip_cookies=True)
        elif kind is not None and kind in API_FAULT_ORDER:
            assert fault is not None
            self._api_fault(handler, call, fault.spec)
        elif decision.rate_limited:
            self._api_fault(handler, call, Fault("ratelimited"))
        elif fault is not None:  # a network fault after the wiki did its work
            if self._pass(handler, call, body, account=account, answer=False):
                self._network_fault(handler, fault.spec)
        else:
            self._pass(handler, call, body, account=account)

    def _needs_account(self, call: ApiCall) -> bool:
        if call.is_write:
            return True
        with self._lock:
            return any(f.spec.account is not None for f in self._faults)

    def _decide(self, call: ApiCall, account: str | None) -> _Decision:
        decision = _Decision()
        now = self.clock()
        with self._lock:
            live = [f for f in self._faults if f._live(now)]
            for fault in live:
                if fault.spec.kind == "latency" and fault._matches(call, account, self.seed):
                    fault._fire()
                    decision.latency += fault.spec.delay * self.time_scale
                    self._counts.faults["latency"] += 1
            order = ("reset", "http503", "timeout", *API_FAULT_ORDER)
            for kind in order:
                for fault in live:
                    if fault.spec.kind == kind and fault._matches(call, account, self.seed):
                        fault._fire()
                        self._counts.faults[kind] += 1
                        decision.fault = fault
                        return decision
            if account is not None:
                for index, rule in enumerate(self._rate_limits):
                    if call.action not in rule.actions:
                        continue
                    if rule.accounts is not None and account not in rule.accounts:
                        continue
                    last = self._last_write.get((index, account))
                    if last is not None and now - last < rule.interval * self.time_scale:
                        self._counts.faults["ratelimited"] += 1
                        decision.rate_limited = True
                        return decision
                    self._last_write[(index, account)] = now
        return decision

    def _account(self, handler: _Handler) -> str:
        """The user name behind a request's session cookies, asked of the wiki once per session.

        Bot-password sessions carry no user-name cookie, so the proxy asks the wiki
        (meta=userinfo with the same cookies) and remembers the answer for as long as
        the cookies stay the same. A request without session cookies is its IP, as in
        MediaWiki.
        """
        pairs = _cookie_pairs(handler.headers.get("Cookie", ""))
        key = tuple(
            sorted(
                (n, v)
                for n, v in pairs
                if n.lower().endswith(("session", "username", "userid", "token"))
            )
        )
        if not key:
            return handler.client_address[0]
        with self._lock:
            known = self._accounts.get(key)
        if known is not None:
            return known
        headers = {"Cookie": handler.headers.get("Cookie", ""), "User-Agent": USER_AGENT}
        try:
            answer = self._request(
                "GET",
                f"{self._api_path}?action=query&meta=userinfo&format=json&formatversion=2",
                headers,
                b"",
            )
            name = json.loads(_decoded(answer))["query"]["userinfo"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            return "(unknown)"
        with self._lock:
            if len(self._accounts) > 10_000:
                self._accounts.clear()
            self._accounts[key] = name
        return name

    # -- answers -------------------------------------------------------------------

    def _request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> _Upstream:
        connection = http.client.HTTPConnection(
            self._upstream_host, self._upstream_port, timeout=self.upstream_timeout
        )
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", self._upstream_netloc)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body or method in ("POST", "PUT", "PATCH"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            data = response.read()
            return _Upstream(response.status, response.reason, response.getheaders(), data)
        finally:
            connection.close()

    def _pass(
        self,
        handler: _Handler,
        call: ApiCall,
        body: bytes,
        *,
        account: str | None = None,
        strip_cookies: bool = False,
        answer: bool = True,
    ) -> bool:
        """Forward to the wiki and (unless ``answer`` is False) relay its answer."""
        url = urlsplit(handler.path)
        target = url.path + (f"?{url.query}" if url.query else "")
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            lowered = name.lower()
            if lowered in HOP_BY_HOP or (strip_cookies and lowered == "cookie"):
                continue
            joiner = "; " if lowered == "cookie" else ", "
            headers[name] = value if name not in headers else f"{headers[name]}{joiner}{value}"
        try:
            upstream = self._request(call.method, target, headers, body)
        except OSError as error:
            with self._changed:
                self._upstream_errors += 1
                self._changed.notify_all()
            self._send(
                handler,
                502,
                "Bad Gateway",
                [("Content-Type", "text/plain; charset=utf-8")],
                f"conditions proxy: the wiki at {self._upstream_netloc} did not answer: "
                f"{error}\n".encode(),
            )
            return False
        if strip_cookies:
            # The lost session was one request's: the client keeps the cookies it has.
            upstream.headers = [(n, v) for n, v in upstream.headers if n.lower() != "set-cookie"]
        self._count_forwarded(call, account, upstream)
        if answer:
            self._send(handler, upstream.status, upstream.reason, upstream.headers, upstream.body)
        return True

    def _count_forwarded(self, call: ApiCall, account: str | None, upstream: _Upstream) -> None:
        saved_title = None
        if call.is_api and call.action == "edit" and upstream.status == 200:
            edit = _edit_answer(call.params, upstream) or {}
            if edit.get("result") == "Success" and "nochange" not in edit:
                saved_title = str(edit.get("title", ""))
        with self._changed:
            self._counts.forwarded[call.counter_key] += 1
            if call.is_api and call.action == "edit":
                titles = call.titles or (f"#{call.params.get('pageid', '?')}",)
                self._counts.edit_requests_by_title[titles[0]] += 1
            if saved_title is not None:
                self._counts.edits_by_title[saved_title] += 1
                self._counts.edits_by_account[account or "(unknown)"] += 1
                self._edit_log.append((self.clock(), account or "(unknown)", saved_title))
            self._changed.notify_all()

    def _api_fault(self, handler: _Handler, call: ApiCall, spec: Fault) -> None:
        kind = spec.kind
        module, data = "main", None
        extra_headers: list[tuple[str, str]] = []
        if kind == "maxlag":
            message = _maxlag_message(spec.lag, spec.host)
            data = {"host": spec.host or "127.0.0.1", "lag": spec.lag, "type": "db"}
            requested = call.maxlag if call.maxlag is not None else 0
            retry_after = max(requested, 5) if spec.retry_after is None else spec.retry_after
            extra_headers = [
                ("Retry-After", str(retry_after)),
                ("X-Database-Lag", str(int(spec.lag))),
            ]
        else:
            message = MESSAGES[kind]
            if kind == "readonly":
                data = {"readonlyreason": spec.reason}
            if kind in ("badtoken", "ratelimited"):
                module = call.action or "main"
        api_url = f"http://{self._upstream_netloc}{self._api_path}"
        payload = mediawiki_error(
            call.params, kind, message, api_url=api_url, module=module, data=data
        )
        headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("MediaWiki-API-Error", kind),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cache-Control", "private, must-revalidate, max-age=0"),
            *extra_headers,
        ]
        self._send(handler, 200, "OK", headers, json.dumps(payload).encode())

    def _network_fault(self, handler: _Handler, spec: Fault) -> None:
        if spec.kind == "http503":
            self._send(
                handler,
                503,
                "Service Unavailable",
                [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-cache")],
                WIKIMEDIA_503.encode(),
            )
            return
        handler.close_connection = True
        if spec.kind == "timeout":
            # Say nothing for longer than the client waits, then hang up.
            self._stopping.wait(max(0.0, min(spec.hold, self.max_hold)))
            return
        # reset: an RST instead of an answer (SO_LINGER 0 makes close() send it).
        connection = handler.connection
        with contextlib.suppress(OSError):
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # The socket closes for real only when its file objects are closed too; the
            # handler's loop still flushes and reads them, so it gets empty stand-ins.
            handler.rfile.close()
            handler.wfile.close()
            handler.rfile, handler.wfile = io.BytesIO(), io.BytesIO()
            connection.close()

    def _send(
        self,
        handler: _Handler,
        status: int,
        reason: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> None:
        headers = list(headers)
        length: str | None = str(len(body))
        if handler.command == "HEAD":  # no body, but the length a GET would have, if known
            length = next((v for n, v in headers if n.lower() == "content-length"), None)
        try:
            handler.send_response_only(status, reason)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    handler.send_header(name, value)
            if length is not None:
                handler.send_header("Content-Length", length)
            if handler.close_connection:
                handler.send_header("Connection", "close")
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(body)
        except OSError:
            handler.close_connection = True  # the client went away

    # -- control over HTTP -----------------------------------------------------------

    def _control(self, handler: _Handler, call: ApiCall, body: bytes) -> None:
        command = call.path.removeprefix(CONTROL_PREFIX).strip("/")
        try:
            raw = json.loads(body) if body else {}
            if (call.method, command) == ("GET", "counts"):
                answer: Any = self.counts().to_dict()
            elif (call.method, command) == ("POST", "faults"):
                answer = {"serial": self.inject(Fault.from_dict(raw)).serial}
            elif (call.method, command) == ("DELETE", "faults"):
                with self._lock:
                    for fault in self._faults:
                        fault._cleared = True
                    self._faults.clear()
                answer = {"cleared": True}
            elif (call.method, command) == ("POST", "rate-limit"):
                rule = self.limit_rate(
                    float(raw["interval"]),
                    actions=raw.get("actions", RATE_LIMITED_ACTIONS),
                    accounts=raw.get("accounts"),
                )
                answer = {"interval": rule.interval}
            elif (call.method, command) == ("DELETE", "rate-limit"):
                self.clear_rate_limits()
                answer = {"cleared": True}
            elif (call.method, command) == ("POST", "reset-counts"):
                self.reset_counts()
                answer = {"reset": True}
            else:
                self._send(handler, 404, "Not Found", [], b"unknown control command\n")
                return
        except (ProxyError, ValueError, KeyError, TypeError) as error:
            self._send(handler, 400, "Bad Request", [], f"{error}\n".encode())
            return
        self._send(
            handler,
            200,
            "OK",
            [("Content-Type", "application/json")],
            json.dumps(answer).encode(),
        )


def _edit_answer(params: Mapping[str, str], upstream: _Upstream) -> Mapping[str, Any] | None:
    """The ``edit`` part of an answer in json or xml, plain or as HTML (jsonfm, the default).

    The php format is not read: its edits reach the wiki but are not counted as saves.
    """
    try:
        text = _decoded(upstream).decode("utf-8", "replace")
        answer_format = params.get("format", "jsonfm")
        if answer_format.endswith("fm"):
            pretty = re.search(r"<pre[^>]*>(.*?)</pre>", text, re.DOTALL)
            if pretty is None:
                return None
            text = html.unescape(re.sub(r"<[^>]+>", "", pretty.group(1)))
            answer_format = answer_format.removesuffix("fm")
        if answer_format == "json":
            edit = json.loads(text).get("edit")
            return edit if isinstance(edit, dict) else None
        if answer_format == "xml":
            element = ElementTree.fromstring(text).find("edit")
            return dict(element.attrib) if element is not None else None
    except (ValueError, SyntaxError, AttributeError, OSError):
        return None  # not an answer we can read: the wiki's business, not the count's
    return None


def _decoded(upstream: _Upstream) -> bytes:
    encoding = next((v for n, v in upstream.headers if n.lower() == "content-encoding"), "")
    return gzip.decompress(upstream.body) if encoding.lower() == "gzip" else upstream.body


def write_proxied_config(
    source: Path,
    target: Path,
    proxies: Mapping[str, ConditionsProxy],
    *,
    bot: Mapping[str, Any] | None = None,
    services: Mapping[str, Any] | None = None,
) -> Path:
    """Copy a campaignkit configuration so that the named wikis are reached through proxies.

    Paths the source names relative to its own directory (the password file, the state
    directory) are made absolute, so the copy works from anywhere; ``bot`` and
    ``services`` override keys of those tables (a test's small ``max_retries``, say).
    """
    import tomli_w

    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    wikis = raw.get("wikis", {})
    for wiki_id, proxy in proxies.items():
        if wiki_id not in wikis:
            raise ProxyError(f"{source}: no wiki {wiki_id!r} to put a proxy in front of")
        wikis[wiki_id]["api"] = proxy.api_url
    base = source.parent
    bot_table = raw.setdefault("bot", {})
    if bot_table.get("password_file"):
        bot_table["password_file"] = str((base / bot_table["password_file"]).resolve())
    services_table = raw.setdefault("services", {})
    if services_table.get("state_dir"):
        services_table["state_dir"] = str((base / services_table["state_dir"]).resolve())
    bot_table.update(bot or {})
    services_table.update(services or {})
    target.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """Run one proxy in the foreground until interrupted; print its api.php URL first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "upstream_api", help="the wiki's api.php, e.g. http://127.0.0.1:8811/api.php"
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: free)")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="real seconds per wiki second"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random shares")
    parser.add_argument("--rate-limit", type=float, default=None, help="wiki seconds per write")
    options = parser.parse_args(argv)
    proxy = ConditionsProxy(
        options.upstream_api,
        port=options.port,
        time_scale=options.time_scale,
        seed=options.seed,
    )
    if options.rate_limit:
        proxy.limit_rate(options.rate_limit)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with proxy:
        print(proxy.api_url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
