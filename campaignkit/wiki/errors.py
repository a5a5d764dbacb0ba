"""Errors of the wiki access layer, each with a message an operator can act on."""

from __future__ import annotations


class WikiError(Exception):
    """Something went wrong talking to one configured wiki."""

    def __init__(self, wiki_id: str, message: str) -> None:
        super().__init__(f"{wiki_id}: {message}")
        self.wiki_id = wiki_id


class WikiUnreachable(WikiError):
    """The wiki's api.php does not answer (down, wrong URL, network)."""


class LoginFailed(WikiError):
    """The wiki refused the bot's username or BotPassword."""


class MissingRights(WikiError):
    """The bot is logged in but lacks a right it needs (bot flag, edit)."""
