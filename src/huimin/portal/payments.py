"""Payments shown to a resident come from the benefits app (资金发放). Until it is installed the portal says so;
it never shows made-up figures. The benefits app provides ``huimin.benefits.portal.payments_for(person)``
returning rows with ``month``, ``programme``, ``amount`` (Decimal 元), ``paid_on`` and ``status`` (docs/api.md)."""

import importlib

from django.apps import apps

NOT_YET = "发放记录将在资金发放模块上线后显示"


def payments_for(person) -> list[dict] | None:
    """The person's payments, or None when the benefits app (or its portal hook) is not present."""
    if person is None or not apps.is_installed("huimin.benefits"):
        return None
    # benefits is installed, so its portal module must import: a broken import is a bug to see, not "no payments"
    module = importlib.import_module("huimin.benefits.portal")
    provider = getattr(module, "payments_for", None)
    return list(provider(person)) if provider else None
