"""Where the approval asks a programme's calculator for the monthly amount. The benefits app plugs its
calculators in when it is installed (huimin.benefits.assistance_link, connected from BenefitsConfig.ready);
assistance imports nothing of benefits. Without a calculator for the programme's kind the approver enters the
amount and its basis."""

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Calculator:
    kinds: Collection[str]  # programme kinds with a monthly calculator
    # (kind, region_code, month, urban, basis, members_default) -> (result or None, inputs): None when the region
    # has no standard set; raises ServiceError (a Chinese message) for inputs it cannot use
    calculate: Callable
    basis_of: Callable  # (result, inputs, kind) -> the enrolment's basis (all strings)
    # kind -> the inputs the calculator of that kind takes from the file ("income_per_head", "members", "grade");
    # the approval takes them from the 核对 report and the 入户调查 (huimin.assistance.actions.inputs)
    needs: Callable = lambda kind: ()


_CALCULATORS: list[Calculator] = []


def register(calculator: Calculator) -> None:
    if calculator not in _CALCULATORS:
        _CALCULATORS.append(calculator)


def calculator_for(kind: str) -> Calculator | None:
    return next((c for c in _CALCULATORS if kind in c.kinds), None)


def calculate(kind: str, region_code: str, month: datetime.date, urban, basis: dict, members_default: int):
    """(result, inputs) by the calculator of ``kind``; (None, {}) when no calculator is plugged in for it."""
    calculator = calculator_for(kind)
    if calculator is None:
        return None, {}
    return calculator.calculate(kind, region_code, month, urban, basis, members_default)


def needs(kind: str) -> tuple[str, ...]:
    """The inputs the calculator of ``kind`` takes from the application's file; () without a calculator."""
    calculator = calculator_for(kind)
    return tuple(calculator.needs(kind)) if calculator else ()


def basis_of(kind: str, result, inputs: dict) -> dict:
    return calculator_for(kind).basis_of(result, inputs, kind)
