"""Check-in at the door, from an organizer's phone; and who has a place when an event is full.

``/event/<wiki>/<title>/checkin`` lists the event's sign-ups with a search box
(a plain GET form) and one large button per person: no JavaScript, one small
page per tap, so it works on a slow connection and a small screen. A tap (or
a walk-in's username) becomes a journaled ``check-in`` submission
(:mod:`campaignkit.submissions.attendance`), saved as the organizer:

- written down before the wiki is touched, so a wiki that is read-only or
  down loses nothing: the page says "checked in, being saved" and the retry
  worker saves it when the wiki answers;
- a second tap on the same person (the answer was lost, the organizer tapped
  again) attempts the first row again instead of recording another, and the
  page text never gets a second ``attended=yes``.

Walk-ins are added by username (the wiki is asked whether the account
exists) or through the newcomers' account form, whose sign-ups are checked in
at once. Only the event's organizers (or its campaign's) may use the page.

The module also seats an event page's sign-ups as the bot will
(:func:`seating`): the event page shows places taken and the waitlist, and
one-click sign-up says when it puts someone on the waitlist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from campaignkit.codecs.participants_table import WAITLISTED, ParticipantRow
from campaignkit.codecs.signups import attended_names
from campaignkit.codecs.usernames import UserNamespaces, normalize_username
from campaignkit.codecs.waitlist import counts, place_of, seat_event
from campaignkit.manifest import load_manifest
from campaignkit.submissions import journal
from campaignkit.submissions import writer as submissions
from campaignkit.wiki.errors import WikiUnreachable
from campaignkit.wiki.organizer_session import ApiError
from webservice import campaign_reads
from webservice.i18n import msg
from webservice.organizer_forms import may_organize
from webservice.refresh import request_refresh
from webservice.security import limiter, login_required

blueprint = Blueprint("checkin", __name__)

NAMESPACES = UserNamespaces.english()
KINDS = ("check-in", "newcomer-signup")
RECENT = timedelta(days=3)  # check-ins older than this are on the wiki or long refused
# A door at a big event checks in a person every few seconds: a budget of its own,
# above the forms' (a burst at opening time must not lock the organizer out).
CHECKIN_LIMIT = "120 per minute;3000 per hour"
checkins = limiter.shared_limit(lambda: CHECKIN_LIMIT, scope="checkins", methods=["POST"])


def settings() -> Any:
    """The shared configuration of this app."""
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


class CheckinForm(FlaskForm):
    """One tap: who, and the search to come back to."""

    user = StringField("user")
    q = HiddenField("q")


# --- seating -----------------------------------------------------------------------------


@dataclass
class Seating:
    """An event page's sign-ups with a place or on the waitlist, as the bot will seat them."""

    rows: list[ParticipantRow] = field(default_factory=list)
    capacity: int | None = None

    @property
    def taken(self) -> int:
        """Places taken (valid sign-ups with a place)."""
        return sum(1 for r in self.rows if r.valid)

    @property
    def waitlisted(self) -> int:
        """People on the waitlist."""
        return counts(self.rows)[0]

    def place(self, user: str) -> int | None:
        """A person's place on the waitlist, or None when they have a place."""
        return place_of(self.rows, user)


@blueprint.app_template_global()
def seating(view: campaign_reads.EventPage) -> Seating:
    """Seat the page's sign-ups with what the bot's last table knew of each.

    A name the table does not know yet (just signed up) counts as valid and
    comes last, as the bot will date it; a name it knows keeps its status
    (no such user, blocked) and sign-up time.
    """
    event = view.event
    if event is None:
        return Seating()
    wiki = settings().wiki(view.wiki)
    manifest = load_manifest(wiki.id, wiki.lang)
    known = {row.user: row for row in view.participants}
    rows = []
    for name in view.signups:
        row = known.get(name) or ParticipantRow(name, None, False, "ok")
        if row.status == WAITLISTED:
            row = ParticipantRow(row.user, row.signed_up, row.new_editor, "ok")
        rows.append(row)
    seated = seat_event(rows, event, view.page.text, manifest, NAMESPACES, view.title)
    return Seating(seated, event.seats)


def waitlist_place(wiki: str, title: str, user: str) -> int | None:
    """After a sign-up was saved: the person's place on the waitlist, if the event is full."""
    try:
        view = campaign_reads.event_page(settings(), wiki, title)
    except (WikiUnreachable, ApiError):
        return None
    if view.event is None or not view.event.seats:
        return None
    return seating(view).place(user)


# --- the page ----------------------------------------------------------------------------


@dataclass
class Person:
    """One line of the check-in list."""

    name: str
    row: ParticipantRow
    state: str = ""  # "done", "saving", "refused" or "" (not checked in)
    reason: str = ""


def _states(view: campaign_reads.EventPage) -> dict[str, journal.Submission]:
    """The latest check-in submission of each person for this event."""
    rows = journal.recent(
        settings(),
        kinds=KINDS,
        since=journal.now() - RECENT,
        wiki=view.wiki,
        title=view.title,
    )
    latest: dict[str, journal.Submission] = {}
    for row in rows:  # newest first
        latest.setdefault(str(row.payload.get("user", "")), row)
    return latest


def _people(view: campaign_reads.EventPage) -> list[Person]:
    wiki = settings().wiki(view.wiki)
    manifest = load_manifest(wiki.id, wiki.lang)
    try:
        came = attended_names(view.page.text, manifest, NAMESPACES, view.title)
    except Exception:  # a broken region: the event page says so; nobody counts as in
        came = set()
    submitted = _states(view)
    people = []
    for row in seating(view).rows:
        person = Person(row.user, row)
        entry = submitted.get(row.user)
        if row.user in came:
            person.state = "done"
        elif entry is not None and entry.status in (journal.PENDING, journal.SAVING):
            person.state = "saving"
        elif entry is not None and entry.status == journal.REFUSED:
            person.state, person.reason = "refused", entry.message.split("|", 1)[0]
        people.append(person)
    # Walk-ins whose check-in is kept but not on the page yet are shown too.
    listed = {p.name for p in people}
    for name, entry in submitted.items():
        if name not in listed and entry.status in (journal.PENDING, journal.SAVING):
            people.append(Person(name, ParticipantRow(name, None, False, "ok"), "saving"))
    return people


def _matches(person: Person, query: str) -> bool:
    return not query or query.casefold() in person.name.casefold()


def _organizer_view(wiki: str, title: str) -> campaign_reads.EventPage:
    if wiki not in settings().wikis:
        abort(404)
    view = campaign_reads.event_page(settings(), wiki, title)
    if not view.page.exists or view.event is None:
        abort(404)
    if not may_organize(view, g.login.username):
        abort(403)
    return view


@blueprint.route("/event/<wiki>/<path:title>/checkin", methods=["GET"])
@login_required
def checkin_page(wiki: str, title: str) -> Any:
    """The sign-ups with a search box and a check-in button each, and the walk-in form."""
    view = _organizer_view(wiki, title)
    query = request.args.get("q", "").strip()[:100]
    people = _people(view)
    shown = [p for p in people if _matches(p, query)]
    done = sum(1 for p in people if p.state in ("done", "saving"))
    return render_template(
        "checkin.html",
        view=view,
        people=shown,
        query=query,
        done=done,
        total=len(people),
        form=CheckinForm(),
    )


def _back(wiki: str, title: str, query: str) -> Any:
    target = url_for("checkin.checkin_page", wiki=wiki, title=title)
    if query:
        target += "?" + urlencode({"q": query})
    return redirect(target, code=303)


def _exists(wiki: str, name: str) -> bool | None:
    """Whether the account exists on the wiki (None: the wiki does not answer)."""
    try:
        answer = campaign_reads.reader(settings(), wiki).get(
            action="query", list="users", ususers=name, formatversion="2"
        )
    except (WikiUnreachable, ApiError):
        return None
    users = answer.get("query", {}).get("users", [])
    return bool(users) and not users[0].get("missing") and not users[0].get("invalid")


def _existing(wiki: str, title: str, name: str) -> journal.Submission | None:
    """This person's check-in at this event that is not finished yet (or already saved)."""
    for row in journal.recent(
        settings(), kinds=("check-in",), since=journal.now() - RECENT, wiki=wiki, title=title
    ):
        if row.payload.get("user") == name and row.status != journal.REFUSED:
            return row
    return None


@blueprint.route("/event/<wiki>/<path:title>/checkin", methods=["POST"])
@login_required
@checkins
def check_in(wiki: str, title: str) -> Any:
    """Check one person in (a sign-up, or a walk-in by username), journaled first."""
    form = CheckinForm()
    if not form.validate_on_submit():
        abort(400)
    query = (form.q.data or "").strip()[:100]
    name = normalize_username(form.user.data or "", NAMESPACES)
    if wiki not in settings().wikis:
        abort(404)
    confirmed = True
    page_title = title
    try:
        view = _organizer_view(wiki, title)
        page_title = view.title
    except (WikiUnreachable, ApiError):
        # The wiki does not answer: keep the tap; the save checks on the page
        # itself that this person organizes the event.
        confirmed = False
    if not name:
        flash(msg("checkin-bad-name"))
        return _back(wiki, page_title, query)
    walk_in = confirmed and name not in {p.name for p in _people(view)}
    if walk_in and _exists(wiki, name) is False:
        flash(msg("checkin-no-such-user", name, wiki))
        return _back(wiki, page_title, query)
    entry = _existing(wiki, page_title, name) or journal.record(
        settings(),
        username=g.login.username,
        kind="check-in",
        wiki=wiki,
        title=page_title,
        payload={"user": name, "organizer_confirmed": confirmed},
    )
    if entry.status != journal.SAVED:
        entry = (
            submissions.attempt(
                settings(),
                current_app.config["CAMPAIGNKIT_WEB"],
                entry.id,
                login=g.login,
                on_saved=request_refresh,
            )
            or entry
        )
    campaign_reads.cache.clear()
    if entry.status == journal.SAVED:
        flash(msg("checkin-saved", name))
    elif entry.status == journal.REFUSED:
        key = entry.message.split("|", 1)[0]
        flash(msg("checkin-state-refused", msg(key)))
    else:
        flash(msg("checkin-kept", name))
    return _back(wiki, page_title, query)
