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
