"""Finding, reading and editing the contract's template calls on a page.

People type these calls by hand, so reading is forgiving the way MediaWiki
is: the template may be written with a localized name or an alias, a
lower-case first letter, underscores, a ``Template:`` prefix, odd spacing or a
comment inside the call; parameters may come in any order, under aliases, with
comments, empty, twice (the last one wins, as in MediaWiki) or as ``1=``.
Calls that MediaWiki would not expand (inside ``<!-- -->``, ``<nowiki>``,
``<pre>`` and the like) are not calls.

Writing is conservative: :func:`update_params` rewrites only the parameters
whose value really changed and leaves every other byte of the page as it was,
the call's own layout included. A new parameter copies the spacing of its
neighbours, so a one-parameter-per-line call stays one, and an inline call
stays inline. Values always pass through :mod:`.escape`; the page is edited
through mwparserfromhell nodes, and the result is parsed again to prove that
it reads back as intended before anyone saves it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Comment, Template, Text
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from campaignkit.contract import Kind
from campaignkit.manifest import LocalTemplate, normalize_param_name
from campaignkit.wikitext.escape import escape_field, normalize_value, unescape_value
from campaignkit.wikitext.regions import unclosed_comment_start


class TemplateCodecError(Exception):
    """A template call cannot be read or edited as asked."""


class TemplateNotFound(TemplateCodecError):
    """The page has no (or not that many) calls of the template."""


_FILLER = r"(?:[ \t\n\r]|<!--(?:(?!-->).)*(?:-->|\Z))"
_LEADING_FILLER = re.compile(rf"\A{_FILLER}*", re.DOTALL)
_TRAILING_FILLER = re.compile(rf"{_FILLER}*\Z", re.DOTALL)
_TRAILING_SPACE = re.compile(r"[ \t\n\r]*\Z")
_NAMESPACE_PREFIX = re.compile(r"\A\s*([^:]*?)\s*:\s*(.*)\Z", re.DOTALL)


def parse_wikitext(text: str) -> Wikicode:
    """Parse a page as MediaWiki would see its template calls.

    Text after an unclosed ``<!--`` is one opaque text node, because MediaWiki
    treats it as a comment while mwparserfromhell would find calls in it.
    """
    hidden = unclosed_comment_start(text)
    if hidden is None:
        return mwparserfromhell.parse(text, skip_style_tags=True)
    code = mwparserfromhell.parse(text[:hidden], skip_style_tags=True)
    code.append(Text(text[hidden:]))
    return code


def _without_comments(code: Wikicode) -> str:
    return "".join(str(node) for node in code.nodes if not isinstance(node, Comment))


def template_name_matches(
    name: str, template: LocalTemplate, namespaces: Collection[str] = ()
) -> bool:
    """Whether a call's name (comments removed) means this contract template.

    ``namespaces`` are extra names of the template namespace on the wiki
    (``Àdàkọ``); ``Template`` is always understood. A leading ``:`` means the
    main namespace, so ``{{:Campaign event}}`` is not the template.
    """
    name = name.replace("_", " ").strip()
    match = _NAMESPACE_PREFIX.match(name)
    if match:
        prefix = match.group(1).casefold()
        known = {"template", *(n.replace("_", " ").strip().casefold() for n in namespaces)}
        if prefix not in known:
            return False
        name = match.group(2)
    return bool(name) and template.matches(name)


@dataclass
class TemplateCall:
    """One call of a contract template on a page, with its values read."""

    template: LocalTemplate
    node: Template
    values: dict[str, str] = field(default_factory=dict)
    names_used: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    repeated: tuple[str, ...] = ()
    winners: dict[str, Parameter] = field(default_factory=dict, repr=False)

    @property
    def name_used(self) -> str:
        """The template name as written on the page, for messages."""
        return _without_comments(self.node.name).strip()


def read_call(node: Template, template: LocalTemplate) -> TemplateCall:
    """Read a call's parameters into canonical names; the last occurrence wins."""
    call = TemplateCall(template, node)
    seen: Counter[str] = Counter()
    for param in node.params:
        name = normalize_param_name(_without_comments(param.name))
        canonical = template.canonical_param(name)
        value = unescape_value(str(param.value))
        if canonical is None:
            call.unknown[name] = value
            continue
        seen[canonical] += 1
        call.values[canonical] = value
        call.names_used[canonical] = name
        call.winners[canonical] = param
    call.repeated = tuple(name for name, count in seen.items() if count > 1)
    return call


def _matching_nodes(
    code: Wikicode, template: LocalTemplate, namespaces: Collection[str]
) -> list[Template]:
    return [
        node
        for node in code.filter_templates(recursive=True)
        if template_name_matches(_without_comments(node.name), template, namespaces)
    ]


def find_calls(
    page: str | Wikicode, template: LocalTemplate, *, namespaces: Collection[str] = ()
) -> list[TemplateCall]:
    """Every call of the template that MediaWiki would expand, in page order."""
    code = parse_wikitext(page) if isinstance(page, str) else page
    return [read_call(node, template) for node in _matching_nodes(code, template, namespaces)]


# --- writing ------------------------------------------------------------------


def _kind_of(template: LocalTemplate, canonical: str) -> Kind:
    try:
        return template.spec.field(canonical).kind
    except KeyError:
        raise TemplateCodecError(
            f"{{{{{template.spec.name}}}}} has no field {canonical!r}; "
            f"its fields are {', '.join(template.spec.field_names)}"
        ) from None


def _leading_space(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t\n\r"))]


def _trailing_space(text: str) -> str:
    return _TRAILING_SPACE.search(text).group(0)


def _value_padding(node: Template) -> str:
    """The whitespace people put after ``=`` in this call (the most common one)."""
    pads = Counter(
        _leading_space(str(p.value)).replace("\n", "") for p in node.params if str(p.value).strip()
    )
    return pads.most_common(1)[0][0] if pads else " "


def _set_value(node: Template, param: Parameter, escaped: str) -> None:
    """Replace a value, keeping the whitespace and comments around it."""
    raw = str(param.value)
    lead = _LEADING_FILLER.match(raw).group(0)
    if lead == raw:  # the value was empty: keep comments, then the value, then the newline
        trail = _trailing_space(raw)
        lead = raw[: len(raw) - len(trail)]
        if escaped and (not lead or not lead[-1].isspace()):
            lead += _value_padding(node)
    else:
        trail = _TRAILING_FILLER.search(raw, len(lead)).group(0)
    param.value = lead + escaped + trail


def _set_trailing_space(param: Parameter, space: str) -> None:
    raw = str(param.value)
    current = _trailing_space(raw)
    if current != space:
        param.value = raw[: len(raw) - len(current)] + space


def _insertion_index(node: Template, template: LocalTemplate, canonical: str) -> int:
    """Before the first parameter that comes later in the contract's order, else last."""
    order = template.spec.field_names
    wanted = order.index(canonical)
    for position, param in enumerate(node.params):
        name = template.canonical_param(_without_comments(param.name))
        if name is not None and order.index(name) > wanted:
            return position
    return len(node.params)


def _name_padding(model: Parameter, neighbours: list[Parameter], name: str) -> tuple[str, str]:
    """Spacing around a new name; aligned with its neighbours' ``=`` if they align."""
    raw = _without_comments(model.name)
    lead = _leading_space(raw)
    trail = _trailing_space(raw)
    widths = {len(str(p.name)) for p in neighbours if p.showkey}
    if len(trail) > 1 and len(widths) == 1:
        return lead, " " * max(1, widths.pop() - len(lead) - len(name))
    return lead, trail[:1]


def _add_param(node: Template, template: LocalTemplate, canonical: str, escaped: str) -> None:
    """Add a parameter where the contract's order puts it, spaced like its neighbours."""
    name = template.written_param(canonical)
    positional_slots = [p for p in node.params if not p.showkey]
    positional = name.isdigit() and int(name) == len(positional_slots) + 1
    params = node.params
    if not params:
        node_name = str(node.name)
        if "\n" not in node_name:
            node.name = node_name.rstrip() + "\n"
        lead_name, trail_name, value_lead, trail = " ", " ", " ", "\n"
        index = 0
        if positional:
            lead_name, trail_name, value_lead, trail = "", "", "", ""
            node.name = node_name
    else:
        index = _insertion_index(node, template, canonical)
        previous = params[index - 1] if index > 0 else None
        following = params[index] if index < len(params) else None
        model = previous or following
        neighbours = [p for p in (previous, following) if p is not None]
        lead_name, trail_name = _name_padding(model, neighbours, name)
        model_value = str(model.value)
        if model_value.strip():
            value_lead = _leading_space(model_value).replace("\n", "")
        else:
            value_lead = _value_padding(node)
        if previous is None:
            trail = _trailing_space(str(node.name))
        else:
            trail = _trailing_space(str(previous.value))
            if index == len(params):  # appending: the old last keeps the usual gap
                gap = _trailing_space(str(params[index - 2].value)) if index >= 2 else trail
                if "\n" not in trail:
                    gap = gap if index >= 2 else ""
                _set_trailing_space(previous, gap)
    if positional:
        param = Parameter(mwparserfromhell.parse(name), mwparserfromhell.parse(escaped + trail))
        param.showkey = False
    else:
        param = Parameter(
            mwparserfromhell.parse(lead_name + name + trail_name),
            mwparserfromhell.parse(value_lead + escaped + trail),
        )
    params.insert(index, param)


def _remove_param(node: Template, template: LocalTemplate, canonical: str) -> None:
    for param in list(node.params):
        if template.canonical_param(_without_comments(param.name)) == canonical:
            node.remove(param)


def _apply(call: TemplateCall, changes: Mapping[str, str | None]) -> dict[str, str | None]:
    """Edit one call in place; return the values it must now read back as."""
    template = call.template
    expected: dict[str, str | None] = {}
    for canonical, new in changes.items():
        kind = _kind_of(template, canonical)
        current = call.values.get(canonical)
        if new is None:
            if current is not None:
                _remove_param(call.node, template, canonical)
                expected[canonical] = None
            continue
        wanted = normalize_value(new, kind)
        if (current or "") == wanted:
            continue
        escaped = escape_field(wanted, kind)
        if current is None:
            _add_param(call.node, template, canonical, escaped)
        else:
            _set_value(call.node, call.winners[canonical], escaped)
        expected[canonical] = wanted
    return expected


def update_params(
    text: str,
    template: LocalTemplate,
    changes: Mapping[str, str | None],
    *,
    occurrence: int = 0,
    namespaces: Collection[str] = (),
) -> str:
    """Change some parameters of one call and leave every other byte as it was.

    ``changes`` maps canonical field names to new values; ``None`` removes the
    parameter. A value equal to the current one (an absent parameter equals
    ``""``) is not touched, so its original spelling, entities and comments
    stay. ``occurrence`` picks the call when the page has several.
    """
    code = parse_wikitext(text)
    nodes = _matching_nodes(code, template, namespaces)
    if len(nodes) <= occurrence:
        raise TemplateNotFound(
            f"no {{{{{template.name}}}}} call number {occurrence + 1} on the page "
            f"(found {len(nodes)})"
        )
    expected = _apply(read_call(nodes[occurrence], template), changes)
    if not expected:
        return text
    result = str(code)
    _verify(result, template, occurrence, len(nodes), expected, namespaces)
    return result


def _verify(
    result: str,
    template: LocalTemplate,
    occurrence: int,
    count: int,
    expected: Mapping[str, str | None],
    namespaces: Collection[str],
) -> None:
    """Prove the edited page reads back as intended before anyone saves it."""
    nodes = _matching_nodes(parse_wikitext(result), template, namespaces)
    if len(nodes) != count:
        raise TemplateCodecError(
            f"editing {{{{{template.name}}}}} changed the number of calls on the page "
            f"from {count} to {len(nodes)}; nothing was written"
        )
    values = read_call(nodes[occurrence], template).values
    for canonical, wanted in expected.items():
        if values.get(canonical) != wanted:
            raise TemplateCodecError(
                f"{{{{{template.name}}}}} parameter {canonical!r} would read back as "
                f"{values.get(canonical)!r} instead of {wanted!r}; nothing was written"
            )


def render_call(template: LocalTemplate, values: Mapping[str, str], *, inline: bool = False) -> str:
    """A new call in block style (one parameter per line), with this wiki's names.

    Parameters come in the contract's order. A template whose fields are all
    positional (``{{Participant|Name}}``) is written inline, and so is every call
    when ``inline`` is set: the bot's table rows are one line each, so that a
    table of 500 rows stays readable in the source editor and diffs show one
    line per changed row.
    """
    node = Template(mwparserfromhell.parse(template.name))
    order = template.spec.field_names
    for canonical in values:
        _kind_of(template, canonical)
    ordered = [(c, values[c]) for c in order if c in values]
    if all(c.isdigit() for c, _ in ordered) and ordered:
        for canonical, value in ordered:
            param = Parameter(
                mwparserfromhell.parse(canonical),
                mwparserfromhell.parse(escape_field(value, _kind_of(template, canonical))),
            )
            param.showkey = False
            node.params.append(param)
        return str(node)
    if inline:
        for canonical, value in ordered:
            escaped = escape_field(value, _kind_of(template, canonical))
            node.params.append(
                Parameter(
                    mwparserfromhell.parse(template.written_param(canonical)),
                    mwparserfromhell.parse(escaped),
                )
            )
        return str(node)
    node.name = template.name + "\n"
    for canonical, value in ordered:
        escaped = escape_field(value, _kind_of(template, canonical))
        node.params.append(
            Parameter(
                mwparserfromhell.parse(f" {template.written_param(canonical)} "),
                mwparserfromhell.parse((" " + escaped if escaped else "") + "\n"),
            )
        )
    return str(node)
