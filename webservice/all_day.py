"""All-day events in the event form: a checkbox, and the dates written without a time.

The contract reads ``start=2027-03-01`` as the start of that day and
``end=2027-03-02`` as the end of that day (issue 13), so an all-day event is
written with dates alone, the way a person would write it on the wiki. The
form keeps its date-and-time pickers (they need no JavaScript); ticking "All
day" uses only their dates. An event that runs from 00:00 to 23:59 is shown
with the box ticked when it is edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms import BooleanField

from webservice.forms import ContractForm


def with_all_day(form_class: type) -> type:
    """``form_class`` with an "all day" checkbox when it has start and end fields."""
    if not (hasattr(form_class, "start") and hasattr(form_class, "end")):
        return form_class
    if getattr(form_class, "template_key", "") != "campaign_event":
        return form_class
    return type(form_class.__name__, (form_class,), {"all_day": BooleanField("all_day")})


def _date_part(text: str | None) -> str:
    return (text or "").strip().replace("T", " ").split(" ", 1)[0]


def use_dates_only(form: ContractForm) -> bool:
    """Before the checks: with "all day" ticked, start and end are their dates alone."""
    if "all_day" not in form or not form.all_day.data:
        return False
    form.start.data = _date_part(form.start.data)
    form.end.data = _date_part(form.end.data)
    return True


def written_as_dates(values: dict[str, str]) -> dict[str, str]:
    """The checked values with start and end as dates (what the wiki page will hold)."""
    return {
        **values,
        "start": _date_part(values.get("start")),
        "end": _date_part(values.get("end")),
    }


def tick_if_whole_days(form: ContractForm, current: Mapping[str, Any]) -> None:
    """An event saved as dates (00:00 to 23:59) shows "all day" ticked, with its dates."""
    if "all_day" not in form:
        return
    start, end = str(current.get("start", "")), str(current.get("end", ""))
    if start.endswith(" 00:00") and end.endswith(" 23:59"):
        form.all_day.data = True


def show_as_whole_days(form: ContractForm) -> None:
    """After the checks: the pickers show 00:00 and 23:59 (a date alone would show empty)."""
    if "all_day" in form and form.all_day.data:
        form.start.data = f"{_date_part(form.start.data)}T00:00"
        form.end.data = f"{_date_part(form.end.data)}T23:59"
