"""Worklists: the articles a campaign wants created or improved, kept up to date on the wiki.

An organizer declares where the articles come from with ``{{Worklist}}``
boxes on a worklist page; participants claim articles with
``{{Worklist claim}}`` lines in the human part of that page; the bot keeps
a table of the articles, with what the wiki knows about each one and who
works on it, in its ``worklist`` region.

One module per step: :mod:`.definition` reads the boxes, :mod:`.sources`
lists the titles, :mod:`.items` asks the wiki about them in batches,
:mod:`.flags` says which maintenance flags to look for, :mod:`.claims` reads
the claims, :mod:`.progress` sums the bytes participants added,
:mod:`.table` renders the region and :mod:`.job` runs it all over every
worklist; :mod:`.interchange` moves lists to and from the CampaignEvents
extension's JSON.
"""
