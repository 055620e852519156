from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (the scores an assessor entered, shown again after a refusal)."""
    return (mapping or {}).get(key, "")
