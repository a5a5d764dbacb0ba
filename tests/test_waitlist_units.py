"""Capacity and waitlist on page text (unit tests; on the real wikis: test_waitlist_wiki)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaignkit.codecs import participants_table as table
from campaignkit.codecs.participants_table import WAITLISTED, ParticipantRow
from campaignkit.codecs.signups import attended_names
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.codecs.waitlist import counts, place_of, seat, seat_event
from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.model import read_event

T0 = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
NS = UserNamespaces.english()


def row(name: str, minutes: int | None, status: str = "ok") -> ParticipantRow:
    when = None if minutes is None else T0 + timedelta(minutes=minutes)
    return ParticipantRow(name, when, False, status)


def test_places_go_in_sign_up_order_not_page_order():
    # Page order C, A, B; signed up A (0), B (5), C (10): with 2 places C waits.
    rows = seat([row("C", 10), row("A", 0), row("B", 5)], 2)
    assert [(r.user, r.status, r.waitlist) for r in rows] == [
        ("C", WAITLISTED, 1),
        ("A", "ok", None),
        ("B", "ok", None),
    ]


def test_invalid_sign_ups_take_no_place_and_keep_their_reason():
    rows = seat([row("Gone", 0, "no such user"), row("A", 1), row("B", 2)], 1)
    assert [(r.user, r.status) for r in rows] == [
        ("Gone", "no such user"),
        ("A", "ok"),
        ("B", WAITLISTED),
    ]


def test_unknown_times_come_last_in_page_order():
    rows = seat([row("New1", None), row("A", 3), row("New2", None)], 2)
    assert [r.user for r in rows if r.waitlisted] == ["New2"]


def test_no_capacity_means_nobody_waits():
    rows = seat([row(str(i), i) for i in range(50)], None)
    assert not any(r.waitlisted for r in rows)


def test_withdrawal_moves_the_first_waitlisted_up():
    before = seat([row("A", 0), row("B", 1), row("C", 2), row("D", 3)], 2)
    assert place_of(before, "C") == 1 and place_of(before, "D") == 2
    after = seat([row("A", 0), row("C", 2), row("D", 3)], 2)  # B withdrew
    assert place_of(after, "C") is None and place_of(after, "D") == 1


def test_someone_who_came_has_a_place_and_pushes_nobody_out():
    # A walk-in (signed up last) checked in: A and B keep their places, C waits.
    rows = seat([row("A", 0), row("B", 1), row("C", 2), row("Walk", 9)], 2, {"Walk"})
    assert {r.user: r.status for r in rows} == {
        "A": "ok",
        "B": "ok",
        "C": WAITLISTED,
        "Walk": "ok",
    }
    assert counts(rows) == (1, 1)


def test_a_waitlisted_person_who_came_is_seated():
    rows = seat([row("A", 0), row("B", 1)], 1, {"B"})
    assert all(r.valid for r in rows) and counts(rows) == (0, 1)


def test_attendance_comes_from_the_participant_template_only():
    text = (
        "== Sign-up ==\n"
        "* {{Participant|Ada Organizer|attended=yes}}\n"
        "* {{participant|Bola Participant|attended=no}}\n"
        "* {{Participant|Chidi|attended=maybe}}\n"
        "* [[User:Dayo]] ~~~~\n"
        "<!-- {{Participant|Hidden|attended=yes}} -->\n"
    )
    assert attended_names(text, english_manifest(), NS) == {"Ada Organizer"}


def test_yoruba_pages_use_the_local_names():
    manifest = load_manifest("yowiki", "yo")
    text = "{{Olùkópa|Ada Organizer|wá=yes}}\n{{Participant|Bola|attended=yes}}\n"
    assert attended_names(text, manifest, NS) == {"Ada Organizer", "Bola"}


def event_text(capacity: str) -> str:
    return (
        "{{Campaign event|campaign=C|name=E|start=2027-04-20 10:00|end=2027-04-20 16:00"
        f"|format=online|wiki=metawiki|capacity={capacity}}}}}\n"
    )


def test_seat_event_takes_times_from_the_bots_last_table():
    manifest = english_manifest()
    old_rows = [row("B", 0), row("A", 5)]
    region = table.render_table(old_rows, manifest)
    text = (
        event_text("1")
        + "{{Participant|A}}\n{{Participant|B}}\n"
        + f"<!-- campaignkit:begin participants -->\n{region}\n"
        + "<!-- campaignkit:end participants -->\n"
    )
    event = read_event(text, title="E", wiki="metawiki", manifest=manifest, wiki_ids={"metawiki"})
    assert event.model is not None and event.model.seats == 1
    fresh = [row("A", None), row("B", None)]  # as the early count builds them
    seated = seat_event(fresh, event.model, text, manifest, NS, "E")
    assert [(r.user, r.status) for r in seated] == [("A", WAITLISTED), ("B", "ok")]


def test_capacity_zero_or_empty_is_no_limit():
    manifest = english_manifest()
    for value in ("0", ""):
        reading = read_event(
            event_text(value), title="E", wiki="metawiki", manifest=manifest, wiki_ids={"metawiki"}
        )
        assert reading.model is not None and reading.model.seats is None


def test_table_round_trip_keeps_places_and_attendance_and_counts():
    manifest = english_manifest()
    rows = seat([row("A", 0), row("B", 1), row("C", 2)], 1, {"A"})
    text = table.render_table(rows, manifest)
    assert "|waitlisted=2|attended=1}}" in text.splitlines()[0]
    assert table.read_table(text, manifest) == rows


def test_a_table_without_capacity_or_check_in_is_written_as_before():
    manifest = english_manifest()
    text = table.render_table([row("A", 0)], manifest)
    assert text.splitlines()[0] == "{{Campaign participants header|count=1|new_editors=0}}"
    assert "waitlist" not in text and "attended" not in text
