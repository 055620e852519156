"""The one place where an application's 核对 (household economic-status verification) conclusion is read.

Two kinds of report count: the engine's 核对报告 made for the application's household and programme since the
application was lodged, and a report recorded by hand (ManualVerification, e.g. the answer to a cross-city 协查 on
paper). The newer of the two decides. There is no default: without a report the answer is None, and "逢进必核"
refuses approval.

The 核对 system plugs in here when it is installed (huimin.verification.assistance_link, from its AppConfig.ready):
it registers how to find its latest report for an application and the address of a household's 核对 page.
Assistance imports nothing of it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class VerificationResult:
    conclusion: str  # a huimin.core.conclusions.Conclusion value
    conclusion_label: str
    report_number: str
    report_date: datetime.date
    reasons: str
    source: str  # "engine" (核对系统报告) or "manual" (recorded by hand)


# (application) -> (created_at, VerificationResult) | None, and (user, household_id) -> URL or ""
_ENGINE_REPORTS: list[Callable] = []
_HOUSEHOLD_PAGES: list[Callable] = []


def register(*, engine_report: Callable, household_page: Callable) -> None:
    if engine_report not in _ENGINE_REPORTS:
        _ENGINE_REPORTS.append(engine_report)
    if household_page not in _HOUSEHOLD_PAGES:
        _HOUSEHOLD_PAGES.append(household_page)


def household_page(user, household_id: int) -> str:
    """The household's page in the 核对 system, when it is installed and the user may use it; else ""."""
    return next((url for page in _HOUSEHOLD_PAGES if (url := page(user, household_id))), "")


def _manual_result(application) -> tuple[datetime.datetime, VerificationResult] | None:
    record = application.manual_verifications.order_by("-report_date", "-recorded_at", "-id").first()
    if record is None:
        return None
    return record.recorded_at, VerificationResult(
        conclusion=record.conclusion,
        conclusion_label=record.get_conclusion_display(),
        report_number=record.report_number,
        report_date=record.report_date,
        reasons=record.reasons,
        source="manual",
    )


def verification_conclusion(application) -> VerificationResult | None:
    candidates = [report(application) for report in _ENGINE_REPORTS] + [_manual_result(application)]
    found = [r for r in candidates if r is not None]
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]
