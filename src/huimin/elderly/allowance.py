"""高龄津贴 免申即享: the monthly proposal from the registry, the township's bulk confirmation, and the changes the
registry makes to the allowance (band change, death, 迁出, 户籍 transfer, a move within the city).

- **Bands and amounts** are benefits ``Standard`` rows of kind ``aged_allowance`` (``age_from``/``age_to``), per
  region, set on 养老服务 › 高龄津贴标准 (``bands_page``) or 待遇发放 › 保障标准; an overlap of two bands of one region
  is refused by ``benefits.services.add_standard``.
- **The month** a person is paid a band is decided by the region's ``AllowancePolicy.start_rule``: by default from
  the month after the month in which the age is reached (the age on the last day of the previous month counts);
  ``birth_month``: from the month it is reached (the age on the last day of the month counts). A person born on
  29 February reaches an age on 1 March in a common year (``Person.age_on``).
- **The proposal** for next month (``proposal``) is computed set-based from the registry: who is in a band next
  month and has no 高龄津贴 (those reaching the band next month, and those already in a band and not enrolled),
  whose band changes next month, whose allowance stops (death, 迁出 without a new household, 户籍 or residence
  outside the city) and whose allowance moves with them within the city.
- **Confirmation** (``confirm``): the township (capability ``elderly.allowance``) confirms the new persons in bulk
  (all of a filter, or those ticked); the same decision applies the band changes, stops and moves of its region.
  Each new person gets an assistance ``Application`` (channel 免申即享, stage 已批准, decided by the confirmer) and
  an ``Enrolment`` of the programme ``aged_allowance`` from next month; the monthly payroll pays it where a
  发放项目与资金来源 row is in force. One ``AllowanceBatch`` and one audit entry per decision.
- **Automatic confirmation** (``auto_confirm``): where the region's policy says so, the same decision is taken by
  the rule (``huimin elderly-allowance --auto``), recorded with mode 按规则自动确认.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.assistance.actions.enrol import do_adjust, do_stop
from huimin.assistance.models import Application, Channel, Enrolment, EnrolmentChange, EnrolmentMember, Programme
from huimin.assistance.models import Stage as AppStage
from huimin.benefits import standards
from huimin.benefits.calculators import StandardValue, age_on, yuan
from huimin.benefits.models import Standard, StandardKind
from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.models import Region
from huimin.core.scope import in_scope, subtree
from huimin.core.services import ServiceError
from huimin.elderly import capabilities as cap
from huimin.elderly.error_codes import ElderlyErrorCode
from huimin.elderly.models import AllowanceBatch, AllowancePolicy

PROGRAMME = "aged_allowance"
KIND = StandardKind.AGED_ALLOWANCE
WHERE_BANDS = "请由县级或市级民政审批人员在“养老服务 › 高龄津贴标准”页面设置年龄段和金额"
CITY = regions.CITY


def today() -> datetime.date:
    return timezone.localdate()


def first_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_of(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def next_month(day: datetime.date | None = None) -> datetime.date:
    return add_months(first_of(day or today()), 1)


# --- rules as data -------------------------------------------------------------------------------------------


def policy(region_code: str, day: datetime.date, rows=None) -> AllowancePolicy | None:
    rows = rows if rows is not None else list(AllowancePolicy.objects.filter(effective_from__lte=day))
    return regions.in_force(
        (r for r in rows if r.effective_from <= day),
        region_code,
        region=lambda r: r.region_id,
        effective_from=lambda r: r.effective_from,
        tiebreak=lambda r: (r.pk,),
    )


def reference_day(month: datetime.date, start_rule: str) -> datetime.date:
    """The day whose age decides the band paid in ``month``."""
    if start_rule == AllowancePolicy.Start.BIRTH_MONTH:
        return last_of(month)
    return month - datetime.timedelta(days=1)


def born_by(day: datetime.date, age: int) -> datetime.date:
    """The latest birth date of a person aged at least ``age`` on ``day`` (29 February counts as 1 March)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # day is 29 February, the year ``age`` before is common: born on 28 February is the last
        return datetime.date(day.year - age, 2, 28)


@dataclass(frozen=True)
class Band:
    low: int
    high: int | None
    value: StandardValue

    @property
    def label(self) -> str:
        return f"{self.low}岁以上" if self.high is None else f"{self.low}–{self.high}岁"

    @property
    def amount(self) -> Decimal:
        return yuan(self.value.monthly)

    def holds(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)


class BandTable:
    """The bands in force in a month at each place (cached per region: a county's villages share their rows)."""

    def __init__(self, month: datetime.date):
        self.month = month
        self.rows = standards.in_effect(KIND, month)
        self._cache: dict[str, list[Band]] = {}
        self._bands: dict[tuple[str, int], Band | None] = {}

    def at(self, region_code: str) -> list[Band]:
        if region_code not in self._cache:
            found: dict[int, Standard] = {}
            for low in sorted({r.age_from for r in self.rows if r.age_from is not None}):
                row = standards.find(KIND, region_code, self.month, age=low, rows=self.rows)
                if row is not None:
                    found[row.pk] = row
            bands = []
            for row in found.values():
                try:
                    bands.append(Band(row.age_from, row.age_to, standards.as_value(row)))
                except LookupError:
                    continue
            self._cache[region_code] = sorted(bands, key=lambda b: b.low)
        return self._cache[region_code]

    def band(self, region_code: str, age: int) -> Band | None:
        key = (region_code, age)
        if key not in self._bands:
            self._bands[key] = next((b for b in self.at(region_code) if b.holds(age)), None)
        return self._bands[key]

    def lowest(self) -> int | None:
        lows = [r.age_from for r in self.rows if r.age_from is not None]
        return min(lows) if lows else None


# --- the proposal --------------------------------------------------------------------------------------------


@dataclass
class Line:
    person_id: int
    name: str
    birth_date: datetime.date
    region_id: str
    household_id: int | None
    age: int
    band: Band | None = None
    kind: str = ""  # reach (达到年龄段) / backlog (已在年龄段未纳入) / regrade / stop / move
    enrolment_id: int | None = None
    old_amount: Decimal | None = None
    reason: str = ""
    new_region_id: str = ""

    @property
    def township(self) -> str:
        return regions.full_code(self.region_id[:9])

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


KIND_LABELS = {
    "reach": "下月达到年龄段",
    "backlog": "已在年龄段、尚未享受",
    "regrade": "调档",
    "stop": "停发",
    "move": "随迁（市内）",
}


@dataclass
class Proposal:
    month: datetime.date
    prefix: str
    new: list[Line] = field(default_factory=list)
    regrade: list[Line] = field(default_factory=list)
    stops: list[Line] = field(default_factory=list)
    moves: list[Line] = field(default_factory=list)
    configured: bool = True

    @property
    def new_total(self) -> Decimal:
        return sum((line.band.amount for line in self.new), Decimal("0.00"))


def programme() -> Programme:
    found = Programme.objects.filter(code=PROGRAMME, is_active=True).first()
    if found is None:
        raise ServiceError("高龄津贴项目未启用：请由系统管理员在“救助项目”中启用代码为 aged_allowance 的项目")
    return found


def _candidates(prefix: str, born_before: datetime.date, programme_id: int) -> list[tuple]:
    """(id, name, birth_date, place, household_id) of the living, unmerged persons under ``prefix`` (by 户籍地, else
    居住地) born on or before ``born_before`` with no current 高龄津贴: one query."""
    sql = (
        "SELECT p.id, p.name, p.birth_date, COALESCE(p.hukou_region_id, p.region_id), p.household_id"
        " FROM registry_person p"
        " WHERE p.birth_date <= %s AND p.is_deceased = %s AND p.merged_into_id IS NULL"
        " AND COALESCE(p.hukou_region_id, p.region_id) LIKE %s"
        " AND NOT EXISTS (SELECT 1 FROM assistance_enrolment e WHERE e.person_id = p.id"
        " AND e.programme_id = %s AND e.status <> 'stopped')"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [born_before, False, f"{prefix}%", programme_id])
        return cursor.fetchall()


def _enrolled(prefix: str, programme_id: int) -> list[tuple]:
    """The current 高龄津贴 enrolments paid under ``prefix`` or whose person now lives under it, with the person."""
    sql = (
        "SELECT e.id, e.region_id, e.monthly_amount, p.id, p.name, p.birth_date,"
        " COALESCE(p.hukou_region_id, p.region_id), p.household_id, p.is_deceased, p.death_date"
        " FROM assistance_enrolment e JOIN registry_person p ON p.id = e.person_id"
        " WHERE e.programme_id = %s AND e.status <> 'stopped'"
        " AND (e.region_id LIKE %s OR COALESCE(p.hukou_region_id, p.region_id) LIKE %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [programme_id, f"{prefix}%", f"{prefix}%"])
        return cursor.fetchall()


def proposal(region_code: str, month: datetime.date | None = None, *, band_low: int | None = None) -> Proposal:
    """Next month's proposal for the subtree of ``region_code`` (set-based: two queries, then one pass)."""
    month = first_of(month) if month else next_month()
    prefix = regions.prefix_of(region_code)
    table = BandTable(month)
    result = Proposal(month, prefix)
    lowest = table.lowest()
    if lowest is None:
        result.configured = False
        return result
    prog = programme()
    policies = list(AllowancePolicy.objects.filter(effective_from__lte=month))
    rule_cache: dict[str, tuple[datetime.date, datetime.date]] = {}

    def refs(place: str) -> tuple[datetime.date, datetime.date]:
        """(the day deciding next month's band, the day deciding this month's) at ``place`` (by its county)."""
        found = rule_cache.get(place)
        if found is None:
            row = policy(regions.full_code(place[:6]), month, policies)
            rule = row.start_rule if row else AllowancePolicy.Start.NEXT_MONTH
            found = rule_cache[place] = (reference_day(month, rule), reference_day(add_months(month, -1), rule))
        return found

    for pid, name, birth, place, household_id in _candidates(prefix, born_by(last_of(month), lowest), prog.pk):
        ref, before = refs(place)
        age = age_on(birth, ref)
        band = table.band(place, age)
        if band is None or (band_low is not None and band.low != band_low):
            continue
        line = Line(pid, name, birth, place, household_id, age, band)
        if household_id is None:
            continue  # not in a household of the registry (迁出): nothing to enrol
        line.kind = "reach" if table.band(place, age_on(birth, before)) is None else "backlog"
        result.new.append(line)
    for eid, paid_at, amount, pid, name, birth, place, household_id, dead, death in _enrolled(prefix, prog.pk):
        ref, _ = refs(place)
        age = age_on(birth, ref) if birth else 0
        line = Line(pid, name, birth, paid_at, household_id, age, enrolment_id=eid, old_amount=amount)
        if not paid_at.startswith(prefix):  # paid elsewhere in the city, now living here: the move is seen here too
            if place[:4] == paid_at[:4] and not dead and household_id is not None:
                line.kind, line.reason, line.new_region_id = "move", "市内迁移，津贴随迁，无需重新申请", place
                result.moves.append(line)
            continue
        if dead:
            line.kind, line.reason = "stop", f"死亡（{death:%Y年%m月%d日}），按死亡停发规则停发" if death else "死亡"
        elif household_id is None:
            line.kind, line.reason = "stop", "已迁出，不在本市户籍家庭中"
        elif place[:4] != paid_at[:4]:
            line.kind, line.reason = "stop", "户籍（居住地）已转出本市"
            line.new_region_id = place
        elif place != paid_at:
            line.kind, line.reason, line.new_region_id = "move", "市内迁移，津贴随迁，无需重新申请", place
        else:
            band = table.band(place, age)
            if band is None:
                line.kind, line.reason = "stop", "不在任何年龄段（标准已调整）"
            elif band.amount != amount:
                line.band, line.kind = band, "regrade"
                line.reason = f"{band.label}档，月发放 {amount} → {band.amount} 元"
        if not line.kind or (band_low is not None and (line.band is None or line.band.low != band_low)):
            continue
        {"stop": result.stops, "move": result.moves, "regrade": result.regrade}[line.kind].append(line)
    for rows in (result.new, result.regrade, result.stops, result.moves):
        rows.sort(key=lambda line: (line.region_id, line.birth_date or datetime.date.min, line.person_id))
    return result


# --- confirmation --------------------------------------------------------------------------------------------


def _scope(actor, region_code: str) -> Region:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not in_scope(actor, region.code):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    if regions.level_of(region.code) < regions.COUNTY:
        raise ServiceError("请选择县（区）或乡镇（街道）确认：确认记录须落在一个县的发放名册上")
    return region


@dataclass
class Checked:
    region: Region
    month: datetime.date
    lines: list[Line]
    changes: list[Line]
    programme: Programme


def check_confirm(actor, *, region_code: str, person_ids=None, month: datetime.date | None = None) -> Checked:
    """Refuse what cannot be confirmed; return what will be written. Writes nothing. ``person_ids`` None: every new
    person of the proposal; else those listed (each must be in the proposal)."""
    require_capability(actor, cap.ALLOWANCE, "确认高龄津贴")
    region = _scope(actor, region_code)
    month = month or next_month()
    if month != next_month():
        raise ServiceError(f"只能确认下月（{next_month():%Y年%m月}）的高龄津贴名单")
    prop = proposal(region.code, month)
    if not prop.configured:
        raise BusinessRuleError(ElderlyErrorCode.NOT_CONFIGURED, f"本地区未设置高龄津贴年龄段和金额，{WHERE_BANDS}")
    lines = prop.new
    if person_ids is not None:
        wanted = {int(p) for p in person_ids}
        lines = [line for line in prop.new if line.person_id in wanted]
        missing = wanted - {line.person_id for line in lines}
        if missing:
            raise ServiceError(f"有 {len(missing)} 人不在本月高龄津贴名单中（可能已确认或已不符合条件），请刷新后重试")
    changes = [*prop.regrade, *prop.stops, *prop.moves]
    if not lines and not changes:
        raise ServiceError("没有需要确认的人员")
    return Checked(region, month, lines, changes, programme())


@transaction.atomic
def do_confirm(actor, checked: Checked, *, mode: str = AllowanceBatch.Mode.TOWNSHIP) -> AllowanceBatch:
    """Enrol the new persons (an application of channel 免申即享, already approved, and its enrolment from
    ``month``), apply band changes, stops and moves, record the batch and its audit entry."""
    now, month, prog = timezone.now(), checked.month, checked.programme
    username = getattr(actor, "username", "") or "system"
    reasons = f"高龄津贴免申即享：{'乡镇确认' if mode == AllowanceBatch.Mode.TOWNSHIP else '按规则自动确认'}"
    enrolments = []
    total = Decimal("0.00")
    for line in checked.lines:
        basis = {
            "formula": f"高龄津贴：{line.band.label}档",
            "standard": line.band.value.shown,
            "note": f"{month:%Y年%m月}按年龄 {line.age} 周岁",
            "detail": f"出生日期 {line.birth_date}",
        }
        app = Application.objects.create(
            number=f"tmp-{line.person_id}-{now.timestamp()}",
            programme=prog,
            household_id=line.household_id,
            applicant_id=line.person_id,
            beneficiary_id=line.person_id,
            region_id=line.region_id,
            channel=Channel.PROACTIVE,
            created_by=actor,
            reason=f"{reasons}（{line.kind_label}）",
            stage=AppStage.ENROLLED,
            stage_entered_on=now.date(),
            approved_amount=line.band.amount,
            decision_reasons=reasons,
            decided_by=username,
            decided_at=now,
            details={"免申即享": True, "年龄段": line.band.label, "标准记录": line.band.value.row_id},
        )
        app.number = f"GL{now:%Y%m%d}{app.pk:07d}"
        app.save(update_fields=["number"])
        enrolment = Enrolment.objects.create(
            programme=prog, household_id=line.household_id, person_id=line.person_id, application=app,
            region_id=line.region_id, monthly_amount=line.band.amount, basis=basis, start_month=month,
        )  # fmt: skip
        EnrolmentMember.objects.create(enrolment=enrolment, person_id=line.person_id, added_on=month)
        EnrolmentChange.objects.create(
            enrolment=enrolment, kind=EnrolmentChange.Kind.ENROL, effective_month=month,
            after={"amount": str(line.band.amount), **basis}, reasons=reasons, actor=username,
        )  # fmt: skip
        enrolments.append(enrolment.pk)
        total += line.band.amount
    counts = {"regrade": 0, "stop": 0, "move": 0}
    for line in checked.changes:
        enr = Enrolment.objects.select_for_update(of=("self",)).select_related("programme").get(pk=line.enrolment_id)
        if enr.status == Enrolment.Status.STOPPED:
            continue
        if line.kind == "regrade":
            basis = {**enr.basis, "formula": f"高龄津贴：{line.band.label}档", "standard": line.band.value.shown}
            do_adjust(actor, enr, amount=line.band.amount, basis=basis, reasons=f"高龄津贴调档：{line.reason}")
        elif line.kind == "stop":
            do_stop(actor, enr, f"高龄津贴停发：{line.reason}", day=today())
        else:
            before = enr.region_id
            enr.region_id = line.new_region_id
            enr.save(update_fields=["region"])
            audit.record("elderly.allowance.move", enr, before={"region": before},
                         after={"region": line.new_region_id}, detail=line.reason)  # fmt: skip
        counts[line.kind] += 1
    batch = AllowanceBatch.objects.create(
        region=checked.region, month=month, mode=mode, enrolled=len(enrolments), regraded=counts["regrade"],
        stopped=counts["stop"], moved=counts["move"], total=total, enrolment_ids=enrolments, confirmed_by=username,
    )  # fmt: skip
    audit.record(
        "elderly.allowance.confirm",
        batch,
        after={"month": f"{month:%Y-%m}", "enrolled": len(enrolments), "total": str(total), **counts, "mode": mode},
        region_code=checked.region.code,
    )
    return batch


def confirm(actor, *, region_code: str, person_ids=None) -> AllowanceBatch:
    checked = check_confirm(actor, region_code=region_code, person_ids=person_ids)
    return do_confirm(actor, checked)


def auto_confirm(actor, day: datetime.date | None = None) -> list[AllowanceBatch]:
    """For every county whose policy sets automatic confirmation: next month's proposal, confirmed by the rule."""
    month = next_month(day)
    rows = list(AllowancePolicy.objects.filter(effective_from__lte=month))
    done = []
    for county in Region.objects.filter(level=regions.COUNTY).order_by("code"):
        found = policy(county.code, month, rows)
        if found is None or not found.auto_confirm:
            continue
        prop = proposal(county.code, month)
        if not prop.configured or not (prop.new or prop.regrade or prop.stops or prop.moves):
            continue
        checked = Checked(county, month, prop.new, [*prop.regrade, *prop.stops, *prop.moves], programme())
        done.append(do_confirm(actor, checked, mode=AllowanceBatch.Mode.AUTO))
    return done


# --- statistics ----------------------------------------------------------------------------------------------


def coverage(region_code: str, month: datetime.date) -> tuple[int, int] | None:
    """(persons living under ``region_code`` in a band in ``month``, of them receiving 高龄津贴 that month), by the
    band table and rule in force there; None when no band is set. Two counts (stats' 高龄津贴覆盖率)."""
    from django.db.models import Exists, OuterRef

    from huimin.registry.models import Person

    month = first_of(month)
    lowest = BandTable(month).lowest()
    if lowest is None:
        return None
    found = policy(region_code, month)
    ref = reference_day(month, found.start_rule if found else AllowancePolicy.Start.NEXT_MONTH)
    paid = Enrolment.objects.filter(
        person_id=OuterRef("pk"), programme__code=PROGRAMME, start_month__lte=month
    ).exclude(status=Enrolment.Status.STOPPED)
    eligible = Person.objects.filter(
        subtree("region", regions.prefix_of(region_code)),
        birth_date__lte=born_by(ref, lowest), is_deceased=False, merged_into__isnull=True, household__isnull=False,
    )  # fmt: skip
    return eligible.count(), eligible.filter(Exists(paid)).count()


# --- policy --------------------------------------------------------------------------------------------------


@transaction.atomic
def set_policy(actor, *, region_code: str, start_rule: str, auto_confirm: bool, effective_from, basis: str = ""):
    require_capability(actor, cap.ALLOWANCE_POLICY, "设置高龄津贴规则")
    region = _scope(actor, region_code)
    if start_rule not in AllowancePolicy.Start.values:
        raise ServiceError("请选择起始（调档）月份规则")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    row = AllowancePolicy.objects.create(
        region=region, start_rule=start_rule, auto_confirm=bool(auto_confirm), effective_from=effective_from,
        basis=(basis or "").strip()[:200], created_by=actor.username,
    )  # fmt: skip
    after = {"start_rule": start_rule, "auto": bool(auto_confirm), "from": str(effective_from)}
    audit.record("elderly.allowance.policy", row, after=after, region_code=region.code)
    return row


def enrolled(prefix_q_regions) -> "Q":
    """The current 高龄津贴 enrolments (for the enrolled list), limited by the caller to its scope."""
    return Q(programme__code=PROGRAMME) & ~Q(status=Enrolment.Status.STOPPED) & prefix_q_regions
