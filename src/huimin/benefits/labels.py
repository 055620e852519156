"""What a person reads instead of a code on the payroll pages and exports: a programme by its name, a line's
explanation with its status and basis in words and its amounts in 元."""

from decimal import Decimal

from huimin.assistance.models import Enrolment, Programme, basis_items

STATUS_LABELS = dict(Enrolment.Status.choices)


def programme_names() -> dict[str, str]:
    """Programme code -> Chinese name (a code without a programme shows as itself)."""
    return dict(Programme.objects.values_list("code", "name"))


def programme_label(code: str, names: dict[str, str] | None = None) -> str:
    names = programme_names() if names is None else names
    return names.get(code, code)


def explanation_items(explanation: dict) -> list[tuple[str, str]]:
    """A payroll line's explanation as (label, value) pairs in Chinese: 分 shown as 元, the month's status by its
    name, the enrolment's basis by its labels."""
    out = []
    for key, value in (explanation or {}).items():
        if key.endswith("（分）") and isinstance(value, int | float):
            key, value = key.removesuffix("（分）") + "（元）", f"{Decimal(int(value)) / 100:.2f}"
        elif key == "状态":
            value = STATUS_LABELS.get(value, value)
        elif key == "核定依据":
            value = "；".join(f"{label} {v}" for label, v in basis_items(value)) if isinstance(value, dict) else ""
        out.append((key, "—" if value is None or value == "" else str(value)))
    return out
