"""``campaignkit demo``: the main job on the embedded default, for a first-time user.

It brings up the local wikis, checks that the bot can work on both and prints
where to look and how to log in. Later stages (templates, a sample campaign,
the sync, the webservice) are added here as they are built, so that the
README's first command always shows everything that exists.
"""

from __future__ import annotations

from collections.abc import Callable

from campaignkit.config import load_settings
from campaignkit.devwiki import lifecycle
from campaignkit.devwiki.layout import DevWikiLayout
from campaignkit.wiki.connection import WikiFarm

Echo = Callable[[str], None]


def run_demo(echo: Echo = print, verbose: bool = False) -> None:
    """Start the local wikis and show that the bot is logged in on each."""
    layout = DevWikiLayout.default()
    accounts = lifecycle.up(layout, echo=echo)
    settings = load_settings(layout.config_path)
    farm = WikiFarm(settings, verbose=verbose)
    for connection in farm:
        connection.login()
        connection.check_rights()
        echo(f"{connection.id}: bot {settings.bot.main_username} logged in with the bot flag")
    echo("")
    echo("Open:")
    for wiki in layout.wikis:
        role = "hub wiki" if wiki.is_hub else f"local wiki ({wiki.lang})"
        echo(f"  {role}: {wiki.server}/index.php/Main_Page")
    echo("Log in with:")
    echo(f"  {accounts.admin_user} / {accounts.admin_password} (administrator)")
    for name, password in accounts.users.items():
        echo(f"  {name} / {password}")
    echo(f"Configuration: {layout.config_path}")
    echo("Stop the wikis with: campaignkit devwiki down")
