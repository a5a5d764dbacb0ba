"""Turning a template source into one wiki's template code.

Two rewrites, both checked so that a typo fails the install instead of
showing ``{{{nmae}}}`` on a wiki:

* Every parameter is read as ``{{{name|}}}`` in the sources (always with the
  empty default, so a missing parameter shows nothing). For a wiki whose
  manifest gives the parameter local names, the read becomes
  ``{{{orúkọ|{{{name|}}}}}}``: the local name wins, the English one still works.
* ``@@kind:argument@@`` placeholders are replaced with labels, messages,
  choices and styles for that wiki (see :class:`Placeholders`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaignkit.contract import TemplateSpec
from campaignkit.template_pages.sources import Messages, TemplateSourceError

PARAM_READ = re.compile(r"\{\{\{([^{}|]*)\|\}\}\}")
TRIPLE_BRACE = re.compile(r"\{\{\{")
PLACEHOLDER = re.compile(r"@@([a-z_]+)(?::([^@\s]+))?@@")
BOOLEAN_CHOICES = ("yes", "no")


def check_param_reads(code: str, spec: TemplateSpec, source: str) -> None:
    """Fail unless every ``{{{`` in the code reads a field of the spec with ``|}}}``."""
    allowed = set(spec.field_names)
    reads = list(PARAM_READ.finditer(code))
    if len(reads) != len(TRIPLE_BRACE.findall(code)):
        bad = next(
            match.start()
            for match in TRIPLE_BRACE.finditer(code)
            if not PARAM_READ.match(code, match.start())
        )
        line = code.count("\n", 0, bad) + 1
        raise TemplateSourceError(
            f"{source}:{line}: parameters must be read as {{{{{{name|}}}}}} "
            "(with the empty default), so that a missing one shows nothing"
        )
    for match in reads:
        if match.group(1) not in allowed:
            line = code.count("\n", 0, match.start()) + 1
            raise TemplateSourceError(
                f"{source}:{line}: {match.group(1)!r} is not a field of {spec.name}; "
                f"fields: {', '.join(spec.field_names) or '(none)'}"
            )


def localize_param_reads(code: str, names: Mapping[str, Sequence[str]]) -> str:
    """Read each parameter under its local names first, then its English name.

    ``names`` maps a canonical field name to its other accepted names, the
    written one first; fields without local names are left as they are.
    """

    def read(match: re.Match[str]) -> str:
        canonical = match.group(1)
        local = [name for name in names.get(canonical, ()) if name != canonical]
        text = f"{{{{{{{canonical}|}}}}}}"
        for name in reversed(local):
            text = f"{{{{{{{name}|{text}}}}}}}"
        return text

    return PARAM_READ.sub(read, code)


@dataclass(frozen=True)
class Placeholders:
    """What ``@@...@@`` means for one template on one wiki.

    ``@@label:field@@`` / ``@@label:template_key.field@@``: a field's label
    (translated, else the contract's); ``@@msg:key@@``: a message;
    ``@@default:field@@``, ``@@choices:field@@`` (``a|b|c``) and
    ``@@choice_labels:field@@`` (``a=Label|b=Label``, also for ``boolean``):
    from the contract; ``@@style:name@@``: styles.toml; ``@@template:key@@``:
    a template's name on this wiki; ``@@wiki@@``, ``@@hub@@``, ``@@version@@``,
    ``@@docs_url@@``.
    """

    spec: TemplateSpec | None
    specs: Mapping[str, TemplateSpec]
    messages: Messages
    styles: Mapping[str, str]
    template_names: Mapping[str, str]
    values: Mapping[str, str]

    def label(self, argument: str) -> str:
        """A field's label in this wiki's language."""
        key, _, field_name = argument.rpartition(".")
        spec = self.specs.get(key) if key else self.spec
        if spec is None:
            raise TemplateSourceError(f"@@label:{argument}@@: unknown template {key!r}")
        try:
            field = spec.field(field_name)
        except KeyError:
            raise TemplateSourceError(
                f"@@label:{argument}@@: {field_name!r} is not a field of {spec.name}"
            ) from None
        return self.messages.own.get(f"label.{spec.key}.{field.name}") or field.label

    def _choices(self, argument: str) -> tuple[str, ...]:
        if argument == "boolean":
            return BOOLEAN_CHOICES
        if self.spec is None:
            raise TemplateSourceError(f"@@choices:{argument}@@ outside a template")
        try:
            choices = self.spec.field(argument).choices
        except KeyError:
            raise TemplateSourceError(
                f"@@choices:{argument}@@: not a field of {self.spec.name}"
            ) from None
        if not choices:
            raise TemplateSourceError(f"@@choices:{argument}@@: the field has no choices")
        return choices

    def resolve(self, kind: str, argument: str | None) -> str:
        """The text for one placeholder."""
        if argument is None:
            if kind in self.values:
                return self.values[kind]
            raise TemplateSourceError(f"unknown placeholder @@{kind}@@")
        if kind == "label":
            return self.label(argument)
        if kind == "msg":
            return self.messages.get(argument)
        if kind == "default":
            if self.spec is None:
                raise TemplateSourceError(f"@@default:{argument}@@ outside a template")
            return self.spec.field(argument).default
        if kind == "choices":
            return "|".join(self._choices(argument))
        if kind == "choice_labels":
            return "|".join(
                f"{choice}={self.messages.get(f'choice.{argument}.{choice}')}"
                for choice in self._choices(argument)
            )
        if kind == "style":
            if argument not in self.styles:
                raise TemplateSourceError(f"@@style:{argument}@@: not in styles.toml")
            return self.styles[argument]
        if kind == "template":
            if argument not in self.template_names:
                raise TemplateSourceError(f"@@template:{argument}@@: unknown template key")
            return self.template_names[argument]
        raise TemplateSourceError(f"unknown placeholder @@{kind}:{argument}@@")

    def fill(self, code: str, source: str) -> str:
        """Replace every placeholder, naming the source and line of a bad one."""

        def replace(match: re.Match[str]) -> str:
            try:
                return self.resolve(match.group(1), match.group(2))
            except (TemplateSourceError, KeyError) as error:
                line = code.count("\n", 0, match.start()) + 1
                raise TemplateSourceError(f"{source}:{line}: {error}") from None

        stray = PLACEHOLDER.sub("", code).find("@@")
        if stray >= 0:
            line = code.count("\n", 0, stray) + 1
            raise TemplateSourceError(f"{source}:{line}: malformed @@ placeholder")
        return PLACEHOLDER.sub(replace, code)
