"""养老服务 (1): the older people's register and its 特殊困难老年人 categories, and the 老年人能力综合评估 of
GB/T 42195-2022. The register itself is the registry (every living person aged ≥ the register age); what this
app keeps is what the registry does not: categories with their source and date, and the assessments."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from huimin.core.models import Region
from huimin.registry.models import Person


class Parameter(models.Model):
    """A figure of 养老服务 as data (seeded from huimin.elderly.defaults.PARAMETERS)."""

    class Code(models.TextChoices):
        REGISTER_AGE = "register_age", "老年人起算年龄（周岁，含）"
        REASSESS_MONTHS = "reassess_months", "能力评估复评间隔（月）"

    code = models.CharField("参数", max_length=30, choices=Code.choices, unique=True)
    value = models.PositiveSmallIntegerField("数值", validators=[MaxValueValidator(150)])

    class Meta:
        verbose_name = verbose_name_plural = "养老服务参数"

    def __str__(self):
        return f"{self.get_code_display()} {self.value}"


class Category(models.Model):
    """A 特殊困难老年人 category. ``rules`` says how the data can suggest it (huimin.elderly.rules.DERIVATIONS):
    a list of {"kind": …, parameters}; an empty list means only the township can 认定 it."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    rules = models.JSONField("推定规则", default=list, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "特殊困难老年人类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class CategoryMark(models.Model):
    """One category of one older person: suggested by the data (待确认) or 认定 by the township, with its source
    and date; confirmed or rejected by township (or county) staff. Never deleted: a suggestion the data no
    longer supports lapses."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已否定"
        LAPSED = "lapsed", "已失效"

    class Source(models.TextChoices):
        DERIVED = "derived", "数据推定"
        TOWNSHIP = "township", "乡镇认定"

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT, related_name="marks")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    basis = models.CharField("依据", max_length=200, blank=True)
    source_date = models.DateField("来源日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_on = models.DateField("确认日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "特殊困难老年人认定"
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="elderly_one_mark_per_category")]
        indexes = [models.Index(fields=["category", "status"])]

    def __str__(self):
        return f"{self.person_id} {self.category.name}（{self.get_status_display()}）"


# --- 老年人能力综合评估 (GB/T 42195-2022) ------------------------------------------------------------------------


class Domain(models.Model):
    """一级指标: 自理能力, 基础运动能力, 精神状态, 感知觉与社会参与."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "能力评估一级指标"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Item(models.Model):
    """二级指标 with its options: ``options`` is a list of {"score": n, "label": "…"} (the score is what the
    assessor records; every score an item can take is listed)."""

    domain = models.ForeignKey(Domain, verbose_name="一级指标", on_delete=models.PROTECT, related_name="items")
    code = models.CharField("代码", max_length=30, unique=True)
    number = models.CharField("条目编号", max_length=10)
    name = models.CharField("名称", max_length=50)
    options = models.JSONField("选项")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "能力评估二级指标"
        ordering = ["domain__order", "order", "id"]

    def __str__(self):
        return f"{self.number} {self.name}"

    def scores(self) -> list[int]:
        return sorted(int(o["score"]) for o in self.options)

    @property
    def max_score(self) -> int:
        return max(self.scores())


class Level(models.Model):
    """能力等级 by total score; ``rank`` 0 is the best (能力完好), higher is more dependent."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)
    min_total = models.PositiveSmallIntegerField("总分下限（含）")
    max_total = models.PositiveSmallIntegerField("总分上限（含）")
    rank = models.PositiveSmallIntegerField("失能程度序号", unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "能力等级"
        ordering = ["rank"]

    def __str__(self):
        return self.name


class Adjustment(models.Model):
    """A circumstance that raises the level by one (GB/T 42195-2022 评估结果的等级变更)."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "能力等级变更情形"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Assessment(models.Model):
    scope_region_field = "region"

    class Reason(models.TextChoices):
        INITIAL = "initial", "首次评估"
        REGULAR = "regular", "常规复评"
        CHANGE = "change", "状况变化后即时评估"

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="评估时居住地", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField("评估日期")
    reason = models.CharField("评估原因", max_length=10, choices=Reason.choices, default=Reason.INITIAL)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估员", on_delete=models.PROTECT, related_name="+"
    )
    second_assessor = models.CharField("第二评估员", max_length=50, blank=True)
    domain_totals = models.JSONField("一级指标得分", default=dict)
    total = models.PositiveSmallIntegerField("总分")
    coma = models.BooleanField("处于昏迷状态", default=False)
    adjustments = models.ManyToManyField(Adjustment, verbose_name="等级变更情形", blank=True, related_name="+")
    base_level = models.ForeignKey(Level, verbose_name="按总分的等级", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, verbose_name="能力等级", on_delete=models.PROTECT, related_name="+")
    next_due = models.DateField("复评到期日")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "老年人能力评估"
        indexes = [models.Index(fields=["person", "-assessed_on"])]
        constraints = [models.CheckConstraint(condition=Q(total__lte=90), name="elderly_assessment_total_le_90")]

    def __str__(self):
        return f"{self.person_id} {self.assessed_on} {self.level.name}"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(Item, verbose_name="二级指标", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("得分")

    class Meta:
        verbose_name = verbose_name_plural = "能力评估得分"
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="elderly_one_score_per_item")]

    def __str__(self):
        return f"{self.item_id}={self.score}"


# --- 高龄津贴 免申即享 (huimin.elderly.allowance) ------------------------------------------------------------
# The bands and amounts are benefits Standard rows (kind aged_allowance, age_from/age_to); the enrolments are
# assistance Enrolment rows of the programme ``aged_allowance`` (paid by the one monthly payroll). What is kept here:
# the region's rules of the allowance, and each township decision (a batch confirmation) with what it enrolled.


class AllowancePolicy(models.Model):
    """高龄津贴's rules as data per region (the row without a region is the national default; the most specific
    region, then the latest effective date wins — core.regions.in_force)."""

    class Start(models.TextChoices):
        NEXT_MONTH = "next_month", "达到年龄段的次月起发放"
        BIRTH_MONTH = "birth_month", "达到年龄段的当月起发放"

    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用区划（空为全国默认）",
    )
    start_rule = models.CharField("起始（调档）月份", max_length=12, choices=Start.choices, default=Start.NEXT_MONTH)
    auto_confirm = models.BooleanField("自动确认（不经乡镇逐月确认）", default=False)
    effective_from = models.DateField("生效日期")
    basis = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "高龄津贴规则"
        ordering = ["region_id", "-effective_from", "-id"]

    def __str__(self):
        return f"高龄津贴规则（{self.region_id or '全国默认'}，{self.get_start_rule_display()}）"


class AllowanceBatch(models.Model):
    """One 免申即享 decision: a township (or the region's automatic confirmation) confirmed the month's proposal —
    who was enrolled, whose band changed, whose allowance stopped or moved with them. Never changed or deleted."""

    scope_region_field = "region"

    class Mode(models.TextChoices):
        TOWNSHIP = "township", "乡镇确认"
        AUTO = "auto", "按规则自动确认"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="确认范围")
    month = models.DateField("发放月份")
    mode = models.CharField("确认方式", max_length=10, choices=Mode.choices, default=Mode.TOWNSHIP)
    enrolled = models.PositiveIntegerField("新纳入人数", default=0)
    regraded = models.PositiveIntegerField("调档人数", default=0)
    stopped = models.PositiveIntegerField("停发人数", default=0)
    moved = models.PositiveIntegerField("随迁人数", default=0)
    total = models.DecimalField("新纳入月发放额（元）", max_digits=14, decimal_places=2, default=0)
    enrolment_ids = models.JSONField("纳入的在保记录", default=list, blank=True)
    confirmed_by = models.CharField("确认人", max_length=150)
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "高龄津贴确认记录"
        ordering = ["-month", "-id"]

    def __str__(self):
        return f"高龄津贴 {self.month:%Y-%m} {self.region_id} 纳入 {self.enrolled} 人"


# --- 探访关爱 (huimin.elderly.visits) ----------------------------------------------------------------------------


class RiskTier(models.Model):
    """A risk tier of 探访关爱. A person falls in the highest ``rank`` tier whose ``categories`` (confirmed
    特殊困难老年人 category codes) he has, or whose ``min_level_rank`` his latest ability level reaches; the tier
    with neither is everybody else's. The township may override it for one person, with a reason."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=30)
    rank = models.PositiveSmallIntegerField("风险序号（大者优先）", unique=True)
    categories = models.JSONField("对应类别代码", default=list, blank=True)
    min_level_rank = models.PositiveSmallIntegerField("能力等级序号不低于", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访风险等级"
        ordering = ["-rank"]

    def __str__(self):
        return self.name


class VisitFrequency(models.Model):
    """How often a tier is visited in a region (empty region: everywhere), from a date: one visit every
    ``period_days`` days, and — where ``event_hours`` is set — within that many hours of an event."""

    tier = models.ForeignKey(RiskTier, verbose_name="风险等级", on_delete=models.PROTECT, related_name="frequencies")
    region = models.ForeignKey(
        Region, verbose_name="适用区划（空为全部）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_days = models.PositiveSmallIntegerField("探访周期（天）")
    event_hours = models.PositiveSmallIntegerField("突发情况后探访时限（小时）", null=True, blank=True)
    effective_from = models.DateField("生效日期")

    class Meta:
        verbose_name = verbose_name_plural = "探访频次"
        constraints = [
            models.CheckConstraint(condition=Q(period_days__gte=1), name="elderly_visit_period_positive"),
            models.UniqueConstraint(fields=["tier", "region", "effective_from"], name="elderly_one_frequency"),
        ]

    def __str__(self):
        return f"{self.tier.name} 每 {self.period_days} 天"


class TierOverride(models.Model):
    """The township's tier for one person instead of the derived one, with its reason (one current row; ended
    rows are kept)."""

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    tier = models.ForeignKey(RiskTier, verbose_name="风险等级", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("理由", max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确定人", on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    decided_on = models.DateField("确定日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访风险等级调整"
        constraints = [models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                               name="elderly_one_current_override")]  # fmt: skip

    def __str__(self):
        return f"{self.person_id} {self.tier.name}"


class Visitor(models.Model):
    """A person who visits older people: 协理员, 村干部, volunteer or social worker, with the villages he covers;
    linked to his user account where he has one (then he records his visits himself)."""

    scope_region_field = "township"

    class Kind(models.TextChoices):
        ASSISTANT = "assistant", "民政协理员"
        CADRE = "cadre", "村（居）干部"
        VOLUNTEER = "volunteer", "志愿者"
        SOCIAL_WORKER = "social_worker", "社会工作者"

    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("身份", max_length=15, choices=Kind.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    township = models.ForeignKey(Region, verbose_name="所属乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    villages = models.ManyToManyField(Region, verbose_name="负责村（社区）", related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="系统账号", null=True, blank=True, on_delete=models.PROTECT,
        related_name="elderly_visitor",
    )  # fmt: skip
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访人员"
        ordering = ["township_id", "name", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class VisitAssignment(models.Model):
    """Who visits an older person, from when (one current row per person; ended rows are kept)."""

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(Visitor, verbose_name="探访人员", on_delete=models.PROTECT, related_name="assignments")
    since = models.DateField("起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访包联"
        constraints = [models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                               name="elderly_one_current_visitor")]  # fmt: skip
        indexes = [models.Index(fields=["visitor", "ended_on"])]

    def __str__(self):
        return f"{self.person_id} → {self.visitor_id}"


class VisitEvent(models.Model):
    """Something that calls for a visit within the tier's ``event_hours`` (a fall, a hospital stay, a death in the
    family, a disaster); a visit after it answers it."""

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    what = models.CharField("情况", max_length=100)
    occurred_at = models.DateTimeField("发生时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "探访突发情况"
        indexes = [models.Index(fields=["person", "-occurred_at"])]

    def __str__(self):
        return f"{self.person_id} {self.what}"


class Visit(models.Model):
    scope_region_field = "region"

    class Condition(models.TextChoices):
        GOOD = "good", "良好"
        FAIR = "fair", "一般"
        POOR = "poor", "较差"

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(Visitor, verbose_name="探访人员", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("探访日期")
    seen_in_person = models.BooleanField("见到本人", default=True)
    living = models.CharField("居住条件", max_length=5, choices=Condition.choices)
    health = models.CharField("健康状况", max_length=5, choices=Condition.choices)
    needs = models.CharField("发现的需求", max_length=500, blank=True)
    note = models.CharField("情况说明", max_length=500, blank=True)
    photo = models.FileField("现场照片", upload_to="elderly/visits/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    offline = models.BooleanField("离线录入", default=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访记录"
        indexes = [models.Index(fields=["person", "-visited_on"]), models.Index(fields=["region", "visited_on"])]

    def __str__(self):
        return f"{self.person_id} {self.visited_on}"


class Referral(models.Model):
    """A need found on a visit, handed on — to 临时救助 (an application proposed through
    ``huimin.elderly.visits.REFERRAL_HOOKS``), a service order or a medical visit — and followed to an outcome."""

    scope_region_field = "region"

    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", "临时救助"
        SERVICE = "service", "养老服务工单"
        MEDICAL = "medical", "就医协助"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DONE = "done", "已解决"
        UNRESOLVED = "unresolved", "未能解决"

    visit = models.ForeignKey(Visit, verbose_name="探访记录", on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("转介去向", max_length=12, choices=Kind.choices)
    need = models.CharField("需求", max_length=300)
    target = models.CharField("对方记录", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("结果", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="转介人", on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    created_on = models.DateField("转介日期")
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "探访转介"

    def __str__(self):
        return f"{self.get_kind_display()} {self.need}"
