from django import template

register = template.Library()


@register.filter
def figure(row: dict, key: str):
    """A figure of a report row for display: blank when not applicable (e.g. 月人均 with nobody in 保)."""
    value = row.get(key) if isinstance(row, dict) else None
    return "" if value is None else value
