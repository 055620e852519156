"""Revealing a protected value: only with the PII_UNMASK capability, only inside scope, always audited."""

from django.apps import apps
from django.http import Http404, HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_POST

from huimin.core import audit
from huimin.core.decorators import capability_required
from huimin.core.fields import ProtectedField
from huimin.core.roles import PII_UNMASK
from huimin.core.scope import get_scoped_or_404


@capability_required(PII_UNMASK)
@require_POST
def reveal(request, model_label: str, pk: int, field_name: str):
    try:
        model = apps.get_model(model_label)
        field = model._meta.get_field(field_name)
    except (LookupError, ValueError) as exc:
        raise Http404("对象不存在") from exc
    region_field = getattr(model, "scope_region_field", None)
    if not isinstance(field, ProtectedField) or region_field is None:
        raise Http404("对象不存在")
    obj = get_scoped_or_404(model.objects.all(), request.user, region_field, pk=pk)
    value = getattr(obj, field_name)
    audit.record("pii.reveal", obj, detail=f"查看完整{field.verbose_name}", region_code=_region_code(obj, region_field))
    return HttpResponse(f'<span class="pii-revealed">{escape(value)}</span>')


def _region_code(obj, region_field: str) -> str:
    target = obj
    for part in region_field.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return ""
    return getattr(target, "code", "")
