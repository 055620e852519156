"""近亲属备案 and the county's delegation of 确认 to a township."""

import datetime

from django.db import transaction
from django.db.models import Q

from huimin.assistance import workflow
from huimin.assistance.actions.common import actor_level, money, required_text
from huimin.assistance.models import Application, Delegation, NearRelative, Programme
from huimin.core import audit, regions
from huimin.core.access import require_capability, require_region_in_scope
from huimin.core.scope import in_scope, scoped
from huimin.core.services import ServiceError
from huimin.registry import idnumbers
from huimin.registry.models import Membership, Person


@transaction.atomic
def declare_near_relative(actor, *, id_number: str, relation: str) -> NearRelative:
    require_capability(actor, workflow.VIEW, "备案近亲属")
    relation = required_text(relation, "与本人关系")
    try:
        number = idnumbers.parse(id_number).number
    except idnumbers.IdNumberError as exc:
        raise ServiceError(f"身份证号有误：{exc}") from exc
    person = Person.objects.filter(**Person.lookup("id_number", number), merged_into__isnull=True).first()
    if person is None or not in_scope(actor, person.region_id):
        # the same answer for "nobody" and "somebody elsewhere": 备案 is no city-wide lookup of ID numbers
        raise ServiceError(
            "您的管辖范围内没有此身份证号的人员：近亲属不在本辖区的无需备案；尚未登记的请先在社会救助对象库中登记"
        )
    if NearRelative.objects.filter(staff=actor, person=person, withdrawn_at__isnull=True).exists():
        raise ServiceError("已备案过此人")
    record = NearRelative.objects.create(staff=actor, person=person, relation=relation[:20])
    audit.record("assistance.near_relative.declare", record, region_code=actor.region_id or "")
    # Applications already under way that cover this person are flagged too.
    households = Membership.objects.filter(person=person, ended_on__isnull=True).values("household_id")
    open_apps = Application.objects.select_for_update().filter(stage__in=workflow.STAGE_ORDER, near_relative_flag=False)
    open_apps = scoped(open_apps, actor, capability=workflow.VIEW)  # never outside the actor's region
    for app in open_apps.filter(
        Q(applicant=person) | Q(beneficiary=person) | Q(programme__scope="household", household_id__in=households)
    ):
        app.near_relative_flag = True
        app.near_relative_note = f"{person.name}系{actor.full_name or actor.username}的{relation}"[:300]
        app.save(update_fields=["near_relative_flag", "near_relative_note", "updated_at"])
    return record


@transaction.atomic
def set_delegation(
    actor, *, programme: Programme, county_code: str, township_code: str | None, effective_from, max_amount=None
) -> Delegation:
    require_capability(actor, workflow.DELEGATE, "设置审核确认权限下放")
    if actor_level(actor) > workflow.COUNTY:
        raise ServiceError("权限下放须由县级民政部门设置")
    require_region_in_scope(actor, county_code, "区划")
    if regions.level_of(county_code) != regions.COUNTY:
        raise ServiceError("请选择县（区）")
    if township_code and (
        regions.level_of(township_code) != regions.TOWNSHIP or not township_code.startswith(county_code[:6])
    ):
        raise ServiceError("乡镇（街道）不属于该县（区）")
    if not programme.delegable:
        raise ServiceError(f"“{programme.name}”不能下放乡镇确认")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    amount = money(max_amount, "确认金额上限") if max_amount not in (None, "") else None
    if programme.one_off and amount is None:
        raise ServiceError("临时救助下放须设置乡镇确认金额上限")
    delegation = Delegation.objects.create(
        programme=programme,
        county_id=county_code,
        township_id=township_code or None,
        max_amount=amount,
        effective_from=effective_from,
        created_by=actor.username,
    )
    audit.record("assistance.delegation.set", delegation, region_code=county_code)
    return delegation


@transaction.atomic
def end_delegation(actor, delegation: Delegation, effective_to) -> Delegation:
    require_capability(actor, workflow.DELEGATE, "收回审核确认权限")
    if actor_level(actor) > workflow.COUNTY:
        raise ServiceError("收回权限须由县级民政部门办理")
    require_region_in_scope(actor, delegation.county_id, "区划")
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.effective_to and delegation.effective_to <= effective_to:
        raise ServiceError("该下放已终止")
    if effective_to < delegation.effective_from - datetime.timedelta(days=1):
        raise ServiceError("终止日期不能早于生效日期")
    delegation.effective_to = effective_to
    delegation.save()
    audit.record("assistance.delegation.end", delegation, region_code=delegation.county_id)
    return delegation
