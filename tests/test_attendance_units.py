"""Check-in page texts (unit tests; through the webservice on the wikis: test_checkin_*)."""

from __future__ import annotations

import pytest

from campaignkit.codecs.signups import attended_names, read_signups
from campaignkit.codecs.usernames import UserNamespaces
from campaignkit.manifest import english_manifest, load_manifest
from campaignkit.submissions.attendance import check_in
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.organizer_editing import SaveRefused

NS = UserNamespaces.english()
HEAD = (
    "{{Campaign event|campaign=C|name=E|start=2027-04-20 10:00|end=2027-04-20 16:00"
    "|format=in-person|wiki=metawiki|organizers=Ada Organizer}}\nIntro by Ada.\n\n"
)


def page(body: str) -> PageText:
    return PageText("Event", True, HEAD + body, revid=7)


def test_a_template_sign_up_gains_attended_and_nothing_else_moves():
    before = page("== Sign up ==\n* {{Participant|Bola}} (from Ibadan)\n* {{Participant|Chidi}}\n")
    after = check_in(before, "Bola", english_manifest())
    assert after == before.text.replace("{{Participant|Bola}}", "{{Participant|Bola|attended=yes}}")


def test_checking_in_twice_changes_nothing():
    once = check_in(page("== Sign up ==\n{{Participant|Bola}}\n"), "Bola", english_manifest())
    assert check_in(page(once[len(HEAD) :]), "Bola", english_manifest()) == once


def test_a_signature_or_a_walk_in_gets_a_checked_in_line_in_the_sign_up_section():
    text = (
        "== Sign up ==\n# [[User:Dayo|Dayo]] 10:00\n{{Participant|Bola}}\n\n== After ==\nNotes.\n"
    )
    manifest = english_manifest()
    for name in ("Dayo", "Walk In"):
        after = check_in(page(text), name, manifest)
        assert f"{{{{Participant|Bola}}}}\n{{{{Participant|{name}|attended=yes}}}}\n" in after
        assert after.endswith("== After ==\nNotes.\n")
        assert attended_names(after, manifest, NS) == {name}
        assert "Bola" in read_signups(after, manifest, NS).names


def test_the_bots_table_is_never_touched_or_counted():
    body = (
        "== Sign up ==\n{{Participant|Bola}}\n"
        "<!-- campaignkit:begin participants -->\n{{Participant|Bola}}\n"
        "<!-- campaignkit:end participants -->\n"
    )
    after = check_in(page(body), "Bola", english_manifest())
    assert after.count("attended=yes") == 1
    assert after.index("attended=yes") < after.index("campaignkit:begin")


def test_yoruba_names_are_written_on_the_yoruba_wiki():
    manifest = load_manifest("yowiki", "yo")
    after = check_in(page("== Forúkọsílẹ̀ ==\n{{Olùkópa|Bola}}\n"), "Tunde", manifest)
    assert "{{Olùkópa|Tunde|wá=yes}}" in after
    assert attended_names(after, manifest, NS) == {"Tunde"}


def test_an_organizer_the_tool_could_not_confirm_must_be_on_the_page():
    text = "== Sign up ==\n{{Participant|Bola}}\n"
    assert "attended=yes" in check_in(
        page(text), "Bola", english_manifest(), organizer="Ada Organizer"
    )
    with pytest.raises(SaveRefused) as refused:
        check_in(page(text), "Bola", english_manifest(), organizer="Mallory")
    assert refused.value.key == "error-not-organizer"


def test_a_gone_page_is_refused():
    with pytest.raises(SaveRefused):
        check_in(PageText("Event", False), "Bola", english_manifest())
