"""Organizers' logins, kept on the server: the browser holds only a random key.

Two ways in, one store:

- **local** (the local development wikis, where no OAuth extension exists): the
  organizer's username and password go once to ``action=clientlogin`` on every
  configured wiki; the password is not kept, the wikis' session cookies are.
- **oauth** (production): MediaWiki OAuth 1.0a through ``mwoauth``; the access
  token is kept, and requests are signed with ``requests-oauthlib``.

Either way the credentials live in the ``web_logins`` table (SQLite or
ToolsDB), keyed by the SHA-256 of a random key that sits in the signed session
cookie. Nothing in the cookie lets anyone call a wiki, and a stolen database
row cannot be matched to a browser. Journaled submissions are retried with the
organizer's most recent login, so a retry is still an edit by the organizer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Column, DateTime, String, Table, Text, delete, insert, select, update

from campaignkit.config import Settings
from campaignkit.database import metadata
from campaignkit.submissions.journal import engine
from campaignkit.web_settings import WebSettings
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError, OrganizerWiki, user_agent

LOGIN_LIFETIME = timedelta(days=30)

logins_table = Table(
    "web_logins",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("username", String(255), nullable=False, index=True),
    Column("mode", String(16), nullable=False),
    Column("credentials", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)


class LoginRefused(Exception):
    """The wiki did not accept the login; the message is the wiki's own reason."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Login:
    """One organizer's credentials for the wikis."""

    username: str
    mode: str
    credentials: dict[str, Any]

    def session_for(self, settings: Settings, web: WebSettings, wiki_id: str) -> OrganizerWiki:
        """An API session on one wiki as this organizer (raises KeyError if not logged in there)."""
        wiki = settings.wiki(wiki_id)
        session = requests.Session()
        if self.mode == "oauth":
            from requests_oauthlib import OAuth1

            session.auth = OAuth1(
                web.oauth_consumer_key,
                web.oauth_consumer_secret,
                self.credentials["key"],
                self.credentials["secret"],
            )
        else:
            cookies = self.credentials["wikis"][wiki_id]
            for cookie in cookies:
                session.cookies.set(
                    cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"]
                )
        return OrganizerWiki(
            wiki,
            session,
            username=self.username,
            agent=user_agent(settings),
            maxlag=settings.maxlag,
        )

    def wikis(self, settings: Settings) -> list[str]:
        """The wikis this login can edit."""
        if self.mode == "oauth":
            return list(settings.wikis)
        return list(self.credentials["wikis"])


def store(settings: Settings, login: Login) -> str:
    """Keep a login; return the random key the browser's session will hold."""
    key = secrets.token_urlsafe(32)
    now = _now()
    with engine(settings).begin() as connection:
        connection.execute(
            insert(logins_table).values(
                key_hash=_hash(key),
                username=login.username,
                mode=login.mode,
                credentials=json.dumps(login.credentials),
                created_at=now,
                expires_at=now + LOGIN_LIFETIME,
            )
        )
    return key


def load(settings: Settings, key: str) -> Login | None:
    """The login a browser's key stands for, if it has not expired."""
    with engine(settings).connect() as connection:
        row = connection.execute(
            select(logins_table).where(
                logins_table.c.key_hash == _hash(key), logins_table.c.expires_at > _now()
            )
        ).first()
    if row is None:
        return None
    return Login(row.username, row.mode, json.loads(row.credentials))


def latest_for(settings: Settings, username: str) -> Login | None:
    """The organizer's most recent valid login, for retrying their journaled edits."""
    with engine(settings).connect() as connection:
        row = connection.execute(
            select(logins_table)
            .where(logins_table.c.username == username, logins_table.c.expires_at > _now())
            .order_by(logins_table.c.created_at.desc())
            .limit(1)
        ).first()
    return None if row is None else Login(row.username, row.mode, json.loads(row.credentials))


def forget(settings: Settings, key: str) -> None:
    """Log out: the credentials are deleted, not just the cookie."""
    with engine(settings).begin() as connection:
        connection.execute(delete(logins_table).where(logins_table.c.key_hash == _hash(key)))


def expire_all(settings: Settings, username: str) -> None:
    """Make every login of one organizer unusable (after the wiki rejected it)."""
    with engine(settings).begin() as connection:
        connection.execute(
            update(logins_table)
            .where(logins_table.c.username == username)
            .values(expires_at=_now())
        )


# --- local wikis: action=clientlogin ------------------------------------------------


def _cookies(session: requests.Session) -> list[dict[str, str]]:
    return [
        {"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path}
        for c in session.cookies
    ]


def client_login(settings: Settings, username: str, password: str) -> Login:
    """Log in on every configured wiki with the same account (local wikis have no SUL).

    The hub must accept the login; another wiki that refuses it is simply not
    offered for editing. Raises :class:`LoginRefused` with the wiki's message,
    or ``WikiUnreachable`` when the hub does not answer.
    """
    wikis: dict[str, list[dict[str, str]]] = {}
    canonical = username
    for wiki_id, wiki in settings.wikis.items():
        api = OrganizerWiki(wiki, requests.Session(), agent=user_agent(settings))
        try:
            token = api.token("login")
            answer = api.post(
                action="clientlogin",
                username=username,
                password=password,
                logintoken=token,
                loginreturnurl="http://127.0.0.1/",
            )["clientlogin"]
        except (ApiError, WikiUnreachable) as error:
            if wiki_id == settings.hub_id:
                if isinstance(error, WikiUnreachable):
                    raise
                raise LoginRefused(error.info) from None
            continue
        if answer.get("status") != "PASS":
            if wiki_id == settings.hub_id:
                raise LoginRefused(answer.get("message") or answer.get("status", "refused"))
            continue
        canonical = answer.get("username", canonical)
        wikis[wiki_id] = _cookies(api.session)
    return Login(canonical, "local", {"wikis": wikis})


# --- production: MediaWiki OAuth 1.0a ---------------------------------------------


def oauth_handshaker(settings: Settings, web: WebSettings) -> Any:
    """An ``mwoauth.Handshaker`` for the wiki that hosts Special:OAuth."""
    import mwoauth

    index = settings.wiki(web.oauth_wiki).index_url
    return mwoauth.Handshaker(
        index,
        mwoauth.ConsumerToken(web.oauth_consumer_key, web.oauth_consumer_secret),
        user_agent=user_agent(settings),
    )


def oauth_login(handshaker: Any, request_token: Any, query_string: str) -> Login:
    """Finish the OAuth handshake: the access token and who the organizer is."""
    access = handshaker.complete(request_token, query_string)
    identity = handshaker.identify(access)
    return Login(identity["username"], "oauth", {"key": access.key, "secret": access.secret})
