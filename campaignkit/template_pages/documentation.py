"""The documentation part of each template page (inside <noinclude>).

Generated rather than hand-written so that the usage block, the example and
the parameter table list exactly the contract's fields under the names that
this wiki accepts. Prose comes from the message files, so a wiki sees it in
its language where a translation exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from campaignkit.contract import TemplateSpec
from campaignkit.template_pages.sources import Messages


def nowiki(text: str) -> str:
    """Show text (a description that mentions ``{{Participant|...}}``) without parsing it."""
    return "<nowiki>" + text.replace("</nowiki", "&lt;/nowiki") + "</nowiki>"


def template_call(
    name: str,
    spec: TemplateSpec,
    names: Mapping[str, Sequence[str]],
    values: Mapping[str, str],
    block: bool,
) -> str:
    """A call of the template with the given values, under this wiki's parameter names."""
    parts: list[tuple[str, str]] = []
    for field in spec.fields:
        if field.name not in values:
            continue
        parts.append((names[field.name][0], values[field.name]))
    if not parts:
        return f"{{{{{name}}}}}"
    if all(key.isdigit() for key, _ in parts) and not block:
        return f"{{{{{name}|{'|'.join(value for _, value in parts)}}}}}"
    if block:
        lines = "".join(f"\n| {key} = {value}" for key, value in parts)
        return f"{{{{{name}{lines}\n}}}}"
    return f"{{{{{name}|{'|'.join(f'{key}={value}' for key, value in parts)}}}}}"


@dataclass(frozen=True)
class DocumentationInput:
    """What one template's documentation shows."""

    spec: TemplateSpec
    local_name: str
    names: Mapping[str, Sequence[str]]
    templatedata_json: str
    block: bool
    tracking_category: str | None
    source_path: str
    version: str
    docs_url: str
    templates_category: str


def documentation(doc: DocumentationInput, messages: Messages) -> str:
    """The wikitext that goes between <noinclude> and </noinclude>."""
    spec = doc.spec
    description = messages.own.get(f"description.{spec.key}") or spec.description
    usage = template_call(
        doc.local_name, spec, doc.names, {f.name: "" for f in spec.fields}, doc.block
    )
    lines = [
        '<div class="campaignkit-doc" style="clear:both;">',
        f"== {messages.get('doc.heading')} ==",
        nowiki(description),
    ]
    if spec.bot_generated:
        lines += ["", f"''{messages.get('doc.bot_written')}''"]
    lines += [
        "",
        f"=== {messages.get('doc.usage')} ===",
        messages.get("doc.usage_intro"),
        f"<pre>{usage}</pre>",
    ]
    examples = {f.name: f.example for f in spec.fields if f.example}
    if examples and not spec.bot_generated:
        example = template_call(doc.local_name, spec, doc.names, examples, doc.block)
        # Shown, not rendered: a template page that transcluded itself would be
        # found by embeddedin as a campaign or event page, and the bot would
        # treat its documentation as one.
        lines += ["", f"=== {messages.get('doc.example')} ===", f"<pre>{example}</pre>"]
    lines += [
        "",
        f"=== {messages.get('doc.parameters')} ===",
        f"<templatedata>\n{doc.templatedata_json}\n</templatedata>",
    ]
    if doc.tracking_category:
        lines += [
            "",
            f"=== {messages.get('doc.tracking')} ===",
            f"{messages.get('doc.tracking_text')} "
            f"[[:Category:{doc.tracking_category}|{doc.tracking_category}]].",
        ]
    lines += [
        "",
        f"=== {messages.get('doc.maintenance')} ===",
        f"{messages.get('doc.maintained')} {doc.version} "
        f"([{doc.docs_url} {messages.get('doc.maintained_docs')}]). "
        f"{messages.get('doc.source_file')} <code>{doc.source_path}</code>. "
        f"{messages.get('doc.local_changes')}",
        "</div>",
        f"[[Category:{doc.templates_category}]]",
    ]
    return "\n".join(lines)
