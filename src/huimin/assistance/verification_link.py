"""The one place where an application's 核对 (household economic-status verification) conclusion is read.

Two kinds of report count: the engine's 核对报告 made for the application's household and programme since the
application was lodged, and a report recorded by hand (ManualVerification, e.g. the answer to a cross-city 协查 on
paper). The newer of the two decides. There is no default: without a report the answer is None, and "逢进必核"
refuses approval. A manual conclusion that differs from the system's report counts only once a second person has
confirmed it (from that moment); one awaiting confirmation, or refused it, never counts. ``verification_history``
lists every result of the application, the superseded ones too.

The 核对 system plugs in here when it is installed (huimin.verification.assistance_link, from its AppConfig.ready):
it registers how to list its reports for an application and the address of a household's 核对 page.
Assistance imports nothing of it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from huimin.core.models import User


@dataclass(frozen=True)
class VerificationResult:
    conclusion: str  # a huimin.core.conclusions.Conclusion value
    conclusion_label: str
    report_number: str
    report_date: datetime.date
    reasons: str
    source: str  # "engine" (核对系统报告) or "manual" (recorded by hand)
    record_id: int | None = None  # the Report's or the ManualVerification's pk
    income_per_head: str | None = None  # 家庭月人均收入 (元) the report states; None when it states none
    members: int | None = None  # the household members the report counted (a system report)

    @property
    def source_text(self) -> str:
        """Where a figure taken from this report comes from, as the approval shows it."""
        kind = "核对报告" if self.source == "engine" else "人工录入的核对报告"
        return f"来自{kind} {self.report_number}，{self.report_date:%Y-%m-%d}"


@dataclass(frozen=True)
class EngineReport:
    """One of the 核对 system's reports for an application, as its hook hands it over."""

    created_at: datetime.datetime
    by: str  # who ran the check ("核对系统" for a batch)
    result: VerificationResult


@dataclass(frozen=True)
class AuthorisationStatus:
    """An adult member's 核对授权书 as the 核对 system holds it: one record per person, reused while in force."""

    name: str
    covered: bool
    note: str  # "2026-06-01 签署，撤回前长期有效" or "尚需登记授权书"


SOURCE_LABELS = {"engine": "核对系统报告", "manual": "人工录入"}

# (application) -> [EngineReport, …] newest first, (user, household_id) -> URL or "", and
# (household_id, day) -> [AuthorisationStatus, …] of the adult members
_ENGINE_REPORTS: list[Callable] = []
_HOUSEHOLD_PAGES: list[Callable] = []
_AUTHORISATIONS: list[Callable] = []


def register(*, engine_reports: Callable, household_page: Callable, authorisations: Callable | None = None) -> None:
    if engine_reports not in _ENGINE_REPORTS:
        _ENGINE_REPORTS.append(engine_reports)
    if household_page not in _HOUSEHOLD_PAGES:
        _HOUSEHOLD_PAGES.append(household_page)
    if authorisations is not None and authorisations not in _AUTHORISATIONS:
        _AUTHORISATIONS.append(authorisations)


def authorisations(household_id: int, day: datetime.date) -> list[AuthorisationStatus] | None:
    """The adult members' 核对授权书 (which are covered, which still need one); None without the 核对 system."""
    if not _AUTHORISATIONS:
        return None
    return [status for hook in _AUTHORISATIONS for status in hook(household_id, day)]


def household_page(user, household_id: int, programme: str = "") -> str:
    """The household's page in the 核对 system (opening on ``programme``), when it is installed and the user may use
    it; else ""."""
    return next((url for page in _HOUSEHOLD_PAGES if (url := page(user, household_id, programme))), "")


def _engine_reports(application) -> list[EngineReport]:
    reports = [report for hook in _ENGINE_REPORTS for report in hook(application)]
    return sorted(reports, key=lambda r: r.created_at, reverse=True)


def _engine_result(application, reports: list[EngineReport] | None = None):
    """The engine's latest report as (when, result), from ``reports`` when they were already read."""
    reports = _engine_reports(application) if reports is None else reports
    return (reports[0].created_at, reports[0].result) if reports else None


def system_result(application) -> VerificationResult | None:
    """The 核对 system's latest report for the application (what a manual conclusion is compared with)."""
    found = _engine_result(application)
    return found[1] if found else None


def _from_manual(record) -> VerificationResult:
    return VerificationResult(
        conclusion=record.conclusion,
        conclusion_label=record.get_conclusion_display(),
        report_number=record.report_number,
        report_date=record.report_date,
        reasons=record.reasons,
        source="manual",
        record_id=record.pk,
        income_per_head=None if record.income_per_head is None else str(record.income_per_head),
    )


COUNTED = ("effective", "confirmed")  # ManualVerification.Status values that count


def _manual_result(application, records: list | None = None):
    """The manual record that counts as (when, result): the latest report among the counted ones, of ``records``
    (the application's manual records) when they were already read."""
    if records is None:
        records = application.manual_verifications.filter(status__in=COUNTED)
    counted = [r for r in records if r.status in COUNTED]
    if not counted:
        return None
    record = max(counted, key=lambda r: (r.report_date, r.recorded_at, r.pk))
    return record.checked_at or record.recorded_at, _from_manual(record)


def _newer(*found) -> VerificationResult | None:
    found = [pair for pair in found if pair is not None]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def verification_conclusion(application) -> VerificationResult | None:
    return _newer(_engine_result(application), _manual_result(application))


@dataclass(frozen=True)
class VerificationEntry:
    """One 核对 result of an application as the review and approval pages and the 审批表 list it."""

    result: VerificationResult
    source_label: str
    by: str  # who recorded it (the system report: who ran the check)
    at: datetime.datetime
    status: str  # 现行依据 / 已被取代 / 待复核确认 / 复核不予确认
    is_current: bool
    file_id: int | None = None  # a manual record with its report file
    overrides: str = ""  # a manual record differing from the system: "核对系统报告 HD-3：不符合"
    checked: str = ""  # a confirmed or rejected one: who, when and the note


def _name(user) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else "核对系统"


def _full_names(usernames) -> dict[str, str]:
    return {u: f or u for u, f in User.objects.filter(username__in=usernames).values_list("username", "full_name")}


def verification_history(application) -> list[VerificationEntry]:
    """Every 核对 result of the application, newest first: the system's reports and the manual records,
    with the one that counts marked and the others as superseded, awaiting confirmation or rejected."""
    return verification_record(application)[1]


def verification_record(application) -> tuple[VerificationResult | None, list[VerificationEntry]]:
    """``verification_conclusion`` and ``verification_history`` together, from one read of the reports and the
    manual records (a page that shows both)."""
    reports = _engine_reports(application)
    records = list(application.manual_verifications.all())
    current = _newer(_engine_result(application, reports), _manual_result(application, records))
    current_key = (current.source, current.record_id) if current else None
    entries = []
    for report in reports:
        is_current = ("engine", report.result.record_id) == current_key
        entries.append(
            VerificationEntry(
                report.result, SOURCE_LABELS["engine"], report.by, report.created_at,
                "现行依据" if is_current else "已被取代", is_current,
            )
        )  # fmt: skip
    names = _full_names({r.recorded_by for r in records} | {r.checked_by for r in records if r.checked_by})
    for record in records:
        result = _from_manual(record)
        is_current = ("manual", record.pk) == current_key
        if is_current:
            status = "现行依据"
        elif record.status in COUNTED:
            status = "已被取代"
        else:
            status = record.get_status_display()
        overrides = ""
        if record.system_report:
            overrides = f"核对系统报告 {record.system_report}：{record.get_system_conclusion_display()}"
        checked = (
            f"{names.get(record.checked_by, record.checked_by)} "
            f"{timezone.localtime(record.checked_at):%Y-%m-%d %H:%M} {record.get_status_display()}：{record.check_note}"
            if record.checked_at
            else ""
        )
        entries.append(
            VerificationEntry(
                result, SOURCE_LABELS["manual"], names.get(record.recorded_by, record.recorded_by), record.recorded_at,
                status, is_current,
                record.pk if record.report_file else None, overrides, checked,
            )
        )  # fmt: skip
    return current, sorted(entries, key=lambda e: e.at, reverse=True)
