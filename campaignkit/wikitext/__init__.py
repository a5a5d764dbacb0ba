"""Reading and writing the contract's wikitext: escaping, template calls, bot regions.

Each module has one job: :mod:`.escape` makes a value safe inside a template
parameter, :mod:`.templates` finds and edits template calls without touching
any other byte, :mod:`.regions` keeps the bot between its own markers.
"""
