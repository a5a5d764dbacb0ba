"""Reading and writing the on-wiki contract's pages and tables.

Everything that turns wikitext into values and back, beyond the templates'
fields (:mod:`campaignkit.model`): sign-ups (templates and signatures), user
names as people type them, the participants table, a campaign's events table
and its JSON/GeoJSON data pages. The bot writes them and the webservice reads
them, so they live here, below both.
"""
