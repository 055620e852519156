"""The one place where an application's 核对 (household economic-status verification) conclusion is read.

Two kinds of report count: the engine's 核对报告 (huimin.verification.Report) made for the application's household
and programme since the application was lodged, and a report recorded by hand (ManualVerification, e.g. the
answer to a cross-city 协查 on paper). The newer of the two decides. There is no default: without a report the
answer is None, and "逢进必核" refuses approval.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class VerificationResult:
    conclusion: str  # a huimin.core.conclusions.Conclusion value
    conclusion_label: str
    report_number: str
    report_date: datetime.date
    reasons: str
    source: str  # "engine" (核对系统报告) or "manual" (recorded by hand)


def _engine_result(application) -> tuple[datetime.datetime, VerificationResult] | None:
    if not apps.is_installed("huimin.verification"):
        return None
    from huimin.verification.models import Report

    report = (
        Report.objects.filter(
            household_id=application.household_id,
            programme=application.programme.code,
            created_at__gte=application.created_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if report is None:
        return None
    reasons = "；".join(r["text"] if isinstance(r, dict) else str(r) for r in report.reasons) or "各项指标均在标准以内"
    return report.created_at, VerificationResult(
        conclusion=report.conclusion,
        conclusion_label=report.get_conclusion_display(),
        report_number=f"HD-{report.pk}",
        report_date=report.as_of,
        reasons=reasons,
        source="engine",
    )


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
    found = [r for r in (_engine_result(application), _manual_result(application)) if r is not None]
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]
