"""``campaignkit templates install``: the contract's templates, installed on each wiki.

:mod:`bot.templates.installer` decides page by page (created, updated, left
alone because a person changed it); :mod:`bot.templates.cli` is the command.
"""
