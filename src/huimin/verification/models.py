"""核对: departmental data snapshots, authorisations, thresholds (rules as data), reports and batch runs."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.conclusions import Conclusion
from huimin.core.workers import WorkerFields
from huimin.engine.sources import SOURCES
from huimin.registry.models import Household, Person
from huimin.verification import programmes


class ProgrammeLabel:
    """``programme_label``: the programme a row names, by its Chinese name (huimin.verification.programmes)."""

    @property
    def programme_label(self) -> str:
        return programmes.label(self.programme)


SOURCE_CHOICES = [(s.code, s.name) for s in SOURCES.values()]


class Upload(models.Model):
    """One attempt to load a departmental file: accepted (→ a Snapshot) or rejected, with its error report."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已导入"
        PARTIAL = "partial", "仅导入有效行"
        REJECTED = "rejected", "已拒收"

    source = models.CharField("数据源", max_length=30, choices=SOURCE_CHOICES)
    filename = models.CharField("文件名", max_length=200)
    channel = models.CharField(
        "渠道",
        max_length=10,
        choices=[("web", "页面上传"), ("api", "接口上传"), ("assist", "协查回复"), ("cli", "命令")],
    )
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    error_rows = models.PositiveIntegerField("错误行数", default=0)
    errors = models.JSONField("错误明细（前 1000 条）", default=list, blank=True)
    error_report = models.CharField("错误报告文件", max_length=300, blank=True)
    unregistered_rows = models.PositiveIntegerField("户籍登记中没有的身份证号行数", default=0)
    unregistered = models.JSONField("户籍登记中没有的行（前 1000 条）", default=list, blank=True)
    snapshot = models.OneToOneField(
        "Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="upload", verbose_name="快照"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    department = models.CharField("报送部门", max_length=100, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.filename}（{self.get_status_display()}）"


class Snapshot(models.Model):
    """A validated, dated extract of one source, normalised to Parquet keyed by person_key (no plaintext IDs).

    Each snapshot of a source is a full extract ("全量"): the engine reads the newest snapshot whose data date is
    not after the check's date. 协查 answers are kept as snapshots of kind ``assist`` tied to their request.
    A snapshot uploaded by staff of a region (``region``) is read only for that subtree (the households there,
    the persons registered there); a department's (API client, command line) holds everywhere."""

    class Kind(models.TextChoices):
        FULL = "full", "全量数据"
        ASSIST = "assist", "协查回复"

    source = models.CharField("数据源", max_length=30, choices=SOURCE_CHOICES, db_index=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.FULL)
    as_of = models.DateField("数据日期")
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    row_count = models.PositiveIntegerField("行数")
    path = models.CharField("Parquet 文件", max_length=300)
    sha256 = models.CharField("原文件 SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="适用区划（空为全部）",
    )  # fmt: skip
    assist_request = models.ForeignKey(
        "AssistRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="snapshots"
    )

    class Meta:
        verbose_name = verbose_name_plural = "数据快照"
        ordering = ["-as_of", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.as_of:%Y-%m-%d}（{self.row_count} 行）"


def authorisation_path(instance, filename):
    return f"verification/authorisations/{instance.household_id}/{instance.person_id}-{filename}"


class Authorisation(models.Model):
    """A person's signed 授权书 for 核对 (the scan is kept): entered once per person and reused by every later
    核对 of any household he belongs to, until it is revoked or its validity (``valid_until``, blank: until
    revoked) ends. Every adult member of a household checked needs one in force on the check's date.
    ``household`` is the household he signed it for (its region decides who may see it)."""

    SCOPE = "社会救助家庭经济状况核对（申请审核与在保期间定期核对）"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField("签署日期")
    valid_until = models.DateField("有效期至（空为撤回前长期有效）", null=True, blank=True)
    scan = models.FileField("授权书扫描件", upload_to=authorisation_path)
    source = models.CharField("扫描件来源", max_length=200, blank=True, help_text="取自申请材料时为该申请与材料")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    revoked = models.BooleanField("已撤回", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "核对授权书"
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["person", "signed_on"])]

    def __str__(self):
        return f"{self.person} 授权 {self.signed_on}"

    def in_force(self, day) -> bool:
        return not self.revoked and self.signed_on <= day and (self.valid_until is None or day <= self.valid_until)

    @property
    def validity(self) -> str:
        return f"有效期至 {self.valid_until:%Y-%m-%d}" if self.valid_until else "撤回前长期有效"


class Rule(models.TextChoices):
    """The kinds of 核对 thresholds. Their values are data (Threshold rows), never code."""

    INCOME_STANDARD = "income_standard", "核对收入标准（当地低保标准的倍数）"
    DEPOSIT_MONTHS = "deposit_months", "人均金融资产上限（核对收入标准的月数）"
    VEHICLE_COUNT = "vehicle_count", "机动车数量上限（辆）"
    VEHICLE_VALUE = "vehicle_value", "机动车总价值上限（元）"
    DWELLING_COUNT = "dwelling_count", "住宅套数上限（套）"
    COMPANY_COUNT = "company_count", "存续市场主体数量上限（个）"
    MEDICAL_SELF_PAID = "medical_self_paid", "近12个月个人自付医疗费用提示线（元）"


MONEY_RULES = {Rule.VEHICLE_VALUE, Rule.MEDICAL_SELF_PAID}
# income_standard is a multiple of the 低保标准 (benefits.Standard): 1 for 低保, e.g. 1.5 for 低保边缘
MULTIPLE_RULES = {Rule.INCOME_STANDARD}


class Threshold(ProgrammeLabel, models.Model):
    """One 核对 threshold of a programme for a region subtree and period.

    The most specific row wins (the rule of core.regions): the deepest region that contains the household's region
    (a row without a region holds everywhere), then an urban or rural row over one for both, then the latest start
    date. A row is written only by staff whose subtree contains its region: a city-wide row is read-only below the
    city. For ``income_standard`` the value is a multiple: the 核对收入标准 a household's income per head is held
    against is that multiple of the 低保标准 in force at its place (benefits.Standard, the one copy of the figure;
    see verification.services.thresholds_table). A threshold exceeded yields its ``outcome``."""

    class UrbanRural(models.TextChoices):
        BOTH = "", "城乡通用"
        URBAN = "urban", "城市"
        RURAL = "rural", "农村"

    programme = models.CharField("救助项目", max_length=40, help_text="如 dibao（低保）、tekun（特困）")
    rule = models.CharField("规则", max_length=30, choices=Rule.choices)
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="适用区划（空为全部）",
    )  # fmt: skip
    urban_rural = models.CharField("城乡", max_length=5, choices=UrbanRural.choices, blank=True)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    outcome = models.CharField(
        "超出时结论",
        max_length=12,
        choices=[(Conclusion.NOT_ELIGIBLE, "不符合"), (Conclusion.NEEDS_VISIT, "需入户核实")],
        default=Conclusion.NOT_ELIGIBLE,
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核对规则阈值"
        ordering = ["programme", "rule", "region_id", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="verification_threshold_value_nonneg"),
        ]

    def __str__(self):
        return f"{self.programme_label} {self.get_rule_display()} {self.region or '全部'} {self.value}"

    @property
    def region_prefix(self) -> str:
        """The code prefix the engine matches households with ("" for a row valid everywhere)."""
        return self.region.prefix if self.region_id else ""

    def engine_value(self) -> int:
        """The integer the engine compares: 分 for money, a whole number otherwise."""
        if self.rule in MONEY_RULES:
            return int((self.value * 100).to_integral_value())
        return int(self.value)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.rule not in MONEY_RULES | MULTIPLE_RULES and self.value != self.value.to_integral_value():
            raise ValidationError({"value": "该规则的数值应为整数"})
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "失效日期不能早于生效日期"})


class BatchRun(ProgrammeLabel, WorkerFields):
    """A columnar re-check of many households; its rows live in a Parquet file, its review list in .xlsx."""

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        INTERRUPTED = "interrupted", "中断"

    programme = models.CharField("救助项目", max_length=40)
    as_of = models.DateField("核对基准日")
    region = models.ForeignKey(
        "core.Region", null=True, on_delete=models.PROTECT, related_name="+", verbose_name="范围（区划）"
    )
    backend = models.CharField(
        "计算引擎", max_length=20, default="duckdb", choices=[("duckdb", "DuckDB（单机）"), ("pyspark", "Spark")]
    )
    enrolled_only = models.BooleanField("仅在保家庭", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RUNNING)
    households = models.PositiveIntegerField("家庭数", default=0)
    counts = models.JSONField("结论分布", default=dict, blank=True)
    changed = models.PositiveIntegerField("结论变化的家庭", default=0)
    results_path = models.CharField("结果文件", max_length=300, blank=True)
    seconds = models.FloatField("耗时（秒）", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    # WorkerFields: the process running it and when it last made progress — a run whose process is gone, or
    # silent for too long, is closed as 中断 (huimin.core.workers)
    # A province-scale run goes county by county over county-partitioned snapshots (services.run_batch_by_county):
    # its rows are in BatchResult, each finished county in BatchCounty, so a killed run resumes by county.
    snapshot_root = models.CharField("按县分区的快照目录", max_length=300, blank=True)
    counties_total = models.PositiveIntegerField("县（区）数", default=0)
    counties_done = models.PositiveIntegerField("已完成的县（区）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "批量复核"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"批量复核 #{self.pk} {self.programme_label} {self.as_of}"

    @property
    def region_prefix(self) -> str:
        return self.region.prefix if self.region_id else ""

    @property
    def by_county(self) -> bool:
        return bool(self.snapshot_root)

    @property
    def progress_percent(self) -> int:
        """How far a county-by-county run is (0–100), by finished counties; a whole run is 0 or 100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.counties_total:
            return 0
        return self.counties_done * 100 // self.counties_total


class BatchCounty(models.Model):
    """One county of a county-by-county batch run, committed with its result rows: the run resumes after it."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="county_parts")
    county_code = models.CharField("县（区）代码", max_length=12)
    households = models.PositiveIntegerField("家庭数", default=0)
    counts = models.JSONField("结论分布", default=dict, blank=True)
    seconds = models.FloatField("耗时（秒）", default=0)
    finished_at = models.DateTimeField("完成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量复核（按县）"
        constraints = [models.UniqueConstraint(fields=["run", "county_code"], name="verification_batch_county_once")]

    def __str__(self):
        return f"批量复核 #{self.run_id} {self.county_code}"


class BatchResult(models.Model):
    """One household's row of a county-by-county batch run (written by COPY, a county at a time)."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    county_code = models.CharField("县（区）代码", max_length=12)
    household_id = models.BigIntegerField("家庭")
    region_code = models.CharField("区划代码", max_length=12)
    members = models.IntegerField("成员数")
    income_fen = models.BigIntegerField("收入（分）")
    deposits_fen = models.BigIntegerField("存款（分）")
    vehicle_count = models.IntegerField("车辆数")
    dwelling_count = models.IntegerField("住房数")
    company_count = models.IntegerField("企业数")
    medical_fen = models.BigIntegerField("医疗自付（分）")
    deceased_count = models.IntegerField("死亡成员数")
    broken = models.CharField("触发的规则", max_length=200, blank=True)
    conclusion = models.CharField("结论", max_length=12, choices=Conclusion.choices)

    class Meta:
        verbose_name = verbose_name_plural = "批量复核结果（按县）"
        indexes = [models.Index(fields=["run", "county_code"], name="verification_batchres_run_cty")]

    def __str__(self):
        return f"批量复核 #{self.run_id} 家庭 {self.household_id}"


class Report(ProgrammeLabel, models.Model):
    """The 核对报告 of one household: conclusion, every reason and every matching record with its source."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    programme = models.CharField("救助项目", max_length=40)
    as_of = models.DateField("核对基准日")
    conclusion = models.CharField("结论", max_length=12, choices=Conclusion.choices)
    reasons = models.JSONField("理由", default=list)
    figures = models.JSONField("收入与资产", default=dict)
    members = models.JSONField("成员与比对记录", default=list)
    snapshots = models.JSONField("使用的数据快照", default=list)
    origin = models.CharField(
        "来源", max_length=10, choices=[("single", "单户核对"), ("assist", "协查回复")], default="single"
    )
    assist_request = models.ForeignKey(
        "AssistRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("核对时间", auto_now_add=True)
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "核对报告"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "created_at"])]

    def __str__(self):
        return f"核对报告 #{self.pk}（{self.get_conclusion_display()}）"

    @property
    def income_per_head(self) -> Decimal:
        return Decimal(self.figures.get("income_per_head_month", "0"))


class AssistRequest(ProgrammeLabel, models.Model):
    """协查: a request to another city or province to check households there; its answer comes back as data."""

    class Status(models.TextChoices):
        SENT = "sent", "已发出"
        ANSWERED = "answered", "已回复"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    programme = models.CharField("救助项目", max_length=40)
    as_of = models.DateField("核对基准日")
    target = models.CharField("协查对象（城市或省份）", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协查请求"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"协查 #{self.pk} → {self.target}"
