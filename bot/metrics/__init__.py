"""Metrics of events and campaigns: what participants achieved, on the wiki and as data.

- :mod:`bot.metrics.definitions` — what is counted (the Dashboard's definitions) and the
  event window;
- :mod:`bot.metrics.api_source` / :mod:`bot.metrics.replica_source` — the two ways of
  reading participants' edits (Action API, Wiki Replicas SQL), which give the same answers;
- :mod:`bot.metrics.compute` — figures from edits, per event, per participant and per campaign;
- :mod:`bot.metrics.report` — wikitext, JSON and CSV;
- :mod:`bot.metrics.snapshots` — figures of every run, for charts over time;
- :mod:`bot.metrics.job` — the scheduled run that writes the ``metrics`` regions.
"""
