"""Account creation on the local wikis: as MediaWiki ships it, or guarded as on Wikimedia's.

At an event, an organizer creates newcomers' accounts from the venue's one IP
address. On Wikimedia wikis that meets a captcha and a throttle (six accounts
per IP per day) unless the organizer belongs to a group exempt from both. A
stock MediaWiki has neither: no captcha, a throttle of 0 (off), and with
``$wgMainCacheType = CACHE_NONE`` nowhere to count attempts anyway. So the
webservice's newcomer form could only be tried against production; this
setting lets the local wikis answer the way Wikimedia's do.

It is a choice of the wikis' directory, made through an environment variable
because it outlives one command: ``up`` records it and later ``up``/``reset``
keep it until it is set again. The default test wikis never turn it on, so the
rest of the test suite keeps creating accounts freely.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from campaignkit.devwiki import database
from campaignkit.devwiki.layout import LocalWiki
from campaignkit.devwiki.packages import DevWikiError

ENVVAR = "CAMPAIGNKIT_DEVWIKI_WIKIMEDIA_ACCOUNTS"
WIKIMEDIA_THROTTLE = 6  # accounts per IP per day, as wmf-config sets it
THROTTLE_SECONDS = 86400
CAPTCHA_QUESTION = "What is the name of the free encyclopedia that anyone can edit?"
CAPTCHA_ANSWER = "Wikipedia"  # QuestyCaptcha compares without regard to case
EXEMPT_GROUP = "eventcoordinator"


def _php_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class AccountCreation:
    """Whether account creation meets a captcha and the per-IP throttle, and its limit."""

    wikimedia: bool = False
    throttle: int = WIKIMEDIA_THROTTLE

    @classmethod
    def from_text(cls, text: str) -> AccountCreation:
        """Read the environment variable: ``on``, ``off``, or a throttle (accounts a day)."""
        value = text.strip().lower()
        if value in ("on", "yes", "true"):
            return cls(wikimedia=True)
        if value in ("off", "no", "false"):
            return cls(wikimedia=False)
        if value.isdigit() and int(value) >= 1:
            return cls(wikimedia=True, throttle=int(value))
        raise DevWikiError(
            f"{ENVVAR} must be 'on' (Wikimedia's {WIKIMEDIA_THROTTLE} accounts per IP a day), "
            f"a number of accounts per IP a day, or 'off'; got {text!r}"
        )

    @classmethod
    def load(cls, path: Path) -> AccountCreation | None:
        """The choice an earlier ``up`` recorded, if any."""
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        """Record the choice for later ``up``, ``reset`` and ``status``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    def php_settings(self) -> str:
        """Lines for the wikis' settings file; empty when MediaWiki's defaults stay."""
        if not self.wikimedia:
            return ""
        return f"""# Account creation as on Wikimedia wikis ({ENVVAR}): a QuestyCaptcha on
# account creation only, and the per-IP throttle, which counts in the object cache.
wfLoadExtensions( [ 'ConfirmEdit', 'ConfirmEdit/QuestyCaptcha' ] );
$wgCaptchaQuestions = [ {_php_string(CAPTCHA_QUESTION)} => {_php_string(CAPTCHA_ANSWER)} ];
$wgCaptchaTriggers = [
\t'createaccount' => true, 'edit' => false, 'create' => false, 'addurl' => false,
\t'sendemail' => false, 'badlogin' => false, 'badloginperuser' => false,
];
$wgMainCacheType = CACHE_DB;
$wgAccountCreationThrottle = [ [ 'count' => {self.throttle}, 'seconds' => {THROTTLE_SECONDS} ] ];
"""

    def describe(self) -> dict[str, Any]:
        """What ``devwiki status --json`` says, with what a test or a person must type."""
        if not self.wikimedia:
            return {"wikimedia": False, "exempt_group": EXEMPT_GROUP}
        return {
            "wikimedia": True,
            "throttle": {"count": self.throttle, "seconds": THROTTLE_SECONDS},
            "captcha": {"question": CAPTCHA_QUESTION, "answer": CAPTCHA_ANSWER},
            "exempt_group": EXEMPT_GROUP,
        }


def clear_throttle(wiki: LocalWiki) -> int:
    """Forget the account creations counted against the throttle; return how many counters.

    ``reset`` does this too (the snapshot's cache is empty); tests use it to
    start from zero without restarting anything.
    """
    with contextlib.closing(database.connect_object_cache(wiki)) as connection:
        cursor = connection.cursor()
        cursor.execute("DELETE FROM objectcache WHERE keyname LIKE 'global:throttler:acctcreate:%'")
        connection.commit()
        return cursor.rowcount
