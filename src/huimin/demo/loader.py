"""``huimin demo load``: a small generated city into the current database.

Persons, households and memberships go in with PostgreSQL's COPY (the protected columns computed here with
``crypto.encrypt`` and ``crypto.blind_index``) or, on SQLite, with ``bulk_create`` (where the ProtectedField
encrypts and indexes); never one ORM save per person. Everything happens in one transaction.
"""

import datetime
import tempfile
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from huimin.core import audit, crypto
from huimin.core.models import Region, RoleAssignment, User
from huimin.core.roles import BusinessLine, Role
from huimin.demo import cases, departments_load, generator
from huimin.demo import city as city_mod
from huimin.demo import programmes as demo_programmes
from huimin.registry.models import Household, Membership, Person

DEMO_PASSWORD = "Huimin@2026"  # noqa: S105 - the documented password of the demo accounts, demo only
DEMO_SOURCE = "演示城市（合成数据）"
VILLAGES_PER_ASSISTANT = 3
APPROVER_PREFIX, BUILDER_PREFIX, CHECKER_PREFIX = "sp", "ff", "fh"  # demo usernames: prefix + county code
ELDERLY_PREFIX = "yl"  # the county's 养老服务 approver
MARRIAGE_CLERK_PREFIX, MARRIAGE_HEAD_PREFIX = "hy", "hz"  # the county's 婚姻登记员 and 婚姻登记处负责人
INSPECTOR_PREFIX = "jc"  # the county's 养老机构 inspectors (养老服务 审核人)
HOMECARE_BUILDER_PREFIX, HOMECARE_CHECKER_PREFIX = "yj", "yf"  # 居家养老结算: builds, reviews (yl approves)
FUNERAL_CLERK_PREFIX, FUNERAL_REVIEWER_PREFIX, FUNERAL_APPROVER_PREFIX = "bz", "bs", "bp"  # the 殡葬管理科
DISABILITY_PREFIX, FEDERATION_PREFIX = "cj", "cl"  # the county's 残疾人福利 approver and the 县残联's reviewer
# the county's 社会组织 registration: its clerk (受理), the 业务主管单位's pre-checker and the approver (决定)
ORGS_CLERK_PREFIX, ORGS_REVIEWER_PREFIX, ORGS_APPROVER_PREFIX = "dj", "zg", "sz"
PLACES_CLERK_PREFIX, PLACES_APPROVER_PREFIX = "dm", "dp"  # the county's 区划地名科: proposes, approves
RELIEF_CLERK_PREFIX, RELIEF_HEAD_PREFIX = "lz", "lp"  # the 救助管理站's 经办员 and its head (站长)
# a 民政所 clerk's lines
TOWNSHIP_LINES = (BusinessLine.ASSISTANCE, BusinessLine.ELDERLY, BusinessLine.CHILDREN, BusinessLine.DISABILITY)
# the 民政所 审核人 also does the 初审 of the 残疾人两项补贴
TOWNSHIP_REVIEWER_LINES = (BusinessLine.ASSISTANCE, BusinessLine.DISABILITY, BusinessLine.ELDERLY)


class DemoLoadError(Exception):
    pass


@dataclass
class LoadResult:
    persons: int
    households: int
    regions: int
    users: int
    programmes: dict
    applications: int = 0
    departmental_rows: int = 0
    payroll_months: int = 0
    subsidies: dict = field(default_factory=dict)  # 残疾人两项补贴 recipients per programme code


def already_loaded() -> bool:
    """Whether the database already holds people or households (a city is there; ``load`` would refuse)."""
    return Person.objects.exists() or Household.objects.exists()


def load(persons: int, seed: int, as_of: datetime.date = generator.DEFAULT_AS_OF) -> LoadResult:
    if already_loaded():
        raise DemoLoadError("数据库中已有人员或家庭：演示城市只能载入空的对象库")
    if not Region.objects.filter(code=city_mod.CITY_CODE).exists():
        raise DemoLoadError("缺少驻马店市（411700）区划：请先运行 huimin migrate")
    with tempfile.TemporaryDirectory(prefix="huimin-demo-") as tmp:
        generator.generate(Path(tmp), persons, seed, as_of)
        tables = {name: pq.read_table(Path(tmp) / f"{name}.parquet").to_pylist() for name in _TABLES}
        department_files = {p.stem: p.read_bytes() for p in (Path(tmp) / "departments").glob("*.parquet")}
    with transaction.atomic():
        regions = _load_regions(tables["regions"])
        _load_households(tables["households"])
        _load_persons(tables["persons"])
        _load_memberships(tables["memberships"])
        users = _load_users(tables["regions"])
        programmes = load_programmes(tables["households"], tables["persons"], as_of)
        subsidies = load_subsidies(tables["households"], tables["persons"], as_of)
        load_standards(tables["standards"])
        _reset_sequences()  # the services below insert through the sequences
        applications = cases.load_cases(tables["households"])
        departments_load.load_thresholds(city_mod.CITY_CODE, datetime.date(2020, 1, 1))
        load_policies()
        departmental_rows = departments_load.load_snapshots(department_files, as_of)
        from huimin.demo.allowance import load_allowance

        load_allowance(_add_months(as_of.replace(day=1), -(PAYROLL_MONTHS - 1)))  # 高龄津贴 on the demo payrolls
        from huimin.demo.children import load_children
        from huimin.demo.children import load_standards as load_children_standards

        load_children_standards(
            Region.objects.filter(code__in={r["parent"] for r in tables["regions"] if r["level"] == 4}).values_list(
                "code", flat=True
            )
        )
        load_children(as_of)  # before the payrolls: the orphans' 基本生活费 is paid with the rest
        payrolls = load_payrolls(as_of)
        from huimin.demo.elderly import load_elderly

        load_elderly(as_of)
        from huimin.demo.marriage import load_marriage

        load_marriage(as_of)
        from huimin.demo.orgs import load_orgs

        load_orgs(as_of, seed)
        from huimin.demo.eldercare import load_eldercare

        load_eldercare(as_of)
        from huimin.demo.homecare import load_homecare

        load_homecare(as_of)
        from huimin.demo.allowance import load_subsidies as load_elderly_subsidies

        load_elderly_subsidies(as_of)  # 养老服务补贴 and 护理补贴: standards and a few applications approved
        from huimin.demo.elderly_visits import load_visits

        load_visits(as_of)
        from huimin.demo.funeral import load_funeral

        load_funeral(as_of, seed)
        from huimin.demo.places import load_places

        load_places(as_of)
        from huimin.demo.relief import load_relief

        load_relief(as_of, seed)
        audit.record(
            "demo.load",
            detail=f"载入演示城市：种子 {seed}，{len(tables['persons'])} 人，{len(tables['households'])} 户",
            region_code=city_mod.CITY_CODE,
        )
    from huimin.stats import compute

    for month in range(STATS_MONTHS):  # a year of figures, so the dashboards open with their trends
        compute.materialise(compute.add_months(as_of.replace(day=1), -month), actor="demo")
    return LoadResult(
        len(tables["persons"]),
        len(tables["households"]),
        regions,
        users,
        programmes,
        applications,
        departmental_rows,
        payrolls,
        subsidies,
    )


_TABLES = ("regions", "households", "persons", "memberships", "standards")


# generated programme label → assistance programme code; 低保边缘 and 支出型困难 households are recognised (认定) like
# any other enrolment, with no monthly amount, so 动态监测 finds them as the assistance app would have left them
PROGRAMME_CODES = {"dibao": "dibao", "tekun_scattered": "tekun_scattered", "tekun_concentrated": "tekun_central",
                   "dibao_edge": "edge", "expense_hardship": "expense"}  # fmt: skip
HISTORY_NOTE = "演示历史数据：该户在导入前已按规定程序审批纳入，此记录由演示城市生成，非真实办理"


def load_programmes(households: list[dict], persons: list[dict] | None = None, as_of=None) -> dict[str, int]:
    """Real enrolments for the generated 低保, 特困, 低保边缘 and 支出型 households, as the assistance app would have
    left them: a historical approved application (with a note saying it is demo history), a ManualVerification record,
    the Enrolment with its members, the generated monthly amount and its basis, and the 纳入 change — all with
    bulk inserts (COPY on PostgreSQL, bulk_create on SQLite), never the per-row services.

    Returns the count of households per generated programme label (including the ones not enrolled: none).
    """
    from huimin.assistance.models import (
        Application,
        Enrolment,
        EnrolmentChange,
        EnrolmentMember,
        ManualVerification,
        Programme,
    )

    counts: dict[str, int] = {}
    for row in households:
        counts[row["programme"]] = counts.get(row["programme"], 0) + 1
    enrolled = [r for r in households if r["programme"] in PROGRAMME_CODES]
    if not enrolled or persons is None:
        return counts
    as_of = as_of or generator.DEFAULT_AS_OF
    programmes = {p.code: p for p in Programme.objects.filter(code__in=PROGRAMME_CODES.values())}
    missing = set(PROGRAMME_CODES.values()) - set(programmes)
    if missing:
        raise DemoLoadError("缺少救助项目：" + "、".join(sorted(missing)) + "（请先运行 huimin migrate）")
    approvers = dict(
        User.objects.with_role(Role.APPROVER)
        .filter(username__startswith=APPROVER_PREFIX)
        .values_list("region_id", "pk")
    )
    members_of: dict[int, list[int]] = {}
    for person in persons:
        members_of.setdefault(person["household_id"], []).append(person["person_id"])
    this_month = as_of.replace(day=1)
    applications, verifications, enrolments, members, changes = [], [], [], [], []
    for r in enrolled:
        hid, programme = r["household_id"], programmes[PROGRAMME_CODES[r["programme"]]]
        start = _add_months(this_month, -int(demo_programmes.months_back(hid)))
        decided = datetime.datetime.combine(start - datetime.timedelta(days=10), datetime.time(10), tzinfo=datetime.UTC)
        person_scope = programme.scope == "person"
        covered = [r["head_person_id"]] if person_scope else members_of.get(hid, [r["head_person_id"]])
        county = r["county_code"]
        approver = approvers.get(county) or next(iter(approvers.values()))
        amount = r["monthly_amount"]
        basis = {
            "standard": str(r["standard"]),
            "income_per_head": str(r["income_per_head"]),
            "members": str(len(covered)),
            "note": "演示历史数据",
        }
        applications.append(
            {
                "id": hid, "number": f"YS{hid:010d}", "programme_id": programme.pk, "household_id": hid,
                "applicant_id": r["head_person_id"], "beneficiary_id": r["head_person_id"] if person_scope else None,
                "region_id": r["village_code"], "channel": "window", "reason": HISTORY_NOTE, "requested_amount": None,
                "documents": [d["code"] for d in programme.required_documents], "stage": "enrolled",
                "stage_entered_on": start - datetime.timedelta(days=10), "stage_due_on": None,
                "publicity_start": None, "publicity_end": None, "near_relative_flag": False,
                "near_relative_note": "", "approved_amount": amount, "advance_amount": None, "advance_paid_on": None,
                "file_due_on": None, "case_by_case": {}, "details": {}, "decision_reasons": HISTORY_NOTE,
                "decided_by": "演示历史",
                "decided_at": decided, "public_token": uuid.uuid4(), "created_by_id": approver, "created_at": decided,
                "updated_at": decided,
            }
        )  # fmt: skip
        verifications.append(
            {
                "application_id": hid, "report_number": f"YSHD{hid:010d}",
                "report_date": start - datetime.timedelta(days=30),
                "conclusion": "eligible", "reasons": "演示历史数据：家庭月人均收入低于当地标准",
                "income_per_head": r["income_per_head"], "report_file": "",
                "recorded_by": "演示历史", "recorded_at": decided, "status": "effective", "system_report": "",
                "system_conclusion": "", "checked_by": "", "checked_at": None, "check_note": "",
            }
        )  # fmt: skip
        enrolments.append(
            {
                "id": hid, "programme_id": programme.pk, "household_id": hid,
                "person_id": r["head_person_id"] if person_scope else None, "application_id": hid,
                "region_id": r["village_code"], "status": "active", "monthly_amount": amount, "basis": basis,
                "income_unstable": False, "start_month": start, "next_review_on": _add_months(start, 12),
                "grace_until": None, "ended_on": None, "end_reason": "", "created_at": decided,
            }
        )  # fmt: skip
        members += [
            {"enrolment_id": hid, "person_id": pid, "added_on": start, "removed_on": None, "reason": ""}
            for pid in covered
        ]
        changes.append(
            {
                "enrolment_id": hid, "kind": "enrol", "effective_month": start, "before": {},
                "after": {"amount": str(amount), **basis}, "reasons": HISTORY_NOTE, "actor": "演示历史", "at": decided,
            }
        )  # fmt: skip
    for model, rows in (
        (Application, applications),
        (ManualVerification, verifications),
        (Enrolment, enrolments),
        (EnrolmentMember, members),
        (EnrolmentChange, changes),
    ):
        _insert(model, _json_ready(model, rows))
    return counts


def load_subsidies(households: list[dict], persons: list[dict], as_of=None) -> dict[str, int]:
    """The generated recipients of the 残疾人两项补贴 (huimin.demo.disability), enrolled as the assistance app leaves
    them after the chain 乡镇受理 → 初审 → 残联审核 → 民政审批: a historical application with the certificate as the
    县残联 verified it, the per-person enrolment at the demo standard, its member and the 纳入 change — bulk
    inserts with ids after the households' (the 低保 applications and enrolments use the household ids).

    Returns the number of recipients per subsidy."""
    from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme
    from huimin.demo import disability

    as_of = as_of or generator.DEFAULT_AS_OF
    programmes = {p.code: p for p in Programme.objects.filter(code__in=(disability.LIVING, disability.CARE))}
    if len(programmes) < 2:
        raise DemoLoadError("缺少残疾人两项补贴项目（请先运行 huimin migrate）")
    county_of = {h["household_id"]: h["county_code"] for h in households}
    approvers = dict(
        User.objects.with_role(Role.APPROVER)
        .filter(username__startswith=DISABILITY_PREFIX)
        .values_list("region_id", "pk")
    )
    this_month = as_of.replace(day=1)
    next_id = max((h["household_id"] for h in households), default=0) + 1
    applications, enrolments, members, changes, counts = [], [], [], [], {}
    for r in persons:
        for code in filter(None, (r.get("disability_subsidies") or "").split(",")):
            programme, pid = programmes[code], r["person_id"]
            counts[code] = counts.get(code, 0) + 1
            start = _add_months(this_month, -(1 + pid % 30))
            applied = datetime.datetime.combine(start + datetime.timedelta(days=pid % 20), datetime.time(2),
                                                tzinfo=datetime.UTC)  # fmt: skip
            decided = applied + datetime.timedelta(days=25)
            amount = Decimal(disability.STANDARDS[code])
            certificate = {"category": r["disability_category"], "grade": int(r["disability_grade"])}
            basis = {
                "standard": f"{programme.name}标准 {amount} 元/月（演示数据）",
                "disability_grade": str(certificate["grade"]),
                "disability_category": certificate["category"],
                "note": "演示历史数据",
            }
            county = county_of.get(r["household_id"], "")
            approver = approvers.get(county) or next(iter(approvers.values()))
            applications.append(
                {
                    "id": next_id, "number": f"YS{next_id:010d}", "programme_id": programme.pk,
                    "household_id": r["household_id"], "applicant_id": pid, "beneficiary_id": pid,
                    "region_id": r["village_code"], "channel": "window", "reason": HISTORY_NOTE,
                    "requested_amount": None, "documents": [d["code"] for d in programme.required_documents],
                    "stage": "enrolled", "stage_entered_on": decided.date(), "stage_due_on": None,
                    "publicity_start": None, "publicity_end": None, "near_relative_flag": False,
                    "near_relative_note": "", "approved_amount": amount, "advance_amount": None,
                    "advance_paid_on": None, "file_due_on": None, "case_by_case": {},
                    "details": {"certificate": certificate, "agency": {**certificate, "by": "演示历史"}},
                    "decision_reasons": HISTORY_NOTE, "decided_by": "演示历史", "decided_at": decided,
                    "public_token": uuid.uuid4(), "created_by_id": approver, "created_at": applied,
                    "updated_at": decided,
                }
            )  # fmt: skip
            enrolments.append(
                {
                    "id": next_id, "programme_id": programme.pk, "household_id": r["household_id"], "person_id": pid,
                    "application_id": next_id, "region_id": r["village_code"], "status": "active",
                    "monthly_amount": amount, "basis": basis, "income_unstable": False, "start_month": start,
                    "next_review_on": _add_months(start, 12), "grace_until": None, "ended_on": None, "end_reason": "",
                    "created_at": decided,
                }
            )  # fmt: skip
            members.append({"enrolment_id": next_id, "person_id": pid, "added_on": start, "removed_on": None,
                            "reason": ""})  # fmt: skip
            changes.append(
                {
                    "enrolment_id": next_id, "kind": "enrol", "effective_month": start, "before": {},
                    "after": {"amount": str(amount), **basis}, "reasons": HISTORY_NOTE, "actor": "演示历史",
                    "at": decided,
                }
            )  # fmt: skip
            next_id += 1
    for model, rows in (
        (Application, applications),
        (Enrolment, enrolments),
        (EnrolmentMember, members),
        (EnrolmentChange, changes),
    ):
        _insert(model, _json_ready(model, rows))
    return counts


def load_disability_standards() -> int:
    """The demo's 困难残疾人生活补贴 and 重度残疾人护理补贴 standards, one row per county (each county sets its own)."""
    from huimin.benefits.models import Standard
    from huimin.demo import disability

    counties = Region.objects.filter(code__startswith=city_mod.CITY_CODE[:4], level=3).values_list("code", flat=True)
    made = [
        Standard(
            kind=kind, region_id=county, area="all", period="month", value=value,
            effective_from=datetime.date(2020, 1, 1), source=DEMO_SOURCE, created_by="演示数据",
        )
        for county in counties
        for kind, value in disability.STANDARDS.items()
    ]  # fmt: skip
    Standard.objects.bulk_create(made)
    return len(made)


PAYROLL_MONTHS = 3
STATS_MONTHS = 12


# 一事一议: a 临时救助 above this amount needs the collective decision recorded (the figure is each place's own)
CASE_BY_CASE_THRESHOLD = Decimal("5000")


def load_policies() -> None:
    """The city's local policy figures the assistance workflow needs beyond the shipped defaults."""
    from huimin.assistance.models import RegionPolicy

    RegionPolicy.objects.create(
        key="case_by_case_threshold", region_id=city_mod.CITY_CODE, value=CASE_BY_CASE_THRESHOLD,
        effective_from=datetime.date(2020, 1, 1), source="演示数据：临时救助金额超过此数须经“一事一议”集体研究",
    )  # fmt: skip


def load_payrolls(as_of: datetime.date) -> int:
    """The last PAYROLL_MONTHS months' payroll of every county through the real benefits services (so the
    statistics have amounts paid), by three people as 职责分离 requires: the county's 发放经办 builds, its 发放复核
    reviews, its 审批人 approves and locks; then the 发放经办 sends each locked month to the bank and records the
    bank's answer (all paid), so a resident sees 已到账."""
    from huimin.benefits import bank
    from huimin.benefits import services as benefits

    staff = {u.username: u for u in User.objects.with_role(Role.APPROVER)}
    done = 0
    for approver in (
        User.objects.with_role(Role.APPROVER).filter(username__startswith=APPROVER_PREFIX).order_by("region_id")
    ):
        county = approver.region_id[:6]
        builder, reviewer = staff[f"{BUILDER_PREFIX}{county}"], staff[f"{CHECKER_PREFIX}{county}"]
        template = bank.create_template(
            builder, name="演示代发模板", bank_name=DEMO_BANK, region_code=approver.region_id, format="csv",
            columns=DEMO_BANK_COLUMNS,
        )  # fmt: skip
        for back in range(PAYROLL_MONTHS - 1, -1, -1):
            month = _add_months(as_of.replace(day=1), -back)
            payroll = benefits.build(builder, region_code=approver.region_id, month=month, today=as_of)
            payroll = benefits.advance(reviewer, payroll, "review")
            payroll = benefits.advance(approver, payroll, "approve")
            payroll = benefits.advance(approver, payroll, "lock")
            if payroll.line_count:
                _paid_by_the_bank(builder, payroll, template)
            done += 1
    return done


DEMO_BANK = "中国邮政储蓄银行"
DEMO_BANK_COLUMNS = [{"field": f, "header": h} for f, h in (("account", "账号"), ("name", "户名"), ("amount", "金额"),
                                                             ("reference", "流水号"))]  # fmt: skip


def _open_accounts_for_unbanked_payees(payroll) -> None:
    """A few generated payees have no bank account (a second registration of one person, planted for the duplicate
    check); the demo opens one for each before the month's first 代发 file, as the township office would."""
    from huimin.benefits.models import PayrollLine

    payees = PayrollLine.objects.filter(payroll=payroll, amount__gt=0).values("payee_id")
    for person in Person.objects.filter(pk__in=payees):
        if not person.bank_account:
            person.bank_account, person.bank_name = f"62217{person.pk:014d}", DEMO_BANK
            person.save(update_fields=["bank_account", "bank_name"])


def _paid_by_the_bank(actor, payroll, template) -> None:
    """The 代发 file of a locked month, and the bank's return file answering 成功 for every payment in it, through
    the same export and return import the 发放 pages use."""
    from huimin.benefits import bank
    from huimin.benefits.models import Payment

    _open_accounts_for_unbanked_payees(payroll)
    _, _, batch = bank.export(actor, payroll, template)
    references = Payment.objects.filter(batch=batch).order_by("id").values_list("reference", flat=True)
    answer = "流水号,结果\n" + "".join(f"{reference},成功\n" for reference in references)
    bank.import_return(actor, batch, "demo-return.csv", answer.encode())


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _json_ready(model, rows: list[dict]) -> list[dict]:
    """COPY takes JSON columns as text; bulk_create takes the Python values."""
    if connection.vendor != "postgresql" or not rows:
        return rows
    from django.db.models import JSONField

    names = [f.name for f in model._meta.concrete_fields if isinstance(f, JSONField) and f.name in rows[0]]
    for row in rows:
        for name in names:
            row[name] = _json(row[name])
    return rows


def load_standards(rows: list[dict]) -> int:
    """The demo city's 低保 and 特困 standards into benefits.Standard (特困 with its 1.3 × 低保 rule, so the
    standards page checks it). The 低保边缘 line is not a payment standard and is not loaded."""
    from huimin.benefits.models import Standard

    kinds = {"dibao": ("dibao", "", None), "tekun": ("tekun_basic", "dibao", Decimal("1.3"))}
    made = [
        Standard(
            kind=kinds[r["programme"]][0], region_id=r["region_code"], area=r["area"], period="month",
            value=r["monthly_standard"], base_kind=kinds[r["programme"]][1], factor_num=kinds[r["programme"]][2],
            effective_from=r["effective_from"], source=DEMO_SOURCE, created_by="演示数据",
        )
        for r in rows
        if r["programme"] in kinds
    ]  # fmt: skip
    Standard.objects.bulk_create(made)
    return len(made) + load_disability_standards()


def _load_regions(rows: list[dict]) -> int:
    existing = set(Region.objects.filter(code__startswith="4117").values_list("code", flat=True))
    new = [
        Region(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            parent_id=r["parent"],
            urban_rural_code=r["urban_rural_code"],
            source=DEMO_SOURCE,
        )
        for r in rows
        if r["code"] not in existing
    ]
    Region.objects.bulk_create(new, batch_size=500)
    return len(new)


def _household_rows(rows):
    now = timezone.now()
    for r in rows:
        yield {
            "id": r["household_id"],
            "number": r["number"],
            "region_id": r["village_code"],
            "address": r["address"],
            "household_type": "family",
            "head_id": r["head_person_id"],
            "is_active": True,
            "closed_reason": "",
            "created_at": now,
            "updated_at": now,
        }


def _load_households(rows):
    _insert(Household, list(_household_rows(rows)))


def _person_values(r: dict, now) -> dict:
    pinyin = lazy_pinyin(r["name"])
    return {
        "id": r["person_id"],
        "name": r["name"],
        "name_pinyin": "".join(pinyin),
        "name_initials": "".join(lazy_pinyin(r["name"], style=Style.FIRST_LETTER)),
        "id_number": r["id_number"],
        "no_id_reason": "",
        "sex": r["sex"],
        "birth_date": r["birth_date"],
        "ethnicity": r["ethnicity"],
        "region_id": r["village_code"],
        "hukou_region_id": r["village_code"],
        "has_residence_permit": False,
        "is_urban": r["is_urban"],
        "urban_rural_overridden": False,
        "phone": r["phone"],
        "bank_account": r["bank_account"],
        "bank_name": r["bank_name"],
        "labour_ability": r["labour_ability"],
        "health": r["health"],
        "serious_illness": r["serious_illness"],
        "disability_category": r["disability_category"],
        "disability_grade": r["disability_grade"] or None,
        "disability_cert_no": r["disability_cert_no"],
        "marital_status": r["marital_status"],
        "education": r["education"],
        "special_statuses": [r["special_statuses"]] if r["special_statuses"] else [],
        "household_id": r["household_id"],
        "is_deceased": False,
        "created_at": now,
        "updated_at": now,
    }


def _load_persons(rows):
    now = timezone.now()
    values = [_person_values(r, now) for r in rows]
    if connection.vendor == "postgresql":
        for v in values:  # COPY bypasses the field: encrypt and index here, exactly as ProtectedField does
            v["id_number_sfx"] = Person._meta.get_field("id_number").suffix_of(v["id_number"])
            for kind in ("id_number", "phone", "disability_cert_no"):
                plain = v[kind]
                v[f"{kind}_bidx"] = crypto.blind_index(kind, plain) if plain else ""
                v[kind] = crypto.encrypt(crypto.normalize(kind, plain)) if plain else ""
            plain = v["bank_account"]
            v["bank_account"] = crypto.encrypt(crypto.normalize("bank_account", plain)) if plain else ""
            v["special_statuses"] = _json(v["special_statuses"])
        _copy(Person, values)
    else:
        Person.objects.bulk_create([Person(**v) for v in values], batch_size=500)


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _load_memberships(rows):
    _insert(
        Membership,
        [
            {
                "person_id": r["person_id"],
                "household_id": r["household_id"],
                "relation": r["relation"],
                "started_on": r["started_on"],
                "end_reason": "",
            }
            for r in rows
        ],
    )


def _insert(model, values: list[dict]):
    if connection.vendor == "postgresql":
        _copy(model, values)
    else:
        model.objects.bulk_create([model(**v) for v in values], batch_size=500)


def _copy(model, values: list[dict]):
    if not values:
        return
    columns = list(values[0])
    db_columns = [model._meta.get_field(c[:-3] if c.endswith("_id") and c != "id" else c).column for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - names from model meta
            for v in values:
                copy.write_row([v[c] for c in columns])


def _reset_sequences():
    """Explicit ids were inserted; move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps
    from django.core.management.color import no_style

    models = [m for label in ("registry", "assistance", "benefits") for m in apps.get_app_config(label).get_models()]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- staff ------------------------------------------------------------------------------------------------


def _on(role: str, *lines: str) -> tuple[tuple[str, str], ...]:
    """A business role on the given lines (社会救助 when none is named)."""
    return tuple((role, line) for line in lines or (BusinessLine.ASSISTANCE,))


def demo_accounts(region_rows: list[dict]) -> list[tuple[str, str, tuple[tuple[str, str], ...], str]]:
    """(username, full name, its (role, business line) assignments, region code) of every demo account: the
    county offices each on their line, a township 民政所 clerk on several."""
    city = city_mod.CITY_CODE
    accounts = [
        ("tongji", "市局统计员", _on(Role.STATISTICIAN), city),
        ("xitong", "系统管理员", ((Role.SYSADMIN, ""),), city),
        ("baomi", "安全保密员", ((Role.SECURITY, ""),), city),
        ("shenji", "安全审计员", ((Role.AUDITOR, ""),), city),
        # city-wide settings (the programmes' 职责分离 rules) are changed at city level only
        ("shiju", "市民政局审批人", _on(Role.APPROVER), city),
    ]
    towns = [r for r in region_rows if r["level"] == 4]
    counties = sorted({t["parent"] for t in towns})
    county_names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    for county in counties:
        name = county_names.get(county, county[:6])
        accounts.append((f"{APPROVER_PREFIX}{county[:6]}", f"{name}审批人", _on(Role.APPROVER), county))
        # 职责分离 of the monthly payroll: one builds, another reviews, the 审批人 approves
        accounts.append((f"{BUILDER_PREFIX}{county[:6]}", f"{name}发放经办", _on(Role.APPROVER), county))
        accounts.append((f"{CHECKER_PREFIX}{county[:6]}", f"{name}发放复核", _on(Role.APPROVER), county))
        # the county's 养老服务 office: an approver of that line only, without 社会救助 duties
        line = BusinessLine.ELDERLY
        accounts.append((f"{ELDERLY_PREFIX}{county[:6]}", f"{name}养老服务科审批人", _on(Role.APPROVER, line), county))
        # the county's 婚姻登记处: a 婚姻登记员 and the office head (the second officer of 补领 and 更正)
        married = BusinessLine.MARRIAGE
        accounts.append((f"{MARRIAGE_CLERK_PREFIX}{county[:6]}", f"{name}婚姻登记员", _on(Role.CLERK, married), county))
        accounts.append((f"{MARRIAGE_HEAD_PREFIX}{county[:6]}", f"{name}婚姻登记处负责人", _on(Role.APPROVER, married),
                         county))  # fmt: skip
        # its 养老机构 inspectors, the pool of the 双随机 draws
        for i in (1, 2, 3):
            accounts.append((f"{INSPECTOR_PREFIX}{county[:6]}{i}", f"{name}养老机构检查员{i}", _on(Role.REVIEWER, line),
                             county))  # fmt: skip
        # 职责分离 of the 居家养老 settlement: one builds, another reviews, the 养老服务 审批人 approves
        accounts.append((f"{HOMECARE_BUILDER_PREFIX}{county[:6]}", f"{name}居家养老结算经办", _on(Role.REVIEWER, line),
                         county))  # fmt: skip
        accounts.append((f"{HOMECARE_CHECKER_PREFIX}{county[:6]}", f"{name}居家养老结算复核", _on(Role.REVIEWER, line),
                         county))  # fmt: skip
        # 残疾人两项补贴: the 县残联 reviews the certificate, the 民政 残疾人福利 office approves
        disabled = BusinessLine.DISABILITY
        accounts.append((f"{FEDERATION_PREFIX}{county[:6]}", f"{name}残联审核人",
                         _on(Role.FEDERATION_REVIEWER, disabled), county))  # fmt: skip
        accounts.append((f"{DISABILITY_PREFIX}{county[:6]}", f"{name}残疾人福利审批人", _on(Role.APPROVER, disabled),
                         county))  # fmt: skip
        orgs = BusinessLine.ORGS
        accounts += [
            (f"{ORGS_CLERK_PREFIX}{county[:6]}", f"{name}社会组织登记经办", _on(Role.CLERK, orgs), county),
            (f"{ORGS_REVIEWER_PREFIX}{county[:6]}", f"{name}业务主管单位初审人", _on(Role.REVIEWER, orgs), county),
            (f"{ORGS_APPROVER_PREFIX}{county[:6]}", f"{name}社会组织登记审批人", _on(Role.APPROVER, orgs), county),
        ]
        # 殡葬管理: the county's office (the funeral home's records and settlements): 经办, 审核, 审批 apart
        funeral = BusinessLine.FUNERAL
        for prefix, title, role in ((FUNERAL_CLERK_PREFIX, "殡葬管理经办员", Role.CLERK),
                                    (FUNERAL_REVIEWER_PREFIX, "殡葬管理审核人", Role.REVIEWER),
                                    (FUNERAL_APPROVER_PREFIX, "殡葬管理审批人", Role.APPROVER)):  # fmt: skip
            accounts.append((f"{prefix}{county[:6]}", f"{name}{title}", _on(role, funeral), county))
        # 区划地名: the county's office proposes names and keeps the signs; its 审批人 approves (two people)
        places = BusinessLine.PLACES
        accounts.append(
            (f"{PLACES_CLERK_PREFIX}{county[:6]}", f"{name}区划地名经办员", _on(Role.CLERK, places), county)
        )
        accounts.append((f"{PLACES_APPROVER_PREFIX}{county[:6]}", f"{name}区划地名审批人", _on(Role.APPROVER, places),
                         county))  # fmt: skip
        # 流浪乞讨救助: the 救助管理站's 经办员, and its head, who places the unidentified in 特困 供养 (the station
        # lodges their application under its own duty, relief.place: no 社会救助 role, no sight of the county's cases)
        relief = BusinessLine.RELIEF
        accounts.append((f"{RELIEF_CLERK_PREFIX}{county[:6]}", f"{name}救助管理站经办员", _on(Role.CLERK, relief),
                         county))  # fmt: skip
        accounts.append((f"{RELIEF_HEAD_PREFIX}{county[:6]}", f"{name}救助管理站站长", _on(Role.APPROVER, relief),
                         county))  # fmt: skip
        # the county's 儿童福利科: sees every child protection case of the county, approves plans and closures
        accounts.append((f"et{county[:6]}", f"{name}儿童福利科", _on(Role.APPROVER, BusinessLine.CHILDREN), county))
        # the 收养登记员 of the same office: 登记审查 of an adoption, which the 儿童福利科 then approves (two people)
        accounts.append((f"sy{county[:6]}", f"{name}收养登记员", _on(Role.APPROVER, BusinessLine.CHILDREN), county))
    for t in towns:
        accounts.append((f"jb{t['code'][:9]}", f"{t['name']}经办员", _on(Role.CLERK, *TOWNSHIP_LINES), t["code"]))
        accounts.append((f"sh{t['code'][:9]}", f"{t['name']}审核人", _on(Role.REVIEWER, *TOWNSHIP_REVIEWER_LINES),
                         t["code"]))  # fmt: skip
        villages = [r for r in region_rows if r["parent"] == t["code"]]
        for i in range(0, len(villages), VILLAGES_PER_ASSISTANT):
            v = villages[i]
            # one assistant per few villages; an account has one region, so it is scoped to the first village
            # 协理员 of 社会救助 and of 养老服务 (探访关爱)
            roles = _on(Role.ASSISTANT, BusinessLine.ASSISTANCE, BusinessLine.ELDERLY)
            accounts.append((f"xl{v['code']}", f"{v['name']}协理员", roles, v["code"]))
        for v in villages:  # every village has its 儿童主任 (the township clerk, on the 儿童福利 line, is the 督导员)
            accounts.append((f"ez{v['code']}", f"{v['name']}儿童主任", _on(Role.ASSISTANT, BusinessLine.CHILDREN),
                             v["code"]))  # fmt: skip
    return accounts


def _load_users(region_rows: list[dict]) -> int:
    password = make_password(DEMO_PASSWORD)  # one hash for the one demo password, not one per account
    now = timezone.now()
    taken = set(User.objects.values_list("username", flat=True))
    accounts = [a for a in demo_accounts(region_rows) if a[0] not in taken]
    users = [
        User(
            username=username,
            full_name=name,
            region_id=region,
            password=password,
            must_change_password=False,
            password_changed_at=now,
            is_active=True,
        )
        for username, name, _, region in accounts
    ]
    User.objects.bulk_create(users, batch_size=500)
    pks = dict(User.objects.filter(username__in=[a[0] for a in accounts]).values_list("username", "pk"))
    assignments = [
        RoleAssignment(user_id=pks[username], role=role, line=line)
        for username, _, pairs, _ in accounts
        for role, line in pairs
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=500)
    return len(users)
