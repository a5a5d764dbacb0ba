"""The bot-exclusion convention on page text."""

import pytest

from campaignkit.wiki.exclusion import bot_may_edit


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("plain page", True),
        ("{{nobots}}", False),
        ("{{Nobots}}", False),
        ("{{nobots|OtherBot}}", True),
        ("{{nobots|OtherBot, CampaignBot}}", False),
        ("{{bots}}", True),
        ("{{bots|deny=all}}", False),
        ("{{bots|deny=campaignbot}}", False),
        ("{{bots|deny=OtherBot}}", True),
        ("{{bots|deny=none}}", True),
        ("{{bots|allow=all}}", True),
        ("{{bots|allow=none}}", False),
        ("{{bots|allow=CampaignBot}}", True),
        ("{{bots|allow=OtherBot}}", False),
        ("<!-- {{nobots}} -->", True),
        ("<nowiki>{{nobots}}</nowiki>", True),
    ],
)
def test_exclusion_rules(text, allowed):
    assert bot_may_edit(text, "CampaignBot") is allowed


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("plain talk page", True),
        ("{{bots|optout=all}}", False),
        ("{{bots|optout=campaignkit}}", False),
        ("{{bots|optout=reminder}}", False),
        ("{{bots|optout=thanks}}", True),  # only thank-yous refused: reminders still come
        ("{{bots|optout=nosource, nolicense}}", True),
        ("{{Bots|optout=Campaignkit}}", False),
        ("<!-- {{bots|optout=all}} -->", True),
        ("{{nobots}}", False),
        ("{{bots|deny=CampaignBot}}", False),
        ("{{bots|allow=CampaignBot|optout=all}}", False),
    ],
)
def test_message_opt_out(text, allowed):
    from campaignkit.wiki.exclusion import bot_may_notify

    assert bot_may_notify(text, "CampaignBot", {"campaignkit", "reminder"}) is allowed


def test_opt_out_does_not_stop_other_edits():
    assert bot_may_edit("{{bots|optout=all}}", "CampaignBot")
