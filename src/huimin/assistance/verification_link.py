"""The one place where an application's 核对 (household economic-status verification) conclusion is read.

Today the conclusion comes from a report recorded by hand (ManualVerification): the verification engine
(huimin.verification) is being built separately. When it lands, this function reads the engine's latest report
for the application first and falls back to the manual record; nothing else in assistance changes.
There is no default: without a report the answer is None, and "逢进必核" refuses approval.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class VerificationResult:
    conclusion: str  # huimin.assistance.models.Conclusion value
    conclusion_label: str
    report_number: str
    report_date: datetime.date
    reasons: str
    source: str  # "manual" (recorded by hand) or, later, "engine"


def verification_conclusion(application) -> VerificationResult | None:
    record = application.manual_verifications.order_by("-report_date", "-recorded_at", "-id").first()
    if record is None:
        return None
    return VerificationResult(
        conclusion=record.conclusion,
        conclusion_label=record.get_conclusion_display(),
        report_number=record.report_number,
        report_date=record.report_date,
        reasons=record.reasons,
        source="manual",
    )
