"""Creating a newcomer's account the way the wiki's own sign-up page does, as the organizer.

Wikimedia wikis guard account creation: ConfirmEdit asks a captcha (an image on
most wikis, a question on some), and every attempt from one internet address
counts against a daily throttle (six by default) *before* the captcha is
checked, so a blind attempt that fails on a missing captcha still spends one of
the day's accounts. Hence the conversation, in this order:

1. :func:`what_creation_needs` — ``meta=authmanagerinfo`` (``amirequestsfor=create``,
   merged fields) with the organizer's rights and the wiki's groups in the same
   request: which fields to fill, the captcha to show, whether the organizer is
   exempt from the captcha (``skipcaptcha``) and the throttle (``noratelimit``),
   and which groups would exempt them and who can grant those.
2. :func:`check_name` and :func:`check_password` — free reads that catch a taken
   or invalid name and a refused password before an attempt is spent on them.
3. :func:`create` — ``action=createaccount`` with the captcha's id and answer and
   ``createmessageformat=raw``, so the refusal is a message key with its
   parameters, which the tool explains in the organizer's language instead of
   pasting the wiki's sentence.
4. :func:`who_created` — after a timeout, an error or "name taken", the
   ``newusers`` log says whether the organizer's own attempt created the account,
   so an account whose answer was lost is adopted rather than orphaned.

This module only talks to the wiki; the journal of account requests and what
follows a creation (the newcomer's sign-up) live in
:mod:`campaignkit.submissions.newcomer_accounts`.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import TIMEOUT, ApiError, OrganizerWiki

WIKIMEDIA_ACCOUNTS_PER_DAY = 6
"""``$wgAccountCreationThrottle`` on Wikimedia wikis; the API does not tell a wiki's own."""

THROTTLE_RIGHT = "noratelimit"  # isPingLimitable(): the account-creation throttle skips these
CAPTCHA_RIGHT = "skipcaptcha"
EVENT_GROUPS = ("eventcoordinator", "accountcreator")
"""Wikimedia's groups meant for organizers who create accounts at events."""

BROAD_GROUPS = frozenset(
    {"*", "user", "autoconfirmed", "bot", "sysop", "bureaucrat", "interface-admin", "suppress"}
)
"""Groups that also exempt, but that nobody is given for an event."""

# What our form fills; any other field the wiki marks as required cannot be answered here.
FILLED_FIELDS = frozenset(
    {"username", "password", "retype", "email", "realname", "reason", "captchaId", "captchaWord"}
)

CREATED = "created"
CAPTCHA_WRONG = "captcha-wrong"
THROTTLED = "throttled"
NAME_TAKEN = "name-taken"
REFUSED = "refused"
UNKNOWN = "unknown"
NOT_SENT = "not-sent"

THROTTLE_CODES = frozenset({"acct_creation_throttle_hit", "ratelimited", "actionthrottledtext"})
NAME_TAKEN_CODES = frozenset({"userexists", "createaccount-usernameexists"})
NOT_ALLOWED_CODES = frozenset(
    {"permissiondenied", "blocked", "createaccount-blocked", "cantcreateaccount-text"}
)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Captcha:
    """The check the wiki asks before it creates an account.

    ``kind`` is ConfirmEdit's type: ``question`` (QuestyCaptcha), ``image``
    (FancyCaptcha, on Wikimedia wikis), ``simple``/``math`` (a sum). ``text``
    is the question as plain text; ``image_url`` is absolute, for image captchas.
    """

    id: str
    kind: str
    text: str = ""
    image_url: str = ""
    mime: str = ""

    @property
    def is_image(self) -> bool:
        """Shown as a picture, answered by reading it."""
        return self.kind == "image" or bool(self.image_url)


@dataclass(frozen=True)
class OrganizerRights:
    """The organizer's groups and rights on the wiki where the accounts are made."""

    username: str
    groups: tuple[str, ...]
    rights: frozenset[str]
    logged_in: bool = True

    @property
    def skips_throttle(self) -> bool:
        """Not counted against the per-address limit (MediaWiki's ``isPingLimitable``)."""
        return THROTTLE_RIGHT in self.rights

    @property
    def skips_captcha(self) -> bool:
        """Never asked a captcha."""
        return CAPTCHA_RIGHT in self.rights

    @property
    def may_create(self) -> bool:
        """Holds ``createaccount`` (everyone does on Wikimedia wikis, unless blocked)."""
        return "createaccount" in self.rights


@dataclass(frozen=True)
class ExemptionRoute:
    """Which groups on this wiki lift the limit, and whose members can add someone to them.

    ``granted_by`` empty means no local group may grant them: stewards (or the
    wiki's bureaucrats through a request page) have to.
    """

    groups: tuple[str, ...]
    granted_by: tuple[str, ...]


@dataclass(frozen=True)
class Requirements:
    """What the wiki asks for a new account right now, for this organizer."""

    can_create: bool
    captcha: Captcha | None
    rights: OrganizerRights
    route: ExemptionRoute
    unsupported: tuple[str, ...] = ()
    email_required: bool = False
    exempt_through: tuple[str, ...] = ()
    """The organizer's groups that exempt them from the throttle (to name them)."""


@dataclass(frozen=True)
class NameCheck:
    """Whether a username can be created: free, taken, or refused (with the wiki's reason)."""

    name: str
    exists: bool
    creatable: bool
    code: str = ""
    text: str = ""


@dataclass(frozen=True)
class CreationOutcome:
    """What one ``action=createaccount`` came to.

    ``code`` and ``params`` are the wiki's message key and parameters (raw, so
    the tool can explain them in its own words); ``limit`` is the throttle's
    count when the wiki said it.
    """

    status: str
    username: str = ""
    code: str = ""
    params: tuple[Any, ...] = ()
    detail: str = ""

    @property
    def limit(self) -> int:
        """Accounts per address the wiki allows, read from a throttle refusal (0: unknown)."""
        if self.code == "acct_creation_throttle_hit" and self.params:
            first = self.params[0]
            if isinstance(first, dict):
                first = next(iter(first.values()), 0)
            try:
                return int(first)
            except (TypeError, ValueError):
                return 0
        return 0


@dataclass(frozen=True)
class AccountRecord:
    """What the wiki knows of an account: does it exist, who created it and when."""

    name: str
    exists: bool
    creator: str = ""
    created_at: datetime | None = None
    registered_at: datetime | None = None
    log_entries: int = 0

    def created_by(self, organizer: str, since: datetime) -> bool:
        """True if this organizer's attempt made the account (so it must not be orphaned).

        The ``newusers`` log names who created it. A wiki that keeps no such
        log can only be judged by the registration time: after the attempt began.
        """
        if not self.exists:
            return False
        if self.log_entries:
            return same_user(self.creator, organizer)
        return self.registered_at is not None and self.registered_at >= since


def canonical_username(name: str) -> str:
    """The name as MediaWiki stores it: spaces for underscores, first letter capital."""
    text = " ".join(name.replace("_", " ").split())
    return text[:1].upper() + text[1:]


def same_user(first: str, second: str) -> bool:
    """Whether two spellings name the same account."""
    return canonical_username(first) == canonical_username(second)


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


def _plain(text: str) -> str:
    """HTML (a question may carry markup) as plain text; the page escapes it again."""
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


def _captcha(api: OrganizerWiki, info: dict[str, Any]) -> Captcha | None:
    fields = info.get("fields") or {}
    if "captchaId" not in fields:
        return None
    metadata: dict[str, Any] = {}
    for request in info.get("requests", []):
        if "Captcha" in str(request.get("id", "")):
            metadata = request.get("metadata") or {}
    kind = str(metadata.get("type", ""))
    value = str((fields.get("captchaInfo") or {}).get("value", ""))
    captcha_id = str(fields["captchaId"].get("value", ""))
    if kind == "image":
        return Captcha(
            captcha_id, kind, image_url=urljoin(api.wiki.api_url, value), mime=metadata.get("mime")
        )
    return Captcha(captcha_id, kind or "question", text=_plain(value))


def _route(usergroups: list[dict[str, Any]]) -> ExemptionRoute:
    exempting = [
        g
        for g in usergroups
        if THROTTLE_RIGHT in g.get("rights", []) and g.get("name") not in BROAD_GROUPS
    ]
    names = [g["name"] for g in exempting]
    # Wikimedia's event groups first: they exist for exactly this.
    names.sort(
        key=lambda n: (n not in EVENT_GROUPS, EVENT_GROUPS.index(n) if n in EVENT_GROUPS else 0)
    )
    granting = [
        g["name"]
        for g in usergroups
        if any(n in g.get("add", []) for n in names) or "userrights" in g.get("rights", [])
    ]
    return ExemptionRoute(tuple(names), tuple(granting))


def what_creation_needs(api: OrganizerWiki) -> Requirements:
    """Ask the wiki, as the organizer, what creating an account takes now (one read).

    Each call makes the wiki issue a new captcha, so call it once per form shown.
    """
    answer = api.get(
        action="query",
        meta="authmanagerinfo|userinfo|siteinfo",
        amirequestsfor="create",
        amimergerequestfields="1",
        amimessageformat="none",
        uiprop="rights|groups",
        siprop="usergroups",
    )
    query = answer.get("query", {})
    info = query.get("authmanagerinfo", {})
    user = query.get("userinfo", {})
    rights = OrganizerRights(
        username=str(user.get("name", "")),
        groups=tuple(user.get("groups", [])),
        rights=frozenset(user.get("rights", [])),
        logged_in=not user.get("anon", False) and bool(user.get("id")),
    )
    usergroups = query.get("usergroups", [])
    exempting = {g.get("name") for g in usergroups if THROTTLE_RIGHT in g.get("rights", [])}
    fields = info.get("fields") or {}
    unsupported = tuple(
        name
        for name, spec in fields.items()
        if name not in FILLED_FIELDS
        and not spec.get("optional", False)
        and spec.get("type") not in ("null", "hidden")
    )
    email = fields.get("email") or {}
    return Requirements(
        can_create=bool(info.get("cancreateaccounts", False)) and rights.may_create,
        captcha=_captcha(api, info),
        rights=rights,
        route=_route(usergroups),
        unsupported=unsupported,
        email_required=bool(email) and not email.get("optional", True),
        exempt_through=tuple(g for g in rights.groups if g in exempting),
    )


def captcha_image(api: OrganizerWiki, captcha: Captcha) -> str:
    """An image captcha as a ``data:`` URL, fetched with the organizer's session.

    The page embeds it rather than linking to the wiki: the tool's
    Content-Security-Policy allows only its own and ``data:`` images, and the
    captcha may be kept in the organizer's wiki session.
    """
    try:
        response = api.session.get(captcha.image_url, timeout=TIMEOUT)
    except Exception as error:  # requests' errors and any transport problem alike
        raise WikiUnreachable(api.id, f"{captcha.image_url} does not answer ({error})") from None
    mime = response.headers.get("Content-Type", captcha.mime or "image/png").split(";")[0]
    if response.status_code != 200 or not mime.startswith("image/"):
        raise WikiUnreachable(
            api.id, f"{captcha.image_url} answered HTTP {response.status_code} ({mime})"
        )
    return f"data:{mime};base64,{base64.b64encode(response.content).decode('ascii')}"


def check_name(api: OrganizerWiki, username: str, lang: str) -> NameCheck:
    """Is the name free and acceptable (``list=users&usprop=cancreate``)? Costs no attempt."""
    answer = api.get(
        action="query",
        list="users",
        ususers=username,
        usprop="cancreate",
        errorformat="plaintext",
        uselang=lang,
    )
    users = answer.get("query", {}).get("users", [])
    found = users[0] if users else {}
    name = str(found.get("name", username))
    if found.get("invalid"):
        return NameCheck(name, exists=False, creatable=False, code="invalidusername")
    if not found.get("missing"):
        return NameCheck(name, exists=True, creatable=False, code="userexists")
    if found.get("cancreate", True):
        return NameCheck(name, exists=False, creatable=True)
    errors = found.get("cancreateerror") or [{}]
    first = errors[0]
    code = str(first.get("code") or first.get("message") or "")
    text = str(first.get("text") or first.get("*") or "")
    return NameCheck(name, exists=code in NAME_TAKEN_CODES, creatable=False, code=code, text=text)


def check_password(
    api: OrganizerWiki, username: str, password: str, email: str, lang: str
) -> tuple[bool, str]:
    """Would the wiki accept this password for this new account (``action=validatepassword``)?

    Returns (acceptable, the wiki's reason in ``lang``). A refused password
    would otherwise be found only by an attempt that counts against the limit.
    """
    answer = api.post(
        action="validatepassword",
        password=password,
        user=username,
        email=email,
        errorformat="plaintext",
        uselang=lang,
    ).get("validatepassword", {})
    if answer.get("validity", "Good") == "Invalid":
        messages = answer.get("validitymessages") or [{}]
        return False, " ".join(str(m.get("text") or m.get("code") or "") for m in messages)
    return True, ""


def create(
    api: OrganizerWiki,
    *,
    username: str,
    password: str,
    email: str = "",
    reason: str = "",
    captcha_id: str = "",
    captcha_word: str = "",
    return_url: str = "http://127.0.0.1/",
    token: str = "",
) -> CreationOutcome:
    """One ``action=createaccount`` as the organizer; never raises for a lost answer.

    A timeout, a dropped connection or a server error may come after the wiki
    created the account, so they are ``UNKNOWN``, not "not created": the caller
    asks :func:`who_created` before telling anyone to try again. ``token`` is a
    ``createaccount`` token fetched beforehand; without one it is fetched here,
    and a wiki that does not answer that is ``NOT_SENT`` (nothing was tried).
    """
    params: dict[str, Any] = {
        "action": "createaccount",
        "createreturnurl": return_url,
        "createmessageformat": "raw",
        "username": username,
        "password": password,
        "retype": password,
        "reason": reason,
    }
    if email:
        params["email"] = email
    if captcha_id:
        params["captchaId"] = captcha_id
        params["captchaWord"] = captcha_word
    try:
        params["createtoken"] = token or api.token("createaccount")
    except (WikiUnreachable, ApiError) as error:
        return CreationOutcome(
            NOT_SENT, code=getattr(error, "code", "unreachable"), detail=str(error)
        )
    try:
        answer = api.post(**params).get("createaccount", {})
    except WikiUnreachable as error:
        return CreationOutcome(UNKNOWN, code="unreachable", detail=str(error))
    except ApiError as error:
        if error.code.startswith("internal_api_error"):
            return CreationOutcome(UNKNOWN, code=error.code, detail=error.info)
        return CreationOutcome(REFUSED, code=error.code, detail=error.info)
    return outcome_of(answer, username)


def outcome_of(answer: dict[str, Any], username: str) -> CreationOutcome:
    """Classify the ``createaccount`` part of the wiki's answer."""
    status = answer.get("status")
    if status == "PASS":
        return CreationOutcome(CREATED, username=str(answer.get("username", username)))
    message = answer.get("message")
    key = ""
    params: tuple[Any, ...] = ()
    if isinstance(message, dict):
        key = str(message.get("key", ""))
        params = tuple(message.get("params") or ())
    code = str(answer.get("messagecode") or key)
    detail = message if isinstance(message, str) else ""
    if code.startswith("captcha") or key.startswith("captcha") or status == "UI":
        return CreationOutcome(CAPTCHA_WRONG, code=code, params=params, detail=detail)
    if code in THROTTLE_CODES or key in THROTTLE_CODES:
        return CreationOutcome(THROTTLED, code=key or code, params=params, detail=detail)
    if code in NAME_TAKEN_CODES:
        return CreationOutcome(NAME_TAKEN, code=code, params=params, detail=detail)
    return CreationOutcome(REFUSED, code=code or str(status), params=params, detail=detail)


def who_created(api: OrganizerWiki, username: str) -> AccountRecord:
    """The account's existence and its creation log entry, in one read."""
    answer = api.get(
        action="query",
        list="users|logevents",
        ususers=username,
        usprop="registration",
        letype="newusers",
        letitle=f"User:{canonical_username(username)}",
        leprop="user|timestamp|type",
        lelimit="5",
    )
    query = answer.get("query", {})
    users = query.get("users", [])
    found = users[0] if users else {}
    exists = bool(found) and not found.get("missing") and not found.get("invalid")
    entries = [e for e in query.get("logevents", []) if e.get("action") != "autocreate"]
    creator = ""
    created_at = None
    if entries:
        first = min(entries, key=lambda e: e.get("timestamp", ""))
        creator = str(first.get("user", ""))
        created_at = _timestamp(first.get("timestamp"))
    return AccountRecord(
        name=str(found.get("name", username)),
        exists=exists,
        creator=creator,
        created_at=created_at,
        registered_at=_timestamp(found.get("registration")),
        log_entries=len(entries),
    )


def message_text(api: OrganizerWiki, key: str, params: tuple[Any, ...], lang: str) -> str:
    """A wiki message the tool has no words of its own for, in the organizer's language."""
    simple = [str(next(iter(p.values()), "")) if isinstance(p, dict) else str(p) for p in params]
    answer = api.get(
        action="query",
        meta="allmessages",
        ammessages=key,
        amargs="|".join(simple),
        amenableparser="1",
        amlang=lang,
    )
    messages = answer.get("query", {}).get("allmessages", [])
    if not messages or messages[0].get("missing"):
        return key
    return _plain(str(messages[0].get("content", key)))


def group_names(api: OrganizerWiki, groups: tuple[str, ...], lang: str) -> dict[str, str]:
    """Groups' names as the wiki shows them in ``lang`` ("Event coordinators"); ids if unknown."""
    if not groups:
        return {}
    answer = api.get(
        action="query",
        meta="allmessages",
        ammessages="|".join(f"group-{g}" for g in groups),
        amlang=lang,
    )
    names = {g: g for g in groups}
    for message in answer.get("query", {}).get("allmessages", []):
        group = str(message.get("name", "")).removeprefix("group-")
        if group in names and not message.get("missing") and message.get("content"):
            names[group] = str(message["content"])
    return names
