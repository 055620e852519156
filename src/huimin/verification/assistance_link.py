"""How the 核对 system plugs into social assistance when both are installed (connected from VerificationConfig.ready):
the workflow reads the engine's latest 核对报告 for an application and links a household to its 核对 page, and a
periodic batch asks which households are enrolled. Verification depends on assistance here, never the reverse."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from huimin.assistance import verification_link
from huimin.assistance.models import ApplicationDocument, Enrolment, ManualVerification, Programme
from huimin.core.roles import has_capability
from huimin.core.scope import subtree
from huimin.registry.models import Household
from huimin.verification import applications, enrolment, programmes, services
from huimin.verification.capabilities import VERIFY_RUN
from huimin.verification.models import Report

AUTHORISATION_DOCUMENT = "authorization"  # the application document code of the 家庭经济状况核对授权书


def engine_reports(application) -> list[verification_link.EngineReport]:
    """The engine's reports for the application's household and programme since it was lodged, newest first."""
    reports = Report.objects.filter(
        household_id=application.household_id,
        programme=application.programme.code,
        created_at__gte=application.created_at,
    ).select_related("created_by")
    return [
        verification_link.EngineReport(report.created_at, _name(report.created_by), _result(report))
        for report in reports.order_by("-created_at", "-id")
    ]


def _name(user) -> str:
    return (user.full_name or user.username) if user else "核对系统"


def _result(report) -> verification_link.VerificationResult:
    reasons = "；".join(r["text"] if isinstance(r, dict) else str(r) for r in report.reasons) or "各项指标均在标准以内"
    return verification_link.VerificationResult(
        conclusion=report.conclusion,
        conclusion_label=report.get_conclusion_display(),
        report_number=f"HD-{report.pk}",
        report_date=report.as_of,
        reasons=reasons,
        source="engine",
        record_id=report.pk,
        income_per_head=report.figures.get("income_per_head_month"),
        members=report.figures.get("members"),
    )


def household_page(user, household_id: int, programme: str = "") -> str:
    if not has_capability(user, VERIFY_RUN):
        return ""
    url = reverse("verification:household", args=[household_id])
    return f"{url}?{urlencode({'programme': programme})}" if programme else url


def programme_name(code: str) -> str:
    return Programme.objects.filter(code=code).values_list("name", flat=True).first() or ""


def programme_choices() -> list[tuple[str, str]]:
    return list(Programme.objects.order_by("code").values_list("code", "name"))


def enrolled_households(programme: str, prefix: str) -> list[int]:
    live = [Enrolment.Status.ACTIVE, Enrolment.Status.GRACE, Enrolment.Status.SUSPENDED]
    enrolments = Enrolment.objects.filter(subtree("region", prefix), programme__code=programme, status__in=live)
    return list(enrolments.values_list("household_id", flat=True))


def authorisations(household_id: int, day) -> list[verification_link.AuthorisationStatus]:
    """The household's adult members and their 授权书 in force on ``day`` (for the application page)."""
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        return []
    out = []
    for row in services.authorisation_rows(household, day):
        if not row["adult"]:
            continue
        auth = row["authorisation"]
        note = f"{auth.signed_on:%Y-%m-%d} 签署，{auth.validity}" if auth else "尚需登记授权书"
        out.append(verification_link.AuthorisationStatus(row["person"].name, auth is not None, note))
    return out


def authorisation_documents(household_id: int) -> list[applications.AuthorisationDocument]:
    """The 授权书 scans the household's applications hold (application document 家庭经济状况核对授权书)."""
    docs = (
        ApplicationDocument.objects.filter(application__household_id=household_id, code=AUTHORISATION_DOCUMENT)
        .select_related("application")
        .order_by("-uploaded_at", "-id")
    )
    return [
        applications.AuthorisationDocument(
            doc.pk,
            f"申请 {doc.application.number} 的申请材料（{timezone.localtime(doc.uploaded_at):%Y-%m-%d} 上传）",
            doc.file,
            timezone.localtime(doc.application.created_at).date(),
        )
        for doc in docs
    ]


def manual_results(programme: str, prefix: str, until) -> dict[int, enrolment.Result]:
    """The latest 核对 result entered by hand (in force: not awaiting or refused a second person's confirmation)
    per household of ``programme`` under ``prefix``, dated on or before ``until``."""
    in_force = [ManualVerification.Status.EFFECTIVE, ManualVerification.Status.CONFIRMED]
    rows = ManualVerification.objects.filter(
        subtree("application__region", prefix), application__programme__code=programme, status__in=in_force,
        report_date__lte=until,
    ).values_list("application__household_id", "report_date", "recorded_at", "conclusion")  # fmt: skip
    latest: dict[int, enrolment.Result] = {}
    for household, day, at, conclusion in rows:
        if household not in latest or (day, at) > latest[household][:2]:
            latest[household] = (day, at, conclusion)
    return latest


def connect() -> None:
    verification_link.register(
        engine_reports=engine_reports, household_page=household_page, authorisations=authorisations
    )
    applications.register(authorisation_documents)
    enrolment.register(enrolled_households)
    enrolment.register_results(manual_results)
    programmes.register(programme_name, programme_choices)
