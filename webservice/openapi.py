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
        },
    }
