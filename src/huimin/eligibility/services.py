"""待遇资格 services: 生存认证 (confirm, the overdue list, suspension after the grace period and resumption), the
残联's certificate changes (stop or note a subsidy from the month after the change) and the daily job.

Every change to an enrolment goes through assistance's enrolment actions (``do_suspend``, ``do_resume``,
``do_stop``), so the payroll, the history and the audit see it as any other 停保/恢复/退出. Each state change checks
capability and scope, is atomic and writes its audit entry. A death is not handled here: the death life event
(公安/殡葬 feed) stops every enrolment of the person, the subsidies included, by the general path."""

import calendar
import datetime
from dataclasses import dataclass

import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from huimin.assistance import overlaps
from huimin.assistance import rules as assistance_rules
from huimin.assistance.actions import enrol as enrol_actions
from huimin.assistance.models import CURRENT_STATUSES, Enrolment, OverlapRule
from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, require_capability, require_writable_region
from huimin.core.scope import scoped, subtree
from huimin.core.services import ServiceError
from huimin.eligibility import capabilities as cap
from huimin.eligibility.error_codes import EligibilityErrorCode
from huimin.eligibility.models import (
    CertificateChange,
    Channel,
    SurvivalConfirmation,
    SurvivalPolicy,
    SurvivalSuspension,
)
from huimin.registry.codes import DisabilityCategory
from huimin.verification.models import Snapshot

SUBSIDY_CODES = ("disability_living", "severe_care")
# the national grade rule of 护理补贴, which coverage counts by (a regional extension to grade 3–4 is not counted yet)
NATIONAL_MAX_GRADE = {"severe_care": 2}
POLICY_PAGE = "「生存认证规则」页面（县级或市级审批人）"


def _actor_name(actor) -> str:
    return getattr(actor, "username", "") or "system"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day where it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- 生存认证 policy ----------------------------------------------------------------------------------------------


def policy_for(region_code: str, day: datetime.date) -> SurvivalPolicy:
    rows = list(SurvivalPolicy.objects.filter(effective_from__lte=day))
    row = regions.in_force(rows, region_code, region=lambda r: r.region_id, effective_from=lambda r: r.effective_from,
                           tiebreak=lambda r: (r.pk,))  # fmt: skip
    if row is None:
        raise BusinessRuleError(EligibilityErrorCode.NO_POLICY, f"本地区未设置生存认证规则：请在{POLICY_PAGE}设置")
    return row


class _Policies:
    """policy_for, read once per run and cached per village."""

    def __init__(self, day: datetime.date):
        self.rows = list(SurvivalPolicy.objects.filter(effective_from__lte=day))
        self.cache: dict[str, SurvivalPolicy | None] = {}

    def at(self, code: str) -> SurvivalPolicy | None:
        if code not in self.cache:
            self.cache[code] = regions.in_force(
                self.rows,
                code,
                region=lambda r: r.region_id,
                effective_from=lambda r: r.effective_from,
                tiebreak=lambda r: (r.pk,),
            )
        return self.cache[code]  # fmt: skip


@transaction.atomic
def set_policy(actor, *, region, cycle_months, grace_days, effective_from: datetime.date, basis: str = "",
               programmes=None) -> SurvivalPolicy:  # fmt: skip
    """A region's own 生存认证 rule (county or city staff, inside their subtree), in force from ``effective_from``."""
    require_capability(actor, cap.POLICY, "设置生存认证规则")
    if actor.region is None or actor.region.level > regions.COUNTY:
        raise BusinessRuleError(EligibilityErrorCode.POLICY_INVALID, "生存认证规则只能由县级或市级民政部门设置")
    require_writable_region(actor, region, "生存认证规则")
    try:
        cycle, grace = int(cycle_months), int(grace_days)
    except (TypeError, ValueError) as exc:
        raise BusinessRuleError(EligibilityErrorCode.POLICY_INVALID, "认证周期和宽限天数应为整数") from exc
    if not 1 <= cycle <= 24:
        raise BusinessRuleError(EligibilityErrorCode.POLICY_INVALID, "认证周期应在 1–24 个月之间")
    if not 0 <= grace <= 365:
        raise BusinessRuleError(EligibilityErrorCode.POLICY_INVALID, "宽限天数应在 0–365 天之间")
    row = SurvivalPolicy.objects.create(
        region=region, cycle_months=cycle, grace_days=grace, effective_from=effective_from, basis=basis[:200],
        programmes=list(programmes or SUBSIDY_CODES), created_by=_actor_name(actor),
    )  # fmt: skip
    audit.record("eligibility.policy", row, after={"region": region.code if region else "", "cycle": cycle,
                                                   "grace": grace, "from": str(effective_from)})  # fmt: skip
    return row


# --- 生存认证: who is due, who is overdue ----------------------------------------------------------------------


@dataclass
class Due:
    enrolment: Enrolment
    last_confirmed: datetime.date | None
    due_on: datetime.date  # confirm on or before this day
    grace_until: datetime.date  # suspended from the day after this one
    policy: SurvivalPolicy

    @property
    def person(self):
        return self.enrolment.person

    def overdue(self, day: datetime.date) -> bool:
        return day > self.due_on

    def past_grace(self, day: datetime.date) -> bool:
        return day > self.grace_until


def _outer_person():
    from django.db.models import OuterRef

    return OuterRef("person_id")


def dues(queryset=None, day: datetime.date | None = None) -> list[Due]:
    """Every current enrolment whose programme its region's rule names, with its due date: the last confirmation
    (or, before any, the first month paid) plus the cycle; and the end of the grace period."""
    from django.db.models import Subquery

    day = day or timezone.localdate()
    policies = _Policies(day)
    qs = queryset if queryset is not None else Enrolment.objects.all()
    last = SurvivalConfirmation.objects.filter(person=_outer_person()).order_by("-confirmed_on")
    qs = (
        qs.filter(status__in=CURRENT_STATUSES, person__isnull=False)
        .select_related("person", "programme", "region", "person__household")
        .annotate(last_confirmed=Subquery(last.values("confirmed_on")[:1]))
        .order_by("region_id", "person_id", "pk")
    )
    out = []
    for enr in qs:
        policy = policies.at(enr.region_id)
        if policy is None or enr.programme.code not in policy.programmes:
            continue
        base = enr.last_confirmed or enr.start_month
        due = add_months(base, policy.cycle_months)
        out.append(Due(enr, enr.last_confirmed, due, due + datetime.timedelta(days=policy.grace_days), policy))
    return out


def overdue_list(actor, *, day: datetime.date | None = None, township: str = "", only_suspended=False) -> list[Due]:
    """The recipients in the actor's region (or the chosen township) who have not confirmed by their due date,
    oldest due first; suspended ones included (they stay on the list until they confirm)."""
    require_capability(actor, cap.VIEW, "查看生存认证")
    day = day or timezone.localdate()
    qs = scoped(Enrolment.objects.all(), actor, "region", cap.VIEW)
    if township:
        qs = qs.filter(subtree("region", regions.prefix_of(township)))
    rows = [d for d in dues(qs, day) if d.overdue(day)]
    if only_suspended:
        rows = [d for d in rows if d.enrolment.status == Enrolment.Status.SUSPENDED]
    return sorted(rows, key=lambda d: (d.due_on, d.enrolment.region_id, d.enrolment.pk))


def overdue_rows(rows: list[Due], day: datetime.date) -> list[list]:
    """The overdue list as a table (the page's export)."""
    from huimin.core import masking

    out = [["姓名", "身份证号", "所在村（社区）", "补贴项目", "上次认证", "应认证日期", "宽限截止", "状态"]]
    for d in rows:
        state = "已停保" if d.enrolment.status == Enrolment.Status.SUSPENDED else (
            "宽限期已过，待停保" if d.past_grace(day) else "逾期（宽限期内）")  # fmt: skip
        out.append([d.person.name, masking.mask("id_number", d.person.id_number), d.enrolment.region.name,
                    d.enrolment.programme.name, str(d.last_confirmed or "从未认证"), str(d.due_on),
                    str(d.grace_until), state])  # fmt: skip
    return out


# --- 生存认证: confirming, suspending, resuming -------------------------------------------------------------------


def _resume_suspensions(actor, person, day: datetime.date) -> list[SurvivalSuspension]:
    resumed = []
    open_ = SurvivalSuspension.objects.select_for_update().filter(person=person, resumed_on__isnull=True)
    for susp in open_:
        enr = enrol_actions._enrolment_locked(susp.enrolment)
        if enr.status != Enrolment.Status.SUSPENDED:
            susp.resumed_on = day
            susp.save(update_fields=["resumed_on"])
            continue
        enrol_actions.check_resume(enr)
        susp.resume_change = enrol_actions.do_resume(actor, enr, f"生存认证已于 {day:%Y-%m-%d} 完成，恢复发放", day=day)
        susp.resumed_on = day
        susp.save(update_fields=["resumed_on", "resume_change"])
        resumed.append(susp)
    return resumed


def check_confirm(person, channel: str, day: datetime.date, today: datetime.date) -> list[Enrolment]:
    """Refuse a 生存认证 that cannot be right; return the person's enrolments it is for. Writes nothing."""
    if channel not in Channel.values:
        raise ServiceError("请选择认证方式：入户核实、网上自助认证或协理员代为认证")
    if person.is_deceased:
        raise BusinessRuleError(EligibilityErrorCode.DECEASED, f"{person.name}已登记死亡，不能进行生存认证")
    if day > today:
        raise BusinessRuleError(EligibilityErrorCode.BAD_DATE, "认证日期不能晚于今天")
    enrolments = list(
        Enrolment.objects.filter(person=person, status__in=CURRENT_STATUSES, programme__code__in=_survival_codes())
    )
    if not enrolments:
        names = "、".join(_survival_names())
        raise BusinessRuleError(
            EligibilityErrorCode.NOT_RECIPIENT, f"{person.name}目前没有需要生存认证的补贴（{names}）"
        )
    if day < min(e.start_month for e in enrolments) - datetime.timedelta(days=366):
        raise BusinessRuleError(EligibilityErrorCode.BAD_DATE, "认证日期早于享受补贴一年以上，请核对")
    return enrolments


def _survival_codes() -> set[str]:
    codes = set()
    for programmes in SurvivalPolicy.objects.values_list("programmes", flat=True):
        codes.update(programmes)
    return codes


def _survival_names() -> list[str]:
    from huimin.assistance.models import Programme

    return list(Programme.objects.filter(code__in=_survival_codes()).order_by("sort").values_list("name", flat=True))


@transaction.atomic
def confirm(actor, person, *, channel: str, day: datetime.date | None = None, note: str = "",
            by_resident: bool = False) -> SurvivalConfirmation:  # fmt: skip
    """Record one 生存认证 of ``person`` (a staff visit or a 协理员, in scope with ``eligibility.confirm``; or the
    resident on the portal, ``by_resident``), and resume what the missing one suspended, from next month."""
    today = timezone.localdate()
    day = day or today
    if by_resident:
        channel = Channel.PORTAL
    else:
        from huimin.eligibility.access import access_person_for_survival

        person = access_person_for_survival(actor, person.pk, for_update=True)
        if channel == Channel.PORTAL:
            raise ServiceError("网上自助认证只能由本人在居民服务网站办理")
    check_confirm(person, channel, day, today)
    recorded_by = f"本人（{person.name}）" if by_resident else _actor_name(actor)
    row = SurvivalConfirmation.objects.create(
        person=person, region_id=person.household.region_id, confirmed_on=day, channel=channel,
        note=(note or "").strip()[:300], recorded_by=recorded_by,
    )  # fmt: skip
    resumed = _resume_suspensions(None if by_resident else actor, person, day)
    after = {"person": person.pk, "channel": channel, "on": str(day), "resumed": [s.enrolment_id for s in resumed]}
    audit.record("eligibility.survival.confirm", row, after=after)
    return row


def suspend_unconfirmed(day: datetime.date | None = None) -> int:
    """停保, from the month after ``day``, of every allowance whose recipient's grace period ended before ``day``
    without a confirmation (the daily job; idempotent — a suspended enrolment is not suspended again)."""
    day = day or timezone.localdate()
    done = 0
    active = Enrolment.objects.filter(status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.GRACE])
    for due in dues(active, day):
        if not due.past_grace(day):
            continue
        with transaction.atomic():
            enr = enrol_actions._enrolment_locked(due.enrolment)
            if enr.status not in (Enrolment.Status.ACTIVE, Enrolment.Status.GRACE):
                continue
            if SurvivalConfirmation.objects.filter(person_id=enr.person_id, confirmed_on__gt=due.last_confirmed
                                                   or datetime.date.min).exists():  # fmt: skip
                continue  # confirmed meanwhile
            reasons = (f"生存认证逾期：应于 {due.due_on:%Y-%m-%d} 前认证，宽限 {due.policy.grace_days} 天至 "
                       f"{due.grace_until:%Y-%m-%d} 仍未认证，次月起停发；认证后恢复")  # fmt: skip
            change = enrol_actions.do_suspend(None, enr, reasons, day=day)
            SurvivalSuspension.objects.create(
                enrolment=enr, person_id=enr.person_id, region_id=enr.region_id, due_on=due.due_on,
                grace_until=due.grace_until, suspended_on=day, change=change,
            )  # fmt: skip
            done += 1
    return done


# --- the 残联's certificate data --------------------------------------------------------------------------------


def grade_qualifies(programme, region_code: str, day: datetime.date, grade: int | None, category: str) -> bool:
    """Whether a certificate of ``grade`` and ``category`` still qualifies for ``programme`` at the place and day,
    by the grade rule in force there (a region may extend 护理补贴 to grade 3–4 智力/精神)."""
    if grade is None:
        return False
    for rule in overlaps.rules_in_force(programme.kind, region_code, day):
        if rule.kind == OverlapRule.Kind.GRADE:
            return overlaps.grade_qualifies(rule, grade, category)
    return True


def _records(snapshot: Snapshot) -> dict[str, dict]:
    """person_key → the newest certificate record of the snapshot (by 发证日期, then 变更日期)."""
    table = pq.read_table(snapshot.path, partitioning=None)  # a snapshot kept by county: every part
    names = set(table.column_names)
    newest: dict[str, dict] = {}
    for row in table.to_pylist():
        for optional in ("valid_until", "changed_on", "change_reason"):
            if optional not in names:
                row[optional] = None
        key = row["person_key"]
        order = (row["issued_on"], row["changed_on"] or row["issued_on"])
        if key not in newest or order >= newest[key]["_order"]:
            newest[key] = {**row, "_order": order}
    return newest


def _category_name(code: str) -> str:
    return DisabilityCategory(code).label if code in DisabilityCategory.values else (code or "")


def _finding(enr: Enrolment, record: dict, day: datetime.date, snapshot: Snapshot):
    """(kind, event day, reasons) of what the record means for the enrolment, or None when nothing changed."""
    reason = (record.get("change_reason") or "").strip()
    suffix = f"（残联原因：{reason}）" if reason else ""
    if record["status"] == "注销":
        event = record["changed_on"] or snapshot.as_of
        return CertificateChange.Kind.REVOKED, event, f"残疾人证已于 {event:%Y-%m-%d} 注销{suffix}"
    if record["valid_until"] is not None and record["valid_until"] < day:
        event = record["valid_until"]
        return CertificateChange.Kind.EXPIRED, event, f"残疾人证有效期至 {event:%Y-%m-%d}，已过期未换证{suffix}"
    grade, category = record["grade"], str(record["category"] or "")
    known = enr.basis.get("disability_grade") or enr.person.disability_grade
    known = int(known) if str(known or "").isdigit() else None
    if not grade_qualifies(enr.programme, enr.region_id, day, grade, category):
        event = record["changed_on"] or snapshot.as_of
        return (CertificateChange.Kind.DOWNGRADED, event,
                f"残疾等级由{known or '原'}级变更为{grade}级（{_category_name(category)}），"
                f"不再符合{enr.programme.name}的条件{suffix}")  # fmt: skip
    if known is not None and grade != known:
        event = record["changed_on"] or record["issued_on"]  # a date of the certificate: noted once, not per extract
        return (CertificateChange.Kind.REGRADED, event,
                f"残疾等级由{known}级变更为{grade}级（{_category_name(category)}），仍符合{enr.programme.name}"
                f"的条件{suffix}")  # fmt: skip
    return None


def _holds(snapshot: Snapshot, region_code: str) -> bool:
    return snapshot.region_id is None or region_code.startswith(snapshot.region.prefix)


def apply_certificates(snapshots: list[Snapshot] | None = None, day: datetime.date | None = None) -> int:
    """Compare every current subsidy with its holder's newest certificate record and act: 注销, past 有效期至, or a
    grade that no longer qualifies stops the subsidy from the month after the change (assistance's 退出, reason
    and source row recorded); a grade that still qualifies is noted. Each finding is a notice to the township.
    Each recipient is read from the most specific snapshot that holds at his village (a department's holds
    everywhere). Idempotent: a finding is recorded once. Returns the number of new findings."""
    day = day or timezone.localdate()
    if snapshots is None:
        from huimin.verification import services as verification

        snapshots = verification.current_snapshots(day).get("disability", [])
    snapshots = sorted(snapshots, key=lambda s: (len(s.region.prefix) if s.region_id else 0, s.as_of, s.pk),
                       reverse=True)  # fmt: skip
    if not snapshots:
        return 0
    records = {snap.pk: _records(snap) for snap in snapshots}
    subsidies = (
        Enrolment.objects.filter(status__in=CURRENT_STATUSES, programme__code__in=SUBSIDY_CODES, person__isnull=False)
        .select_related("person", "programme")
        .exclude(person__id_number_bidx="")
    )
    found = 0
    for enr in subsidies:
        snap = next((s for s in snapshots if _holds(s, enr.region_id)), None)
        record = records[snap.pk].get(enr.person.id_number_bidx) if snap else None
        if record is None:
            continue
        finding = _finding(enr, record, day, snap)
        if finding is None:
            continue
        kind, event, reasons = finding
        if CertificateChange.objects.filter(enrolment=enr, kind=kind, event_on=event).exists():
            continue
        found += _act(enr, kind, event, reasons, record, snap)
    return found


@transaction.atomic
def _act(enr: Enrolment, kind, event: datetime.date, reasons: str, record: dict, snapshot: Snapshot) -> int:
    enr = enrol_actions._enrolment_locked(enr)
    if enr.status not in CURRENT_STATUSES:
        return 0
    stop = kind != CertificateChange.Kind.REGRADED
    known = enr.basis.get("disability_grade") or enr.person.disability_grade
    change = None
    if stop:
        change = enrol_actions.do_stop(None, enr, f"{reasons}；依据残联数据（{snapshot.as_of:%Y-%m-%d}）", day=event)
    notice = CertificateChange.objects.create(
        enrolment=enr, person=enr.person, region_id=enr.region_id,
        township_id=regions.ancestor_code(enr.region_id, regions.TOWNSHIP), kind=kind,
        outcome=CertificateChange.Outcome.STOPPED if stop else CertificateChange.Outcome.CONTINUED,
        event_on=event, effective_month=assistance_rules.next_month(event) if stop else None,
        grade_before=int(known) if str(known or "").isdigit() else None, grade_after=record["grade"],
        category=str(record["category"] or "")[:2], reasons=reasons, snapshot=snapshot, change=change,
    )  # fmt: skip
    audit.record("eligibility.certificate", notice, after={"enrolment": enr.pk, "kind": kind, "event": str(event),
                                                           "snapshot": snapshot.pk})  # fmt: skip
    return 1


@transaction.atomic
def acknowledge(actor, notice_id) -> CertificateChange:
    """The township has taken note of a certificate-change notice."""
    from huimin.eligibility.access import access_change_by_id

    notice = access_change_by_id(actor, notice_id, capability=cap.CONFIRM, for_update=True)
    if notice.acknowledged_at is not None:
        when = timezone.localtime(notice.acknowledged_at)
        raise BusinessRuleError(EligibilityErrorCode.ACKNOWLEDGED,
                                f"该告知已由 {notice.acknowledged_by} 于 {when:%Y-%m-%d} 知悉")  # fmt: skip
    notice.acknowledged_by = _actor_name(actor)
    notice.acknowledged_at = timezone.now()
    notice.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit.record("eligibility.certificate.ack", notice, after={"by": notice.acknowledged_by})
    return notice


def on_ingest(snapshot: Snapshot) -> None:
    """verification's hook after a committed snapshot: a new extract of the 残联's data acts at once."""
    if snapshot.source == "disability" and snapshot.kind == Snapshot.Kind.FULL:
        apply_certificates([snapshot], timezone.localdate())


# --- the daily job -----------------------------------------------------------------------------------------------


def daily(day: datetime.date | None = None) -> dict:
    """What runs every day (``huimin daily``, or the ``daily_task``): the certificate data read again
    (an expiry passes without a new extract), then the suspension of those whose grace period has ended."""
    day = day or timezone.localdate()
    return {"certificates": apply_certificates(None, day), "suspended": suspend_unconfirmed(day)}


def last_confirmation(person) -> SurvivalConfirmation | None:
    return SurvivalConfirmation.objects.filter(person=person).order_by("-confirmed_on", "-id").first()
