"""The wiki pages of the on-wiki contract, built from templates_wikitext and the contract.

``build_pages_for(settings, wiki_id)`` gives every page (templates with their
documentation and TemplateData, the Lua module, redirects from English names
on localized wikis, tracking categories) as campaignkit wants it on that wiki.
The installer (``bot/template_installer.py``) compares them with the wiki.
"""

from campaignkit.template_pages.pages import (
    PageKind,
    TemplatePage,
    WikiTarget,
    build_pages,
    build_pages_for,
)
from campaignkit.template_pages.sources import TemplateSourceError

__all__ = [
    "PageKind",
    "TemplatePage",
    "TemplateSourceError",
    "WikiTarget",
    "build_pages",
    "build_pages_for",
]
