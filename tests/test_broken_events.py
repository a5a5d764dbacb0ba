"""Telling a broken ``{{Campaign event|`` from a working call, an example or a mention."""

from __future__ import annotations

import pytest

from bot.sync.broken_events import broken_line
from campaignkit.manifest import english_manifest, load_manifest

EVENT = english_manifest().template("campaign_event")
YORUBA_EVENT = load_manifest("yowiki", "yo").template("campaign_event")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("{{Campaign event|campaign=C|name=N\n== Sign up ==\n", 1),
        ("Intro.\n\n{{ campaign_event\n|campaign=C\n", 3),
        ("{{Template:Campaign event|name=N", 1),
        ("a\n{{Campaign event}", 2),  # one brace short
        ("{{Campaign event|campaign=C}}", None),  # a working call
        ("<nowiki>{{Campaign event|</nowiki> and <!-- {{Campaign event| -->", None),
        ("<pre>\n{{Campaign event|\n</pre>", None),
        ("{{Campaign events list}} {{Campaign|name=x", None),  # other templates
        ("The Campaign event template is described here.", None),
    ],
)
def test_broken_line(text, line):
    assert broken_line(text, EVENT) == line


def test_local_names_and_namespaces_count_too():
    assert broken_line("x\n{{Àdàkọ:Ìṣẹ̀lẹ̀ ìpolongo|orúkọ=Ọjà\n", YORUBA_EVENT) == 2
    assert broken_line("{{Campaign event|name=N\n", YORUBA_EVENT) == 1  # English works there
