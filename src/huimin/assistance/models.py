"""Social assistance: programmes (as data), applications and their stages, 核对 results, visits, 公示 and
objections, enrolments (在保) with their changes, 近亲属备案, delegation and the regional calendar/policy rows.

Nothing here is deleted: applications end refused, not accepted or enrolled; enrolments end stopped.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from huimin.core.conclusions import Conclusion
from huimin.core.models import Region
from huimin.core.roles import BusinessLine
from huimin.registry.codes import DisabilityCategory
from huimin.registry.models import Household, Person


class ProgrammeKind(models.TextChoices):
    DIBAO = "dibao", "最低生活保障"
    TEKUN = "tekun", "特困人员救助供养"
    TEMPORARY = "temporary", "临时救助"
    EDGE = "edge", "低保边缘家庭"
    EXPENSE = "expense", "支出型困难家庭"
    DISABILITY_LIVING = "disability_living", "困难残疾人生活补贴"
    SEVERE_CARE = "severe_care", "重度残疾人护理补贴"
    # allowances the overlap rules name before their programmes exist (儿童福利, 养老服务 lines)
    ORPHAN = "orphan", "孤儿基本生活费"
    ORPHAN_INSTITUTION = "orphan_institution", "机构养育孤儿基本生活费"
    DE_FACTO_CHILD = "de_facto_child", "事实无人抚养儿童基本生活费"
    FOSTER_CARE = "foster_care", "家庭寄养费"
    ELDERLY_CARE = "elderly_care", "经济困难失能老年人护理补贴"
    # 养老服务 line: 高龄津贴 is enrolled without application (免申即享, huimin.elderly.allowance)
    AGED_ALLOWANCE = "aged_allowance", "高龄津贴"
    ELDERLY_SERVICE = "elderly_service", "经济困难老年人养老服务补贴"


# The programme kinds that rest on a 残疾人证 (the certificate is checked on application and by the 县残联).
CERTIFICATE_KINDS = (ProgrammeKind.DISABILITY_LIVING, ProgrammeKind.SEVERE_CARE)


class StartRule(models.TextChoices):
    NEXT_MONTH = "next_month", "批准次月起发放"
    APPLICATION_MONTH = "application_month", "申请当月起发放"


class Programme(models.Model):
    """A programme and its procedure, all as data.

    ``stages``: ordered stage codes out of huimin.assistance.workflow.STAGES (accept, verify, visit, appraisal,
    review, publicity, decision). ``deadlines``: working days allowed per stage. ``review_cycle``:
    {"default_months": 12, "unstable_able_months": 6} (empty for one-off help). ``required_documents``:
    [{"code": ..., "name": ...}]. ``exclusive_group``: a person may be in at most one active enrolment of a group.
    ``scope``: "household" or "person" (单人户, 特困 are enrolled per person). ``deadlines["advance_file"]``: the
    working days to complete the file after 先行救助. ``report_valid_days`` and ``min_visitors``: how old a 核对
    report recorded by hand may be (days before the application) and how many staff a home visit needs.
    """

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=20, choices=ProgrammeKind.choices)
    scope = models.CharField(
        "保障单位", max_length=10, choices=[("household", "按户"), ("person", "按人")], default="household"
    )
    stages = models.JSONField("办理环节", default=list)
    deadlines = models.JSONField("各环节时限（工作日）", default=dict)
    publicity_days = models.PositiveSmallIntegerField("公示天数", default=7)
    review_cycle = models.JSONField("复核周期", default=dict, blank=True)
    required_documents = models.JSONField("申请材料", default=list, blank=True)
    exclusive_group = models.CharField("互斥组", max_length=30, blank=True)
    delegable = models.BooleanField("可下放乡镇确认", default=False)
    one_off = models.BooleanField("一次性救助", default=False)
    advance_allowed = models.BooleanField("可先行救助", default=False)
    report_valid_days = models.PositiveSmallIntegerField(
        "核对报告有效期（天）", default=30, help_text="手工录入的核对报告最早可早于申请日的天数"
    )
    min_visitors = models.PositiveSmallIntegerField("入户调查最少人数", default=2, validators=[MinValueValidator(1)])
    business_line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices, default="assistance")
    means_tested = models.BooleanField("须家庭经济状况核对", default=True)
    start_rule = models.CharField("起始发放月份", max_length=20, choices=StartRule.choices, default="next_month")
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "救助项目"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name

    def document_names(self) -> dict[str, str]:
        return {d["code"]: d["name"] for d in self.required_documents}

    def deadline_for(self, stage: str) -> int | None:
        value = self.deadlines.get(stage)
        return int(value) if value is not None else None


class DutyStep(models.TextChoices):
    """The steps of an application that separation of duties (职责分离) speaks of, in workflow order."""

    ACCEPT = "accept", "受理"
    VERIFY = "verify", "核对"
    VISIT = "visit", "入户调查"
    APPRAISAL = "appraisal", "民主评议"
    REVIEW = "review", "乡镇审核"
    APPROVE = "approve", "审批/确认"
    # the steps of a 追缴 (recovery of an overpayment, huimin.benefits.recovery): who asks to write it off does not
    # approve the write-off
    WRITE_OFF_REQUEST = "write_off_request", "申请核销"
    WRITE_OFF_APPROVE = "write_off_approve", "审批核销"


class DutySeparation(models.Model):
    """职责分离 of a programme: on one application the same person may not do both ``first`` and ``second``
    (``first`` is the earlier step). A rule is never deleted: ending it keeps it as history, with who and why."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="duty_separations", verbose_name="救助项目"
    )
    first = models.CharField("前一环节", max_length=20, choices=DutyStep.choices)
    second = models.CharField("后一环节", max_length=20, choices=DutyStep.choices)
    basis = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    ended_by = models.CharField("停用人", max_length=150, blank=True)
    ended_at = models.DateTimeField("停用时间", null=True, blank=True)
    end_reason = models.CharField("停用理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "职责分离规则"
        ordering = ["programme__sort", "first", "second", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "first", "second"],
                condition=Q(ended_at__isnull=True),
                name="assistance_duty_separation_once",
            ),
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="assistance_duty_two_steps"),
        ]

    def __str__(self):
        return f"{self.programme}：{self.get_first_display()}≠{self.get_second_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class RegionPolicy(models.Model):
    """A policy figure for a region subtree (null region = everywhere) and a date range; the most specific region
    and the latest effective row win. Keys: grace_months (渐退), advance_max (先行救助限额), case_by_case_threshold
    (一事一议起点),
    death_stop_months (benefits stop from this many months after the month of death; national default 1)."""

    KEYS = [
        ("grace_months", "渐退期（月）"),
        ("advance_max", "先行救助限额（元）"),
        ("case_by_case_threshold", "一事一议起点金额（元）"),
        ("death_stop_months", "死亡后停发（死亡当月后第几个月起停发）"),
    ]
    key = models.CharField("项目", max_length=40, choices=KEYS)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, verbose_name="救助项目")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="适用区划")
    value = models.DecimalField("数值", max_digits=12, decimal_places=2)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "地区政策参数"

    def __str__(self):
        return f"{self.get_key_display()}={self.value}"


class WorkdayOverride(models.Model):
    """A local change to the national working-day calendar (null region = everywhere)."""

    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="区划")
    day = models.DateField("日期")
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日调整"
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="assistance_workday_once")]

    def __str__(self):
        return f"{self.day} {'上班' if self.is_workday else '休息'}"


class Delegation(models.Model):
    """A county's delegation of the final confirmation of a programme to its townships (all of them when
    ``township`` is null), for a date range; ``max_amount`` caps the sums a township may confirm (临时救助)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name="救助项目")
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="县（区）")
    township = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）"
    )
    max_amount = models.DecimalField("确认金额上限（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("终止日期", null=True, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审核确认权限下放"
        ordering = ["-effective_from", "-id"]

    def __str__(self):
        return f"{self.programme} → {self.township or '全部乡镇'}"


class Stage(models.TextChoices):
    ACCEPT = "accept", "待受理"
    VERIFY = "verify", "家庭经济状况核对"
    VISIT = "visit", "入户调查"
    APPRAISAL = "appraisal", "民主评议"
    REVIEW = "review", "乡镇审核"
    AGENCY_REVIEW = "agency_review", "残联审核"
    PUBLICITY = "publicity", "公示"
    DECISION = "decision", "待审批/确认"
    ENROLLED = "enrolled", "已批准"
    REFUSED = "refused", "不予批准"
    NOT_ACCEPTED = "not_accepted", "不予受理"


OPEN_STAGES = [
    Stage.ACCEPT,
    Stage.VERIFY,
    Stage.VISIT,
    Stage.APPRAISAL,
    Stage.REVIEW,
    Stage.AGENCY_REVIEW,
    Stage.PUBLICITY,
    Stage.DECISION,
]


class Channel(models.TextChoices):
    WINDOW = "window", "乡镇窗口申请"
    ASSISTANT = "assistant", "协理员代为申请"
    VILLAGE = "village", "村（居）委会代为申请"
    ONLINE = "online", "网上申请"
    DISCOVERY = "discovery", "主动发现"  # started by the township from a 动态监测 warning, with the family's consent
    PROACTIVE = "proactive", "免申即享"  # no application: the township confirmed the registry's proposal (高龄津贴)


class Application(models.Model):
    scope_region_field = "region"

    number = models.CharField("申请编号", max_length=32, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name="救助项目")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", verbose_name="家庭")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    beneficiary = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="保障对象（按人）"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    channel = models.CharField("申请方式", max_length=10, choices=Channel.choices)
    reason = models.TextField("申请理由")
    requested_amount = models.DecimalField("申请金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    documents = models.JSONField("已交材料", default=list, blank=True)
    stage = models.CharField("环节", max_length=20, choices=Stage.choices, default=Stage.ACCEPT, db_index=True)
    stage_entered_on = models.DateField("进入本环节日期")
    stage_due_on = models.DateField("本环节办结时限", null=True, blank=True, db_index=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    near_relative_flag = models.BooleanField("近亲属申请", default=False, db_index=True)
    near_relative_note = models.CharField("近亲属说明", max_length=300, blank=True)
    approved_amount = models.DecimalField("批准金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    advance_amount = models.DecimalField("先行救助金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    advance_paid_on = models.DateField("先行救助日期", null=True, blank=True)
    file_due_on = models.DateField("补齐材料时限", null=True, blank=True)
    case_by_case = models.JSONField("一事一议记录", default=dict, blank=True)
    # what a programme records beyond the common fields: the 残疾人证's category and grade as read on application
    # ("certificate") and as the 县残联 verified them ("agency")
    details = models.JSONField("申请信息", default=dict, blank=True)
    decision_reasons = models.TextField("决定理由", blank=True)
    decided_by = models.CharField("决定人", max_length=150, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助申请"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "stage"])]

    def __str__(self):
        return f"{self.number} {self.programme.name}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ApplicationEvent(models.Model):
    """One step of an application's history (every transition, with who, when and why)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=40)
    label = models.CharField("操作名称", max_length=60)
    from_stage = models.CharField("原环节", max_length=20, blank=True)
    to_stage = models.CharField("新环节", max_length=20, blank=True)
    reasons = models.TextField("理由/说明", blank=True)
    data = models.JSONField("记录", default=dict, blank=True)
    actor = models.CharField("操作人", max_length=150)
    actor_name = models.CharField("操作人姓名", max_length=50, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.label} {self.at:%Y-%m-%d}"


def _upload_to(instance, filename):
    return f"assistance/{instance._meta.model_name}/{uuid.uuid4().hex}_{filename[-80:]}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="files")
    code = models.CharField("材料", max_length=40)
    file = models.FileField("文件", upload_to=_upload_to)
    uploaded_by = models.CharField("上传人", max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料文件"

    def __str__(self):
        return f"{self.application_id} {self.label}"

    @property
    def label(self) -> str:
        """The document's name in the programme's list of 申请材料 (the code only for one no longer listed)."""
        return self.application.programme.document_names().get(self.code, self.code)


class ManualVerification(models.Model):
    """A 核对 report obtained outside Huimin and recorded by hand (e.g. the answer to a cross-city 协查 on paper);
    the newer of it and the engine's report decides (huimin.assistance.verification_link).

    When its conclusion differs from the system's report for the application, it needs the report file and
    counts only once a second person has confirmed it (``status`` pending → confirmed or rejected)."""

    class Status(models.TextChoices):
        EFFECTIVE = "effective", "有效"
        PENDING = "pending", "待复核确认"
        CONFIRMED = "confirmed", "已复核确认"
        REJECTED = "rejected", "复核不予确认"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="manual_verifications")
    report_number = models.CharField("核对报告编号", max_length=60)
    report_date = models.DateField("报告日期")
    conclusion = models.CharField("核对结论", max_length=20, choices=Conclusion.choices)
    reasons = models.TextField("结论说明")
    income_per_head = models.DecimalField(
        "家庭月人均收入（元）", max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="报告载明的家庭月人均收入；按收入计算保障金额的项目（如低保）审批时取用",
    )  # fmt: skip
    report_file = models.FileField("报告文件", upload_to=_upload_to, blank=True)
    recorded_by = models.CharField("录入人", max_length=150)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.EFFECTIVE)
    system_report = models.CharField("不同于的核对系统报告", max_length=60, blank=True)
    system_conclusion = models.CharField("核对系统结论", max_length=20, choices=Conclusion.choices, blank=True)
    checked_by = models.CharField("复核人", max_length=150, blank=True)
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)
    check_note = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核对结果（人工录入）"
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.report_number} {self.get_conclusion_display()}"


class CareGrade(models.TextChoices):
    """生活自理能力等级 found at the 入户调查 (the 特困 care standard depends on it)."""

    SELF = "self", "全自理"
    HALF = "half", "半护理"
    FULL = "full", "全护理"


class HomeVisit(models.Model):
    """An 入户调查. ``members`` and ``care_grade`` are what the approval's calculation takes from it (shown with
    this visit as their source)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="visits")
    visit_date = models.DateField("调查日期")
    visitors = models.CharField("调查人员", max_length=200)
    findings = models.TextField("调查情况")
    members = models.PositiveSmallIntegerField("核实的共同生活家庭成员人数", null=True, blank=True)
    care_grade = models.CharField("生活自理能力等级", max_length=5, choices=CareGrade.choices, blank=True)
    recorded_by = models.CharField("录入人", max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # set when the record is submitted (the case moves on); until then it is the stage's record, saved as often
    # as needed
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "入户调查"
        ordering = ["-visit_date", "-id"]

    def __str__(self):
        return f"{self.visit_date} {self.visitors}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(HomeVisit, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField("照片", upload_to=_upload_to)

    def __str__(self):
        return self.image.name


class Objection(models.Model):
    """An objection raised during 公示 (through the public page or at the window) and its resolution."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DISMISSED = "dismissed", "经核实不成立"
        UPHELD = "upheld", "经核实成立"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    content = models.TextField("异议内容")
    submitter = models.CharField("提出人（可匿名）", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=50, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理结果", blank=True)
    resolved_by = models.CharField("处理人", max_length=150, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_status_display()} {self.content[:20]}"


class Notification(models.Model):
    """A written notice to an applicant (不予受理, 不予批准, 批准): printed or sent by the township."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="收件人")
    kind = models.CharField("类别", max_length=20)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告知书"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Enrolment(models.Model):
    """在保: a household (or one person) receiving a programme, from ``start_month``."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        ACTIVE = "active", "在保"
        GRACE = "grace", "渐退期"
        SUSPENDED = "suspended", "停发"
        STOPPED = "stopped", "已退出"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name="救助项目")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", verbose_name="家庭")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="保障对象（按人）"
    )
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="enrolment")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    monthly_amount = models.DecimalField("月保障金额（元）", max_digits=12, decimal_places=2)
    basis = models.JSONField("核定依据", default=dict)
    income_unstable = models.BooleanField("收入不稳定且有劳动能力成员", default=False)
    start_month = models.DateField("起始月份")
    next_review_on = models.DateField("下次复核日期", null=True, blank=True, db_index=True)
    grace_until = models.DateField("渐退截止月份", null=True, blank=True)
    ended_on = models.DateField("退出日期", null=True, blank=True)
    end_reason = models.CharField("退出原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "在保对象"
        ordering = ["-start_month", "-id"]

    def __str__(self):
        return f"{self.programme.name} {self.household.number}"

    BASIS_LABELS = {
        "standard": "保障标准",
        "income_per_head": "家庭月人均收入（元）",
        "income_per_head_source": "收入来源",
        "members": "保障人数",
        "members_source": "人数来源",
        "grade": "生活自理能力（特困）",
        "grade_source": "自理能力来源",
        "elderly": "分类施保·老年人（人）",
        "minor": "分类施保·未成年人（人）",
        "severe_disability": "分类施保·重度残疾人（人）",
        "serious_illness": "分类施保·重病患者（人）",
        "input_changes": "审批时修改的计算依据",
        "input_reason": "修改理由",
        "disability_category": "残疾类别",
        "disability_grade": "残疾等级",
        "ability_level": "老年人能力评估等级",
        "low_income": "经济困难（低保、特困）",
        "formula": "计算公式",
        "detail": "计算明细",
        "calculated": "按标准计算（元）",
        "approved": "审批金额（元）",
        "override_reason": "与计算结果不同的理由",
        "restandard": "调标",
        "note": "说明",
    }

    def basis_items(self) -> list[tuple[str, str]]:
        """The recorded basis of the amount, labelled, in a fixed order."""
        return basis_items(self.basis)

    @property
    def is_current(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.GRACE, self.Status.SUSPENDED)


CURRENT_STATUSES = ["active", "grace", "suspended"]


def basis_items(basis: dict) -> list[tuple[str, str]]:
    """An amount's recorded basis as a person reads it: each known entry by its Chinese label in a fixed order,
    codes by their names (a care grade); internal entries (the standards' record ids) left out."""
    basis = basis or {}
    out = []
    for key, label in Enrolment.BASIS_LABELS.items():
        value = basis.get(key)
        if not value:
            continue
        if key == "grade" and value in CareGrade.values:
            value = CareGrade(value).label
        elif key == "disability_category" and value in DisabilityCategory.values:
            value = DisabilityCategory(value).label
        out.append((label, str(value)))
    return out


class EnrolmentMember(models.Model):
    """Who an enrolment covers, over time (the one-programme rule is checked on these rows)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField("纳入日期")
    removed_on = models.DateField("移出日期", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "保障成员"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "person"], condition=Q(removed_on__isnull=True), name="assistance_member_once"
            )
        ]

    def __str__(self):
        return f"{self.person_id}@{self.enrolment_id}"


class EnrolmentChange(models.Model):
    class Kind(models.TextChoices):
        ENROL = "enrol", "纳入"
        ADJUST = "adjust", "调标"
        MEMBER_ADD = "member_add", "增加成员"
        MEMBER_REMOVE = "member_remove", "减少成员"
        SUSPEND = "suspend", "停保"
        RESUME = "resume", "恢复"
        GRACE = "grace", "渐退"
        REVIEW_CONTINUE = "review_continue", "复核·继续保障"
        REVIEW_REDUCE = "review_reduce", "复核·调减"
        REVIEW_STOP = "review_stop", "复核·停止保障"
        STOP = "stop", "退出"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("变更", max_length=20, choices=Kind.choices)
    effective_month = models.DateField("生效月份")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reasons = models.TextField("理由")
    actor = models.CharField("操作人", max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "在保变更"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_month:%Y-%m}"


class NearRelative(models.Model):
    """近亲属备案: a staff member's declared near relative."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="近亲属")
    relation = models.CharField("关系", max_length=20)
    declared_at = models.DateTimeField("备案时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员近亲属备案"
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "person"], condition=Q(withdrawn_at__isnull=True), name="assistance_relative_once"
            )
        ]

    def __str__(self):
        return f"{self.staff_id}→{self.person_id}（{self.relation}）"


class OverlapRule(models.Model):
    """Who may receive an allowance beside what, as data per region and date range (the national defaults have
    no region). ``code`` names the rule; at one place the row of that code in force wins (core.regions.in_force:
    the most specific region, then the latest effective date), so a city widens or narrows a rule by a row of
    its own. Each refusal quotes ``name`` and ``basis`` (依据).

    - ``requires``: ``programme_kind`` only for a person in a current enrolment of one of ``other_kinds`` (生活补贴:
      a 低保 household; a region adds 低保边缘 …).
    - ``excludes``: not beside a current enrolment of one of ``other_kinds`` (生活补贴 and 特困, 孤儿 …).
    - ``higher_of``: beside a similar allowance of ``other_kinds`` only the higher is paid (护理补贴 and 失能老年人
      护理补贴); approving the higher ends the other from the month the new one starts.
    - ``grade``: the 残疾人证 grades that qualify (``params``: {"max_grade": 2, "extended_max_grade": 4,
      "extended_categories": ["5", "6"]} — grade 1–2, and 3–4 for 智力/精神 where a region extends it).
    """

    class Kind(models.TextChoices):
        REQUIRES = "requires", "须同时享受"
        EXCLUDES = "excludes", "不得同时享受"
        HIGHER_OF = "higher_of", "就高发放、不重复享受"
        GRADE = "grade", "残疾等级条件"

    code = models.CharField("规则代码", max_length=40)
    name = models.CharField("规则名称", max_length=100)
    programme_kind = models.CharField("适用项目", max_length=20, choices=ProgrammeKind.choices)
    kind = models.CharField("规则类别", max_length=20, choices=Kind.choices)
    other_kinds = models.JSONField("相关项目", default=list, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="适用区划")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=300)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    ended_by = models.CharField("停止人", max_length=150, blank=True)
    end_reason = models.CharField("停止理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待遇衔接规则"
        ordering = ["programme_kind", "code", "region_id", "-effective_from"]

    def __str__(self):
        return f"{self.name}（{self.region_id or '全国默认'}）"


class Forwarding(models.Model):
    """跨县通办: an application received where the person lives, forwarded with its file to the county of the
    person's 户籍, which then handles it (the application's region becomes the 户籍 village). The sending
    county keeps this record; the receiving county sees it on the application."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="forwardings")
    from_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="受理地")
    to_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="户籍地")
    reasons = models.TextField("转办说明")
    documents = models.JSONField("随转材料", default=list, blank=True)
    actor = models.CharField("转办人", max_length=150)
    at = models.DateTimeField("转办时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "跨县转办"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.application_id} {self.from_region_id}→{self.to_region_id}"
