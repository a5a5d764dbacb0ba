"""Check-in on the page: ``{{Participant|Name|attended=yes}}``, computed from the page as it is now.

An organizer taps a name at the door (or adds a walk-in); the tap becomes a
journaled submission (:mod:`campaignkit.submissions.writer`) whose new text is
computed here at each attempt, so a retry an hour later, after the wiki was
read-only, still keeps every human edit and never adds a second line:

- someone signed up with ``{{Participant|Name}}``: that call gains
  ``attended=yes`` (only that parameter changes);
- someone signed up with a signature only, or not at all (a walk-in): a
  ``{{Participant|Name|attended=yes}}`` line goes into the sign-up section,
  where a one-click sign-up would have put it;
- someone already checked in: the page is returned as it is (no edit).

Local template and parameter names come from the wiki's manifest
(``{{Olùkópa|Name|wá=yes}}`` on the Yoruba wiki); values go through the
contract's codec, never string concatenation.
"""

from __future__ import annotations

import dataclasses
import uuid

from campaignkit.codecs.signups import attended_names
from campaignkit.codecs.usernames import UserNamespaces, normalize_username
from campaignkit.manifest import Manifest
from campaignkit.submissions.page_texts import add_participant, canonical_text
from campaignkit.wiki.batch import PageText
from campaignkit.wiki.organizer_editing import SaveRefused
from campaignkit.wikitext.regions import RegionError, find_regions
from campaignkit.wikitext.templates import find_calls, render_call, update_params

NAMESPACES = UserNamespaces.english()


def organizers_of(text: str, manifest: Manifest) -> set[str]:
    """The event's organizers as its page names them (empty if it cannot be read)."""
    calls = find_calls(text, manifest.template("campaign_event"))
    if not calls:
        return set()
    value = canonical_text("campaign_event", "organizers", calls[0].values.get("organizers", ""))
    return {name.strip() for name in value.split(",") if name.strip()}


def _checked_in_call(username: str, manifest: Manifest) -> str:
    local = manifest.template("participant")
    return update_params(render_call(local, {"1": username}), local, {"attended": "yes"})


def check_in(
    page: PageText, username: str, manifest: Manifest, *, organizer: str | None = None
) -> str:
    """The page with ``username`` checked in (signed up first when they were not).

    ``organizer``: the person the check-in is saved as, when the tool could not
    confirm at the time that they organize this event (the wiki did not
    answer); then the page itself must name them among its organizers.
    """
    if not page.exists:
        raise SaveRefused("error-page-gone", page.title)
    if organizer is not None and organizer not in organizers_of(page.text, manifest):
        raise SaveRefused("error-not-organizer", page.title)
    try:
        if username in attended_names(page.text, manifest, NAMESPACES, page.title):
            return page.text
        regions = list(find_regions(page.text, page.title).values())
    except RegionError as error:
        raise SaveRefused("error-region", str(error)) from None
    local = manifest.template("participant")
    offset = 0
    for occurrence, call in enumerate(find_calls(page.text, local)):
        raw = str(call.node)
        at = page.text.find(raw, offset)
        offset = at + len(raw) if at != -1 else offset
        inside = any(region.start <= at < region.stop for region in regions)
        if at == -1 or inside:
            continue
        if normalize_username(call.values.get("1", ""), NAMESPACES) == username:
            result = update_params(page.text, local, {"attended": "yes"}, occurrence=occurrence)
            break
    else:
        # No {{Participant}} of theirs: add one where a sign-up goes. A placeholder
        # name lets the sign-up code choose the place (and check the regions);
        # then it becomes the checked-in call.
        placeholder = f"Campaignkit check in {uuid.uuid4().hex}"
        with_line = add_participant(
            dataclasses.replace(page), placeholder, manifest, open_only=False
        )
        marker = render_call(local, {"1": placeholder})
        if with_line.count(marker) != 1:
            raise SaveRefused("error-region", page.title)
        result = with_line.replace(marker, _checked_in_call(username, manifest))
    if username not in attended_names(result, manifest, NAMESPACES, page.title):
        raise SaveRefused("error-region", page.title)
    return result
