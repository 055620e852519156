"""主动发现: a 应保 warning proposes the applications that fit it (the rule's ``propose`` parameter, programme codes,
as data); the township starts one from the warning with the family's consent, recorded, and a 核对 of the household
before anything else. The 核对 (verification's single check: it refuses while an adult member's 授权书 is missing)
and the application (assistance's own ``create_application``, channel 主动发现) are the apps' own actions; nothing
here re-implements them. Monitoring stands above both: it imports them, never the other way round."""

import datetime

from django.db import transaction
from django.utils import timezone

from huimin.assistance import services as assistance
from huimin.assistance.models import Channel, Programme
from huimin.core import audit
from huimin.core.access import BusinessRuleError
from huimin.core.services import ServiceError
from huimin.monitoring import services
from huimin.monitoring.error_codes import MonitoringErrorCode
from huimin.monitoring.models import Direction, Discovery, Warning
from huimin.registry.models import Person
from huimin.verification import services as verification


def proposals(w: Warning) -> list[Programme]:
    """The active programmes the warning's rule proposes, in the rule's order (none for a 应退 warning)."""
    if w.direction != Direction.ENTER:
        return []
    codes = [str(c) for c in (w.rule.params or {}).get("propose", [])]
    found = {p.code: p for p in Programme.objects.filter(code__in=codes, is_active=True)}
    return [found[c] for c in codes if c in found]


def _member(w: Warning, person_id, label: str) -> Person:
    try:
        person = Person.objects.get(pk=int(person_id), household_id=w.household_id, merged_into__isnull=True,
                                    is_deceased=False)  # fmt: skip
    except (Person.DoesNotExist, TypeError, ValueError) as exc:
        raise ServiceError(f"请选择{label}（须为该家庭的在世成员）") from exc
    return person


@transaction.atomic
def start_application(
    actor,
    warning: Warning,
    *,
    programme_code: str,
    applicant_id,
    consent_by_id,
    consent_on: datetime.date | None,
    consent_note: str,
    reason: str,
    requested_amount=None,
    beneficiary_id=None,
) -> Discovery:
    """From an open 应保 warning: record the family's consent, run the household's 核对, then lodge the
    application (channel 主动发现) and mark the warning 已处置 · 已启动救助申请 — all or nothing."""
    w = services._locked(actor, warning)
    if w.direction != Direction.ENTER:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "只有应保预警可以主动发起救助申请")
    if w.status not in (Warning.Status.PENDING, Warning.Status.VERIFYING):
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "该预警已处置，不能再发起申请")
    offered = {p.code: p for p in proposals(w)}
    programme = offered.get(programme_code or "")
    if programme is None:
        names = (
            "、".join(p.name for p in offered.values())
            or "（无：请县级或市级民政部门在「动态监测 → 预警规则」页面配置“建议启动的救助申请”）"
        )
        raise ServiceError(f"请选择预警建议的救助项目：{names}")
    applicant = _member(w, applicant_id, "申请人")
    consenting = _member(w, consent_by_id, "同意申请的家庭成员")
    if not isinstance(consent_on, datetime.date):
        raise ServiceError("请填写家庭同意申请的日期")
    today = timezone.localdate()
    if consent_on > today:
        raise ServiceError("同意日期不能晚于今天")
    if consent_on < w.raised_at.date():
        raise ServiceError("同意日期不能早于预警日期")
    consent_note = (consent_note or "").strip()
    if not consent_note:
        raise ServiceError("请说明家庭同意申请的方式（如：入户告知后户主签字同意）")
    beneficiary = _member(w, beneficiary_id, "保障对象") if programme.scope == "person" else None
    # the 核对 comes first: without every adult's signed 授权书 (or thresholds for the programme) nothing is written
    report = verification.check_household(actor, w.household, programme.code, today)
    application = assistance.create_application(
        actor, programme=programme, household=w.household, applicant=applicant, channel=Channel.DISCOVERY,
        reason=f"主动发现（动态监测预警 #{w.pk}：{w.rule.name}）。{(reason or '').strip()}".strip(),
        requested_amount=requested_amount, beneficiary=beneficiary,
    )  # fmt: skip
    discovery = Discovery.objects.create(
        warning=w, application=application, report=report, consent_by=consenting, consent_on=consent_on,
        consent_note=consent_note, created_by=services._actor_name(actor),
    )  # fmt: skip
    audit.record("monitoring.discovery.start", discovery, region_code=w.region_id, after={
        "warning": w.pk, "application": application.number, "report": report.pk, "consent_by": consenting.pk,
        "consent_on": consent_on.isoformat(), "conclusion": report.conclusion,
    })  # fmt: skip
    note = (f"主动发现：{consenting.name}于{consent_on:%Y-%m-%d}同意申请（{consent_note}）；核对报告 #{report.pk}"
            f"（{report.get_conclusion_display()}）；已登记{programme.name}申请 {application.number}")  # fmt: skip
    services._move(actor, w, Warning.Status.HANDLED, action=Warning.Action.APPLICATION, note=note)
    return discovery
