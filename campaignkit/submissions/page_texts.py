"""The wikitext a form puts on a page: new pages, changed fields, sign-ups added or removed.

Every value goes through the contract's codec (``render_call``,
``update_params``), never through string concatenation, so whatever an
organizer types reads back exactly and adds no markup. Each function takes the
page as it is *now* and returns its new text, so that a retried or conflicting
save is recomputed from the latest revision.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from mwparserfromhell.nodes import Heading

from campaignkit.codecs.signups import read_signups
from campaignkit.codecs.usernames import UserNamespaces, normalize_username
from campaignkit.contract import TEMPLATES
from campaignkit.manifest import Manifest
from campaignkit.validation import InvalidValue, format_value, parse_value
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.organizer_editing import SaveRefused
from campaignkit.wikitext.regions import RegionError, find_regions
from campaignkit.wikitext.templates import (
    TemplateCodecError,
    find_calls,
    parse_wikitext,
    render_call,
    update_params,
)

NAMESPACES = UserNamespaces.english()


def canonical_text(template_key: str, field: str, text: str) -> str:
    """A field's value in its one canonical spelling, to compare what people typed."""
    spec = TEMPLATES[template_key].field(field)
    try:
        value = parse_value(spec, text, wiki_ids=None)
    except InvalidValue:
        return text.strip()
    return "" if value is None else format_value(spec, value)


def _placeholder(manifest: Manifest, region: str) -> str:
    return f"{{{{{manifest.frame_name('campaign_bot_region')}|{region}}}}}"


def new_campaign_page(page: PageText, params: Mapping[str, str], manifest: Manifest) -> str:
    """A campaign page: ``{{Campaign}}`` and where the bot will put the events table."""
    if page.exists:
        raise SaveRefused("error-page-exists", page.title)
    call = render_call(manifest.template("campaign"), _non_empty(params, "campaign"))
    return f"{call}\n\n{_placeholder(manifest, 'events')}\n"


def new_event_page(page: PageText, params: Mapping[str, str], manifest: Manifest) -> str:
    """An event page: ``{{Campaign event}}``, a sign-up section and the participants' place."""
    if page.exists:
        raise SaveRefused("error-page-exists", page.title)
    call = render_call(manifest.template("campaign_event"), _non_empty(params, "campaign_event"))
    heading = manifest.signup_headings[0]
    return f"{call}\n\n== {heading} ==\n{_placeholder(manifest, 'participants')}\n"


def new_worklist_page(page: PageText, params: Mapping[str, str], manifest: Manifest) -> str:
    """A worklist page: ``{{Worklist}}`` and where the bot will put the table."""
    if page.exists:
        raise SaveRefused("error-page-exists", page.title)
    call = render_call(manifest.template("worklist"), _non_empty(params, "worklist"))
    return f"{call}\n\n{_placeholder(manifest, 'worklist')}\n"


def _non_empty(params: Mapping[str, str], template_key: str) -> dict[str, str]:
    spec = TEMPLATES[template_key]
    return {f.name: params[f.name] for f in spec.fields if params.get(f.name) or f.required}


def changed_event_fields(
    page: PageText,
    before: Mapping[str, str],
    after: Mapping[str, str],
    manifest: Manifest,
) -> str:
    """Apply the fields the organizer changed; refuse if someone else changed the same field.

    ``before`` is what the form showed, ``after`` what the organizer sent.
    A field nobody else touched is written; one that another person changed
    meanwhile to something else stops the save, naming the field.
    """
    return changed_fields(page, "campaign_event", before, after, manifest)


def changed_campaign_fields(
    page: PageText,
    before: Mapping[str, str],
    after: Mapping[str, str],
    manifest: Manifest,
) -> str:
    """The campaign page with the ``{{Campaign}}`` fields its organizer changed (as for events)."""
    return changed_fields(page, "campaign", before, after, manifest)


TEMPLATE_PROBLEM_KEYS = {
    "campaign_event": "error-event-template",
    "campaign": "error-campaign-template",
}


def changed_fields(
    page: PageText,
    template_key: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
    manifest: Manifest,
) -> str:
    """Apply the changed fields of the page's one ``template_key`` call, field by field."""
    problem = TEMPLATE_PROBLEM_KEYS[template_key]
    if not page.exists:
        raise SaveRefused("error-page-gone", page.title)
    local = manifest.template(template_key)
    calls = find_calls(page.text, local)
    if len(calls) != 1:
        raise SaveRefused(problem, page.title)
    current = calls[0].values
    changes: dict[str, str] = {}
    for field in local.spec.field_names:
        old = canonical_text(template_key, field, before.get(field, ""))
        new = canonical_text(template_key, field, after.get(field, ""))
        if old == new:
            continue
        now = canonical_text(template_key, field, current.get(field, ""))
        if now not in (old, new):
            raise SaveRefused("error-edited-meanwhile", local.written_param(field))
        if now != new:
            changes[field] = after.get(field, "")
    try:
        return update_params(page.text, local, changes)
    except TemplateCodecError as error:
        raise SaveRefused(problem, str(error)) from None


def signed_up(text: str, manifest: Manifest, title: str = "") -> list[str]:
    """Who is signed up on an event page (templates and signatures)."""
    try:
        return read_signups(text, manifest, NAMESPACES, title).names
    except RegionError as error:
        raise SaveRefused("error-region", str(error)) from None


def _signup_section(text: str, manifest: Manifest) -> tuple[int, int] | None:
    """Offsets (start of body, end) of the first sign-up section, if the page has one."""
    code = parse_wikitext(text)
    wanted = {" ".join(h.split()).casefold() for h in manifest.signup_headings}
    offset = 0
    found: tuple[int, int] | None = None
    level = 0
    for node in code.nodes:
        piece = str(node)
        if isinstance(node, Heading):
            title = " ".join(str(node.title.strip_code()).split()).casefold()
            if found is not None and node.level <= level:
                return found[0], offset
            if found is None and title in wanted:
                level = node.level
                end_of_line = text.find("\n", offset + len(piece))
                body = len(text) if end_of_line == -1 else end_of_line + 1
                found = (body, len(text))
        offset += len(piece)
    return found


def add_participant(
    page: PageText, username: str, manifest: Manifest, *, open_only: bool = True
) -> str:
    """The page with ``{{Participant|username}}`` in its sign-up section (once)."""
    if not page.exists:
        raise SaveRefused("error-page-gone", page.title)
    if username in signed_up(page.text, manifest, page.title):
        return page.text
    if open_only and not signup_open(page.text, manifest):
        raise SaveRefused("error-signup-closed", page.title)
    call = render_call(manifest.template("participant"), {"1": username})
    regions = find_regions(page.text, page.title)
    text = page.text
    section = _signup_section(text, manifest)
    if section is None:
        separator = "" if text.endswith("\n") else "\n"
        result = f"{text}{separator}\n== {manifest.signup_headings[0]} ==\n{call}\n"
    else:
        body, end = section
        position = body
        for call_found in find_calls(text[body:end], manifest.template("participant")):
            raw = str(call_found.node)
            at = text.find(raw, body, end)
            if at != -1 and not _inside(at, regions.values()):
                line_end = text.find("\n", at + len(raw))
                position = end if line_end == -1 else line_end + 1
        if position >= len(text) and not text.endswith("\n"):
            text += "\n"
            position = len(text)
        if _inside(position, regions.values()):
            position = body
        result = text[:position] + call + "\n" + text[position:]
    if set(find_regions(result, page.title)) != set(regions):
        raise SaveRefused("error-region", page.title)
    if username not in signed_up(result, manifest, page.title):
        raise SaveRefused("error-region", page.title)
    return result


def _inside(offset: int, regions: Collection) -> bool:
    return any(region.start <= offset < region.stop for region in regions)


def remove_participant(page: PageText, username: str, manifest: Manifest) -> str:
    """The page without the user's ``{{Participant}}`` lines (outside the bot's regions)."""
    if not page.exists:
        raise SaveRefused("error-page-gone", page.title)
    names = signed_up(page.text, manifest, page.title)
    if username not in names:
        return page.text
    regions = list(find_regions(page.text, page.title).values())
    local = manifest.template("participant")
    kept = []
    offset = 0
    for original in page.text.split("\n"):
        start = offset
        offset += len(original) + 1
        line = original
        if not _inside(start, regions):
            for call in find_calls(line, local):
                if normalize_username(call.values.get("1", ""), NAMESPACES) == username:
                    line = line.replace(str(call.node), "", 1)
        if line != original and line.strip(" *#:") == "":
            continue
        kept.append(line)
    result = "\n".join(kept)
    if username in signed_up(result, manifest, page.title):
        raise SaveRefused("error-withdraw-signature", page.title)
    return result


def signup_open(text: str, manifest: Manifest) -> bool:
    """Whether the event's sign-up is open (an unreadable value counts as open)."""
    calls = find_calls(text, manifest.template("campaign_event"))
    if not calls:
        return True
    return canonical_text("campaign_event", "signup", calls[0].values.get("signup", "")) != (
        "closed"
    )
