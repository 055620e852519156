"""How the benefits calculators plug into the assistance approval (connected from BenefitsConfig.ready): the
approved monthly amount is the calculated one unless the approver gives a reason. Benefits depends on
assistance here, never the reverse."""

from huimin.assistance import calculation_link, enrolment_hooks
from huimin.benefits import assess
from huimin.core.services import ServiceError


def calculate(kind: str, region_code: str, month, urban, basis: dict, members_default: int):
    inputs = assess.inputs_of(basis, members_default=members_default)
    try:
        result = assess.calculate(kind, region_code, month, urban, inputs)
    except assess.MissingStandard:
        return None, inputs
    except assess.CalculationError as exc:
        raise ServiceError(str(exc)) from exc
    return result, inputs


CALCULATOR = calculation_link.Calculator(
    kinds=tuple(assess.CALCULATED), calculate=calculate, basis_of=assess.basis_of, needs=assess.needs
)


def _stopped(enrolment, change) -> None:
    from huimin.benefits import recovery

    recovery.on_stop(enrolment, change)


def connect() -> None:
    calculation_link.register(CALCULATOR)
    enrolment_hooks.register_stopped(_stopped)
