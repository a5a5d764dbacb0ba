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
