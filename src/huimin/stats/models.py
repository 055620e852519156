"""Statistics: a month's social-assistance figures materialised per village, urban/rural and programme (so any
region's figures are a sum over a code prefix), the record of each materialisation, and indicators as data.

Every figure is computed from dated data (enrolment start and end months, member added/removed months,
application and decision dates, locked payroll months, 核对 report dates, warning raised/closed times), so
recomputing a past month gives the same figures however the data has moved on since.
"""

from django.core.validators import MaxValueValidator
from django.db import models

from huimin.core.models import Region

# The counted figures of a MonthlyFigure row, with their Chinese labels and units, in the order reports show them.
COUNTS = [
    ("households", "在保户数", "户"),
    ("persons", "在保人数", "人"),
    ("new_households", "本月新增户数", "户"),
    ("new_persons", "本月新增人数", "人"),
    ("stopped_households", "本月退出户数", "户"),
    ("stopped_persons", "本月减少人数", "人"),
    ("elderly", "其中：老年人", "人"),  # ages: CountingAge
    ("minors", "其中：未成年人", "人"),
    ("disabled", "其中：残疾人", "人"),
    ("apps_received", "受理申请", "件"),
    ("apps_approved", "批准", "件"),
    ("apps_refused", "不予批准", "件"),
    ("apps_days", "办结天数合计", "天"),
    ("apps_on_time", "按时办结", "件"),
    ("verif_eligible", "核对：符合", "户次"),
    ("verif_not_eligible", "核对：不符合", "户次"),
    ("verif_needs_visit", "核对：需入户核实", "户次"),
    ("warnings_raised", "新增预警", "条"),
    ("warnings_closed", "办结预警", "条"),
]
AMOUNTS = [
    ("amount_paid", "发放金额", "元"),
    ("amount_approved", "临时救助批准金额", "元"),
]
FIGURES = [name for name, _, _ in COUNTS + AMOUNTS]
LABELS = {name: label for name, label, _ in COUNTS + AMOUNTS}
UNITS = {name: unit for name, _, unit in COUNTS + AMOUNTS}


class MonthlyFigure(models.Model):
    """One month's figures for one region (a village, as the data carries it), one side (urban/rural) and one
    programme code (blank: figures not tied to a programme, i.e. warnings)."""

    scope_region_field = "region"

    month = models.DateField("统计月份")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划", db_constraint=False
    )
    is_urban = models.BooleanField("城镇")
    programme = models.CharField("救助项目", max_length=40, blank=True)
    households = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    new_households = models.PositiveIntegerField(default=0)
    new_persons = models.PositiveIntegerField(default=0)
    stopped_households = models.PositiveIntegerField(default=0)
    stopped_persons = models.PositiveIntegerField(default=0)
    elderly = models.PositiveIntegerField(default=0)
    minors = models.PositiveIntegerField(default=0)
    disabled = models.PositiveIntegerField(default=0)
    apps_received = models.PositiveIntegerField(default=0)
    apps_approved = models.PositiveIntegerField(default=0)
    apps_refused = models.PositiveIntegerField(default=0)
    apps_days = models.PositiveIntegerField(default=0)
    apps_on_time = models.PositiveIntegerField(default=0)
    verif_eligible = models.PositiveIntegerField(default=0)
    verif_not_eligible = models.PositiveIntegerField(default=0)
    verif_needs_visit = models.PositiveIntegerField(default=0)
    warnings_raised = models.PositiveIntegerField(default=0)
    warnings_closed = models.PositiveIntegerField(default=0)
    amount_paid = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    amount_approved = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "月度统计数据"
        constraints = [
            models.UniqueConstraint(fields=["month", "region", "is_urban", "programme"], name="stats_figure_once")
        ]
        indexes = [models.Index(fields=["month", "region"], name="stats_figure_month_region")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.region_id} {self.programme}"


class MonthRun(models.Model):
    """When a month's figures were last materialised (the whole database at once), by whom and how long it took."""

    month = models.DateField("统计月份", unique=True)
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.CharField("计算人", max_length=150, blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    seconds = models.FloatField("耗时（秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "月度统计计算记录"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class Indicator(models.Model):
    """A plan indicator the system's data can measure. ``method`` names one of the formulas in
    huimin.stats.indicators; the target is data (a default here, per region in IndicatorTarget)."""

    class Direction(models.TextChoices):
        AT_LEAST = "ge", "不低于"
        AT_MOST = "le", "不高于"

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    definition = models.TextField("定义")
    method = models.CharField("计算方法", max_length=40)
    method_text = models.TextField("计算说明")
    unit = models.CharField("单位", max_length=10)
    direction = models.CharField("达标方向", max_length=2, choices=Direction.choices, default=Direction.AT_LEAST)
    default_target = models.DecimalField("默认目标值", max_digits=10, decimal_places=4, null=True, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计指标"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class IndicatorTarget(models.Model):
    """A region's own target for an indicator (its subtree uses it unless a lower region sets another)."""

    scope_region_field = "region"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    target = models.DecimalField("目标值", max_digits=10, decimal_places=4)
    updated_by = models.CharField("设置人", max_length=150, blank=True)
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标目标值"
        constraints = [models.UniqueConstraint(fields=["indicator", "region"], name="stats_target_once")]

    def __str__(self):
        return f"{self.indicator} {self.region_id} {self.target}"


class CountingAge(models.Model):
    """An age the statistics count persons by, as data (seeded from huimin.stats.defaults.AGES): 老年人 are
    ``elderly`` years old or older on the month's last day, 未成年人 younger than ``adult``."""

    class Code(models.TextChoices):
        ELDERLY = "elderly", "老年人起算年龄（岁，含）"
        ADULT = "adult", "成年年龄（岁，不满者为未成年人）"

    code = models.CharField("口径", max_length=20, choices=Code.choices, unique=True)
    age = models.PositiveSmallIntegerField("年龄", validators=[MaxValueValidator(150)])

    class Meta:
        verbose_name = verbose_name_plural = "统计年龄口径"

    def __str__(self):
        return f"{self.get_code_display()} {self.age}"


class IndicatorRun(models.Model):
    """The indicator board of one region and month as last computed: each active indicator's value by its code (a
    decimal as text, null for 无数据), when it was computed and how long it took. Some indicators count the whole
    registry (older people, persons with a disability): at ten million persons a board is tens of seconds, so the
    pages read it from here. It is computed when a page first asks for it, by the daily job for the staff's regions,
    by 重新计算, and — in the background, the stored board shown meanwhile — when a page finds it stale by the rule of
    the month's figures (``compute.is_stale``)."""

    # computed, not moved by a region merge: the merged-into region's boards are recomputed by the daily job
    region_move_exempt = True

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    month = models.DateField("统计月份")
    values = models.JSONField("指标值", default=dict)
    computed_at = models.DateTimeField("计算时间")
    seconds = models.FloatField("耗时（秒）", default=0)
    refresh_queued_at = models.DateTimeField("后台重算排队时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标计算记录"
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="stats_indicator_run_once")]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m}"
