"""What every bot job shares: the run loop, the one write door, the summary, recorded state.

A job says which pages it wants and what it does to one (:mod:`bot.run.loop`);
every save goes through :class:`bot.run.writer.PageWriter` (stop page, page
lock, ``{{nobots}}``, dry run, summary); :mod:`bot.run.summary` counts what a
run did; :mod:`bot.run.page_state` remembers what each page held.
"""
