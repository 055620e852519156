"""``{% url %}`` for the commonest link of a list — a view whose one argument is a row's integer id — without
resolving the URLconf on every row.

Each ``{% url 'registry:person' p.pk %}`` costs Django's ``reverse`` (≈ 17 µs): a page of 30 persons with their
households' links spends about a millisecond on it, one page in twelve of its time. The address around the id never
changes while the process runs (one URLconf, no per-request namespaces: ``api`` is the only instance namespace),
so it is found once per view name and the id put in. Everything else — keyword arguments, several arguments, an
argument that is not an int, a view name the marker does not reverse for — is Django's own tag.

Installed as a template builtin (settings.TEMPLATES), so it replaces ``url`` in every template.
"""

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import conditional_escape

register = template.Library()

_MARK = 918273645  # an id no URL of the application contains otherwise


@functools.lru_cache(maxsize=512)
def around_id(view_name: str) -> tuple[str, str] | None:
    """The view's address before and after its id (without the script prefix), or None when it takes something
    else."""
    try:
        address = reverse(view_name, args=[_MARK])
    except NoReverseMatch:
        return None
    prefix = get_script_prefix()
    if not address.startswith(prefix) or address.count(str(_MARK)) != 1:
        return None
    before, _, after = address[len(prefix) :].partition(str(_MARK))
    return before, after


class IdURLNode(URLNode):
    def render(self, context):
        if self.kwargs or len(self.args) != 1:
            return super().render(context)
        pk = self.args[0].resolve(context)
        around = around_id(self.view_name.resolve(context)) if type(pk) is int and pk >= 0 else None
        if around is None:
            return super().render(context)
        address = f"{get_script_prefix()}{around[0]}{pk}{around[1]}"
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return IdURLNode(node.view_name, node.args, node.kwargs, node.asvar)
