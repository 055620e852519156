"""Reading what a person typed into a form: one parser per kind of value, shared by every business."""

import datetime


def date_or_none(value) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD) as posted by an ``<input type=date>``; None when blank or not a date (the service
    then refuses with its own Chinese message naming the field)."""
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
