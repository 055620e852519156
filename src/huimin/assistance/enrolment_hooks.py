"""Where apps above assistance learn of an enrolment's stop (assistance imports none of them).

``benefits`` registers the listing of what was paid for months the stop now leaves unpaid (追缴,
huimin.benefits.recovery) from ``BenefitsConfig.ready``; the hooks run inside the stop's transaction, so the
stop and its recovery are committed together or not at all."""

from collections.abc import Callable

# (enrolment, change) -> None, called after a 退出 (stop or review stop) is written
STOPPED: list[Callable] = []


def register_stopped(hook: Callable) -> None:
    if hook not in STOPPED:
        STOPPED.append(hook)


def stopped(enrolment, change) -> None:
    for hook in STOPPED:
        hook(enrolment, change)


# programme kind -> (programme, household, beneficiary, day) -> dict: what an application of that kind records of
# facts another app holds (养老服务: the latest 能力评估 level and the household's 低保/特困, huimin.elderly.subsidies),
# raising ServiceError (a Chinese message) when the person may not apply. Called on application, before writing.
APPLICATION_DETAILS: dict[str, Callable] = {}


def register_details(kind: str, hook: Callable) -> None:
    APPLICATION_DETAILS[kind] = hook


def application_details(programme, household, beneficiary, day) -> dict:
    hook = APPLICATION_DETAILS.get(programme.kind)
    return hook(programme, household, beneficiary, day) if hook and beneficiary is not None else {}
