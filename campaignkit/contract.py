"""The on-wiki contract: which templates hold campaign data and what their fields are.

This is the single description of the templates that organizers, participants,
the bot and the webservice read and write. The template pages in
``templates_wikitext/`` (with their TemplateData), the codec that reads and
writes them, and the webservice's forms are all derived from or checked
against these specs, so a field is named in exactly one place.

Names here are the English defaults. A per-wiki manifest (see
:mod:`campaignkit.manifest`) may give a template another name and its
parameters aliases; the specs below never change per wiki.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a field holds; decides validation, escaping and the TemplateData type."""

    TEXT = "text"  # one line of plain text
    MULTILINE = "multiline"  # plain text whose line breaks are kept
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # YYYY-MM-DD HH:MM (local time in the event's time zone)
    TIMEZONE = "timezone"  # IANA name, e.g. Africa/Lagos
    COORDINATES = "coordinates"  # "lat, lon" in decimal degrees
    WIKI = "wiki"  # a configured wiki id, e.g. yowiki
    TITLE = "title"  # a page title
    TITLES = "titles"  # page titles, one per line
    USER = "user"  # one username
    USERS = "users"  # usernames separated by commas
    URL = "url"  # an http(s) URL
    CHOICE = "choice"  # one of a fixed set
    INTEGER = "integer"  # a non-negative whole number
    BOOLEAN = "boolean"  # yes / no
    LANGUAGE = "language"  # a language code, e.g. yo
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code, e.g. NG


@dataclass(frozen=True)
class FieldSpec:
    """One template parameter."""

    name: str
    kind: Kind
    label: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str = ""
    example: str = ""


@dataclass(frozen=True)
class TemplateSpec:
    """One template of the contract: its key, English name and fields."""

    key: str
    name: str
    description: str
    fields: tuple[FieldSpec, ...]
    bot_generated: bool = False

    def field(self, name: str) -> FieldSpec:
        """One field by its canonical name."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Canonical parameter names, in documentation order."""
        return tuple(spec.name for spec in self.fields)


def _f(name: str, kind: Kind, label: str, description: str, **extra: object) -> FieldSpec:
    return FieldSpec(name, kind, label, description, **extra)  # type: ignore[arg-type]


GOALS = (
    ("participants", "Participants goal", "How many participants the organizers aim for."),
    ("new_editors", "New editors goal", "How many new editors the organizers aim for."),
    ("articles", "Articles goal", "How many articles created the organizers aim for."),
    ("bytes", "Bytes goal", "How many bytes added the organizers aim for."),
    ("references", "References goal", "How many references added the organizers aim for."),
    ("uploads", "Uploads goal", "How many files uploaded the organizers aim for."),
)
"""Event and campaign goals: ``goal_<name>``, each compared with one figure of the metrics."""


def _goal_fields(example: str) -> tuple[FieldSpec, ...]:
    """The goal fields shared by ``{{Campaign}}`` and ``{{Campaign event}}`` (whole numbers)."""
    return tuple(
        _f(f"goal_{name}", Kind.INTEGER, label, description, example=example)
        for name, label, description in GOALS
    )


def _upload_category(example: str) -> FieldSpec:
    """Which uploads count: only files in this category on the file wiki, when given."""
    return _f(
        "upload_category",
        Kind.TITLE,
        "Upload category",
        "Count only uploads in this category on the file wiki (without Category:).",
        example=example,
    )


EVENT_FORMATS = ("online", "in-person", "hybrid")
SIGNUP_STATES = ("open", "closed")

CAMPAIGN = TemplateSpec(
    key="campaign",
    name="Campaign",
    description="Describes a campaign. Put it once at the top of the campaign page on the hub.",
    fields=(
        _f(
            "name",
            Kind.TEXT,
            "Name",
            "The campaign's name.",
            required=True,
            example="WikiForHumanRights 2027",
        ),
        _f(
            "start",
            Kind.DATE,
            "Start date",
            "First day of the campaign: 2027-04-15, or 15 April 2027 (month names in English or "
            "the wiki's language).",
            required=True,
            example="2027-04-15",
        ),
        _f(
            "end",
            Kind.DATE,
            "End date",
            "Last day of the campaign: 2027-05-15, or 15 May 2027.",
            required=True,
            example="2027-05-15",
        ),
        _f(
            "hashtag",
            Kind.TEXT,
            "Hashtag",
            "Hashtag for edit summaries, without #.",
            example="WikiForHumanRights",
        ),
        _f(
            "topic",
            Kind.TEXT,
            "Topic",
            "What the campaign is about; several topics separated by commas. The "
            "movement-wide calendar filters by these words, as written here.",
            example="Climate and environment",
        ),
        _f(
            "parent",
            Kind.TITLE,
            "Part of campaign",
            "Title of a wider campaign on the hub that this one is part of (a national "
            "edition of a global campaign); the wider campaign's tables and figures include "
            "this one's events.",
            example="WikiForHumanRights 2027",
        ),
        _f(
            "organizers",
            Kind.USERS,
            "Organizers",
            "Usernames, separated by commas.",
            example="Ada Organizer, Bola Participant",
        ),
        _f(
            "description",
            Kind.MULTILINE,
            "Description",
            "A short description; line breaks are kept.",
        ),
        _upload_category("WikiForHumanRights 2027"),
        *_goal_fields("1000"),
    ),
)

CAMPAIGN_EVENT = TemplateSpec(
    key="campaign_event",
    name="Campaign event",
    description="Describes one event of a campaign. Put it on the event page, on any wiki.",
    fields=(
        _f(
            "campaign",
            Kind.TITLE,
            "Campaign",
            "Title of the campaign page on the hub wiki.",
            required=True,
            example="WikiForHumanRights 2027",
        ),
        _f(
            "name",
            Kind.TEXT,
            "Name",
            "The event's name.",
            required=True,
            example="Lagos edit-a-thon",
        ),
        _f(
            "start",
            Kind.DATETIME,
            "Start",
            "Start, local time: 2027-04-20 10:00, 2027-04-20T10:00, or 20 April 2027 10:00 "
            "(month names in English or the wiki's language). A date alone starts at 00:00. "
            "No UTC offset: the time zone goes in the timezone field.",
            required=True,
            example="2027-04-20 10:00",
        ),
        _f(
            "end",
            Kind.DATETIME,
            "End",
            "End, local time, written like the start. A date alone ends at 23:59 that day, "
            "so start=2027-04-20 and end=2027-04-20 is one whole day.",
            required=True,
            example="2027-04-20 16:00",
        ),
        _f(
            "timezone",
            Kind.TIMEZONE,
            "Time zone",
            "IANA time zone of start and end, e.g. Africa/Lagos (not an abbreviation such as "
            "WAT, nor an offset: the event cannot be listed with a time until it is one).",
            default="UTC",
            example="Africa/Lagos",
        ),
        _f(
            "format",
            Kind.CHOICE,
            "Format",
            "online, in-person or hybrid.",
            required=True,
            choices=EVENT_FORMATS,
            example="hybrid",
        ),
        _f(
            "location",
            Kind.TEXT,
            "Location",
            "Venue and city, for in-person events.",
            example="Yaba Library, Lagos",
        ),
        _f(
            "coordinates",
            Kind.COORDINATES,
            "Coordinates",
            "Latitude, longitude in decimal degrees.",
            example="6.5095, 3.3711",
        ),
        _f("country", Kind.COUNTRY, "Country", "ISO 3166-1 code of the country.", example="NG"),
        _f("language", Kind.LANGUAGE, "Language", "Language code of the event.", example="yo"),
        _f(
            "wiki",
            Kind.WIKI,
            "Wiki",
            "Where the edits happen (configured wiki id).",
            required=True,
            example="yowiki",
        ),
        _f(
            "organizers",
            Kind.USERS,
            "Organizers",
            "Usernames, separated by commas.",
            example="Ada Organizer",
        ),
        _f(
            "worklist",
            Kind.TITLE,
            "Worklist",
            "Title of the worklist page, if any.",
            example="WikiForHumanRights 2027/Worklist",
        ),
        _f(
            "signup",
            Kind.CHOICE,
            "Sign-up",
            "open or closed.",
            choices=SIGNUP_STATES,
            default="open",
            example="open",
        ),
        _f(
            "hashtag",
            Kind.TEXT,
            "Hashtag",
            "Hashtag for edit summaries, without #.",
            example="WikiForHumanRightsLagos",
        ),
        _f(
            "meeting_link",
            Kind.URL,
            "Meeting link",
            "Video call link for online events.",
            example="https://meet.example.org/lagos",
        ),
        _f(
            "description",
            Kind.MULTILINE,
            "Description",
            "A short description; line breaks are kept.",
        ),
        _upload_category("WikiForHumanRights 2027 in Lagos"),
        *_goal_fields("20"),
        _f(
            "capacity",
            Kind.INTEGER,
            "Capacity",
            "How many participants fit (empty or 0: no limit). Valid sign-ups beyond it are "
            "waitlisted in sign-up order and move up when someone withdraws.",
            example="30",
        ),
        _f(
            "reminders",
            Kind.BOOLEAN,
            "Reminders and thanks",
            "yes: the bot posts a reminder on each participant's talk page before the start, "
            "and a thank-you with their own figures after the end.",
            example="yes",
        ),
    ),
)

PARTICIPANT = TemplateSpec(
    key="participant",
    name="Participant",
    description="One sign-up. Add a line {{Participant|Your username}} to the sign-up section.",
    fields=(
        _f(
            "1",
            Kind.USER,
            "Username",
            "The participant's username.",
            required=True,
            example="Bola Participant",
        ),
        _f(
            "attended",
            Kind.BOOLEAN,
            "Attended",
            "yes when the participant came to the event (set at check-in).",
            example="yes",
        ),
    ),
)

WORKLIST = TemplateSpec(
    key="worklist",
    name="Worklist",
    description="Declares where a worklist's articles come from. The bot builds the table; "
    "several boxes on one page add up (their pages together, minus every box's minus_…).",
    fields=(
        _f(
            "wiki",
            Kind.WIKI,
            "Wiki",
            "The wiki whose articles are listed (configured id).",
            required=True,
            example="yowiki",
        ),
        _f("titles", Kind.TITLES, "Titles", "Page titles, one per line.", example="Lagos"),
        _f(
            "category",
            Kind.TITLE,
            "Category",
            "Take the pages of this category.",
            example="Climate change",
        ),
        _f(
            "depth",
            Kind.INTEGER,
            "Category depth",
            "How many levels of subcategories.",
            default="0",
            example="1",
        ),
        _f(
            "links_from",
            Kind.TITLE,
            "Links from page",
            "Take the pages this page links to.",
            example="Climate change",
        ),
        _f(
            "source_wiki",
            Kind.WIKI,
            "Source wiki",
            "For language gaps: the wiki where the "
            "articles exist; the list is those missing on 'wiki'.",
            example="metawiki",
        ),
        _f("minus_category", Kind.TITLE, "Minus category", "Leave out pages of this category."),
        _f("minus_titles", Kind.TITLES, "Minus titles", "Leave out these titles, one per line."),
        _f("limit", Kind.INTEGER, "Limit", "Show at most this many items.", example="500"),
        _f(
            "sort",
            Kind.CHOICE,
            "Sort order",
            "title, size or missing-first.",
            choices=("title", "size", "missing-first"),
            default="title",
        ),
    ),
)

CAMPAIGN_EVENTS_ROW = TemplateSpec(
    key="campaign_events_row",
    name="Campaign events row",
    description="One row of the bot's events table on a campaign page.",
    bot_generated=True,
    fields=(
        _f("event", Kind.TITLE, "Event page", "Event page, with interwiki prefix if elsewhere."),
        _f("name", Kind.TEXT, "Name", "The event's name."),
        _f("start", Kind.DATETIME, "Start", "Start, local time."),
        _f("end", Kind.DATETIME, "End", "End, local time."),
        _f("timezone", Kind.TIMEZONE, "Time zone", "IANA time zone."),
        _f("format", Kind.CHOICE, "Format", "online, in-person or hybrid.", choices=EVENT_FORMATS),
        _f("location", Kind.TEXT, "Location", "Venue and city."),
        _f("coordinates", Kind.COORDINATES, "Coordinates", "For the map (not shown)."),
        _f("country", Kind.COUNTRY, "Country", "ISO 3166-1 code (not shown)."),
        _f("language", Kind.LANGUAGE, "Language", "Language code of the event (not shown)."),
        _f(
            "signup",
            Kind.CHOICE,
            "Sign-up",
            "open or closed (not shown).",
            choices=SIGNUP_STATES,
        ),
        _f("wiki", Kind.WIKI, "Wiki", "Where the edits happen."),
        _f("organizers", Kind.USERS, "Organizers", "Usernames."),
        _f("participants", Kind.INTEGER, "Participants", "Number of valid sign-ups."),
        _f("new_editors", Kind.INTEGER, "New editors", "Participants who are new editors."),
        _f("waitlisted", Kind.INTEGER, "Waitlisted", "Valid sign-ups beyond the capacity."),
        _f("attended", Kind.INTEGER, "Attended", "Participants checked in at the event."),
        _f(
            "status",
            Kind.CHOICE,
            "Status",
            "upcoming, ongoing or ended.",
            choices=("upcoming", "ongoing", "ended"),
        ),
        _f(
            "problem",
            Kind.TEXT,
            "Needs fixing",
            "Why the event page cannot be read (page, template, field); the row then "
            "counts nothing until the page is fixed.",
        ),
    ),
)

CAMPAIGN_EVENTS_LIST = TemplateSpec(
    key="campaign_events_list",
    name="Campaign events list",
    description="The next events of every campaign, from the bot's calendar data on the hub "
    "wiki; put it on any page of the hub and it stays current by itself. Without "
    "parameters: ongoing and upcoming events. Every filter narrows the list.",
    fields=(
        _f("topic", Kind.TEXT, "Topic", "Only campaigns with this topic.", example="Climate"),
        _f("country", Kind.COUNTRY, "Country", "Only events in this country.", example="NG"),
        _f(
            "format",
            Kind.CHOICE,
            "Format",
            "Only online, in-person or hybrid events.",
            choices=EVENT_FORMATS,
        ),
        _f("language", Kind.LANGUAGE, "Language", "Only events in this language.", example="yo"),
        _f("wiki", Kind.WIKI, "Wiki", "Only events whose edits happen on this wiki."),
        _f(
            "campaign",
            Kind.TITLE,
            "Campaign",
            "Only events of this campaign (and of the campaigns that are part of it).",
            example="WikiForHumanRights 2027",
        ),
        _f(
            "from",
            Kind.DATE,
            "From",
            "Events that end on or after this day (YYYY-MM-DD); default: today.",
            example="2027-04-01",
        ),
        _f(
            "to",
            Kind.DATE,
            "To",
            "Events that start on or before this day (YYYY-MM-DD).",
            example="2027-06-30",
        ),
        _f("limit", Kind.INTEGER, "Limit", "Show at most this many events.", default="20"),
    ),
)

CAMPAIGN_PARTICIPANTS_ROW = TemplateSpec(
    key="campaign_participants_row",
    name="Campaign participants row",
    description="One row of the bot's participants table on an event page.",
    bot_generated=True,
    fields=(
        _f("user", Kind.USER, "Username", "The participant."),
        _f("signed_up", Kind.TEXT, "Signed up", "When the sign-up was added (UTC)."),
        _f(
            "new_editor",
            Kind.BOOLEAN,
            "New editor",
            "yes when registered within 14 days before the start, up to the end.",
        ),
        _f(
            "status",
            Kind.TEXT,
            "Status",
            "ok, waitlisted (a valid sign-up beyond the capacity), or why it is not valid.",
        ),
        _f("waitlist", Kind.INTEGER, "Waitlist place", "1 is the next to move up."),
        _f("attended", Kind.BOOLEAN, "Attended", "yes when checked in at the event."),
    ),
)

CAMPAIGN_WORKLIST_ROW = TemplateSpec(
    key="campaign_worklist_row",
    name="Campaign worklist row",
    description="One row of the bot's worklist table.",
    bot_generated=True,
    fields=(
        _f("title", Kind.TITLE, "Article", "The article."),
        _f("wiki", Kind.WIKI, "Wiki", "Where it is (or should be)."),
        _f(
            "redirect_from",
            Kind.TITLE,
            "Listed as",
            "The title the source gave, when it is a redirect to the article.",
        ),
        _f("exists", Kind.BOOLEAN, "Exists", "yes or no (for a language gap: on the target wiki)."),
        _f("size", Kind.INTEGER, "Size", "Bytes."),
        _f("last_edit", Kind.TEXT, "Last edit", "Time of the latest edit (UTC)."),
        _f("counterpart", Kind.TITLE, "Counterpart", "The article on the other wiki."),
        _f("counterpart_wiki", Kind.WIKI, "Counterpart wiki", "Where the counterpart is."),
        _f("wikidata", Kind.TEXT, "Wikidata", "Item id."),
        _f("flags", Kind.TEXT, "Flags", "Maintenance flags: stub, unreferenced, ..."),
        _f("claimed_by", Kind.USERS, "Claimed by", "Who works on it."),
        _f("done", Kind.BOOLEAN, "Done", "yes when marked done."),
        _f("bytes_added", Kind.INTEGER, "Bytes added", "By participants during the event."),
        _f(
            "unlisted",
            Kind.BOOLEAN,
            "Claimed, not in the list",
            "yes when someone claimed an article that the sources do not list (a typo, or an "
            "article taken out); such rows are not counted in the totals.",
        ),
    ),
)

WORKLIST_CLAIM = TemplateSpec(
    key="worklist_claim",
    name="Worklist claim",
    description="A participant's claim on one article of a worklist, outside the bot's table: "
    "{{Worklist claim|Article|Your username}}; add done=yes when you have finished.",
    fields=(
        _f(
            "1",
            Kind.TITLE,
            "Article",
            "The article you work on, as the worklist lists it.",
            required=True,
            example="Lagos",
        ),
        _f(
            "2",
            Kind.USER,
            "Username",
            "Who works on it (else the first signature on the same line).",
            example="Bola Participant",
        ),
        _f("done", Kind.BOOLEAN, "Done", "yes when you have finished.", example="yes"),
    ),
)

CAMPAIGN_METRICS = TemplateSpec(
    key="campaign_metrics",
    name="Campaign metrics",
    description="The bot's metrics box on an event or campaign page.",
    bot_generated=True,
    fields=(
        _f("events", Kind.INTEGER, "Events", "Events counted (on a campaign page)."),
        _f("participants", Kind.INTEGER, "Participants", "Valid sign-ups."),
        _f("new_editors", Kind.INTEGER, "New editors", "See the metric definitions."),
        _f("attended", Kind.INTEGER, "Attended", "Participants checked in at the event."),
        _f("edits", Kind.INTEGER, "Edits", "Edits in the event window."),
        _f("articles_created", Kind.INTEGER, "Articles created", "Main namespace, not deleted."),
        _f(
            "articles_deleted",
            Kind.INTEGER,
            "Articles deleted",
            "Created by participants in the window, deleted since.",
        ),
        _f("articles_improved", Kind.INTEGER, "Articles improved", "Existing articles edited."),
        _f("bytes_added", Kind.INTEGER, "Bytes added", "Sum of non-negative size changes."),
        _f("words_added", Kind.INTEGER, "Words added", "Bytes added / 5.175."),
        _f("worklist_done", Kind.INTEGER, "Worklist items done", "Items marked done."),
        _f("retention", Kind.INTEGER, "Retention", "New editors editing 7+ days after the end."),
        _f(
            "references_added",
            Kind.INTEGER,
            "References added",
            "References added to articles (never negative per edit).",
        ),
        _f("uploads", Kind.INTEGER, "Files uploaded", "Files uploaded to the file wiki."),
        _f("uploads_used", Kind.INTEGER, "Files in use", "Uploaded files used on the wikis."),
        _f(
            "upload_usage_pages",
            Kind.INTEGER,
            "Pages using the files",
            "Pages on the wikis that use the uploaded files.",
        ),
        _f("wikidata_edits", Kind.INTEGER, "Wikidata edits", "Edits on Wikidata in the window."),
        _f("wikidata_items_created", Kind.INTEGER, "Wikidata items created", "New items."),
        _f(
            "wikidata_items_edited",
            Kind.INTEGER,
            "Wikidata items edited",
            "Existing items edited.",
        ),
        *(
            _f(f"goal_{name}", Kind.INTEGER, label, "The goal; the box shows progress toward it.")
            for name, label, _description in GOALS
        ),
        _f("as_of", Kind.TEXT, "As of", "When the figures were computed (UTC)."),
    ),
)

# Header and end templates of the bot's tables take only counts; they are listed
# here so that the installer and the manifest know their names.
TABLE_FRAMES = {
    "campaign_events_header": "Campaign events header",
    "campaign_events_end": "Campaign events end",
    "campaign_participants_header": "Campaign participants header",
    "campaign_participants_end": "Campaign participants end",
    "campaign_worklist_header": "Campaign worklist header",
    "campaign_worklist_end": "Campaign worklist end",
    "campaign_bot_region": "Campaign bot region",
}

TEMPLATES: dict[str, TemplateSpec] = {
    spec.key: spec
    for spec in (
        CAMPAIGN,
        CAMPAIGN_EVENT,
        PARTICIPANT,
        WORKLIST,
        CAMPAIGN_EVENTS_ROW,
        CAMPAIGN_PARTICIPANTS_ROW,
        CAMPAIGN_WORKLIST_ROW,
        WORKLIST_CLAIM,
        CAMPAIGN_METRICS,
        CAMPAIGN_EVENTS_LIST,
    )
}


@dataclass(frozen=True)
class RegionSpec:
    """A bot-owned region: the id written in its markers."""

    id: str
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)


REGIONS = {
    "events": RegionSpec("events", "The events table on a campaign page."),
    "participants": RegionSpec("participants", "The participants table on an event page."),
    "worklist": RegionSpec("worklist", "The worklist table."),
    "metrics": RegionSpec("metrics", "Metrics of an event or campaign."),
    "data": RegionSpec("data", "Machine-readable JSON and GeoJSON of a campaign."),
    "calendar": RegionSpec("calendar", "Every campaign's events on the hub's calendar page."),
}

# The ids the bot writes in its markers; code names regions by these, never by literals.
EVENTS_REGION = REGIONS["events"].id
PARTICIPANTS_REGION = REGIONS["participants"].id
WORKLIST_REGION = REGIONS["worklist"].id
METRICS_REGION = REGIONS["metrics"].id
CALENDAR_REGION = REGIONS["calendar"].id
