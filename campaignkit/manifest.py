"""Per-wiki names for the contract's templates and their parameters.

A Yoruba wiki may call ``{{Campaign event}}`` ``{{Ìṣẹ̀lẹ̀ ìpolongo}}`` and its
``name`` parameter ``orúkọ``. A manifest in ``templates_wikitext/manifests/``
(named after the wiki id, else its language code) says so. Everything that
reads templates asks the manifest which names to accept, and everything that
writes asks it which name to write. The English names are always accepted,
because people copy examples from English documentation.

Manifest format (TOML)::

    [templates.campaign_event]
    name = "Ìṣẹ̀lẹ̀ ìpolongo"          # written when the bot creates the template call
    aliases = ["Ipolongo"]            # also accepted when reading
    [templates.campaign_event.params]
    name = ["orúkọ"]                  # first one is written, all are accepted

    [signup]
    headings = ["Forúkọsílẹ̀"]         # sections where plain signatures count as sign-ups
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from campaignkit.contract import TABLE_FRAMES, TEMPLATES, TemplateSpec

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "templates_wikitext" / "manifests"
ENGLISH_SIGNUP_HEADINGS = ("Sign up", "Sign-up", "Signup", "Sign ups", "Participants")
# Templates that make a footnote themselves (short citations), so each call is a
# reference. Citation templates used inside <ref> (Cite web, ...) are not listed:
# the <ref> around them is already counted.
DEFAULT_CITATION_TEMPLATES = ("Sfn", "Sfnp", "Sfnm")


class ManifestError(Exception):
    """A manifest file names an unknown template or parameter."""


def normalize_template_name(name: str) -> str:
    """Compare template names as MediaWiki does: first letter case, _ and spaces."""
    text = " ".join(name.replace("_", " ").split())
    if text.lower().startswith("template:"):
        text = text[len("template:") :].strip()
    return text[:1].upper() + text[1:]


def normalize_param_name(name: str) -> str:
    """Parameter names are exact in MediaWiki except for surrounding whitespace."""
    return name.strip()


@dataclass(frozen=True)
class LocalTemplate:
    """One contract template as it is named on one wiki."""

    spec: TemplateSpec
    name: str
    accepted_names: frozenset[str]
    written_params: dict[str, str] = field(default_factory=dict)
    accepted_params: dict[str, str] = field(default_factory=dict)

    def matches(self, template_name: str) -> bool:
        """Whether a template call's name is this template on this wiki."""
        return normalize_template_name(template_name) in self.accepted_names

    def canonical_param(self, param_name: str) -> str | None:
        """The contract's name for a parameter name found on the page, if it is ours."""
        return self.accepted_params.get(normalize_param_name(param_name))

    def written_param(self, canonical: str) -> str:
        """The name to use when adding a parameter to this wiki's pages."""
        return self.written_params.get(canonical, canonical)

    def aliases_of(self, canonical: str) -> list[str]:
        """Every name on this wiki that means the canonical parameter."""
        return [name for name, target in self.accepted_params.items() if target == canonical]


@dataclass(frozen=True)
class ReferenceRules:
    """What counts as one reference in an article's wikitext, on one wiki.

    ``tags``: extension tags whose every use with content is a reference
    (``<ref>…</ref>``, ``<ref name="a">…</ref>``, ``{{#tag:ref|…}}``; a reuse
    ``<ref name="a" />`` cites nothing new). ``templates``: templates each call
    of which is a reference (short citations such as ``{{sfn}}``). A manifest's
    ``[references]`` adds local names to the defaults, it never removes one.
    """

    tags: tuple[str, ...] = ("ref",)
    templates: tuple[str, ...] = DEFAULT_CITATION_TEMPLATES


@dataclass(frozen=True)
class Manifest:
    """The templates' names on one wiki."""

    source: Path | None
    templates: dict[str, LocalTemplate]
    frames: dict[str, str]
    signup_headings: tuple[str, ...] = ENGLISH_SIGNUP_HEADINGS
    references: ReferenceRules = ReferenceRules()
    lang: str = "en"  # the wiki's language: dates may use its month names

    def template(self, key: str) -> LocalTemplate:
        """One contract template (``campaign``, ``campaign_event``, ...) on this wiki."""
        return self.templates[key]

    def frame_name(self, key: str) -> str:
        """The name of a table header/end template on this wiki."""
        return self.frames[key]


def _build(raw: dict, source: Path | None) -> Manifest:
    sections = raw.get("templates", {})
    known = set(TEMPLATES) | set(TABLE_FRAMES)
    for key in sections:
        if key not in known:
            raise ManifestError(f"{source}: unknown template key templates.{key}")
    templates = {}
    for key, spec in TEMPLATES.items():
        section = sections.get(key, {})
        name = normalize_template_name(section.get("name", spec.name))
        accepted = {normalize_template_name(spec.name), name}
        accepted.update(normalize_template_name(a) for a in section.get("aliases", []))
        params = section.get("params", {})
        written: dict[str, str] = {}
        accepted_params = {f.name: f.name for f in spec.fields}
        for canonical, local_names in params.items():
            if canonical not in spec.field_names:
                raise ManifestError(
                    f"{source}: templates.{key}.params.{canonical} is not a field of {spec.name}"
                )
            if isinstance(local_names, str):
                local_names = [local_names]
            if local_names:
                written[canonical] = normalize_param_name(local_names[0])
            for local in local_names:
                accepted_params[normalize_param_name(local)] = canonical
        templates[key] = LocalTemplate(spec, name, frozenset(accepted), written, accepted_params)
    frames = {
        key: normalize_template_name(sections.get(key, {}).get("name", default))
        for key, default in TABLE_FRAMES.items()
    }
    local_headings = tuple(raw.get("signup", {}).get("headings", []))
    return Manifest(
        source=source,
        templates=templates,
        frames=frames,
        signup_headings=local_headings + ENGLISH_SIGNUP_HEADINGS,
        references=_reference_rules(raw.get("references", {}), source),
    )


def _reference_rules(section: object, source: Path | None) -> ReferenceRules:
    """``[references]``: ``tags`` and ``templates`` lists, added to the defaults."""
    if not isinstance(section, dict):
        raise ManifestError(f"{source}: [references] must be a table")
    defaults = ReferenceRules()
    found: dict[str, tuple[str, ...]] = {}
    for key, default in (("tags", defaults.tags), ("templates", defaults.templates)):
        local = section.get(key, [])
        if not isinstance(local, list) or not all(isinstance(n, str) and n.strip() for n in local):
            raise ManifestError(f"{source}: references.{key} must be a list of names")
        names = [n.strip().lower() for n in local] if key == "tags" else list(local)
        if key == "templates":
            names = [normalize_template_name(n) for n in names]
        found[key] = tuple(dict.fromkeys([*default, *names]))
    unknown = sorted(set(section) - {"tags", "templates"})
    if unknown:
        raise ManifestError(f"{source}: unknown key references.{unknown[0]}")
    return ReferenceRules(tags=found["tags"], templates=found["templates"])


@cache
def load_manifest(wiki_id: str, lang: str, directory: Path = MANIFEST_DIR) -> Manifest:
    """The manifest for a wiki: ``<wiki id>.toml``, else ``<lang>.toml``, else English."""
    for candidate in (directory / f"{wiki_id}.toml", directory / f"{lang}.toml"):
        if candidate.is_file():
            manifest = _build(tomllib.loads(candidate.read_text(encoding="utf-8")), candidate)
            return replace(manifest, lang=lang)
    return replace(_build({}, None), lang=lang)


def english_manifest() -> Manifest:
    """The English defaults, for code that has no wiki in hand (unit tests, docs)."""
    return _build({}, None)
