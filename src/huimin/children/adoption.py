"""收养登记, 家庭寄养 and a child's placement history: every write in one transaction with its audit entry; a
refusal raises BusinessRuleError (a ChildrenErrorCode and a Chinese message) and writes nothing. The conditions of
the law are the pure rules of huimin.children.adoption_rules.

Who: the township 儿童督导员 (reviewer on the 儿童福利 line, ``children.adoption``) may receive an application and
record the 收养评估 (home visit, police and health checks); the county's adoption office (approver,
``children.adoption_archive``) makes the 登记审查, and another of its staff approves (``core.duties``
``children.adoption``: 登记审查 and 审批 by two people). A registered adoption is sealed: only the adoption office
reads it (every read audited), anyone else gets 404.
"""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from huimin.children import adoption_rules as law
from huimin.children import capabilities as cap
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.children.models import (
    Adoption,
    FamilyAssessmentItem,
    FosterFamily,
    FosterPlacement,
    FosterVisit,
    PlacementRecord,
    RegisterEntry,
)
from huimin.children.rules import age_on
from huimin.children.services import LINE, _by, _required, check_child, parameter, today
from huimin.core import audit, duties, regions
from huimin.core.access import (
    BusinessRuleError,
    NotInScope,
    access_by_id,
    acting_as_role,
    require_capability,
    require_region_in_scope,
)
from huimin.core.models import Region
from huimin.core.roles import Role, has_capability
from huimin.core.scope import scoped, subtree
from huimin.core.services import ServiceError
from huimin.registry import codes as registry_codes
from huimin.registry import services as registry
from huimin.registry.models import Household, Membership, Person

PROCEDURE = "children.adoption"
Placement = RegisterEntry.Placement


def procedure() -> duties.Procedure:
    return duties.Procedure(
        code=PROCEDURE, label="收养登记", line=LINE,
        steps={"review": "登记审查", "approve": "审批"},
        doing={"review": "审查收养登记", "approve": "审批收养登记"},
        defaults=(("review", "approve", "收养登记须由登记员审查、另一名负责人审批"),),
        required=frozenset({frozenset(("review", "approve"))}),
    )  # fmt: skip


# --- placement history ------------------------------------------------------------------------------------------


def place(actor, child, kind: str, day: datetime.date, note: str = "") -> PlacementRecord:
    """Close the child's open placement (if another) and open ``kind`` from ``day``; the child's active register
    entries show the new placement. Called inside the caller's transaction."""
    current = PlacementRecord.objects.select_for_update().filter(child=child, ended_on__isnull=True).first()
    if current is not None and current.kind == kind:
        return current
    if current is not None:
        current.ended_on = max(day, current.started_on)
        current.save(update_fields=["ended_on"])
    record = PlacementRecord.objects.create(child=child, kind=kind, started_on=day, note=note[:200],
                                            created_by=_by(actor))  # fmt: skip
    RegisterEntry.objects.filter(person=child, status=RegisterEntry.Status.ACTIVE).update(placement=kind)
    audit.record("children.placement", record, after={"child": child.pk, "kind": kind, "from": str(day)})
    return record


def history(child):
    return PlacementRecord.objects.filter(child=child).order_by("-started_on", "-id")


# --- assessment items ---------------------------------------------------------------------------------------------


def _answers(kind: str, given: dict) -> tuple[dict, bool]:
    """{item code: {"pass": bool, "note": str}} for every item of ``kind``; refused when one is unanswered."""
    items = list(FamilyAssessmentItem.objects.filter(kind=kind))
    if not items:
        raise BusinessRuleError(E.NOT_CONFIGURED, "未设置家庭评估项目，请由系统管理员运行数据迁移载入默认设置")
    answers = {}
    for item in items:
        value = given.get(item.code) or {}
        verdict = str(value.get("pass", "")).strip()
        if verdict not in ("1", "0", "True", "False"):
            raise BusinessRuleError(E.ASSESSMENT_ITEMS, f"请为评估项目“{item.name}”选择“符合”或“不符合”")
        answers[item.code] = {"pass": verdict in ("1", "True"), "note": str(value.get("note") or "")[:200]}
    return answers, all(a["pass"] for a in answers.values())


# --- 收养登记 --------------------------------------------------------------------------------------------------------


def is_office(actor) -> bool:
    return has_capability(actor, cap.ADOPTION_ARCHIVE, LINE)


def access_adoption_by_id(actor, pk, *, for_update: bool = False) -> Adoption:
    """An adoption in the actor's region (404 outside); a sealed one (registered or dissolved) exists only for the
    adoption office, and each read of it is audited (``children.adoption.archive_read``; of an application in
    progress: ``children.adoption.read``)."""
    queryset = Adoption.objects.select_related("child", "adopter", "spouse", "region")
    adoption = access_by_id(queryset, actor, pk, capability=cap.ADOPTION, for_update=for_update, what="收养登记")
    if adoption.sealed:
        if not is_office(actor):
            raise NotInScope("收养登记不存在或不在您的管辖范围内")
        audit.record("children.adoption.archive_read", adoption, detail=f"查阅收养档案 {adoption.number}")
    else:
        audit.record("children.adoption.read", adoption, detail=f"查阅收养登记申请 {adoption.number}")
    return adoption


def visible_adoptions(actor):
    qs = scoped(Adoption.objects.all(), actor, "region", cap.ADOPTION)
    if not is_office(actor):
        qs = qs.exclude(status__in=(Adoption.Status.REGISTERED, Adoption.Status.DISSOLVED))
    return qs


def _require_office(actor, what: str) -> None:
    require_capability(actor, cap.ADOPTION_ARCHIVE, what, line=LINE)


def _parties(adoption: Adoption, day: datetime.date) -> tuple[law.Adopter, law.Child]:
    adopter, child = adoption.adopter, adoption.child
    if adopter.birth_date is None:
        raise BusinessRuleError(E.REQUIRED, f"收养人{adopter.name}的出生日期未登记，请先在人员信息中登记")
    answers = adoption.answers or {}
    able = bool(adoption.assessment_passed) and all(a.get("pass") for a in answers.values())
    return (
        law.Adopter(birth_date=adopter.birth_date, sex=adopter.sex, has_spouse=adoption.has_spouse,
                    spouse_joins=adoption.spouse_id is not None, children=adoption.existing_children, able=able,
                    health_clear=bool(adoption.health_clear), record_clear=bool(adoption.police_clear)),
        law.Child(birth_date=child.birth_date, sex=child.sex, situation=adoption.situation,
                  disabled=adoption.child_disabled, institution=adoption.sender == Adoption.Sender.INSTITUTION,
                  consents=adoption.child_consents),
    )  # fmt: skip


def conditions(adoption: Adoption, day: datetime.date) -> list[str]:
    adopter, child = _parties(adoption, day)
    return law.check(adopter, child, day)


@transaction.atomic
def apply(actor, child, adopter, *, situation: str, sender: str, sender_name: str, has_spouse: bool = False,
          spouse=None, existing_children: int = 0, child_disabled: bool = False, child_consents: bool = False,
          surname: str = Adoption.Surname.KEEP, new_name: str = "",
          day: datetime.date | None = None) -> Adoption:  # fmt: skip
    """受理 a 收养登记 application (the parties appear in person, 民法典第一千一百零五条), with the name the parties
    agreed (第一千一百一十二条). The adopter (or the co-adopting spouse) must have a household in the registry: the
    child moves into it on registration."""
    day = day or today()
    require_capability(actor, cap.ADOPTION, "受理收养登记", line=LINE)
    require_region_in_scope(actor, child.region_id, "被收养人")
    check_child(child, day)
    if adopter.pk == child.pk or (spouse is not None and spouse.pk in (child.pk, adopter.pk)):
        raise BusinessRuleError(E.ADOPTION_CONDITIONS, "收养人、共同收养人与被收养人须为不同的人")
    for adult in (adopter, spouse):
        if adult is not None and (getattr(adult, "is_deceased", False) or getattr(adult, "merged_into_id", None)):
            raise BusinessRuleError(E.ADOPTION_CONDITIONS, f"{adult.name}已死亡或已合并，不能作为收养人")
    if situation not in Adoption.Situation.values:
        raise BusinessRuleError(E.REQUIRED, "请选择被收养人情形（民法典第一千零九十三条）")
    if sender not in Adoption.Sender.values:
        raise BusinessRuleError(E.REQUIRED, "请选择送养人")
    sender_name = _required(sender_name, "送养人名称")
    if spouse is not None and not has_spouse:
        has_spouse = True
    if existing_children < 0 or existing_children > 20:
        raise BusinessRuleError(E.REQUIRED, "收养人现有子女数不正确")
    new_name = check_name(child, adopter, spouse, surname, new_name)
    adopters_household(adopter, spouse)
    if (
        Adoption.objects.filter(child=child)
        .exclude(status__in=(Adoption.Status.REFUSED, Adoption.Status.DISSOLVED))
        .exists()
    ):
        raise BusinessRuleError(E.ADOPTION_STATE, f"{child.name}已有办理中或已登记的收养")
    adoption = Adoption.objects.create(
        number=f"SY{day:%Y%m%d}-{secrets.token_hex(3).upper()}", child=child, region_id=child.region_id,
        situation=situation, child_disabled=child_disabled, sender=sender, sender_name=sender_name[:100],
        adopter=adopter, spouse=spouse, has_spouse=has_spouse, existing_children=existing_children,
        child_consents=child_consents, applied_on=day, created_by=_by(actor), surname=surname, new_name=new_name,
    )  # fmt: skip
    audit.record("children.adoption.apply", adoption, after={"child": child.pk, "adopter": adopter.pk})
    return adoption


@transaction.atomic
def assess(actor, adoption: Adoption, answers: dict, *, home_visit_on: datetime.date | None, home_visit_note: str,
           police_clear: bool | None, police_reference: str, health_clear: bool | None, health_reference: str,
           child_consents: bool | None = None) -> Adoption:  # fmt: skip
    """收养评估: every item (data), the home visit, the police and health checks recorded."""
    require_capability(actor, cap.ADOPTION, "登记收养评估", line=LINE)
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if adoption.status not in (Adoption.Status.APPLIED, Adoption.Status.ASSESSED):
        raise BusinessRuleError(E.ADOPTION_STATE, f"收养登记{adoption.get_status_display()}，不能再评估")
    rows, passed = _answers(FamilyAssessmentItem.Kind.ADOPTION, answers)
    if home_visit_on is None or home_visit_on > today():
        raise BusinessRuleError(E.REQUIRED, "请填写入户调查日期（不能晚于今天）")
    home_visit_note = _required(home_visit_note, "入户调查情况")
    if police_clear is None or health_clear is None:
        raise BusinessRuleError(E.REQUIRED, "请登记公安机关出具的有无违法犯罪记录证明和体检结论")
    adoption.answers, adoption.assessment_passed = rows, passed
    adoption.home_visit_on, adoption.home_visit_note = home_visit_on, home_visit_note[:500]
    adoption.police_clear, adoption.police_reference = police_clear, police_reference.strip()[:100]
    adoption.health_clear, adoption.health_reference = health_clear, health_reference.strip()[:100]
    if child_consents is not None:
        adoption.child_consents = child_consents
    adoption.assessed_on, adoption.assessed_by, adoption.status = today(), actor, Adoption.Status.ASSESSED
    adoption.save()
    audit.record("children.adoption.assess", adoption, after={"passed": passed, "police": police_clear,
                                                              "health": health_clear})  # fmt: skip
    return adoption


@transaction.atomic
def submit(actor, adoption: Adoption, day: datetime.date | None = None) -> Adoption:
    """登记审查: the conditions of 民法典第一千零九十三条至第一千一百零四条 on the day; met → 待审批."""
    day = day or today()
    _require_office(actor, "审查收养登记")
    adoption = Adoption.objects.select_for_update(of=("self",)).select_related("child", "adopter").get(pk=adoption.pk)
    if adoption.status != Adoption.Status.ASSESSED:
        raise BusinessRuleError(E.ADOPTION_STATE, "须先完成收养评估，才能提交登记审批")
    reasons = conditions(adoption, day)
    if reasons:
        raise BusinessRuleError(E.ADOPTION_CONDITIONS, "不予提交：" + "；".join(reasons))
    adoption.status, adoption.submitted_by, adoption.submitted_at = Adoption.Status.SUBMITTED, actor, timezone.now()
    adoption.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit.record("children.adoption.submit", adoption)
    return adoption


# --- the registry follows the registration (through the registry's own services) -----------------------------------

ADOPTED_CHILD = {"1": "17", "2": "27"}  # GB/T 4761: 养子或继子, 养女或继女 (a child of unknown sex: 养子或继子)
CHILD_OF_HEAD = {"10", "17", "20", "27", "70", "71"}  # the adopter is the head's child (or child-in-law)
REGISTRY_PAGE = "“社会救助对象 › 登记家庭”"


def check_name(child, adopter, spouse, surname: str, new_name: str) -> str:
    """民法典第一千一百一十二条: 养子女可以随养父或者养母的姓氏，经当事人协商一致，也可以保留原姓氏. The record says
    what the parties agreed; the name changes only when they agreed on the adopter's (or the co-adopting spouse's)
    surname."""
    if surname not in Adoption.Surname.values:
        raise BusinessRuleError(E.REQUIRED, "请选择被收养人的姓氏（民法典第一千一百一十二条）")
    new_name = (new_name or "").strip()
    if surname == Adoption.Surname.KEEP:
        return ""
    if not new_name:
        raise BusinessRuleError(E.REQUIRED, "随养父或者养母的姓氏的，请填写登记后的姓名")
    if len(new_name) > 50:
        raise BusinessRuleError(E.REQUIRED, "登记后的姓名过长")
    surnames = [p.name[:1] for p in (adopter, spouse) if p is not None and p.name]
    if not any(new_name.startswith(first) for first in surnames):
        raise BusinessRuleError(
            E.ADOPTION_CONDITIONS,
            f"登记后的姓名“{new_name}”不是随养父或者养母的姓氏（民法典第一千一百一十二条）；保留原姓氏的请选择“保留原姓氏”",
        )
    return new_name


def adopters_household(adopter, spouse) -> Household:
    """The adopter's current household in the registry (else the co-adopting spouse's); refused without one."""
    for person in (adopter, spouse):
        if person is None:
            continue
        household = Household.objects.filter(persons__pk=person.pk).first()
        if household is not None and household.is_active:
            return household
    names = "、".join(p.name for p in (adopter, spouse) if p is not None)
    raise BusinessRuleError(
        E.ADOPTER_HOUSEHOLD,
        f"收养人{names}在对象库中没有在册的家庭，被收养人登记后无法迁入：请先由村（社区）或乡镇工作人员在{REGISTRY_PAGE}"
        "（/registry/households/new/）登记收养人的家庭，再受理或审批",
    )


def _relation_to_head(household: Household, adopter, spouse, child) -> str:
    """The child's relation to the head of the adopter's household: the head's 养子/养女 when the head adopts (or is
    the adopter's spouse), the head's grandchild when the adopter is the head's child, else 其他亲属."""
    adopted = ADOPTED_CHILD.get(child.sex, "17")
    parents = {adopter.pk} | ({spouse.pk} if spouse is not None else set())
    if household.head_id in parents:
        return adopted
    mine = Membership.objects.filter(household=household, person_id__in=parents, ended_on__isnull=True)
    relations = set(mine.values_list("relation", flat=True))
    if registry_codes.HEAD in relations or "02" in relations:
        return adopted
    return "30" if relations & CHILD_OF_HEAD else "80"


def _registry_actor(actor, *region_codes: str):
    """For the registration's registry change only: the officer acting as a 协理员 of the 儿童福利 line over the
    smallest region holding ``region_codes`` (held in memory, never saved — as the portal's online 协理员), so the
    registry's services apply their checks unchanged although the adoption office holds no ``people.edit``. The
    audit chain still names the officer."""
    for level in (regions.VILLAGE, regions.TOWNSHIP, regions.COUNTY, regions.CITY, regions.PROVINCE):
        prefixes = {regions.prefix_of(code, level) for code in region_codes}
        if len(prefixes) == 1:
            region = Region.objects.filter(code=regions.full_code(prefixes.pop())).first()
            if region is not None:
                break
    else:
        region = None
    if region is None:
        raise BusinessRuleError(E.ADOPTER_HOUSEHOLD, "收养人家庭所在区划不在本系统中，请由户籍登记机关办理迁移")
    return acting_as_role(actor, Role.ASSISTANT, LINE, region)


def _current_relation(child) -> tuple[Household | None, str]:
    membership = Membership.objects.filter(person=child, ended_on__isnull=True).select_related("household").first()
    if membership is not None:
        return membership.household, membership.relation
    household = Household.objects.filter(pk=child.household_id).first() if child.household_id else None
    if household is None:
        return None, ""
    return household, registry_codes.HEAD if household.head_id == child.pk else ""


def move_into_adopters_household(actor, adoption: Adoption, day: datetime.date) -> None:
    """On registration: the child joins the adopter's household (registry.add_member: his old membership ends, the
    life events 迁出/迁入 are written) with his relation to its head, and takes the agreed name (registry.update_person)
    when the parties agreed on the adopter's surname. The registry's timeline says 依法收养 and names no certificate:
    the 字号 stays in the sealed archive (this record). Inside the approval's transaction: a refusal writes nothing."""
    child = Person.objects.select_for_update().get(pk=adoption.child_id)
    household = adopters_household(adoption.adopter, adoption.spouse)
    before, relation_before = _current_relation(child)
    adoption.household_from, adoption.relation_from = before, relation_before
    adoption.household_to = household
    acting = _registry_actor(actor, *{code for code in (child.region_id, household.region_id)})
    notes = []
    if before is not None and before.pk == household.pk:
        adoption.relation_to = relation_before
        notes.append(f"已在收养人家庭（户编号 {household.number}），未迁移")
    else:
        relation = _relation_to_head(household, adoption.adopter, adoption.spouse, child)
        if before is not None and relation_before == registry_codes.HEAD:
            others = Membership.objects.filter(household=before, ended_on__isnull=True).exclude(person=child)
            if others.exists():
                raise BusinessRuleError(
                    E.ADOPTER_HOUSEHOLD,
                    f"被收养人{child.name}是家庭 {before.number} 的户主，须先在对象库变更该户户主，再审批",
                )
            if Membership.objects.filter(person=child, ended_on__isnull=True).exists():
                registry.move_out(acting, child, on=day, destination=household.number, note="依法收养")
                child.refresh_from_db()
        try:
            registry.add_member(acting, household, registry.MemberInput(relation=relation, person=child), on=day,
                                note="依法收养")  # fmt: skip
        except BusinessRuleError:
            raise
        except ServiceError as exc:  # a registry refusal: the approval writes nothing
            raise BusinessRuleError(E.ADOPTER_HOUSEHOLD, f"被收养人迁入收养人家庭未能办理：{exc}") from exc
        adoption.relation_to = relation
        label = dict(registry_codes.RELATION_CHOICES).get(relation, relation)
        notes.append(f"迁入收养人家庭（户编号 {household.number}），与户主关系：{label}")
    if adoption.surname == Adoption.Surname.ADOPTER and adoption.new_name and adoption.new_name != child.name:
        adoption.former_name = child.name
        child.refresh_from_db()
        try:
            registry.update_person(acting, child, {"name": adoption.new_name}, on=day)
        except BusinessRuleError:
            raise
        except ServiceError as exc:
            raise BusinessRuleError(E.ADOPTER_HOUSEHOLD, f"被收养人姓名变更未能办理：{exc}") from exc
        notes.append(f"姓名由“{adoption.former_name}”变更为“{adoption.new_name}”（民法典第一千一百一十二条）")
    adoption.registry_note = "；".join(notes)[:300]


def move_back(actor, adoption: Adoption, day: datetime.date) -> None:
    """On 解除: the child returns to the household recorded before the registration, with his relation there, if it
    is still open and he is still in the adopter's household; otherwise nothing moves in the registry and the
    record says so (and the adoption office's 工作台 lists it until the registry staff move him)."""
    child = Person.objects.select_for_update().get(pk=adoption.child_id)
    back, here = adoption.household_from, adoption.household_to
    if here is None:
        adoption.registry_note = (adoption.registry_note + "；解除时未办理户籍迁移（登记时未迁入收养人家庭）")[:300]
        return
    if child.household_id != here.pk:
        adoption.registry_note = (adoption.registry_note + "；解除时被收养人已不在收养人家庭，户籍未迁移")[:300]
        return
    if back is None or not back.is_active:
        why = f"原家庭（户编号 {back.number}）已注销" if back is not None else "登记前未在册家庭"
        adoption.registry_note = (
            adoption.registry_note + f"；{why}，被收养人仍在收养人家庭，待对象库工作人员办理迁移"
        )[:300]
        return
    acting = _registry_actor(actor, child.region_id, back.region_id)
    head = adoption.relation_from == registry_codes.HEAD or not adoption.relation_from
    relation = "99" if head else adoption.relation_from
    try:
        registry.add_member(acting, back, registry.MemberInput(relation=relation, person=child), on=day,
                            note="解除收养关系")  # fmt: skip
        back.refresh_from_db()
        if adoption.relation_from == registry_codes.HEAD and back.head_id is None:
            registry.change_head(acting, back, child, on=day, note="解除收养关系，恢复原户主")
    except BusinessRuleError:
        raise
    except ServiceError as exc:
        raise BusinessRuleError(E.ADOPTER_HOUSEHOLD, f"被收养人迁回原家庭未能办理：{exc}") from exc
    adoption.registry_note = (adoption.registry_note + f"；解除后迁回原家庭（户编号 {back.number}）")[:300]


def registry_pending(actor):
    """Dissolved adoptions in the actor's region whose child is still in the adopter's household."""
    from django.db.models import F

    return visible_adoptions(actor).filter(status=Adoption.Status.DISSOLVED, household_to__isnull=False,
                                           child__household=F("household_to"))  # fmt: skip


def _certificate(adoption: Adoption, day: datetime.date) -> str:
    n = Adoption.objects.filter(subtree("region", adoption.region_id[:6]), registered_on__year=day.year).count()
    return f"收字（{day.year}）{adoption.region_id[:6]}第{n + 1:05d}号"


@transaction.atomic
def decide(actor, adoption: Adoption, approve: bool, note: str = "", day: datetime.date | None = None) -> Adoption:
    """审批 by another person than the one who reviewed: approve → 收养登记证, the child's placement 依法收养 (from
    the day of registration, 民法典第一千一百零五条: 收养关系自登记之日起成立); refuse with a reason."""
    day = day or today()
    _require_office(actor, "审批收养登记")
    adoption = (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("child", "adopter", "submitted_by")
        .get(pk=adoption.pk)
    )
    if adoption.status != Adoption.Status.SUBMITTED:
        raise BusinessRuleError(E.ADOPTION_STATE, "该收养登记不在待审批状态")
    duties.check(actor, PROCEDURE, "approve", {"review": adoption.submitted_by.username})
    if approve:
        reasons = conditions(adoption, day)
        if reasons:
            raise BusinessRuleError(E.ADOPTION_CONDITIONS, "不予登记：" + "；".join(reasons))
        adoption.certificate_number, adoption.registered_on = _certificate(adoption, day), day
        adoption.status = Adoption.Status.REGISTERED
        move_into_adopters_household(actor, adoption, day)
        FosterPlacement.objects.filter(child=adoption.child, status=FosterPlacement.Status.ACTIVE).update(
            status=FosterPlacement.Status.ENDED, ended_on=day, end_reason="依法收养"
        )
        # the history is read by the child's 儿童主任: it names no adopter and no certificate (the archive is sealed)
        place(actor, adoption.child, Placement.ADOPTED, day, "依法收养（收养档案已封存）")
    else:
        note = _required(note, "不予登记的理由")
        adoption.status = Adoption.Status.REFUSED
    adoption.decided_by, adoption.decided_at, adoption.decision_note = actor, timezone.now(), note.strip()[:300]
    adoption.save()
    audit.record("children.adoption.decide", adoption, after={"approve": approve, "certificate":
                                                              adoption.certificate_number})  # fmt: skip
    return adoption


@transaction.atomic
def dissolve(actor, adoption: Adoption, kind: str, reason: str, day: datetime.date | None = None,
             back_to: str = Placement.INSTITUTION) -> Adoption:  # fmt: skip
    """解除收养 (民法典第一千一百一十四条至第一千一百一十六条): by agreement registered here, or by a court's judgment
    recorded; the child's placement continues as ``back_to``."""
    day = day or today()
    _require_office(actor, "办理解除收养登记")
    adoption = (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("child", "household_from", "household_to")
        .get(pk=adoption.pk)
    )
    if adoption.status != Adoption.Status.REGISTERED:
        raise BusinessRuleError(E.ADOPTION_STATE, "只有已登记的收养才能解除")
    if kind not in ("agreement", "court"):
        raise BusinessRuleError(E.REQUIRED, "请选择解除方式")
    reason = _required(reason, "解除原因")
    if back_to not in Placement.values or back_to == Placement.ADOPTED:
        raise BusinessRuleError(E.REQUIRED, "请选择解除后的安置方式")
    if day < adoption.registered_on:
        raise BusinessRuleError(E.REQUIRED, "解除日期不能早于登记日期")
    adoption.status, adoption.dissolved_on, adoption.dissolution_kind = Adoption.Status.DISSOLVED, day, kind
    adoption.dissolution_reason = reason[:300]
    adoption.dissolution_number = f"解字（{day.year}）{adoption.region_id[:6]}第{adoption.pk:05d}号"
    move_back(actor, adoption, day)
    adoption.save()
    place(actor, adoption.child, back_to, day, "解除收养")
    audit.record("children.adoption.dissolve", adoption, after={"kind": kind, "on": str(day)})
    return adoption


# --- 家庭寄养 --------------------------------------------------------------------------------------------------------


def access_family_by_id(actor, pk, *, capability: str = cap.ADOPTION) -> FosterFamily:
    return access_by_id(FosterFamily.objects.select_related("carer", "region"), actor, pk, capability=capability,
                        what="寄养家庭")  # fmt: skip


def access_placement_by_id(actor, pk, *, capability: str = cap.VIEW) -> FosterPlacement:
    return access_by_id(FosterPlacement.objects.select_related("family", "child", "family__carer"), actor, pk,
                        capability=capability, region_field="family__region", what="寄养协议")  # fmt: skip


@transaction.atomic
def apply_family(actor, carer, *, address: str, phone: str = "", day: datetime.date | None = None) -> FosterFamily:
    day = day or today()
    require_capability(actor, cap.ADOPTION, "登记寄养家庭", line=LINE)
    require_region_in_scope(actor, carer.region_id, "主要照料人")
    if carer.birth_date is None:
        raise BusinessRuleError(E.REQUIRED, f"{carer.name}的出生日期未登记，请先在人员信息中登记")
    reasons = law.foster_carer(carer.birth_date, day)
    if reasons:
        raise BusinessRuleError(E.FOSTER_CONDITIONS, "；".join(reasons))
    if FosterFamily.objects.filter(carer=carer, status__in=(FosterFamily.Status.APPLIED,
                                                            FosterFamily.Status.APPROVED)).exists():  # fmt: skip
        raise BusinessRuleError(E.ADOPTION_STATE, f"{carer.name}已登记为寄养家庭")
    family = FosterFamily.objects.create(carer=carer, region_id=carer.region_id,
                                         address=_required(address, "家庭住址")[:200], phone=phone.strip()[:30],
                                         applied_on=day, created_by=_by(actor))  # fmt: skip
    audit.record("children.foster.apply", family, after={"carer": carer.pk})
    return family


@transaction.atomic
def assess_family(actor, family: FosterFamily, answers: dict, home_visit_note: str) -> FosterFamily:
    """寄养家庭评估 (items as data, a home visit): every item 符合 → 已认定, otherwise 未通过评估."""
    require_capability(actor, cap.ADOPTION, "评估寄养家庭", line=LINE)
    family = FosterFamily.objects.select_for_update(of=("self",)).select_related("carer").get(pk=family.pk)
    if family.status != FosterFamily.Status.APPLIED:
        raise BusinessRuleError(E.ADOPTION_STATE, f"该寄养家庭{family.get_status_display()}，不能再评估")
    rows, passed = _answers(FamilyAssessmentItem.Kind.FOSTER, answers)
    family.home_visit_note = _required(home_visit_note, "入户调查情况")[:500]
    reasons = law.foster_carer(family.carer.birth_date, today())
    family.answers, family.assessed_on, family.assessed_by = rows, today(), actor
    family.status = FosterFamily.Status.APPROVED if passed and not reasons else FosterFamily.Status.REFUSED
    family.save()
    audit.record("children.foster.assess", family, after={"status": family.status})
    return family


@transaction.atomic
def place_in_family(actor, family: FosterFamily, child, *, institution: str, started_on: datetime.date,
                    term_months: int = 12) -> FosterPlacement:  # fmt: skip
    """A 家庭寄养协议: an approved family with room (two children at most), a child not already placed."""
    require_capability(actor, cap.ADOPTION, "签订家庭寄养协议", line=LINE)
    require_region_in_scope(actor, child.region_id, "寄养儿童")
    family = FosterFamily.objects.select_for_update().get(pk=family.pk)
    if family.status != FosterFamily.Status.APPROVED:
        raise BusinessRuleError(E.ADOPTION_STATE, "只有已认定的寄养家庭才能签订寄养协议")
    if started_on is None:
        raise BusinessRuleError(E.REQUIRED, "请填写寄养开始日期")
    check_child(child, started_on)
    placed = family.placements.filter(status=FosterPlacement.Status.ACTIVE).count()
    reasons = law.foster_room(placed)
    if reasons:
        raise BusinessRuleError(E.FOSTER_CONDITIONS, "；".join(reasons))
    if FosterPlacement.objects.filter(child=child, status=FosterPlacement.Status.ACTIVE).exists():
        raise BusinessRuleError(E.ADOPTION_STATE, f"{child.name}已在寄养中")
    if not 1 <= term_months <= 60:
        raise BusinessRuleError(E.REQUIRED, "协议期限须为 1 至 60 个月")
    end_year, end_month = divmod(started_on.month - 1 + term_months, 12)
    term_ends = datetime.date(started_on.year + end_year, end_month + 1, 1) - datetime.timedelta(days=1)
    placement = FosterPlacement.objects.create(
        family=family, child=child, institution=_required(institution, "送养儿童福利机构")[:100],
        agreement_number=f"JY{started_on:%Y%m}-{secrets.token_hex(3).upper()}", started_on=started_on,
        term_ends_on=term_ends, next_visit_due=started_on + datetime.timedelta(days=parameter("visit_days")),
        created_by=_by(actor),
    )  # fmt: skip
    place(actor, child, Placement.FOSTER, started_on, f"寄养协议 {placement.agreement_number}")
    audit.record("children.foster.place", placement, after={"family": family.pk, "child": child.pk})
    return placement


@transaction.atomic
def record_foster_visit(actor, placement: FosterPlacement, visited_on: datetime.date | None,
                        note: str) -> FosterVisit:  # fmt: skip
    require_capability(actor, cap.VIEW, "登记寄养回访", line=LINE)
    require_region_in_scope(actor, placement.family.region_id, "寄养协议")
    if placement.status != FosterPlacement.Status.ACTIVE:
        raise BusinessRuleError(E.ADOPTION_STATE, "寄养已结束")
    note = _required(note, "回访情况")
    if visited_on is None or visited_on > today() or visited_on < placement.started_on:
        raise BusinessRuleError(E.REQUIRED, "请填写回访日期（寄养开始之后、不晚于今天）")
    visit = FosterVisit.objects.create(placement=placement, visited_on=visited_on, by=actor, note=note[:500])
    placement.next_visit_due = max(placement.next_visit_due,
                                   visited_on + datetime.timedelta(days=parameter("visit_days")))  # fmt: skip
    placement.save(update_fields=["next_visit_due"])
    audit.record("children.foster.visit", placement, after={"visited_on": str(visited_on)})
    return visit


@transaction.atomic
def end_placement(actor, placement: FosterPlacement, reason: str, day: datetime.date | None = None) -> None:
    """The child returns to the institution (机构养育)."""
    day = day or today()
    require_capability(actor, cap.ADOPTION, "结束家庭寄养", line=LINE)
    placement = FosterPlacement.objects.select_for_update(of=("self",)).select_related("child").get(pk=placement.pk)
    if placement.status != FosterPlacement.Status.ACTIVE:
        raise BusinessRuleError(E.ADOPTION_STATE, "寄养已结束")
    placement.status, placement.ended_on = FosterPlacement.Status.ENDED, day
    placement.end_reason = _required(reason, "结束原因")[:200]
    placement.save(update_fields=["status", "ended_on", "end_reason"])
    place(actor, placement.child, Placement.INSTITUTION, day, f"寄养结束：{placement.end_reason}")
    audit.record("children.foster.end", placement, after={"on": str(day)})


def foster_visits_due(actor, day: datetime.date | None = None):
    """The active placements in the actor's region whose monthly visit is due by ``day``."""
    day = day or today()
    return scoped(FosterPlacement.objects.filter(status=FosterPlacement.Status.ACTIVE, next_visit_due__lte=day),
                  actor, "family__region", cap.VIEW)  # fmt: skip


def adopter_age(adoption: Adoption, day: datetime.date) -> int | None:
    return age_on(adoption.adopter.birth_date, day) if adoption.adopter.birth_date else None
