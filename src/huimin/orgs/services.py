"""Every state change of 社会组织管理. Each checks the capability and the region, applies the rules, writes in one
transaction with its audit entry, and refuses with a Chinese message (``BusinessRuleError``) changing nothing."""

import datetime
import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from huimin.core import audit, duties
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.models import Region
from huimin.core.scope import in_scope, scoped
from huimin.orgs import capabilities as cap
from huimin.orgs import defaults, rules
from huimin.orgs.error_codes import OrgsErrorCode as E
from huimin.orgs.models import (
    Activity,
    AnnualReport,
    CharityRatio,
    CreditEntry,
    CreditList,
    CreditRule,
    Donation,
    Filing,
    Grading,
    Kind,
    Organisation,
    Penalty,
    ServiceHours,
    SocialWorkStation,
    Volunteer,
)
from huimin.orgs.supervision_hooks import KIND as SUPERVISION_KIND
from huimin.supervision import services as supervision
from huimin.supervision.models import Finding

FILING = "orgs.filing"
REPORT = "orgs.annual_report"
HOURS = "orgs.service_hours"

# Figures an annual report must give (元, or people), and the ones a 慈善组织 adds.
REPORT_FIGURES = {
    "income": "年度总收入（元）",
    "expenditure": "年度总支出（元）",
    "net_assets": "年末净资产（元）",
    "staff": "专职工作人员（人）",
}
CHARITY_FIGURES = {
    "charity_spending": "年度慈善活动支出（元）",
    "admin_costs": "管理费用（元）",
    "base": "支出比例基数（元）",
}


def today() -> datetime.date:
    return timezone.localdate()


def organisations(actor):
    """The organisations whose registration authority is in the actor's region."""
    return scoped(Organisation.objects.all(), actor, "authority", capability=cap.VIEW)


def _region(actor, code: str, what: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or not in_scope(actor, region.code):
        raise NotInScope(f"{what}不存在或不在您的管辖范围内")
    return region


def _date(raw, what: str, *, not_after: datetime.date | None = None) -> datetime.date:
    if isinstance(raw, datetime.date):
        day = raw
    else:
        try:
            day = datetime.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise BusinessRuleError(E.DATE_INVALID, f"{what}格式不正确，应为 YYYY-MM-DD") from None
    if not_after and day > not_after:
        raise BusinessRuleError(E.DATE_INVALID, f"{what}不能晚于今天（{not_after:%Y-%m-%d}）")
    return day


def _money(raw, what: str, *, minimum: Decimal = Decimal(0)) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise BusinessRuleError(E.REPORT_INVALID, f"{what}须为数字") from None
    if not value.is_finite() or value < minimum:
        raise BusinessRuleError(E.REPORT_INVALID, f"{what}不能小于 {minimum}")
    return value.quantize(Decimal("0.01"))


def _note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise BusinessRuleError(E.NOTE_REQUIRED, f"{what}须填写理由")
    return note[:300]


def _org_for(actor, pk, capability: str, *, for_update: bool = False) -> Organisation:
    from huimin.orgs.access import access_org_by_id

    return access_org_by_id(actor, pk, capability=capability, for_update=for_update)


# --- filings: 成立, 变更, 注销 ----------------------------------------------------------------------------------

REGISTER_FIELDS = {
    "name": "名称",
    "kind": "类型",
    "credit_code": "统一社会信用代码",
    "legal_rep": "法定代表人",
    "capital": "注册资金",
    "domicile": "住所",
    "scope": "业务范围",
    "region": "住所所在区划",
}
CHANGEABLE = {
    "name": "名称",
    "legal_rep": "法定代表人",
    "capital": "注册资金",
    "domicile": "住所",
    "scope": "业务范围",
    "supervisor": "业务主管单位",
}


def check_filing(actor, type_: str, authority_code: str, data: dict, documents: list[str], org_pk=None):
    """Validate a filing and write nothing; returns (authority, org, cleaned data)."""
    require_capability(actor, cap.REGISTER)
    if type_ not in Filing.Type.values:
        raise BusinessRuleError(E.FILING_INVALID, "请选择登记事项")
    org = None if type_ == "register" else _org_for(actor, org_pk, cap.REGISTER)  # 404 before any other answer
    missing_docs = [d for d in defaults.DOCUMENTS[type_] if d not in documents]
    if missing_docs and not (type_ == "cancel" and missing_docs == ["业务主管单位意见（直接登记的除外）"]):
        raise BusinessRuleError(E.FILING_INVALID, f"申请材料不齐全，缺少：{'、'.join(missing_docs)}")
    clean = {}
    if type_ == "register":
        authority = _region(actor, authority_code, "登记管理机关")
        empty = [label for key, label in REGISTER_FIELDS.items() if not str(data.get(key, "")).strip()]
        if empty:
            raise BusinessRuleError(E.FILING_INVALID, f"请填写：{'、'.join(empty)}")
        if data["kind"] not in Kind.values:
            raise BusinessRuleError(E.FILING_INVALID, "社会组织类型不正确")
        try:
            code = rules.clean_credit_code(data["credit_code"])
        except ValueError as exc:
            raise BusinessRuleError(E.CREDIT_CODE, str(exc)) from None
        if (
            Organisation.objects.filter(credit_code=code).exists()
            or Filing.objects.filter(status=Filing.Status.SUBMITTED, data__credit_code=code).exists()
        ):
            raise BusinessRuleError(E.CREDIT_CODE, f"统一社会信用代码 {code} 已登记或已有待决定的登记申请")
        capital = _money(data["capital"], "注册资金（万元）")
        if capital < rules.MIN_CAPITAL[data["kind"]]:
            raise BusinessRuleError(
                E.FILING_INVALID, f"{Kind(data['kind']).label}的注册资金不得少于 {rules.MIN_CAPITAL[data['kind']]} 万元"
            )
        region = _region(actor, data["region"], "住所所在区划")
        if not region.code.startswith(authority.prefix):
            raise BusinessRuleError(E.FILING_INVALID, "住所须在登记管理机关的辖区内")
        clean = {k: str(data.get(k, "")).strip() for k in (*REGISTER_FIELDS, "supervisor")}
        clean.update(credit_code=code, capital=str(capital), region=region.code)
    else:
        authority = org.authority
        if org.status != Organisation.Status.ACTIVE:
            raise BusinessRuleError(
                E.ORG_STATE, f"{org.name}已{org.get_status_display()}，不能再申请{Filing.Type(type_).label}"
            )
        if Filing.objects.filter(org=org, status=Filing.Status.SUBMITTED).exists():
            raise BusinessRuleError(E.FILING_STATE, f"{org.name}已有待决定的登记申请")
        if type_ == "change":
            clean = {k: str(data[k]).strip() for k in CHANGEABLE if str(data.get(k, "")).strip()}
            if "capital" in clean:
                clean["capital"] = str(_money(clean["capital"], "注册资金（万元）"))
            changed = {k: v for k, v in clean.items() if str(getattr(org, k)) != v}
            if not changed:
                raise BusinessRuleError(E.FILING_INVALID, "变更登记须至少变更一项登记事项")
            clean = changed
    return authority, org, clean


@transaction.atomic
def submit_filing(actor, type_: str, authority_code: str, data: dict, documents: list[str], org_pk=None) -> Filing:
    authority, org, clean = check_filing(actor, type_, authority_code, data, documents, org_pk)
    filing = Filing.objects.create(
        type=type_, org=org, authority=authority, data=clean, documents=list(documents), submitted_by=actor
    )
    audit.record("orgs.filing.submit", filing, after={"type": type_, **clean})
    return filing


@transaction.atomic
def decide_filing(actor, pk, approve: bool, note: str = "") -> Filing:
    from huimin.orgs.access import access_filing_by_id

    filing = access_filing_by_id(actor, pk, capability=cap.DECIDE, for_update=True)
    if filing.status != Filing.Status.SUBMITTED:
        raise BusinessRuleError(E.FILING_STATE, f"该申请已{filing.get_status_display()}")
    duties.check(actor, FILING, "decide", {"submit": filing.submitted_by.username})
    if not approve:
        filing.decision_note = _note(note, "不予登记")
        filing.status = Filing.Status.REFUSED
    else:
        filing.status = Filing.Status.APPROVED
        filing.decision_note = (note or "").strip()[:300]
        day = today()
        if filing.type == Filing.Type.REGISTER:
            d = filing.data
            if Organisation.objects.filter(credit_code=d["credit_code"]).exists():
                raise BusinessRuleError(E.CREDIT_CODE, f"统一社会信用代码 {d['credit_code']} 已登记")
            filing.org = Organisation.objects.create(
                name=d["name"],
                kind=d["kind"],
                credit_code=d["credit_code"],
                authority=filing.authority,
                region_id=d["region"],
                supervisor=d.get("supervisor", ""),
                legal_rep=d["legal_rep"],
                capital=Decimal(d["capital"]),
                domicile=d["domicile"],
                scope=d["scope"],
                registered_on=day,
            )
        elif filing.type == Filing.Type.CHANGE:
            org = Organisation.objects.select_for_update().get(pk=filing.org_id)
            before = {k: str(getattr(org, k)) for k in filing.data}
            for key, value in filing.data.items():
                setattr(org, key, Decimal(value) if key == "capital" else value)
            org.save()
            audit.record("orgs.org.change", org, before=before, after=filing.data)
        else:
            org = Organisation.objects.select_for_update().get(pk=filing.org_id)
            org.status, org.ended_on = Organisation.Status.CANCELLED, day
            org.save(update_fields=["status", "ended_on"])
    filing.decided_by, filing.decided_at = actor, timezone.now()
    filing.save()
    audit.record("orgs.filing.decide", filing, after={"status": filing.status, "note": filing.decision_note})
    return filing


@transaction.atomic
def issue_portal_password(actor, org_pk) -> str:
    """A new 年报填报密码 for the organisation, shown once to the officer who hands it over."""
    org = _org_for(actor, org_pk, cap.REGISTER, for_update=True)
    password = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    org.portal_password = make_password(password)
    org.save(update_fields=["portal_password"])
    audit.record("orgs.portal_password.issue", org)
    return password


# --- annual reports --------------------------------------------------------------------------------------------


def portal_login(credit_code: str, password: str, ip: str = "") -> Organisation:
    from huimin.core import ratelimit

    code = (credit_code or "").strip().upper()
    ratelimit.check("orgs-portal-code", ratelimit.key_of(code), 10, "登录尝试过多，请一小时后再试", seconds=3600)
    ratelimit.check("orgs-portal-ip", ip or "-", 30, "登录尝试过多，请一小时后再试", seconds=3600)
    org = Organisation.objects.filter(credit_code=code).first()
    ok = org is not None and org.portal_password and check_password(password or "", org.portal_password)
    if not ok:
        audit.record("orgs.portal.login_failed", detail=code[:18])
        raise BusinessRuleError(E.PORTAL_LOGIN, "统一社会信用代码或年报填报密码不正确")
    if org.status != Organisation.Status.ACTIVE:
        raise BusinessRuleError(E.ORG_STATE, f"{org.name}已{org.get_status_display()}，无需报送年报")
    audit.record("orgs.portal.login", org)
    return org


def check_report(org: Organisation, year: int, data: dict, day: datetime.date) -> dict:
    if year >= day.year:
        raise BusinessRuleError(E.REPORT_YEAR, f"{year} 年度尚未结束，不能报送该年度工作报告")
    if year < org.registered_on.year:
        raise BusinessRuleError(
            E.REPORT_YEAR, f"{org.name}于 {org.registered_on:%Y年%m月%d日} 成立，无需报送 {year} 年度报告"
        )
    figures = dict(REPORT_FIGURES, **(CHARITY_FIGURES if org.is_charity else {}))
    empty = [label for key, label in figures.items() if str(data.get(key, "")).strip() == ""]
    if empty:
        raise BusinessRuleError(E.REPORT_INVALID, f"请填写：{'、'.join(empty)}")
    clean = {key: str(_money(data[key], label)) for key, label in figures.items()}
    clean["activities"] = str(data.get("activities", "")).strip()[:2000]
    if not clean["activities"]:
        raise BusinessRuleError(E.REPORT_INVALID, "请填写年度开展的主要活动")
    return clean


@transaction.atomic
def file_report(org: Organisation, year: int, data: dict) -> AnnualReport:
    """The organisation files (or, after a return, files again) its report on ``year`` in the portal."""
    day = today()
    clean = check_report(org, year, data, day)
    report = AnnualReport.objects.select_for_update().filter(org=org, year=year).first()
    if report and report.status != AnnualReport.Status.RETURNED:
        raise BusinessRuleError(E.REPORT_STATE, f"{year} 年度报告已报送（{report.get_status_display()}），不能重复报送")
    if report is None:
        report = AnnualReport(org=org, year=year)
    report.data, report.status, report.filed_at = clean, AnnualReport.Status.FILED, timezone.now()
    report.precheck_by = report.precheck_at = None
    report.save()
    audit.record("orgs.report.file", report, after={"year": year})
    return report


@transaction.atomic
def precheck_report(actor, pk, passed: bool, note: str = "") -> AnnualReport:
    from huimin.orgs.access import access_report_by_id

    report = access_report_by_id(actor, pk, capability=cap.PRECHECK, for_update=True)
    if report.status != AnnualReport.Status.FILED:
        raise BusinessRuleError(E.REPORT_STATE, f"该年度报告{report.get_status_display()}，不能初审")
    report.precheck_note = (note or "").strip()[:300] if passed else _note(note, "退回年度报告")
    report.status = AnnualReport.Status.PRECHECKED if passed else AnnualReport.Status.RETURNED
    report.precheck_by, report.precheck_at = actor, timezone.now()
    report.save()
    audit.record("orgs.report.precheck", report, after={"status": report.status, "note": report.precheck_note})
    return report


@transaction.atomic
def decide_report(actor, pk, result: str, note: str = "") -> AnnualReport:
    from huimin.orgs.access import access_report_by_id

    report = access_report_by_id(actor, pk, capability=cap.DECIDE, for_update=True)
    if report.status != AnnualReport.Status.PRECHECKED:
        raise BusinessRuleError(E.REPORT_STATE, f"该年度报告{report.get_status_display()}，不能作出年检结论")
    if result not in AnnualReport.Result.values:
        raise BusinessRuleError(E.REPORT_STATE, "请选择年检结论")
    duties.check(actor, REPORT, "decide", {"precheck": report.precheck_by.username if report.precheck_by else ""})
    report.decision_note = _note(note, "不合格结论") if result != "qualified" else (note or "").strip()[:300]
    report.result, report.status = result, AnnualReport.Status.DECIDED
    report.decided_by, report.decided_at = actor, timezone.now()
    report.save()
    audit.record("orgs.report.decide", report, after={"result": result})
    return report


def charity_problems(report: AnnualReport) -> list[str]:
    """The 慈善组织 spending ratios of a report: the problems found (empty when met or not a charity)."""
    if not report.org.is_charity:
        return []
    ratio = CharityRatio.objects.filter(fundraising=report.org.fundraising).first()
    if ratio is None:
        return ["未设置慈善组织支出比例：请社会组织条线审批人在「慈善组织支出比例」中设置"]
    return rules.spending_check(
        report.data, ratio.min_spending_pct, ratio.max_admin_pct, Decimal(report.data.get("base", "0") or "0")
    )


def required_to_report(actor, year: int):
    """Organisations of the actor's region that must report on ``year``: active, registered by the year's end."""
    return organisations(actor).filter(
        Q(status=Organisation.Status.ACTIVE) | Q(ended_on__year__gt=year), registered_on__year__lte=year
    )


def non_filers(actor, year: int):
    """Those of ``required_to_report`` with no report on ``year`` (or one returned and not filed again)."""
    filed = AnnualReport.objects.filter(org=OuterRef("pk"), year=year).exclude(status=AnnualReport.Status.RETURNED)
    return required_to_report(actor, year).filter(~Exists(filed))


def filing_rate(actor, year: int) -> dict:
    """The 年检率 of ``year``: reports filed (not returned) among the organisations that had to report, per
    registration authority, against the 90% target."""
    rows = {}
    for org_id, authority_id in required_to_report(actor, year).values_list("pk", "authority_id"):
        rows.setdefault(authority_id, {"required": 0, "filed": 0, "ids": []})
        rows[authority_id]["required"] += 1
        rows[authority_id]["ids"].append(org_id)
    filed = set(
        AnnualReport.objects.filter(year=year)
        .exclude(status=AnnualReport.Status.RETURNED)
        .values_list("org_id", flat=True)
    )
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    out = []
    for code, row in sorted(rows.items()):
        count = sum(1 for i in row["ids"] if i in filed)
        rate = Decimal(count) / row["required"] if row["required"] else Decimal(0)
        out.append(
            {
                "authority": names.get(code, code),
                "code": code,
                "required": row["required"],
                "filed": count,
                "rate": rate,
                "met": rate >= rules.FILING_TARGET,
            }
        )
    return {"year": year, "target": rules.FILING_TARGET, "rows": out}


def existing_in(actor, year: int):
    """Organisations of the actor's region that existed in ``year``: registered by its end, not ended before it."""
    return organisations(actor).filter(
        Q(status=Organisation.Status.ACTIVE) | Q(ended_on__year__gte=year), registered_on__year__lte=year
    )


def spot_check_rate(actor, year: int) -> dict:
    """The 双随机 spot-check rate of ``year`` per registration authority: organisations drawn in the draws
    published in the year among the organisations that existed in it, against 4% (``rules.SPOT_CHECK_TARGET``);
    and organisations inspected jointly with other departments (联合抽查) in the year, against 6%
    (``rules.JOINT_CHECK_TARGET``). Exactly the target counts as met."""
    drawn = supervision.drawn_in(SUPERVISION_KIND, year)
    joint = supervision.joint_checked_in(SUPERVISION_KIND, year)
    rows: dict[str, dict] = {}
    for org_id, authority_id in existing_in(actor, year).values_list("pk", "authority_id"):
        row = rows.setdefault(authority_id, {"total": 0, "drawn": 0, "joint": 0})
        row["total"] += 1
        row["drawn"] += org_id in drawn
        row["joint"] += org_id in joint
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    out = []
    for code, row in sorted(rows.items()):
        out.append(row | {
            "authority": names.get(code, code), "code": code,
            "rate": rules.rate(row["drawn"], row["total"]), "pct": rules.percent(row["drawn"], row["total"]),
            "met": rules.target_met(row["drawn"], row["total"], rules.SPOT_CHECK_TARGET),
            "joint_rate": rules.rate(row["joint"], row["total"]),
            "joint_pct": rules.percent(row["joint"], row["total"]),
            "joint_met": rules.target_met(row["joint"], row["total"], rules.JOINT_CHECK_TARGET),
        })  # fmt: skip
    return {"year": year, "target": rules.SPOT_CHECK_TARGET, "joint_target": rules.JOINT_CHECK_TARGET, "rows": out}


# --- credit ----------------------------------------------------------------------------------------------------


def _rule(code: str) -> CreditRule:
    rule = CreditRule.objects.filter(code=code).first()
    if rule is None:
        raise BusinessRuleError(
            E.CREDIT_STATE, f"未设置信用名单列入事由“{code}”：请社会组织条线审批人在「信用名单事由」中设置"
        )
    return rule


def _enter(org, rule, decided_on, decision_no, note, by: str, day, moved_from=None, report_year=None,
           finding_id=None) -> CreditEntry:  # fmt: skip
    if CreditEntry.objects.filter(org=org, rule=rule, exited_on__isnull=True).exists():
        raise BusinessRuleError(E.CREDIT_STATE, f"{org.name}已因“{rule.label}”列入{rule.get_list_display()}")
    entry = CreditEntry.objects.create(
        org=org,
        rule=rule,
        list=rule.list,
        decided_on=decided_on,
        decision_no=decision_no,
        entered_on=day,
        entered_by=by,
        due_by=rules.entry_due(decided_on, rule.entry_workdays),
        note=note,
        moved_from=moved_from,
        report_year=report_year,
        finding_id=finding_id,
    )
    audit.record("orgs.credit.enter", entry, after={"list": rule.list, "rule": rule.code, "late": entry.late})
    return entry


@transaction.atomic
def enter_credit(actor, org_pk, rule_code: str, decided_on, decision_no: str = "", note: str = "") -> CreditEntry:
    org = _org_for(actor, org_pk, cap.DECIDE, for_update=True)
    rule = _rule(rule_code)
    if rule.code == "from_abnormal":
        raise BusinessRuleError(E.CREDIT_STATE, "“列入活动异常名录满2年”由系统按期自动转入，不能手工列入")
    if rule.code == OVERDUE_FINDING:
        raise BusinessRuleError(
            E.CREDIT_STATE, "“抽查发现问题逾期未整改”须在组织页面的监督检查记录中，就逾期的问题列入"
        )
    day = today()
    decided = _date(decided_on, "决定日期", not_after=day)
    return _enter(org, rule, decided, (decision_no or "").strip()[:60], (note or "").strip()[:300], actor.username, day)


OVERDUE_FINDING = "inspection_overdue"  # the CreditRule of a spot-check finding left unrectified past its deadline


def overdue_findings(org: Organisation, day: datetime.date | None = None) -> list[Finding]:
    """The spot-check findings of ``org`` still awaiting rectification after their deadline (from the day after
    it, as supervision's 逾期未整改)."""
    day = day or today()
    return [f for f in supervision.record_of(SUPERVISION_KIND, org.pk)["findings"]
            if f.status == Finding.Status.OPEN and f.deadline < day]  # fmt: skip


@transaction.atomic
def enter_for_finding(actor, org_pk, finding_pk, decided_on=None, decision_no: str = "") -> CreditEntry:
    """列入活动异常名录 (reason ``inspection_overdue``) an organisation for a finding of an inspection of it that is
    still 待整改 after its deadline. The approver (``orgs.decide``); the finding must be one he may see."""
    from huimin.supervision.access import access_finding_by_id
    from huimin.supervision.capabilities import VIEW as SUPERVISION_VIEW

    org = _org_for(actor, org_pk, cap.DECIDE, for_update=True)
    if org.status != Organisation.Status.ACTIVE:
        raise BusinessRuleError(E.ORG_STATE, f"{org.name}{org.get_status_display()}，不能列入名录")
    finding = access_finding_by_id(actor, finding_pk, capability=SUPERVISION_VIEW)
    inspection = finding.inspection
    if inspection.subject_kind != SUPERVISION_KIND or inspection.subject_id != org.pk:
        raise NotInScope("检查发现问题不存在或不属于该社会组织")
    day = today()
    if finding.status != Finding.Status.OPEN:
        raise BusinessRuleError(E.CREDIT_STATE, f"该问题{finding.get_status_display()}，不是逾期未整改的问题")
    if finding.deadline >= day:
        raise BusinessRuleError(
            E.CREDIT_STATE,
            f"该问题的整改期限至 {finding.deadline:%Y年%m月%d日}，期限届满后仍未整改才能列入活动异常名录",
        )
    decided = _date(decided_on or day, "决定日期", not_after=day)
    note = f"{inspection.inspected_on:%Y-%m-%d} 抽查发现：{finding.description}（整改期限 {finding.deadline:%Y-%m-%d}）"
    return _enter(org, _rule(OVERDUE_FINDING), decided, (decision_no or "").strip()[:60], note[:300], actor.username,
                  day, finding_id=finding.pk)  # fmt: skip


@transaction.atomic
def enter_non_filers(actor, year: int) -> int:
    """列入活动异常名录 every organisation of the actor's region that has not filed its report on ``year`` once the
    deadline has passed (the decision is today's)."""
    require_capability(actor, cap.DECIDE)
    day = today()
    if not rules.overdue(year, day):
        raise BusinessRuleError(
            E.CREDIT_STATE,
            f"{year} 年度报告的报送期限至 {rules.report_deadline(year):%Y年%m月%d日}，期限届满后才能列入活动异常名录",
        )
    rule = _rule("not_filed")
    count = 0
    for org in non_filers(actor, year).select_for_update():
        if CreditEntry.objects.filter(org=org, rule=rule, exited_on__isnull=True).exists():
            continue
        _enter(org, rule, day, "", f"未报送 {year} 年度工作报告", actor.username, day, report_year=year)
        count += 1
    return count


@transaction.atomic
def exit_credit(actor, entry_pk, reason: str) -> CreditEntry:
    from huimin.orgs.access import access_credit_by_id

    entry = access_credit_by_id(actor, entry_pk, capability=cap.DECIDE, for_update=True)
    if entry.exited_on:
        raise BusinessRuleError(E.CREDIT_STATE, "该记录已移出")
    reason = _note(reason, "移出名单")
    if entry.rule.code == "not_filed" and entry.report_year:
        filed = AnnualReport.objects.filter(org=entry.org, year=entry.report_year).exclude(
            status=AnnualReport.Status.RETURNED
        )
        if not filed.exists():
            raise BusinessRuleError(
                E.CREDIT_EXIT, f"{entry.org.name}尚未补报 {entry.report_year} 年度工作报告，不能移出"
            )
    if entry.finding_id and Finding.objects.filter(pk=entry.finding_id).exclude(status=Finding.Status.CLOSED).exists():
        raise BusinessRuleError(E.CREDIT_EXIT, f"{entry.org.name}抽查发现的问题尚未整改验收销号，不能移出")
    if entry.list == CreditList.SERIOUS and rules.move_date(entry.entered_on, 5) > today():
        raise BusinessRuleError(
            E.CREDIT_EXIT,
            f"列入严重违法失信名单满5年（{rules.move_date(entry.entered_on, 5):%Y年%m月%d日}）后方可申请移出",
        )
    entry.exited_on, entry.exit_reason, entry.exited_by = today(), reason, actor.username
    entry.save(update_fields=["exited_on", "exit_reason", "exited_by"])
    audit.record("orgs.credit.exit", entry, detail=reason)
    return entry


@transaction.atomic
def move_expired(day: datetime.date | None = None) -> int:
    """The daily job: an abnormal-list entry not removed within its rule's years moves to the serious list on
    the anniversary of its entry. Idempotent."""
    day = day or today()
    target = _rule("from_abnormal")
    moved = 0
    open_entries = (
        CreditEntry.objects.select_for_update()
        .select_related("rule", "org")
        .filter(list=CreditList.ABNORMAL, exited_on__isnull=True, rule__move_after_years__isnull=False)
    )
    for entry in open_entries:
        if rules.move_date(entry.entered_on, entry.rule.move_after_years) > day:
            continue
        entry.exited_on, entry.exited_by = day, "系统"
        entry.exit_reason = f"列入活动异常名录满{entry.rule.move_after_years}年未移出，转入严重违法失信名单"
        entry.save(update_fields=["exited_on", "exit_reason", "exited_by"])
        _enter(entry.org, target, day, "", f"由活动异常名录转入（{entry.rule.label}）", "系统", day, moved_from=entry)
        moved += 1
    return moved


@transaction.atomic
def record_penalty(actor, org_pk, kind: str, decided_on, decision_no: str, facts: str, amount="") -> Penalty:
    org = _org_for(actor, org_pk, cap.REGISTER, for_update=True)
    if kind not in Penalty.Kind.values:
        raise BusinessRuleError(E.FILING_INVALID, "请选择处罚种类")
    if not (decision_no or "").strip() or not (facts or "").strip():
        raise BusinessRuleError(E.FILING_INVALID, "请填写决定书文号和违法事实")
    money = _money(amount, "罚没金额") if str(amount or "").strip() else None
    if kind in ("fine", "confiscate") and not money:
        raise BusinessRuleError(E.FILING_INVALID, "罚款或没收违法所得须填写金额")
    penalty = Penalty.objects.create(
        org=org,
        kind=kind,
        decided_on=_date(decided_on, "决定日期", not_after=today()),
        decision_no=decision_no.strip()[:60],
        facts=facts.strip()[:300],
        amount=money,
        recorded_by=actor.username,
    )
    if kind == "revoke":
        org.status, org.ended_on = Organisation.Status.REVOKED, penalty.decided_on
        org.save(update_fields=["status", "ended_on"])
    audit.record("orgs.penalty.record", penalty, after={"kind": kind})
    return penalty


@transaction.atomic
def record_grading(actor, org_pk, grade: int, decided_on) -> Grading:
    org = _org_for(actor, org_pk, cap.DECIDE, for_update=True)
    if grade not in Grading.Grade.values:
        raise BusinessRuleError(E.FILING_INVALID, "评估等级应为 1A–5A")
    decided = _date(decided_on, "评定日期", not_after=today())
    grading = Grading.objects.create(
        org=org, grade=grade, decided_on=decided, valid_until=rules.move_date(decided, 5), recorded_by=actor.username
    )
    audit.record("orgs.grading.record", grading, after={"grade": grade})
    return grading


def current_grade(org: Organisation, day: datetime.date | None = None) -> Grading | None:
    day = day or today()
    return org.gradings.filter(decided_on__lte=day, valid_until__gte=day).order_by("-decided_on").first()


# --- 慈善 ------------------------------------------------------------------------------------------------------


@transaction.atomic
def recognise_charity(actor, org_pk, fundraising: bool) -> Organisation:
    org = _org_for(actor, org_pk, cap.DECIDE, for_update=True)
    if org.status != Organisation.Status.ACTIVE:
        raise BusinessRuleError(E.ORG_STATE, f"{org.name}已{org.get_status_display()}")
    if fundraising and (not org.is_charity or (today() - org.charity_on).days < 365):
        raise BusinessRuleError(E.ORG_STATE, "取得公开募捐资格须为依法登记满一年的慈善组织（《慈善法》第二十二条）")
    if not org.is_charity:
        org.is_charity, org.charity_on = True, today()
    org.fundraising = fundraising or org.fundraising
    org.save(update_fields=["is_charity", "charity_on", "fundraising"])
    audit.record("orgs.charity.recognise", org, after={"fundraising": org.fundraising})
    return org


@transaction.atomic
def record_donation(actor, org_pk, donor: str, amount, purpose: str, received_on, channel: str) -> Donation:
    org = _org_for(actor, org_pk, cap.REGISTER)
    if not org.is_charity:
        raise BusinessRuleError(E.ORG_STATE, f"{org.name}不是慈善组织，不能登记慈善捐赠")
    if channel == Donation.Channel.ONLINE and not org.fundraising:
        raise BusinessRuleError(E.ORG_STATE, f"{org.name}不具有公开募捐资格，不能开展网络募捐")
    if not (donor or "").strip() or not (purpose or "").strip():
        raise BusinessRuleError(E.FILING_INVALID, "请填写捐赠人和用途")
    money = _money(amount, "捐赠金额", minimum=Decimal("0.01"))
    donation = Donation.objects.create(
        org=org,
        donor=donor.strip()[:100],
        amount=money,
        purpose=purpose.strip()[:200],
        received_on=_date(received_on, "收到日期", not_after=today()),
        channel=channel if channel in Donation.Channel.values else "offline",
        recorded_by=actor.username,
    )
    audit.record("orgs.donation.record", donation, after={"amount": str(money)})
    return donation


# --- 志愿服务 ----------------------------------------------------------------------------------------------------


@transaction.atomic
def register_volunteer(actor, org_pk, name: str, id_number: str, phone: str, region_code: str) -> Volunteer:
    from huimin.core.crypto import blind_index
    from huimin.registry import idnumbers
    from huimin.registry.models import Person

    org = _org_for(actor, org_pk, cap.REGISTER)
    try:
        number = idnumbers.parse(id_number).number
    except ValueError as exc:
        raise BusinessRuleError(E.FILING_INVALID, f"身份证号不正确：{exc}") from None
    if not (name or "").strip():
        raise BusinessRuleError(E.FILING_INVALID, "请填写志愿者姓名")
    region = _region(actor, region_code, "所在区划")
    bidx = blind_index("id_number", number)
    if Volunteer.objects.filter(org=org, id_number_bidx=bidx).exists():
        raise BusinessRuleError(E.FILING_INVALID, f"该志愿者已在{org.name}注册")
    person = Person.objects.filter(id_number_bidx=bidx, merged_into__isnull=True).first()
    volunteer = Volunteer.objects.create(
        name=name.strip()[:50],
        id_number=number,
        phone=(phone or "").strip(),
        region=region,
        person=person,
        org=org,
        registered_on=today(),
    )
    audit.record("orgs.volunteer.register", volunteer)
    return volunteer


@transaction.atomic
def add_activity(actor, org_pk, title: str, held_on, region_code: str) -> Activity:
    org = _org_for(actor, org_pk, cap.REGISTER)
    if not (title or "").strip():
        raise BusinessRuleError(E.FILING_INVALID, "请填写活动名称")
    activity = Activity.objects.create(
        org=org,
        title=title.strip()[:100],
        region=_region(actor, region_code, "活动地点"),
        held_on=_date(held_on, "活动日期", not_after=today()),
    )
    audit.record("orgs.activity.add", activity)
    return activity


@transaction.atomic
def record_hours(actor, activity_pk, volunteer_pk, hours) -> ServiceHours:
    from huimin.orgs.access import access_activity_by_id

    activity = access_activity_by_id(actor, activity_pk, capability=cap.REGISTER)
    volunteer = Volunteer.objects.filter(pk=volunteer_pk, org=activity.org).first()
    if volunteer is None:
        raise BusinessRuleError(E.HOURS_INVALID, f"该志愿者不属于{activity.org.name}")
    value = _money(hours, "服务时长")
    if not Decimal("0.5") <= value <= Decimal("24"):
        raise BusinessRuleError(E.HOURS_INVALID, "一次活动的服务时长应在 0.5 至 24 小时之间")
    if ServiceHours.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise BusinessRuleError(E.HOURS_INVALID, f"{volunteer.name}在该活动的服务时长已登记")
    row = ServiceHours.objects.create(activity=activity, volunteer=volunteer, hours=value, recorded_by=actor.username)
    audit.record("orgs.hours.record", row, after={"hours": str(value)})
    return row


@transaction.atomic
def confirm_hours(actor, activity_pk) -> int:
    """The organiser confirms an activity's recorded hours: a second person, not the one who recorded them."""
    from huimin.orgs.access import access_activity_by_id

    activity = access_activity_by_id(actor, activity_pk, capability=cap.REGISTER)
    rows = list(ServiceHours.objects.select_for_update().filter(activity=activity, confirmed_at__isnull=True))
    if not rows:
        raise BusinessRuleError(E.HOURS_INVALID, "该活动没有待确认的服务时长")
    for row in rows:
        duties.check(actor, HOURS, "confirm", {"record": row.recorded_by})
    now = timezone.now()
    ServiceHours.objects.filter(pk__in=[r.pk for r in rows]).update(confirmed_by=actor.username, confirmed_at=now)
    audit.record("orgs.hours.confirm", activity, detail=f"{len(rows)} 条")
    return len(rows)


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    from django.db.models import Sum

    return volunteer.hours.filter(confirmed_at__isnull=False).aggregate(s=Sum("hours"))["s"] or Decimal(0)


# --- 社工站 -----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_station(actor, region_code: str, name: str, social_workers, services: str, opened_on) -> SocialWorkStation:
    from huimin.core import regions

    require_capability(actor, cap.REGISTER)
    region = _region(actor, region_code, "乡镇（街道）")
    if region.level != regions.TOWNSHIP:
        raise BusinessRuleError(E.FILING_INVALID, "社工站设在乡镇（街道）一级")
    if SocialWorkStation.objects.filter(region=region).exists():
        raise BusinessRuleError(E.FILING_INVALID, f"{region.name}已建有社工站")
    try:
        workers = int(str(social_workers).strip())
    except ValueError:
        raise BusinessRuleError(E.FILING_INVALID, "驻站社工人数须为整数") from None
    if not (name or "").strip() or workers < 0:
        raise BusinessRuleError(E.FILING_INVALID, "请填写名称和驻站社工人数")
    station = SocialWorkStation.objects.create(
        region=region,
        name=name.strip()[:100],
        social_workers=workers,
        services=(services or "").strip()[:300],
        opened_on=_date(opened_on, "建成日期", not_after=today()),
    )
    audit.record("orgs.station.add", station)
    return station


def daily(day: datetime.date) -> str:
    """The daily job (huimin daily): abnormal-list entries past their years move to the serious list."""
    return f"转入严重违法失信名单 {move_expired(day)} 家"
