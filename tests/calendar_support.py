"""A movement of campaigns for the calendar tests: a global campaign, a national one, events.

(PYTEST_DONT_REWRITE: plain helpers imported by the calendar test modules.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.run.page_state import PageState
from bot.sync.job import SyncJob
from campaignkit.locks import PageLocks


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class Movement:
    """A global campaign, a national edition of it, and three events."""

    def __init__(self, human, unique_title):
        self.id = unique_title("M").split()[-1]
        self.parent = f"Global {self.id}"
        self.child = f"Nigeria {self.id}"
        self.topic = f"Climate{self.id}"
        self.online = f"Online {self.id}"
        self.lagos = f"Èkó {self.id}"
        self.ended = f"Ended {self.id}"
        today = datetime.now(UTC).replace(second=0, microsecond=0)
        soon, later, past = today + timedelta(days=20), today + timedelta(days=50), today
        self.soon_day, self.later_day = soon.date().isoformat(), later.date().isoformat()
        ada = human("metawiki", "Ada Organizer")
        self.ada = ada
        ada.edit(
            self.parent,
            f"{{{{Campaign|name=Global [[x]] {self.id}|start={soon:%Y-%m-%d}"
            f"|end={later + timedelta(days=5):%Y-%m-%d}|topic={self.topic}, Water}}}}\n",
        )
        ada.edit(
            self.child,
            f"{{{{Campaign|name=Nigeria {self.id}|start={soon:%Y-%m-%d}"
            f"|end={later + timedelta(days=5):%Y-%m-%d}|parent={self.parent}}}}}\n",
        )
        ada.edit(
            self.online,
            f"{{{{Campaign event|campaign={self.parent}|name=Online ''session''"
            f"|start={local(soon)}|end={local(soon + timedelta(hours=2))}|timezone=Europe/Paris"
            "|format=online|wiki=metawiki|language=fr|signup=closed}}\n== Sign up ==\n",
        )
        ada.edit(
            self.ended,
            f"{{{{Campaign event|campaign={self.parent}|name=Ended {self.id}"
            f"|start={local(past - timedelta(days=8))}|end={local(past - timedelta(days=7))}"
            "|format=online|wiki=metawiki}}\n",
        )
        human("yowiki", "Bola Participant").edit(
            self.lagos,
            f"{{{{Ìṣẹ̀lẹ̀ ìpolongo|ìpolongo=m:{self.child}|orúkọ=Lagos {self.id}"
            f"|start={local(later)}|end={local(later + timedelta(days=1, hours=6))}"
            "|timezone=Africa/Lagos|format=in-person|wiki=yowiki|country=NG|language=yo"
            "|location=Yaba Library|coordinates=6.5095, 3.3711}}\n{{Olùkópa|Bola Participant}}\n",
        )


def calendar_sync(farm: Any, settings: Any, tmp_path: Any, redis_url: str) -> Any:
    """Make sync jobs with the calendar, sharing one fresh record of pages."""
    state = PageState(f"sqlite:///{tmp_path / 'state.sqlite'}")
    locks = PageLocks.from_url(redis_url, "campaignkit-test")

    def make(calendar: bool = True, **options: Any) -> SyncJob:
        return SyncJob(farm, settings, state=state, locks=locks, calendar=calendar, **options)

    return make
