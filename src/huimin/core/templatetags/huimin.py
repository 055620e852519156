from django import template
from django.urls import reverse
from django.utils.html import format_html

from huimin.core.masking import mask
from huimin.core.roles import PII_UNMASK, has_capability

register = template.Library()


@register.simple_tag(takes_context=True)
def protected(context, obj, field_name: str):
    """A masked value with, for users who may unmask, a button that reveals it (audited)."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field_name)
    if not value:
        return ""
    masked = mask(field.kind, value)
    user = context["request"].user
    if not has_capability(user, PII_UNMASK):
        return format_html('<span class="pii-masked">{}</span>', masked)
    url = reverse("pii_reveal", args=[obj._meta.label, obj.pk, field_name])
    return format_html(
        '<span class="pii-masked">{}</span> <button type="button" class="btn btn-link btn-sm p-0 align-baseline" '
        'hx-post="{}" hx-target="previous .pii-masked" hx-swap="outerHTML" '
        'title="查看完整信息（将记入审计日志）">查看</button>',
        masked,
        url,
    )


@register.filter
def masked(value, kind: str):
    return mask(kind, value)


@register.filter
def yuan(value):
    """Money as people read it: 1,234.50 元."""
    if value is None or value == "":
        return ""
    return f"{value:,.2f} 元"
