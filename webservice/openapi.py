"""The OpenAPI 3.0 description of the read-only API (:mod:`webservice.api`).

Written out by hand, next to nothing else, so that reviewers read the API's
promises in one place; the property-based test holds the code to them.
"""

from __future__ import annotations

from typing import Any

from campaignkit import __version__

_STRINGS = {"type": "array", "items": {"type": "string"}}
_ERROR = {
    "description": "An error, as JSON.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}},
            }
        }
    },
}
_TOTALS = {"type": "object", "additionalProperties": {"type": "integer"}}
_CAMPAIGN = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
        "hashtag": {"type": "string"},
        "topic": {"type": "string"},
        "organizers": _STRINGS,
        "description": {"type": "string"},
    },
}
_EVENT_ROW = {"type": "object", "additionalProperties": True}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_CALENDAR_EVENT = {
    "type": "object",
    "required": ["wiki", "event", "name", "campaign", "start", "end", "timezone", "status"],
    "properties": {
        "wiki": {"type": "string", "description": "The wiki of the event page."},
        "event": {"type": "string", "description": "The event page's title."},
        "name": {"type": "string"},
        "campaign": {"type": "string", "description": "The campaign page's title on the hub."},
        "campaign_name": {"type": "string"},
        "topics": {**_STRINGS, "description": "The campaign's topics and its wider ones'."},
        "start": {"type": "string", "description": "Local time, YYYY-MM-DD HH:MM."},
        "end": {"type": "string", "description": "Local time, YYYY-MM-DD HH:MM."},
        "timezone": {"type": "string", "description": "IANA time zone of start and end."},
        "start_utc": {"type": "string"},
        "end_utc": {"type": "string"},
        "format": {"type": "string", "enum": ["online", "in-person", "hybrid", ""]},
        "location": {"type": "string"},
        "coordinates": {"type": "string", "description": "latitude, longitude"},
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code (CLDR)."},
        "country_name": {"type": "string"},
        "language": {"type": "string"},
        "signup": {"type": "string"},
        "participants": {"type": "integer"},
        "status": {"type": "string", "enum": ["upcoming", "ongoing", "ended"]},
        "url": {"type": "string"},
    },
}


def _calendar_parameters() -> list[dict[str, Any]]:
    """The filters of every calendar feed (those of {{Campaign events list}} too)."""
    text = {"type": "string"}
    described = [
        ("topic", text, "Campaigns with this topic (no case), or part of one that has it."),
        ("country", text, "ISO 3166-1 alpha-2 code of the event's country."),
        ("format", {"type": "string", "enum": ["online", "in-person", "hybrid"]}, "Format."),
        ("language", text, "Language code of the event."),
        ("wiki", text, "The wiki id of the event page."),
        ("campaign", text, "A campaign page's title; includes the campaigns part of it."),
        ("from", {"type": "string", "format": "date"}, "Events ending on or after (today)."),
        ("to", {"type": "string", "format": "date"}, "Events starting on or before this day."),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "At most this many."),
    ]
    return [
        {"name": name, "in": "query", "required": False, "description": about, "schema": schema}
        for name, schema, about in described
    ]


def calendar_paths() -> dict[str, Any]:
    """The movement-wide calendar's feeds (:mod:`webservice.calendar`)."""
    parameters = _calendar_parameters()

    def text(mimetype: str, description: str) -> dict[str, Any]:
        return {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}

    def operation(operation_id: str, summary: str, ok: dict[str, Any]) -> dict[str, Any]:
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": parameters,
                "responses": {"200": ok, "404": _ERROR, "503": _ERROR},
            }
        }

    return {
        "/events.json": operation(
            "listCalendarEvents",
            "Every campaign's events, filtered (ongoing and upcoming by default)",
            _json(
                {
                    "type": "object",
                    "required": ["as_of", "filters", "problems", "count", "events"],
                    "properties": {
                        "as_of": {"type": "string"},
                        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
                        "problems": _STRINGS,
                        "count": {"type": "integer"},
                        "events": {"type": "array", "items": _CALENDAR_EVENT},
                    },
                },
                "The events, in calendar order.",
            ),
        ),
        "/events.geojson": operation(
            "calendarEventsGeoJSON",
            "The filtered events that have coordinates, for maps",
            {
                "description": "A GeoJSON FeatureCollection (longitude first).",
                "content": {
                    "application/geo+json": {
                        "schema": {
                            "type": "object",
                            "required": ["type", "features"],
                            "properties": {
                                "type": {"type": "string", "enum": ["FeatureCollection"]},
                                "features": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    }
                },
            },
        ),
        "/events.csv": operation(
            "calendarEventsCSV",
            "The filtered events for a spreadsheet",
            text("text/csv", "One row per event, with a header row."),
        ),
        "/events.ics": operation(
            "calendarEventsICalendar",
            "The filtered events as a calendar to subscribe to",
            text("text/calendar", "iCalendar (RFC 5545), each event in its own time zone."),
        ),
    }


def describe(wiki_ids: list[str]) -> dict[str, Any]:
    """The document, with the configured wiki ids as the ``wiki`` parameter's values."""
    title_parameter = {
        "name": "title",
        "in": "path",
        "required": True,
        "description": "A page title (subpages allowed).",
        "schema": {"type": "string", "minLength": 1},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "campaignkit API",
            "version": __version__,
            "description": "Campaigns and events of Wikimedia campaigns, read from the wikis.",
        },
        "paths": {
            "/api/v1/campaigns": {
                "get": {
                    "operationId": "listCampaigns",
                    "summary": "Every campaign on the hub wiki",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["campaigns"],
                                "properties": {
                                    "campaigns": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["title", "valid", "totals"],
                                            "properties": {
                                                "title": {"type": "string"},
                                                "valid": {"type": "boolean"},
                                                "campaign": _CAMPAIGN,
                                                "totals": _TOTALS,
                                                "url": {"type": "string"},
                                            },
                                        },
                                    }
                                },
                            },
                            "The campaigns.",
                        ),
                        "503": _ERROR,
                    },
                }
            },
            "/api/v1/campaigns/{title}": {
                "get": {
                    "operationId": "getCampaign",
                    "summary": "One campaign with its events and totals",
                    "parameters": [title_parameter],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["title", "valid", "events", "totals", "as_of"],
                                "properties": {
                                    "title": {"type": "string"},
                                    "valid": {"type": "boolean"},
                                    "campaign": _CAMPAIGN,
                                    "problems": _STRINGS,
                                    "totals": _TOTALS,
                                    "as_of": {"type": "string"},
                                    "events": {"type": "array", "items": _EVENT_ROW},
                                    "feeds": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                },
                            },
                            "The campaign.",
                        ),
                        "404": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/v1/events/{wiki}/{title}": {
                "get": {
                    "operationId": "getEvent",
                    "summary": "One event page with its sign-ups",
                    "parameters": [
                        {
                            "name": "wiki",
                            "in": "path",
                            "required": True,
                            "description": "A configured wiki id.",
                            "schema": {"type": "string", "enum": wiki_ids},
                        },
                        title_parameter,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["wiki", "title", "valid", "signups", "participants"],
                                "properties": {
                                    "wiki": {"type": "string"},
                                    "title": {"type": "string"},
                                    "valid": {"type": "boolean"},
                                    "event": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "problems": _STRINGS,
                                    "signups": _STRINGS,
                                    "participants": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "user": {"type": "string"},
                                                "new_editor": {"type": "boolean"},
                                                "status": {"type": "string"},
                                            },
                                        },
                                    },
                                    "worklist": {
                                        "type": "object",
                                        "nullable": True,
                                        "properties": {
                                            "title": {"type": "string"},
                                            "total": {"type": "integer"},
                                            "done": {"type": "integer"},
                                        },
                                    },
                                    "url": {"type": "string"},
                                },
                            },
                            "The event.",
                        ),
                        "404": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            **calendar_paths(),
        },
    }
