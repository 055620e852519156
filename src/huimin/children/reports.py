"""发现报告 received from outside the office: the resident portal (anyone, logged in or not, anonymously too) and
partner systems through the API (a school, a hospital, the police). ``receive`` checks the report and records it
with a receipt number; a child found in the registry by his ID number inside the county (and inside the caller's
regions) opens a case at once through ``services.open_case``, assigned to the township's 督导员 (and the child's
register 儿童主任). Otherwise the report waits 待核实: the township 督导员 or the county office identifies the child
(``identify``, which opens the case through ``services.report_case``) or closes it with a reason (``close``).

The reporter reads nothing back (no disclosure): the answer is the receipt number whether the child was found or
not. An anonymous report stores neither name nor contact. Refused input raises BusinessRuleError (ChildrenErrorCode)
and writes nothing."""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.children import capabilities as cap
from huimin.children import rules, services
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.children.models import Assignment, Case, ReceivedReport
from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.idempotency import KEY_RE
from huimin.core.models import Region
from huimin.core.scope import in_scope, scoped
from huimin.registry import idnumbers
from huimin.registry.dedup import find_by_id_number

CONCERN_MAX_CHARS = 2000
NAME_MAX_CHARS = 50
ADDRESS_MAX_CHARS = 200
NOT_A_MINOR = "报告对象须为未成年人（不满 {adult} 周岁）；成年人遇到困难，请向乡镇（街道）或拨打民政服务热线反映"
# who may send a report from a partner system (the portal's reports are 网上报告; staff record the others)
PARTNER_SOURCES = (Case.Source.SCHOOL, Case.Source.POLICE, Case.Source.HOSPITAL, Case.Source.OTHER)
PORTAL_CHANNEL = "网上报告（群众）"


def _invalid(message: str) -> BusinessRuleError:
    return BusinessRuleError(E.INVALID, message)


def _text(value, label: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise BusinessRuleError(E.REQUIRED, f"请填写{label}")
    if len(text) > limit:
        raise _invalid(f"{label}过长，请控制在 {limit} 字以内")
    return text


def _age(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        age = int(str(value).strip())
    except ValueError:
        raise _invalid("儿童年龄请填写整数（周岁），不清楚可填大致年龄") from None
    if age < 0:
        raise _invalid("儿童年龄请填写整数（周岁），不清楚可填大致年龄")
    return age


def _number(day: datetime.date) -> str:
    return f"BG{day:%Y%m%d}-{secrets.token_hex(4).upper()}"


def township_supervisors(village_code: str):
    """The 儿童督导员 of a village's township: the 儿童福利 users holding ``case_supervise`` placed there."""
    township = regions.ancestor_code(village_code, regions.TOWNSHIP)
    return services._users_on_line(cap.CASE_SUPERVISE).filter(region_id=township).order_by("username")


def _found_child(number: str, village: Region, actor, day: datetime.date):
    """The registry person holding ``number`` if he lives in the county of the village named (and inside the
    caller's regions) and is a child on ``day``; else None — the report then waits for a person to identify him."""
    if not number:
        return None
    person = find_by_id_number(number)
    county = regions.prefix_of(village.code, regions.COUNTY)
    if person is None or not (person.region_id or "").startswith(county):
        return None
    if actor is not None and not in_scope(actor, person.region_id):
        return None
    try:
        services.check_child(person, day)
    except BusinessRuleError:
        return None
    return person


@transaction.atomic
def receive(
    actor,
    *,
    source: str,
    channel: str,
    village_code: str,
    concern: str,
    child_name: str = "",
    child_age=None,
    child_id_number: str = "",
    address: str = "",
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_contact: str = "",
    key: str = "",
    at: datetime.datetime | None = None,
) -> tuple[ReceivedReport, bool]:
    """Record a report; returns (report, created). ``actor`` is None for the portal (anyone) or the API caller (a
    client, limited to its regions: a village outside them is 404). ``key``: a partner system's Idempotency-Key —
    the same key from the same channel returns the first report, nothing written (created False)."""
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    channel = channel[:100]
    if key:
        if not KEY_RE.fullmatch(key):
            raise _invalid("提交标识（Idempotency-Key）格式不正确（应为 8–64 位字母、数字、连字符）")
        seen = ReceivedReport.objects.filter(channel=channel, submission_key=key).first()
        if seen is not None:
            return seen, False
    if actor is not None:
        require_capability(actor, cap.CASE_REPORT, "报告困境儿童线索", line=services.LINE)
    if source not in Case.Source.values:
        raise BusinessRuleError(E.REQUIRED, "请选择报告来源")
    village = Region.objects.filter(code=str(village_code or "").strip(), is_active=True).first()
    if village is not None and actor is not None and not in_scope(actor, village.code):
        raise NotInScope("村（社区）不存在或不在您的管辖范围内")
    if village is None or village.level != regions.VILLAGE:
        raise BusinessRuleError(E.REQUIRED, "请选择儿童所在的村（社区）")
    adult = services.parameter("adult_age")
    number = str(child_id_number or "").strip().upper()
    birth = None
    if number:
        try:
            parsed = idnumbers.parse(number)
        except idnumbers.IdNumberError as exc:
            raise _invalid(f"儿童身份证号不正确：{exc}（不清楚可不填，填写大致年龄）") from exc
        number, birth = parsed.number, parsed.birth_date
    age = _age(child_age)
    if birth is not None:
        age = rules.age_on(birth, day)
    if age is None:
        raise BusinessRuleError(E.REQUIRED, "请填写儿童的大致年龄，或儿童的身份证号")
    if age >= adult:
        raise BusinessRuleError(E.NOT_A_CHILD, NOT_A_MINOR.format(adult=adult))
    child_name = _text(child_name, "儿童姓名", NAME_MAX_CHARS)
    address = _text(address, "所在地址", ADDRESS_MAX_CHARS)
    concern = _text(concern, "发现的情况", CONCERN_MAX_CHARS, required=True)
    if anonymous:
        reporter_name = reporter_contact = ""
    else:
        reporter_name = _text(reporter_name, "报告人姓名", NAME_MAX_CHARS)
        reporter_contact = _text(reporter_contact, "联系方式", NAME_MAX_CHARS)
        if not reporter_name:
            raise BusinessRuleError(E.REQUIRED, "请填写报告人姓名，或勾选“匿名报告”")
    report = ReceivedReport(
        number=_number(day), source=source, channel=channel, region=village, child_name=child_name,
        child_age=age, child_id_number=number, address=address, concern=concern, anonymous=anonymous,
        reporter_name=reporter_name, reporter_contact=reporter_contact, received_at=at, submission_key=key,
    )  # fmt: skip
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # the same key sent twice at once: the first one holds
        seen = ReceivedReport.objects.filter(channel=channel, submission_key=key).first() if key else None
        if seen is None:
            raise
        return seen, False
    child = _found_child(number, village, actor, day)
    if child is not None:
        what = f"儿童姓名：{child_name}\n" if child_name else ""
        case = services.open_case(
            child, source=source, concern=f"{what}{concern}"[:CONCERN_MAX_CHARS + 60], anonymous=anonymous,
            reporter_name=reporter_name, reporter_contact=reporter_contact, worker=None,
            supervisors=list(township_supervisors(child.region_id)), at=at, created_by=channel,
        )  # fmt: skip
        report.status, report.case = ReceivedReport.Status.OPENED, case
        report.resolved_by, report.resolved_at, report.resolution = (
            channel,
            at,
            "按身份证号在人员信息中找到儿童，自动立案",
        )
        report.save(update_fields=["status", "case", "resolved_by", "resolved_at", "resolution"])
    audit.record("children.report.receive", report,
                 after={"source": source, "anonymous": anonymous, "opened": child is not None})  # fmt: skip
    return report, True


# --- the staff's side -----------------------------------------------------------------------------------------------


def pending(actor):
    """The reports waiting to be identified that ``actor`` handles: a 督导员's region (his township), the county
    office's county."""
    qs = scoped(ReceivedReport.objects.all(), actor, "region", cap.CASE_SUPERVISE)
    return qs.filter(status=ReceivedReport.Status.PENDING).select_related("region")


def _locked_pending(report: ReceivedReport, what: str) -> ReceivedReport:
    report = ReceivedReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReceivedReport.Status.PENDING:
        raise BusinessRuleError(E.REPORT_STATE, f"该报告已{report.get_status_display()}，不能{what}")
    return report


def _describe(report: ReceivedReport) -> str:
    parts = [f"（{report.channel} {report.number}）"]
    if report.child_name:
        parts.append(f"儿童姓名：{report.child_name}")
    if report.address:
        parts.append(f"地址：{report.address}")
    return "；".join(parts) + "\n" + report.concern


@transaction.atomic
def identify(actor, report: ReceivedReport, child) -> Case:
    """The 督导员 (or the county office) found the child in the registry: the case opens through ``report_case``,
    from the moment the report was received, the 督导员 its supervisor (the county office: the child's township
    督导员, as when a report opens a case on receipt)."""
    require_capability(actor, cap.CASE_SUPERVISE, "核实发现报告", line=services.LINE)
    report = _locked_pending(report, "核实立案")
    supervisor = None if services.sees_all(actor) else actor
    case = services.report_case(
        actor, child, source=report.source, concern=_describe(report), anonymous=report.anonymous,
        reporter_name=report.reporter_name or ("" if report.anonymous else report.channel),
        reporter_contact=report.reporter_contact, supervisor=supervisor, at=report.received_at,
    )  # fmt: skip
    if supervisor is None:  # the county office identified him: the child's township 督导员 supervise, as on receipt
        for user in township_supervisors(child.region_id):
            services._assign(case, user, Assignment.Role.SUPERVISOR)
    report.status, report.case = ReceivedReport.Status.OPENED, case
    report.resolved_by, report.resolved_at = services._by(actor), timezone.now()
    report.resolution = f"核实为{child.name}，立案 {case.number}"
    report.save(update_fields=["status", "case", "resolved_by", "resolved_at", "resolution"])
    audit.record("children.report.identify", report, after={"case": case.number})
    return case


@transaction.atomic
def close(actor, report: ReceivedReport, reason: str) -> ReceivedReport:
    """Checked and not a case (the child could not be found, the concern is not one of protection…): closed with
    the reason, kept."""
    require_capability(actor, cap.CASE_SUPERVISE, "核实发现报告", line=services.LINE)
    reason = _text(reason, "核实情况（不立案的原因）", 300, required=True)
    report = _locked_pending(report, "办结")
    report.status, report.resolution = ReceivedReport.Status.CLOSED, reason
    report.resolved_by, report.resolved_at = services._by(actor), timezone.now()
    report.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit.record("children.report.close", report, after={"reason": reason})
    return report
