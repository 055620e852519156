"""低收入人口动态监测: the monitored population, warning rules as data, runs and warnings with their triage."""

from django.db import models
from django.db.models import Q

from huimin.assistance.models import EnrolmentChange
from huimin.core.models import Region
from huimin.core.workers import WorkerFields
from huimin.registry.models import Household, Person


class Direction(models.TextChoices):
    ENTER = "enter", "应保"
    EXIT = "exit", "应退"
    CARE = "care", "关爱"  # 养老服务: an older person not visited (huimin.monitoring.elderly_link)


class Category(models.TextChoices):
    DIBAO = "dibao", "低保"
    TEKUN = "tekun", "特困"
    EDGE = "edge", "低保边缘"
    EXPENSE = "expense", "支出型困难"
    POVERTY = "poverty_monitoring", "防返贫监测"
    # 主动发现: every other living registry person with an ID number (not kept in MonitoredPerson: the 应保 rules
    # read them straight from the registry at each run)
    REGISTERED = "registered", "其他登记人口"
    # recipients of the 残疾人两项补贴 (per-person allowances; the 应退未退 rules watch them). They stay in
    # ``registered`` too unless they are in a category above: receiving an allowance is not being low-income.
    DISABILITY_LIVING = "disability_living", "困难残疾人生活补贴"
    SEVERE_CARE = "severe_care", "重度残疾人护理补贴"


ALLOWANCES = (Category.DISABILITY_LIVING, Category.SEVERE_CARE)


ENROLLED = (Category.DIBAO, Category.TEKUN)


class MonitoredPerson(models.Model):
    """One person of the low-income population in one category, as the last run derived it."""

    scope_region_field = "region"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    standard = models.DecimalField("保障标准（元/人·月）", max_digits=10, decimal_places=2, null=True, blank=True)
    enrolment_id = models.IntegerField("在保记录", null=True, blank=True)
    is_current = models.BooleanField("在监测范围内", default=True, db_index=True)
    since = models.DateTimeField("纳入监测", auto_now_add=True)
    refreshed_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "低收入人口"
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="monitoring_person_category")]

    def __str__(self):
        return f"{self.person_id} {self.get_category_display()}"


class WarningRule(models.Model):
    """A warning rule: which engine condition (``kind``) on which departmental feed, with its parameters.

    ``region`` is the subtree it watches (empty: the whole deployment); it raises warnings only there, and only
    staff whose subtree contains it may change it (a city-wide rule is changed at city level)."""

    class Severity(models.TextChoices):
        HIGH = "high", "高"
        MEDIUM = "medium", "中"
        LOW = "low", "低"

    class Level(models.TextChoices):
        TOWNSHIP = "township", "乡镇（街道）"
        COUNTY = "county", "县级民政部门"

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    description = models.TextField("说明")
    kind = models.CharField("判断方法", max_length=40)
    sources = models.JSONField("数据来源", default=list)
    params = models.JSONField("参数", default=dict)
    direction = models.CharField("方向", max_length=5, choices=Direction.choices)
    severity = models.CharField("等级", max_length=6, choices=Severity.choices, default=Severity.MEDIUM)
    deadline_days = models.PositiveSmallIntegerField("处置时限（工作日）", default=10)
    acting_level = models.CharField("责任单位", max_length=10, choices=Level.choices, default=Level.TOWNSHIP)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="适用区划（空为全部）"
    )
    reraise_days = models.PositiveSmallIntegerField(
        "办结后重新预警（天）", null=True, blank=True,
        help_text="应退预警办结满此天数后，若情形仍在，下一次全量运行重新预警；空为不重新预警",
    )  # fmt: skip
    is_active = models.BooleanField("启用", default=True)
    updated_by = models.CharField("修改人", max_length=150, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警规则"
        ordering = ["direction", "code"]

    def __str__(self):
        return self.name


class MonitoringRun(WorkerFields):
    """One monitoring run. Its 运行中 row is committed first, with the process running it (WorkerFields) and a
    heartbeat after each step: a run whose process is gone, or silent for too long, is closed as 中断."""

    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", "增量"
        FULL = "full", "全量"
        # a departmental record pushed by an app above (殡葬's cremation record: ``services.raise_for_record``):
        # no engine run, no watermark; incremental runs never start from it
        RECORD = "record", "部门记录推送"

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"  # stopped by an error, recorded with it
        INTERRUPTED = "interrupted", "中断"  # its process died (or fell silent) half-way

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    as_of = models.DateField("监测基准日")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RUNNING)
    watermark = models.JSONField("数据水位（各数据源快照）", default=dict)
    population = models.PositiveIntegerField("监测人数", default=0)
    new_records = models.PositiveIntegerField("新到记录", default=0)
    facts = models.PositiveIntegerField("命中事实", default=0)
    raised = models.PositiveIntegerField("新增预警", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)
    error = models.TextField("错误", blank=True)
    created_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    # A run over county-partitioned snapshots goes county by county (services.run): each finished county is a
    # MonitoringCounty, so a killed run resumes by county. Its watermark is kept from the start, and an incremental
    # run's starting point (the watermark of the run it follows) too: the resume reads the same data.
    by_county = models.BooleanField("按县运行", default=False)
    since = models.JSONField("增量起点（上次运行的数据水位）", default=dict, blank=True)
    counties_total = models.PositiveIntegerField("县（区）数", default=0)
    counties_done = models.PositiveIntegerField("已完成的县（区）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "监测运行"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"监测运行 #{self.pk}（{self.get_kind_display()}）"

    @property
    def progress_percent(self) -> int:
        """How far a county-by-county run is (0–100), by finished counties; a whole run is 0 or 100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.counties_total:
            return 0
        return self.counties_done * 100 // self.counties_total

    @property
    def resumable(self) -> bool:
        """A county-by-county run stopped half-way (中断 or 失败): it resumes from the counties not done."""
        return self.by_county and self.status in (self.Status.INTERRUPTED, self.Status.FAILED)


class MonitoringCounty(models.Model):
    """One finished part of a county-by-county run: a county (its facts raised, committed before this row), or,
    with an empty code, the rules that compare persons across counties (run over the whole population)."""

    run = models.ForeignKey(MonitoringRun, on_delete=models.CASCADE, related_name="county_parts")
    county_code = models.CharField("县（区）代码", max_length=12, blank=True)
    population = models.PositiveIntegerField("监测人数", default=0)
    new_records = models.PositiveIntegerField("新到记录涉及人员", default=0)
    facts = models.PositiveIntegerField("命中事实", default=0)
    raised = models.PositiveIntegerField("新增预警", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)
    finished_at = models.DateTimeField("完成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "监测运行（按县）"
        constraints = [models.UniqueConstraint(fields=["run", "county_code"], name="monitoring_run_county_once")]

    def __str__(self):
        return f"监测运行 #{self.run_id} {self.county_code or '跨县规则'}"


class Warning(models.Model):
    """A warning raised by a rule for a fact (rule + person/household + the source record); triaged to closure."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        PENDING = "pending", "待研判"
        VERIFYING = "verifying", "核实中"
        HANDLED = "handled", "已处置"
        CLOSED = "closed", "办结"

    class Action(models.TextChoices):
        APPLICATION = "application", "已启动救助申请"
        ADJUSTED = "adjusted", "已调整保障"
        STOPPED = "stopped", "已停止保障"
        GRACE = "grace", "渐退"
        REFERRED = "referred", "已转介其他部门"
        FALSE = "false", "不属实"
        NONE = "none", "无需处理"

    OPEN = ("pending", "verifying", "handled")
    # outcomes that name an enrolment change: closed only on the change itself (``change``), made through the
    # assistance actions by whoever holds that right; the change kinds each accepts
    CHANGE_ACTIONS = {
        "stopped": ("stop", "review_stop"),
        "adjusted": ("adjust", "review_reduce", "member_remove"),
        "grace": ("grace",),
    }
    # outcomes that say nothing is to change: a reason and evidence (a file, a 核对 report, a visit)
    EVIDENCE_ACTIONS = ("false", "none")

    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="warnings")
    run = models.ForeignKey(MonitoringRun, on_delete=models.PROTECT, related_name="warnings")
    fact_key = models.CharField("事实键", max_length=200)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+", verbose_name="家庭")
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="责任乡镇")
    category = models.CharField("监测类别", max_length=20, choices=Category.choices)
    direction = models.CharField("方向", max_length=5, choices=Direction.choices)
    severity = models.CharField("等级", max_length=6, choices=WarningRule.Severity.choices)
    record_key = models.CharField("来源记录", max_length=100, blank=True)
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    detail = models.JSONField("详情", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    action = models.CharField("处置结果", max_length=12, choices=Action.choices, blank=True)
    note = models.TextField("处置说明", blank=True)
    due_on = models.DateField("处置时限", db_index=True)
    raised_at = models.DateTimeField("预警时间", auto_now_add=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    handled_by = models.CharField("处置人", max_length=150, blank=True)
    change = models.ForeignKey(
        EnrolmentChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="在保变更"
    )
    evidence_file = models.FileField("证明材料", upload_to="monitoring/evidence/%Y/%m/", blank=True)
    evidence_report = models.ForeignKey(
        "verification.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="核对报告",
    )  # fmt: skip
    evidence_visit = models.JSONField("入户核实", default=dict, blank=True)  # {"on": date, "by": visitors}
    reraised_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="前次预警"
    )

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["due_on", "id"]
        constraints = [
            # the same fact never has two open warnings: a rerun of an interrupted run cannot duplicate
            models.UniqueConstraint(
                fields=["fact_key"], condition=Q(status__in=["pending", "verifying", "handled"]),
                name="monitoring_one_open_warning_per_fact",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["township", "status"])]

    def __str__(self):
        return f"{self.rule.name}（{self.household.number}）"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class WarningEvent(models.Model):
    """The triage history of a warning."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    action = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    actor = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status}→{self.to_status}"


class Discovery(models.Model):
    """主动发现: an application the township started from a 应保 warning, with the family's consent (who agreed,
    when, how) and the 核对 report made before the application existed."""

    warning = models.OneToOneField(Warning, on_delete=models.PROTECT, related_name="discovery")
    application = models.OneToOneField(
        "assistance.Application", on_delete=models.PROTECT, related_name="+", verbose_name="救助申请"
    )
    report = models.ForeignKey(
        "verification.Report", on_delete=models.PROTECT, related_name="+", verbose_name="核对报告"
    )
    consent_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="同意申请的家庭成员"
    )
    consent_on = models.DateField("同意日期")
    consent_note = models.TextField("同意方式与说明")
    created_by = models.CharField("发起人", max_length=150)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "主动发现申请"

    def __str__(self):
        return f"主动发现 #{self.pk}"
