"""待遇资格 API: the 生存认证 overdue list (by township, paginated), recording a 生存认证 (a staff member's or a
协理员's own act, ``clients=False``), the 残联's certificate-change notices and taking note of one. Scoped as the
pages are; out of scope = 404."""

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core.scope import scoped
from huimin.eligibility import capabilities as cap
from huimin.eligibility import services
from huimin.eligibility.access import access_person_for_survival
from huimin.eligibility.models import CertificateChange

router = Router(tags=["待遇资格认证"])


class OverdueOut(Schema):
    person: int = Field(description="人员 id")
    name: str
    region: str = Field(description="所在村（社区）")
    enrolment: int
    programme: str = Field(description="补贴项目代码")
    programme_name: str
    status: str = Field(description="在保状态（active 在保、suspended 停保 …）")
    last_confirmed: datetime.date | None
    due_on: datetime.date = Field(description="应认证日期")
    grace_until: datetime.date = Field(description="宽限截止日期（次日起停保）")


class OverduePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OverdueOut]


class ConfirmIn(Schema):
    channel: str = Field(description="visit 入户核实 / assistant 协理员代为认证")
    confirmed_on: datetime.date | None = Field(None, description="认证日期（默认今天）")
    note: str = ""


class ConfirmOut(Schema):
    id: int
    person: int
    confirmed_on: datetime.date
    channel: str
    channel_label: str


class NoticeOut(Schema):
    id: int
    person: int
    enrolment: int
    programme: str
    region: str
    township: str
    kind: str
    kind_label: str
    outcome: str
    outcome_label: str
    event_on: datetime.date
    effective_month: datetime.date | None
    grade_before: int | None
    grade_after: int | None
    reasons: str
    acknowledged_by: str
    acknowledged_at: datetime.datetime | None


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeOut]


class _List(list):
    """A list ``paginate`` can count and slice like a queryset."""

    def count(self):  # noqa: D102 - the queryset protocol
        return len(self)


def _overdue_out(d) -> dict:
    e = d.enrolment
    return {"person": e.person_id, "name": e.person.name, "region": e.region_id, "enrolment": e.pk,
            "programme": e.programme.code, "programme_name": e.programme.name, "status": e.status,
            "last_confirmed": d.last_confirmed, "due_on": d.due_on, "grace_until": d.grace_until}  # fmt: skip


def _notice_out(n: CertificateChange) -> dict:
    return {"id": n.pk, "person": n.person_id, "enrolment": n.enrolment_id, "programme": n.enrolment.programme.code,
            "region": n.region_id, "township": n.township_id, "kind": n.kind, "kind_label": n.get_kind_display(),
            "outcome": n.outcome, "outcome_label": n.get_outcome_display(), "event_on": n.event_on,
            "effective_month": n.effective_month, "grade_before": n.grade_before, "grade_after": n.grade_after,
            "reasons": n.reasons, "acknowledged_by": n.acknowledged_by,
            "acknowledged_at": n.acknowledged_at}  # fmt: skip


@router.get("/survival/overdue", response={200: OverduePage, **ERRORS}, summary="生存认证逾期名单（可按乡镇筛选）",
            auth=api_auth(cap.VIEW))  # fmt: skip
def list_survival_overdue(request, township: str = "", suspended: bool = False, page: int = 1, page_size: int = 30):
    rows = services.overdue_list(request.auth, day=timezone.localdate(), township=township if township.isdigit()
                                 and len(township) == 12 else "", only_suspended=suspended)  # fmt: skip
    return paginate(_List(rows), page, page_size, _overdue_out)


@router.post("/survival/{person_id}/confirm", response={200: ConfirmOut, **ERRORS},
             summary="记录生存认证（入户核实或协理员代为认证）；因逾期停保的次月起恢复",
             auth=api_auth(cap.CONFIRM, clients=False))  # fmt: skip
def confirm_survival(request, person_id: int, payload: ConfirmIn):
    person = access_person_for_survival(request.auth, person_id)
    row = services.confirm(request.auth, person, channel=payload.channel, day=payload.confirmed_on,
                           note=payload.note)  # fmt: skip
    return {"id": row.pk, "person": row.person_id, "confirmed_on": row.confirmed_on, "channel": row.channel,
            "channel_label": row.get_channel_display()}  # fmt: skip


@router.get("/certificate-changes", response={200: NoticePage, **ERRORS},
            summary="残疾人证变更告知（pending=true 为未知悉）", auth=api_auth(cap.VIEW))  # fmt: skip
def list_certificate_changes(request, pending: bool = False, page: int = 1, page_size: int = 30):
    qs = scoped(CertificateChange.objects.select_related("enrolment__programme"), request.auth, "region", cap.VIEW)
    if pending:
        qs = qs.filter(acknowledged_at__isnull=True)
    return paginate(qs.order_by("-created_at", "-id"), page, page_size, _notice_out)


@router.post("/certificate-changes/{pk}/acknowledge", response={200: NoticeOut, **ERRORS},
             summary="乡镇知悉残疾人证变更告知", auth=api_auth(cap.CONFIRM, clients=False))  # fmt: skip
def acknowledge_certificate_change(request, pk: int):
    return _notice_out(services.acknowledge(request.auth, pk))
