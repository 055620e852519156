"""核对 API: start a household's check and read its report (scoped: out of scope = 404), list reports by region
with pagination, and the departments' feed upload (``upload_feed``) — an API client granted that operation and
its data sources sends a whole extract; the file is validated all-or-nothing with line-numbered Chinese errors
(huimin.verification.services.ingest_file) exactly as on the 数据管理 page."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core import scope
from huimin.core.access import BusinessRuleError
from huimin.core.scope import scoped
from huimin.core.services import ServiceError
from huimin.engine.sources import SOURCES
from huimin.verification import programmes as programme_names
from huimin.verification import services
from huimin.verification.access import access_household_by_id, access_report_by_id
from huimin.verification.capabilities import VERIFY_DATA, VERIFY_REPORTS, VERIFY_RUN
from huimin.verification.error_codes import VerificationErrorCode
from huimin.verification.models import Conclusion, Report, Upload

router = Router(tags=["经济状况核对"])

MAX_FEED_BYTES = 200 * 1024 * 1024  # one extract; larger ones go through the command line


class ReasonOut(Schema):
    code: str
    outcome: str
    label: str
    text: str
    sources: list[str]
    records: list[dict[str, Any]] = []


class ReportOut(Schema):
    id: int
    household: str = Field(description="户编号")
    household_id: int
    region: str
    programme: str
    programme_label: str = Field(description="救助项目名称")
    as_of: datetime.date = Field(description="核对基准日")
    conclusion: Conclusion
    conclusion_label: str
    origin: str = Field(description="single 单户核对 / assist 协查回复")
    origin_label: str
    income_per_head_month: str = Field(description="月人均收入（元）")
    created_at: datetime.datetime


class ReportDetail(ReportOut):
    reasons: list[ReasonOut]
    figures: dict[str, Any]
    members: list[dict[str, Any]] = Field(description="成员与比对到的部门记录（不含身份证号）")
    snapshots: list[dict[str, Any]] = Field(description="使用的部门数据快照")


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReportOut]


class CheckIn(Schema):
    programme: str = Field("dibao", description="救助项目代码（须配置了核对规则阈值）")
    as_of: datetime.date | None = Field(None, description="核对基准日，默认今天")


class AuthorisationOut(Schema):
    person: int = Field(description="人员 id")
    name: str
    age: int | None
    adult: bool
    covered: bool = Field(description="成年成员：是否有在有效期内的核对授权书（每人登记一次，沿用）")
    authorisation: int | None
    signed_on: datetime.date | None
    valid_until: datetime.date | None = Field(description="有效期至；空为撤回前长期有效")


class RowErrorOut(Schema):
    row: int = Field(description="表格中的行号（与 Excel 左侧的行号一致；0 表示整个文件）")
    column: str
    value: str
    message: str


class FeedOut(Schema):
    upload: int
    source: str
    status: Upload.Status = Field(description="accepted 已导入 / partial 仅导入有效行 / rejected 已拒收")
    status_label: str
    rows: int
    error_rows: int
    snapshot: int | None
    as_of: datetime.date
    errors: list[RowErrorOut] = Field(description="错误明细（前 1000 条）；row 为表格中的行号，0 表示整个文件")
    unregistered_rows: int = Field(description="身份证号不在户籍登记中的行数（已读入，仅提示）")
    unregistered: list[RowErrorOut] = Field(description="这些行（前 1000 条，身份证号已脱敏）")


def report_out(report: Report) -> dict:
    return {
        "id": report.pk, "household": report.household.number, "household_id": report.household_id,
        "region": report.region_id, "programme": report.programme,
        "programme_label": programme_names.label(report.programme), "as_of": report.as_of,
        "conclusion": report.conclusion, "conclusion_label": report.get_conclusion_display(), "origin": report.origin,
        "origin_label": report.get_origin_display(),
        "income_per_head_month": str(report.income_per_head), "created_at": report.created_at,
    }  # fmt: skip


def report_detail_out(report: Report) -> dict:
    return {
        **report_out(report),
        "reasons": report.reasons,
        "figures": report.figures,
        "members": report.members,
        "snapshots": report.snapshots,
    }


def _reports(principal):
    return scoped(Report.objects.select_related("household"), principal, capability=VERIFY_REPORTS)


@router.get(
    "/reports",
    response={200: ReportPage, **ERRORS},
    summary="查询核对报告（按区划、救助项目、结论、户编号）",
    auth=api_auth(VERIFY_REPORTS),
)
def list_verification_reports(
    request,
    region: str = "",
    programme: str = "",
    conclusion: Conclusion | None = None,
    household: str = "",
    page: int = 1,
    page_size: int = 30,
):

    qs = _reports(request.auth)
    if (named := scope.named_region(request.auth, region)) is not None:
        qs = qs.filter(named)
    if programme:
        qs = qs.filter(programme=programme)
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if household.strip():
        qs = qs.filter(household__number=household.strip())
    return paginate(qs.order_by("-created_at", "-id"), page, page_size, report_out)


@router.get(
    "/reports/{pk}",
    response={200: ReportDetail, **ERRORS},
    summary="核对报告（结论、理由、比对到的部门记录）",
    auth=api_auth(VERIFY_REPORTS),
)
def get_verification_report(request, pk: int):
    return report_detail_out(access_report_by_id(request.auth, pk))


@router.get(
    "/households/{pk}/authorisations",
    response={200: list[AuthorisationOut], **ERRORS},
    summary="家庭成员的核对授权书：哪些成年成员已授权（在有效期内沿用），哪些尚需登记",
    auth=api_auth(VERIFY_RUN),
)
def household_authorisations(request, pk: int, as_of: datetime.date | None = None):
    household = access_household_by_id(request.auth, pk)
    rows = services.authorisation_rows(household, as_of or timezone.localdate())
    return [
        {
            "person": r["person"].pk, "name": r["person"].name, "age": r["age"], "adult": r["adult"],
            "covered": bool(r["authorisation"]) or not r["adult"],
            "authorisation": r["authorisation"].pk if r["authorisation"] else None,
            "signed_on": r["authorisation"].signed_on if r["authorisation"] else None,
            "valid_until": r["authorisation"].valid_until if r["authorisation"] else None,
        }
        for r in rows
    ]  # fmt: skip


@router.post(
    "/households/{pk}/checks",
    response={201: ReportDetail, **ERRORS},
    summary="发起单户核对（成年成员须已签署授权书），返回核对报告",
    auth=api_auth(VERIFY_RUN),
)
def request_verification(request, pk: int, payload: CheckIn):
    household = access_household_by_id(request.auth, pk)
    if not household.is_active:
        raise BusinessRuleError(VerificationErrorCode.HOUSEHOLD_CLOSED, "该家庭已注销，不能发起核对")
    as_of = payload.as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise ServiceError("核对基准日不能晚于今天")
    report = services.check_household(request.auth, household, payload.programme.strip(), as_of)
    return Status(201, report_detail_out(Report.objects.select_related("household").get(pk=report.pk)))


@router.post(
    "/feeds/{source}",
    response={201: FeedOut, 422: FeedOut, **ERRORS},
    summary="部门数据报送：上传一个数据源的全量数据文件（CSV、xlsx 或 Parquet；有错误行则整个文件拒收，422）",
    auth=api_auth(VERIFY_DATA, regional=False),
)
def upload_feed(
    request,
    source: str,
    file: File[UploadedFile],
    as_of: Form[datetime.date],
    valid_only: Form[bool] = False,
):
    if source not in SOURCES:
        raise ServiceError("数据源不存在：" + "、".join(SOURCES) + " 之一")
    principal = request.auth
    if getattr(principal, "is_api_client", False):
        if source not in principal.sources:
            raise PermissionDenied("此客户端未获授权报送该数据源")
        department, user = principal.client.department, None
    else:
        department, user = "", principal
    if file.size is not None and file.size > MAX_FEED_BYTES:
        raise ServiceError("文件超过 200 MB，请分批报送或使用命令行导入")
    upload = services.ingest_file(
        user, source, file.read(), file.name or f"{source}.csv", as_of, channel="api", valid_only=valid_only,
        department=department,
    )  # fmt: skip
    body = {
        "upload": upload.pk, "source": upload.source, "status": upload.status,
        "status_label": upload.get_status_display(), "rows": upload.total_rows, "error_rows": upload.error_rows,
        "snapshot": upload.snapshot_id, "as_of": as_of, "errors": upload.errors,
        "unregistered_rows": upload.unregistered_rows, "unregistered": upload.unregistered,
    }  # fmt: skip
    return Status(201 if upload.snapshot_id else 422, body)
