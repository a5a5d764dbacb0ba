"""Which maintenance flags to look for on each wiki: stub, unreferenced, citation needed.

Every wiki marks these its own way, with its own template and category
names, so the names are configuration, next to the wiki's other local names
in its manifest (``templates_wikitext/manifests/<wiki id or lang>.toml``)::

    [worklist.flags.stub]
    templates = ["Stub"]                    # any of these transcluded: the flag is set
    categories = ["All stub articles"]      # or the page is in one of these categories
    [worklist.flags.unreferenced]
    templates = ["Unreferenced"]
    [worklist.flags.citation_needed]
    templates = ["Citation needed"]
    count = true                            # show how many times, not just yes/no

A wiki without that section gets :data:`DEFAULT_RULES` (English Wikipedia's
names). Template and category names are given without their namespace.
Flags are found with ``prop=templates|categories`` filtered to these names,
in the same batched request that reads the items; only a counted flag costs
a read of the text, and only for the pages that have it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from campaignkit.manifest import MANIFEST_DIR, normalize_template_name


class FlagConfigError(Exception):
    """The manifest's ``[worklist.flags]`` section is malformed; the message names the key."""


@dataclass(frozen=True)
class FlagRule:
    """One maintenance flag and how a wiki marks it."""

    name: str
    templates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    count: bool = False

    @property
    def label(self) -> str:
        """How the flag is written in the table: ``citation_needed`` -> ``citation needed``."""
        return self.name.replace("_", " ")


DEFAULT_RULES: tuple[FlagRule, ...] = (
    FlagRule("stub", templates=("Stub",), categories=("All stub articles", "Stubs")),
    FlagRule(
        "unreferenced", templates=("Unreferenced",), categories=("All articles lacking sources",)
    ),
    FlagRule("citation_needed", templates=("Citation needed",), count=True),
)


def _names(raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
        raise FlagConfigError(f"{where} must be a list of names")
    return tuple(normalize_template_name(n) for n in raw)


def parse_rules(raw: dict, source: str) -> tuple[FlagRule, ...]:
    """The rules of a manifest's ``[worklist.flags]`` table."""
    rules = []
    for name, table in raw.items():
        where = f"{source}: worklist.flags.{name}"
        if not isinstance(table, dict):
            raise FlagConfigError(f"{where} must be a table")
        unknown = sorted(set(table) - {"templates", "categories", "count"})
        if unknown:
            raise FlagConfigError(f"{where}.{unknown[0]} is not a known key")
        count = table.get("count", False)
        if not isinstance(count, bool):
            raise FlagConfigError(f"{where}.count must be true or false")
        rule = FlagRule(
            name=name,
            templates=_names(table.get("templates", []), f"{where}.templates"),
            categories=_names(table.get("categories", []), f"{where}.categories"),
            count=count,
        )
        if count and not rule.templates:
            raise FlagConfigError(f"{where}: a counted flag needs templates to count")
        rules.append(rule)
    return tuple(rules)


@cache
def load_rules(wiki_id: str, lang: str, directory: Path = MANIFEST_DIR) -> tuple[FlagRule, ...]:
    """The flags of one wiki: its manifest's section, else the English defaults."""
    for candidate in (directory / f"{wiki_id}.toml", directory / f"{lang}.toml"):
        if candidate.is_file():
            raw = tomllib.loads(candidate.read_text(encoding="utf-8"))
            flags = raw.get("worklist", {}).get("flags")
            if flags is not None:
                return parse_rules(flags, str(candidate))
            break
    return DEFAULT_RULES


def strip_namespace(title: str) -> str:
    """``Àdàkọ:Stub`` -> ``Stub``: the API answers with this wiki's namespace names."""
    return normalize_template_name(title.partition(":")[2] or title)
