"""养老服务 API: the older people's register (scoped, paginated, ID numbers masked), one person's categories and
assessments, recording an assessment and deciding a category (a staff member's own decision, ``clients=False``),
all through huimin.elderly.services."""

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core import scope
from huimin.core.masking import mask
from huimin.elderly import capabilities as cap
from huimin.elderly import rules, services
from huimin.elderly.access import access_elderly_person_by_id
from huimin.elderly.models import Assessment, CategoryMark

router = Router(tags=["养老服务"])


class MarkOut(Schema):
    id: int
    category: str = Field(description="类别代码")
    category_name: str
    status: CategoryMark.Status
    status_label: str
    source: CategoryMark.Source
    basis: str
    source_date: datetime.date
    decided_on: datetime.date | None


class AssessmentOut(Schema):
    id: int
    assessed_on: datetime.date
    reason: str
    total: int
    domain_totals: dict[str, int]
    base_level: str = Field(description="按总分的能力等级代码")
    level: str = Field(description="能力等级代码（含昏迷与等级变更）")
    level_name: str
    coma: bool
    adjustments: list[str]
    assessor: str
    next_due: datetime.date = Field(description="复评到期日")


class ElderlyOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="身份证号（脱敏）")
    sex: str
    age: int
    region: str
    household: str


class ElderlyDetail(ElderlyOut):
    categories: list[MarkOut]
    assessments: list[AssessmentOut]


class ElderlyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ElderlyOut]


class AssessmentIn(Schema):
    assessed_on: datetime.date = Field(description="评估日期（不得晚于今天）")
    reason: Assessment.Reason = Assessment.Reason.INITIAL
    scores: dict[str, int] = Field(description="二级指标代码 → 得分（每一项都须给出，且为该项目的选项之一）")
    coma: bool = Field(False, description="处于昏迷状态（直接评定为完全失能）")
    adjustments: list[str] = Field(
        default_factory=list, description="等级变更情形代码（dementia、psychiatric、care_risk）"
    )
    second_assessor: str = ""
    note: str = ""


class DecisionIn(Schema):
    note: str = Field("", description="说明（否定时必填）")


def _person_out(p, day) -> dict:
    return {"id": p.pk, "name": p.name, "id_number": mask("id_number", p.id_number), "sex": p.sex,
            "age": p.age_on(day) or 0, "region": p.region_id,
            "household": p.household.number if p.household_id else ""}  # fmt: skip


def _mark_out(m: CategoryMark) -> dict:
    return {"id": m.pk, "category": m.category.code, "category_name": m.category.name, "status": m.status,
            "status_label": m.get_status_display(), "source": m.source, "basis": m.basis,
            "source_date": m.source_date, "decided_on": m.decided_on}  # fmt: skip


def _assessment_out(a: Assessment) -> dict:
    return {"id": a.pk, "assessed_on": a.assessed_on, "reason": a.reason, "total": a.total,
            "domain_totals": a.domain_totals, "base_level": a.base_level.code, "level": a.level.code,
            "level_name": a.level.name, "coma": a.coma, "adjustments": [x.code for x in a.adjustments.all()],
            "assessor": a.assessor.username, "next_due": a.next_due}  # fmt: skip


def _detail(person) -> dict:
    day = timezone.localdate()
    marks = CategoryMark.objects.filter(person=person).select_related("category").order_by("category__order")
    assessments = (Assessment.objects.filter(person=person).select_related("level", "base_level", "assessor")
                   .prefetch_related("adjustments").order_by("-assessed_on", "-id"))  # fmt: skip
    return {**_person_out(person, day), "categories": [_mark_out(m) for m in marks],
            "assessments": [_assessment_out(a) for a in assessments]}  # fmt: skip


@router.get(
    "/persons",
    response={200: ElderlyPage, **ERRORS},
    summary="老年人名册（按区划、特殊困难类别、年龄段筛选；身份证号脱敏）",
    auth=api_auth(cap.VIEW),
)
def list_elderly(request, region: str = "", category: str = "", confirmed_only: bool = False, age_band: str = "",
                 page: int = 1, page_size: int = 30):  # fmt: skip
    day = timezone.localdate()
    qs = services.register(request.auth, day).select_related("region", "household")
    if (named := scope.named_region(request.auth, region)) is not None:
        qs = qs.filter(named)
    if age_band:
        qs = qs.filter(rules.age_band_q(age_band, day))
    if category:
        statuses = [CategoryMark.Status.CONFIRMED] + ([] if confirmed_only else [CategoryMark.Status.PROPOSED])
        qs = qs.filter(pk__in=CategoryMark.objects.filter(category__code=category, status__in=statuses)
                       .values("person_id"))  # fmt: skip
    return paginate(qs.order_by("region_id", "birth_date", "pk"), page, page_size, lambda p: _person_out(p, day))


@router.get(
    "/persons/{pk}",
    response={200: ElderlyDetail, **ERRORS},
    summary="老年人的特殊困难类别与能力评估历史",
    auth=api_auth(cap.VIEW),
)
def get_elderly_person(request, pk: int):
    return _detail(access_elderly_person_by_id(request.auth, pk))


@router.post(
    "/persons/{pk}/assessments",
    response={200: AssessmentOut, **ERRORS},
    summary="登记老年人能力综合评估（GB/T 42195-2022）",
    auth=api_auth(cap.ASSESS, clients=False),
)
def create_assessment(request, pk: int, payload: AssessmentIn):
    assessment = services.do_assessment(request.auth, pk, payload.dict())
    return _assessment_out(assessment)


@router.post(
    "/categories/{pk}/{decision}",
    response={200: MarkOut, **ERRORS},
    summary="确认（confirm）或否定（reject）一项特殊困难老年人类别",
    auth=api_auth(cap.CONFIRM, clients=False),
)
def decide_category(request, pk: int, decision: str, payload: DecisionIn):
    return _mark_out(services.do_decide(request.auth, pk, decision, payload.note))
