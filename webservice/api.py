"""The read-only JSON API, and its OpenAPI description.

Other tools (dashboards, bots, calendars) read campaigns and events here
without scraping wiki pages. The OpenAPI document at ``/api/openapi.json`` is
the contract of this API and is what the property-based test drives.
Every answer is JSON, errors included (``{"error": …}``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, url_for
from werkzeug.exceptions import HTTPException

from campaignkit.contract import FieldSpec, Kind
from campaignkit.validation import InvalidValue, format_value, parse_value
from webservice import campaign_reads
from webservice.feeds import page_url

blueprint = Blueprint("api", __name__, url_prefix="/api")
TITLE = FieldSpec("title", Kind.TITLE, "", "", required=True)


def _settings() -> Any:
    return current_app.config["CAMPAIGNKIT_SETTINGS"]


def _seconds() -> float:
    return current_app.config["CAMPAIGNKIT_WEB"].cache_seconds


def _error(status: int, message: str) -> Any:
    return jsonify(error=message), status


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    return _error(error.code or 500, error.description or error.name)


def _title_or_none(text: str) -> str | None:
    try:
        return parse_value(TITLE, text) or None
    except InvalidValue:
        return None


def _campaign_object(model: Any) -> dict[str, Any]:
    if model is None:
        return {}
    return {
        key: value
        for key, value in {
            "name": model.name,
            "start": model.start.isoformat(),
            "end": model.end.isoformat(),
            "hashtag": model.hashtag,
            "topic": model.topic,
            "organizers": list(model.organizers),
            "description": model.description,
        }.items()
    }


@blueprint.route("/v1/campaigns")
def campaigns() -> Any:
    """Every campaign on the hub with its totals."""
    listed = campaign_reads.list_campaigns(_settings(), _seconds())
    return jsonify(
        campaigns=[
            {
                "title": item.title,
                "valid": item.campaign is not None,
                "campaign": _campaign_object(item.campaign),
                "totals": item.totals,
                "url": page_url(_settings(), _settings().hub_id, item.title),
            }
            for item in listed
        ]
    )


@blueprint.route("/v1/campaigns/<path:title>")
def campaign(title: str) -> Any:
    """One campaign: its fields, events, totals and how fresh they are."""
    wanted = _title_or_none(title)
    if wanted is None:
        return _error(404, "not a page title")
    dashboard = campaign_reads.campaign_dashboard(_settings(), wanted, _seconds())
    if not dashboard.exists:
        return _error(404, "no such campaign page")
    return jsonify(
        title=dashboard.title,
        valid=dashboard.campaign is not None,
        campaign=_campaign_object(dashboard.campaign),
        problems=[str(e) for e in dashboard.errors],
        totals=dashboard.totals,
        as_of=dashboard.as_of,
        events=dashboard.events,
        feeds={
            "icalendar": url_for("feeds.ics", title=dashboard.title, _external=True),
            "geojson": url_for("feeds.geojson", title=dashboard.title, _external=True),
            "csv": url_for("feeds.events_csv", title=dashboard.title, _external=True),
        },
    )


@blueprint.route("/v1/events/<wiki>/<path:title>")
def event(wiki: str, title: str) -> Any:
    """One event page: its fields, sign-ups and the bot's participants table."""
    if wiki not in _settings().wikis:
        return _error(404, "no such wiki")
    wanted = _title_or_none(title)
    if wanted is None:
        return _error(404, "not a page title")
    view = campaign_reads.event_page(_settings(), wiki, wanted, _seconds())
    if not view.page.exists:
        return _error(404, "no such page")
    fields = {}
    if view.event is not None:
        from campaignkit.contract import CAMPAIGN_EVENT

        for spec in CAMPAIGN_EVENT.fields:
            fields[spec.name] = format_value(spec, getattr(view.event, spec.name))
    return jsonify(
        wiki=wiki,
        title=view.title,
        valid=view.event is not None,
        event=fields,
        problems=[str(e) for e in view.errors],
        signups=view.signups,
        participants=[
            {"user": row.user, "new_editor": row.new_editor, "status": row.status}
            for row in view.participants
        ],
        worklist=(
            None
            if view.worklist is None
            else {
                "title": view.worklist.title,
                "total": view.worklist.total,
                "done": view.worklist.done,
            }
        ),
        url=page_url(_settings(), wiki, view.title),
    )


@blueprint.route("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.0 description of this API."""
    from webservice.openapi import describe

    return jsonify(describe(list(_settings().wikis)))
