"""Benefit standards (effective-dated data per region and urban/rural), the monthly payroll and its lines,
bank 代发 templates, exports and the bank's return results.

A locked ``PayrollMonth`` never changes: its lines are never updated or deleted, and a correction is a new
line (补发 or 追回) in a later month. Payment results live beside the lines, never in them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.assistance.models import Enrolment, Programme
from huimin.core.fields import ProtectedField
from huimin.core.models import Region
from huimin.registry.models import Person


class StandardKind(models.TextChoices):
    DIBAO = "dibao", "低保标准"
    TEKUN_BASIC = "tekun_basic", "特困人员基本生活标准"
    CARE_FULL = "care_full", "特困人员照料护理标准（全护理）"
    CARE_HALF = "care_half", "特困人员照料护理标准（半护理）"
    CARE_SELF = "care_self", "特困人员照料护理标准（全自理）"
    MIN_WAGE = "min_wage", "最低工资标准"
    SEVERE_CARE = "severe_care", "重度残疾人护理补贴标准"
    DISABILITY_LIVING = "disability_living", "困难残疾人生活补贴标准"
    ORPHAN_SCATTERED = "orphan_scattered", "散居孤儿基本生活费标准"
    ORPHAN_INSTITUTION = "orphan_institution", "机构养育孤儿基本生活费标准"
    DE_FACTO_CHILD = "de_facto_child", "事实无人抚养儿童基本生活费标准"
    FOSTER_CARE = "foster_care", "家庭寄养费标准（每名寄养儿童）"
    AGED_ALLOWANCE = "aged_allowance", "高龄津贴（按年龄段）"
    ELDERLY_SERVICE = "elderly_service", "经济困难老年人养老服务补贴标准"
    ELDERLY_CARE_MODERATE = "elderly_care_moderate", "经济困难失能老年人护理补贴标准（中度失能）"
    ELDERLY_CARE_SEVERE = "elderly_care_severe", "经济困难失能老年人护理补贴标准（重度失能）"
    ELDERLY_CARE_TOTAL = "elderly_care_total", "经济困难失能老年人护理补贴标准（完全失能）"
    PRICE_SUBSIDY = "price_subsidy", "价格临时补贴（每人每月）"
    PRICE_THRESHOLD = "price_threshold", "价格联动启动条件（CPI 同比涨幅 %）"
    DIBAO_FLOOR = "dibao_floor", "低保最低保障金额（每人每月）"
    DIBAO_EXTRA_RATE = "dibao_extra_rate", "低保分类施保加发比例（占标准的比例）"
    TEMPORARY_MONTHS = "temporary_months", "临时救助上限（低保标准的月数）"


class Area(models.TextChoices):
    URBAN = "urban", "城市"
    RURAL = "rural", "农村"
    ALL = "all", "城乡统一"


class Period(models.TextChoices):
    MONTH = "month", "元/月"
    YEAR = "year", "元/年"
    RATE = "rate", "比例/数值"


class Standard(models.Model):
    """One published (or derived) figure for a region subtree, an area and a date range.

    ``value`` is the figure as the region publishes it (per ``period``); it may be blank when the row is only
    a rule. ``base_kind`` × ``factor_num`` / ``factor_den`` is the rule (e.g. 特困 = 低保 × 13/10, converted to
    this row's period); a published value below the rule is flagged, one above is fine. Rows are never
    overwritten: a new figure is a new row with a later ``effective_from``.
    """

    scope_region_field = "region"

    kind = models.CharField("标准类别", max_length=30, choices=StandardKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="适用区划")
    area = models.CharField("城乡", max_length=5, choices=Area.choices, default=Area.ALL)
    period = models.CharField("计量单位", max_length=5, choices=Period.choices, default=Period.MONTH)
    value = models.DecimalField("公布标准", max_digits=12, decimal_places=4, null=True, blank=True)
    age_from = models.PositiveSmallIntegerField("起始年龄", null=True, blank=True)
    age_to = models.PositiveSmallIntegerField("截止年龄（含）", null=True, blank=True)
    base_kind = models.CharField("参照标准", max_length=30, choices=StandardKind.choices, blank=True)
    factor_num = models.DecimalField("倍数（分子）", max_digits=8, decimal_places=4, null=True, blank=True)
    factor_den = models.PositiveSmallIntegerField("倍数（分母）", default=1)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("依据（文件）", max_length=200, blank=True)
    created_by = models.CharField("录入人", max_length=150, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "保障标准"
        ordering = ["kind", "region_id", "area", "-effective_from", "-id"]
        indexes = [models.Index(fields=["kind", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(base_kind__gt="", factor_num__isnull=False),
                name="benefits_standard_value_or_rule",
            ),
            models.CheckConstraint(condition=Q(factor_den__gte=1), name="benefits_standard_den_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.region_id} {self.get_area_display()} {self.effective_from}"


class PriceIndex(models.Model):
    """An entered monthly price index (CPI 同比涨幅, %) for a region, driving the price-linkage subsidy."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    month = models.DateField("月份")
    value = models.DecimalField("CPI 同比涨幅（%）", max_digits=6, decimal_places=2)
    created_by = models.CharField("录入人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "价格指数"
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="benefits_price_index_once")]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m} {self.value}%"


class ProgrammeFund(models.Model):
    """发放项目与资金来源: that ``programme`` is paid in the monthly payroll of the regions under ``region`` (null:
    everywhere) from ``effective_from`` to ``effective_to``, out of the fund ``fund_name``, whose cost the levels of
    government share as ``*_share`` (%; blank when the region does not split it). A programme with no row in force
    for a county and month is not in that month's payroll. The row in force at a place follows the regional rule
    (``core.regions``): the most specific region, then the latest ``effective_from``. Rows are never overwritten: a
    change is a new row. Each payroll line records the row it was paid under."""

    scope_region_field = "region"
    SHARES = (("central_share", "中央财政"), ("province_share", "省级财政"), ("city_share", "市级财政"),
              ("county_share", "县级财政"))  # fmt: skip

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name="救助项目")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="适用区划"
    )
    fund_name = models.CharField("资金来源", max_length=60)
    central_share = models.DecimalField("中央财政分担（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    province_share = models.DecimalField("省级财政分担（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    city_share = models.DecimalField("市级财政分担（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    county_share = models.DecimalField("县级财政分担（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    source = models.CharField("依据（文件）", max_length=200, blank=True)
    created_by = models.CharField("录入人", max_length=150, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发放项目与资金来源"
        ordering = ["programme__sort", "programme__code", "region_id", "-effective_from", "-id"]

    def __str__(self):
        return f"{self.programme_id} {self.fund_name} {self.region_id or '全国'} {self.effective_from}"

    def shares(self) -> list[tuple[str, object]]:
        """(level label, share %) of the levels this row splits the cost between."""
        return [(label, getattr(self, f)) for f, label in self.SHARES if getattr(self, f) is not None]


class PayrollMonth(models.Model):
    """The monthly payroll of a county (or any region subtree): draft → reviewed → approved → locked."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEWED = "reviewed", "已复核"
        APPROVED = "approved", "已审批"
        LOCKED = "locked", "已锁定"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    month = models.DateField("发放月份")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    line_count = models.PositiveIntegerField("明细笔数", default=0)
    total = models.DecimalField("合计（元）", max_digits=16, decimal_places=2, default=0)
    built_at = models.DateTimeField("生成时间", null=True, blank=True)
    built_by = models.CharField("生成人", max_length=150, blank=True)
    build_seconds = models.FloatField("生成耗时（秒）", null=True, blank=True)
    reviewed_by = models.CharField("复核人", max_length=150, blank=True)
    approved_by = models.CharField("审批人", max_length=150, blank=True)
    locked_by = models.CharField("锁定人", max_length=150, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)
    history = models.JSONField("状态记录", default=list, blank=True)
    # per programme and fund as the month was built: [{"programme": code, "fund": ProgrammeFund id or None,
    # "kind": line kind, "count": n, "cents": total in 分}]
    programme_totals = models.JSONField("分项目合计", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度发放"
        ordering = ["-month", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="benefits_payroll_month_once")]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class LineKind(models.TextChoices):
    REGULAR = "regular", "正常发放"
    ARREARS = "arrears", "补发"
    RECOVERY = "recovery", "追回"
    PRICE = "price", "价格临时补贴"


class PayrollLine(models.Model):
    """One payment of one enrolment for one service month (the month the money is for)."""

    scope_region_field = "region"

    # Indexes and constraints are kept to what the bulk path can afford (a county month is ~10⁵ lines written
    # with COPY): payroll and enrolment are covered by the unique and composite indexes below. No FK here is
    # checked row by row by the database — a deferred FK check costs ~4 µs a row at commit, over a second for
    # a county month: the engine takes every id from those tables in the same transaction, holding the payroll
    # month locked, and none of those rows is ever deleted (assistance and registry rows are PROTECTed and
    # closed, not removed). On PostgreSQL a trigger also refuses to delete a payroll month that has lines
    # (migration 0002), so no line can lose its month.
    payroll = models.ForeignKey(
        PayrollMonth, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    service_month = models.DateField("所属月份")
    kind = models.CharField("类别", max_length=10, choices=LineKind.choices)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    programme_code = models.CharField("救助项目", max_length=40)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在村（社区）",
        db_index=False,
        db_constraint=False,
    )
    payee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="领款人", db_index=False, db_constraint=False
    )
    explanation = models.JSONField("计算说明", default=dict)
    # The payee's account as the month was built (and so as it was reviewed and approved): the bank file pays this,
    # not whatever the registry holds later. account_changed: it differs from the previous month's (for the reviewer).
    bank_account = ProtectedField("领款账号", kind="bank_account", blind_index=False, db_default="")
    bank_name = models.CharField("开户银行", max_length=100, blank=True, default="", db_default="")
    account_holder = models.CharField("户名", max_length=50, blank=True, default="", db_default="")
    account_changed = models.BooleanField("账号较上月变更", default=False, db_default=False)
    # the 发放项目与资金来源 row this line is paid under (the fund and its shares as configured when built)
    fund = models.ForeignKey(
        ProgrammeFund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="资金来源",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = verbose_name_plural = "发放明细"
        constraints = [
            models.UniqueConstraint(fields=["payroll", "enrolment", "service_month", "kind"], name="benefits_line_once")
        ]
        indexes = [models.Index(fields=["enrolment", "service_month"])]

    def __str__(self):
        return f"{self.enrolment_id} {self.service_month:%Y-%m} {self.amount}"


class BankTemplate(models.Model):
    """A bank's 代发 file layout. ``columns``: [{"field": "account"|"name"|"amount"|"reference"|"id_number_tail"
    |"programme"|"month"|"literal", "header": "...", "width": 20, "value": "..." (literal)}]."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        FIXED = "fixed", "定长文本"
        XLSX = "xlsx", "Excel (.xlsx)"

    scope_region_field = "region"

    name = models.CharField("模板名称", max_length=60)
    bank_name = models.CharField("代发银行", max_length=60)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="使用区划")
    format = models.CharField("格式", max_length=5, choices=Format.choices)
    encoding = models.CharField(
        "编码", max_length=10, default="utf-8", choices=[("utf-8", "UTF-8"), ("gb18030", "GB18030")]
    )
    delimiter = models.CharField("分隔符", max_length=2, default=",", blank=True)
    header_row = models.BooleanField("含表头", default=True)
    # as the county's bank requires: one file for every programme of the month (合并报盘), or one file per
    # programme (分项目报盘, each its own batch and return file)
    split_by_programme = models.BooleanField("按项目分别报盘", default=False, db_default=False)
    columns = models.JSONField("列定义")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "代发文件模板"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.get_format_display()}）"


class BankBatch(models.Model):
    """One 代发 file produced from a locked month (the first payment or a retry of failed ones)."""

    scope_region_field = "region"

    payroll = models.ForeignKey(PayrollMonth, on_delete=models.PROTECT, related_name="batches")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(BankTemplate, on_delete=models.PROTECT, related_name="+")
    is_retry = models.BooleanField("重发批次", default=False)
    programme_code = models.CharField("救助项目（分项目报盘）", max_length=40, blank=True, default="", db_default="")
    count = models.PositiveIntegerField("笔数")
    total = models.DecimalField("金额合计（元）", max_digits=16, decimal_places=2)
    sha256 = models.CharField("文件摘要", max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField("回盘时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代发批次"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.payroll} #{self.pk}"


class Payment(models.Model):
    """A line sent to the bank in a batch, and what the bank answered."""

    class Status(models.TextChoices):
        SENT = "sent", "已报盘"
        PAID = "paid", "成功"
        FAILED = "failed", "失败"
        RETRIED = "retried", "失败已重发"

    # batch is covered by the unique (batch, line) index; line's id comes from the same transaction's query of
    # a locked month's lines (never deleted); the reference is derived from (batch, line), so it is unique too.
    # Neither FK is checked row by row (see PayrollLine): the batch is created in the same transaction that
    # writes its payments, and on PostgreSQL a trigger refuses to delete a batch that has payments.
    batch = models.ForeignKey(
        BankBatch, on_delete=models.PROTECT, related_name="payments", db_index=False, db_constraint=False
    )
    line = models.ForeignKey(PayrollLine, on_delete=models.PROTECT, related_name="payments", db_constraint=False)
    reference = models.CharField("流水号", max_length=40)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代发结果"
        constraints = [models.UniqueConstraint(fields=["batch", "line"], name="benefits_payment_once_per_batch")]

    def __str__(self):
        return f"{self.reference} {self.get_status_display()}"


class Recovery(models.Model):
    """追缴: what locked months paid an enrolment for service months no longer due (after a death, or a stop made
    effective from an earlier month), followed to repayment or to a write-off (核销) approved by a second person
    (assistance.DutySeparation: 申请核销 ≠ 审批核销). Any programme's enrolment; one per enrolment — months locked
    later that paid after the stop are added to it. Its items count, for the payroll, as settled: a later month
    never nets the same money again (payroll_engine: the ``paid`` input)."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        OPEN = "open", "追缴中"
        WRITE_OFF_PENDING = "write_off_pending", "核销待审批"
        REPAID = "repaid", "已追回"
        WRITTEN_OFF = "written_off", "已核销"

    class Reason(models.TextChoices):
        DEATH = "death", "保障对象死亡"
        STOP = "stop", "停止保障"

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="+", verbose_name="在保记录")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    programme_code = models.CharField("救助项目", max_length=40)
    payee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="领款人")
    reason = models.CharField("原因", max_length=10, choices=Reason.choices)
    event_date = models.DateField("死亡（停保）日期", null=True, blank=True)
    from_month = models.DateField("停发起始月份")
    change_id = models.IntegerField("在保变更", null=True, blank=True)
    total = models.DecimalField("应追缴（元）", max_digits=12, decimal_places=2, default=0)
    repaid = models.DecimalField("已追回（元）", max_digits=12, decimal_places=2, default=0)
    written_off = models.DecimalField("已核销（元）", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    write_off_reason = models.TextField("核销理由", blank=True)
    write_off_requested_by = models.CharField("核销申请人", max_length=150, blank=True)
    write_off_requested_at = models.DateTimeField("核销申请时间", null=True, blank=True)
    write_off_decided_by = models.CharField("核销审批人", max_length=150, blank=True)
    write_off_decided_at = models.DateTimeField("核销审批时间", null=True, blank=True)
    write_off_note = models.TextField("审批意见", blank=True)
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_at = models.DateTimeField("结清时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "追缴"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"追缴 #{self.pk}（{self.total} 元）"

    @property
    def outstanding(self):
        return self.total - self.repaid - self.written_off


class RecoveryItem(models.Model):
    """One service month of a recovery: what the locked months paid for it, net (``price``: the part that was
    价格临时补贴, which the payroll does not net)."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="items")
    service_month = models.DateField("所属月份")
    amount = models.DecimalField("已发金额（元）", max_digits=12, decimal_places=2)
    price = models.DecimalField("其中价格临时补贴（元）", max_digits=12, decimal_places=2, default=0)
    lines = models.JSONField("发放明细", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "追缴明细"
        ordering = ["service_month"]
        constraints = [
            models.UniqueConstraint(fields=["recovery", "service_month"], name="benefits_recovery_month_once")
        ]

    def __str__(self):
        return f"{self.service_month:%Y-%m} {self.amount}"


class Repayment(models.Model):
    """A sum paid back (退回) against a recovery, with its date."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="repayments")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("退回日期")
    note = models.CharField("凭证/说明", max_length=200, blank=True)
    recorded_by = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "追缴退回"
        ordering = ["paid_on", "id"]

    def __str__(self):
        return f"{self.paid_on} {self.amount}"
