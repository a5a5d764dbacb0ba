"""``campaignkit sync``: participants tables on event pages, events tables on campaign pages.

:mod:`bot.sync.job` is the task, :mod:`bot.sync.cli` its command,
:mod:`bot.sync.signup_times` dates sign-ups from the page history.
"""
