"""待遇资格 of the monthly allowances: 生存认证 (a yearly survival confirmation per recipient) with its regional
policy, the suspensions it causes, and the changes of the 残联's certificate data that stop or change a subsidy
(each one a notice to the township). The enrolments themselves stay in assistance; this app acts on them only
through assistance's enrolment actions."""

from django.db import models

from huimin.assistance.models import Enrolment, EnrolmentChange
from huimin.core.models import Region
from huimin.registry.models import Person


class SurvivalPolicy(models.Model):
    """生存认证 as data per region (the row without a region is the national default; the most specific region,
    then the latest effective date wins — core.regions.in_force). A recipient of one of ``programmes`` confirms
    every ``cycle_months`` months; ``grace_days`` after the due date an unconfirmed recipient is suspended."""

    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="适用区划（空为全国默认）",
    )
    programmes = models.JSONField("须认证的项目（代码）", default=list)
    cycle_months = models.PositiveSmallIntegerField("认证周期（月）", default=12)
    grace_days = models.PositiveSmallIntegerField("逾期宽限天数", default=60)
    effective_from = models.DateField("生效日期")
    basis = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "生存认证规则"
        ordering = ["region_id", "-effective_from", "-id"]

    def __str__(self):
        return f"生存认证 {self.cycle_months} 个月/宽限 {self.grace_days} 天（{self.region_id or '全国默认'}）"


class Channel(models.TextChoices):
    VISIT = "visit", "入户核实"
    PORTAL = "portal", "网上自助认证"
    ASSISTANT = "assistant", "协理员代为认证"


class SurvivalConfirmation(models.Model):
    """One 生存认证 of a person: who confirmed, how and when. Never changed or deleted."""

    scope_region_field = "region"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="认证对象")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    confirmed_on = models.DateField("认证日期", db_index=True)
    channel = models.CharField("认证方式", max_length=10, choices=Channel.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.CharField("录入人", max_length=150)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "生存认证记录"
        ordering = ["-confirmed_on", "-id"]

    def __str__(self):
        return f"{self.person_id} {self.confirmed_on}（{self.get_channel_display()}）"


class SurvivalSuspension(models.Model):
    """An enrolment suspended (停保) because its recipient did not confirm in time; resumed by a confirmation."""

    scope_region_field = "region"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("应认证日期")
    grace_until = models.DateField("宽限截止日期")
    suspended_on = models.DateField("停保日期")
    change = models.ForeignKey(EnrolmentChange, on_delete=models.PROTECT, related_name="+")
    resumed_on = models.DateField("恢复日期", null=True, blank=True)
    resume_change = models.ForeignKey(
        EnrolmentChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "生存认证停保"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(resumed_on__isnull=True),
                name="eligibility_one_open_suspension",
            )
        ]

    def __str__(self):
        return f"停保 {self.enrolment_id} {self.suspended_on}"


class CertificateChange(models.Model):
    """A change of a recipient's 残疾人证 found in the 残联's data, what it did to the subsidy (from the month after
    the change), and the notice to the township until someone there has taken note of it."""

    scope_region_field = "region"

    class Kind(models.TextChoices):
        REVOKED = "revoked", "残疾人证注销"
        EXPIRED = "expired", "残疾人证过期"
        DOWNGRADED = "downgraded", "等级变更不再符合条件"
        REGRADED = "regraded", "等级变更仍符合条件"

    class Outcome(models.TextChoices):
        STOPPED = "stopped", "次月起停发"
        CONTINUED = "continued", "继续发放"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+", verbose_name="补贴")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="持证人")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在村（社区）")
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="责任乡镇")
    kind = models.CharField("变更", max_length=12, choices=Kind.choices)
    outcome = models.CharField("处理结果", max_length=10, choices=Outcome.choices)
    event_on = models.DateField("变更日期")
    effective_month = models.DateField("生效月份", null=True, blank=True)
    grade_before = models.PositiveSmallIntegerField("原等级", null=True, blank=True)
    grade_after = models.PositiveSmallIntegerField("现等级", null=True, blank=True)
    category = models.CharField("残疾类别", max_length=2, blank=True)
    reasons = models.TextField("原因")
    snapshot = models.ForeignKey(
        "verification.Snapshot", on_delete=models.PROTECT, related_name="+", verbose_name="残联数据"
    )
    change = models.ForeignKey(EnrolmentChange, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.CharField("知悉人", max_length=150, blank=True)
    acknowledged_at = models.DateTimeField("知悉时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "残疾人证变更告知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind", "event_on"], name="eligibility_change_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.event_on}"
