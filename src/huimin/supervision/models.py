"""双随机、一公开 and inspections, generic over what is inspected: a subject is named by (kind, id) — a kind
registered in ``huimin.supervision.subjects`` — with its label and region copied when it is recorded, so
supervision never imports the business app that owns it."""

from django.conf import settings
from django.db import models

from huimin.core.models import Region
from huimin.core.roles import BusinessLine

USER = settings.AUTH_USER_MODEL


class Draw(models.Model):
    """One 双随机 draw: the population and the inspectors' pool frozen with their hashes, the seed, the sample
    size and the drawn pairs (huimin.supervision.rules: ``run_draw``). Never changed after it is made, but for
    being published."""

    purpose = models.CharField("抽查事项", max_length=100)
    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices)
    subject_kind = models.CharField("抽查对象类别", max_length=40)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("抽查期间", max_length=20)
    seed = models.BigIntegerField("随机种子")
    algorithm = models.CharField("算法", max_length=20)
    population = models.JSONField("抽查对象名录")  # [[kind, id, label], …] sorted
    population_hash = models.CharField("名录哈希（SHA-256）", max_length=64)
    pool = models.JSONField("检查人员名录")  # [[user id, name], …] sorted by id
    pool_hash = models.CharField("检查人员名录哈希（SHA-256）", max_length=64)
    count = models.PositiveIntegerField("抽取数量")
    ratio = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, null=True, blank=True)
    per_subject = models.PositiveSmallIntegerField("每个对象检查人员数", default=2)
    result = models.JSONField("抽取结果")  # [{"kind", "id", "label", "inspectors": [ids]}, …] in drawn order
    result_hash = models.CharField("结果哈希（SHA-256）", max_length=64)
    published = models.BooleanField("已公开", default=False)
    published_on = models.DateField("公开日期", null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "双随机抽查"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.period} {self.purpose}"


class Inspection(models.Model):
    """An inspection of one subject: planned by a draw (its drawn inspectors) or recorded on its own."""

    class Status(models.TextChoices):
        PLANNED = "planned", "待检查"
        DONE = "done", "已检查"

    draw = models.ForeignKey(Draw, verbose_name="抽查", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")  # fmt: skip
    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices)
    subject_kind = models.CharField("对象类别", max_length=40)
    subject_id = models.PositiveBigIntegerField("对象编号")
    subject_label = models.CharField("检查对象", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(USER, verbose_name="检查人员", on_delete=models.PROTECT, related_name="+")
    co_inspector = models.ForeignKey(USER, verbose_name="协同检查人员", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    summary = models.TextField("检查情况", blank=True)
    joint_with = models.CharField("联合检查部门", max_length=200, blank=True,
                                  help_text="与其他部门联合检查时填写部门名称，多个用“、”分隔")  # fmt: skip
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"]), models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.subject_label}（{self.get_status_display()}）"


class Finding(models.Model):
    """A problem found by an inspection, with its deadline for rectification; closed (销号) by a second person
    once a rectification is accepted."""

    class Severity(models.TextChoices):
        SERIOUS = "serious", "严重"
        GENERAL = "general", "一般"
        MINOR = "minor", "轻微"

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        SUBMITTED = "submitted", "整改待验收"
        CLOSED = "closed", "已销号"

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.PROTECT,
                                   related_name="findings")  # fmt: skip
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices)
    description = models.TextField("问题")
    severity = models.CharField("等级", max_length=10, choices=Severity.choices)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    found_by = models.ForeignKey(USER, verbose_name="发现人", on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(USER, verbose_name="销号人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    closed_on = models.DateField("销号日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查发现问题"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.inspection.subject_label}：{self.description[:30]}"


class Rectification(models.Model):
    """What the subject reports it did about a finding, recorded by staff; accepted or returned by another."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待验收"
        ACCEPTED = "accepted", "验收通过"
        RETURNED = "returned", "退回重改"

    finding = models.ForeignKey(Finding, verbose_name="问题", on_delete=models.PROTECT, related_name="rectifications")
    rectified_on = models.DateField("整改完成日期")
    note = models.TextField("整改情况")
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("验收", max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(USER, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    decided_on = models.DateField("验收日期", null=True, blank=True)
    decision_note = models.CharField("验收意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改记录"
        ordering = ["id"]

    def __str__(self):
        return f"整改 {self.finding_id}"


class Risk(models.Model):
    """A safety risk of a subject (消防, 食品, 建筑, 资金) with its level, until it is resolved."""

    class Category(models.TextChoices):
        FIRE = "fire", "消防安全"
        FOOD = "food", "食品安全"
        BUILDING = "building", "建筑安全"
        FINANCE = "finance", "资金安全"

    class Level(models.TextChoices):
        MAJOR = "major", "重大"
        HIGH = "high", "较大"
        GENERAL = "general", "一般"

    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices)
    subject_kind = models.CharField("对象类别", max_length=40)
    subject_id = models.PositiveBigIntegerField("对象编号")
    subject_label = models.CharField("对象", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("风险类别", max_length=10, choices=Category.choices)
    level = models.CharField("风险等级", max_length=10, choices=Level.choices)
    description = models.TextField("风险描述")
    identified_on = models.DateField("发现日期")
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField("消除日期", null=True, blank=True)
    resolved_by = models.ForeignKey(USER, verbose_name="确认消除人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "安全风险"
        ordering = ["resolved_on", "level", "-identified_on"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self):
        return f"{self.subject_label} {self.get_category_display()}"


class Complaint(models.Model):
    """A complaint against a subject, and how it was handled."""

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        VISIT = "visit", "来访"
        LETTER = "letter", "信件"
        ONLINE = "online", "网上"

    class Outcome(models.TextChoices):
        OPEN = "open", "处理中"
        SUBSTANTIATED = "substantiated", "属实"
        UNFOUNDED = "unfounded", "不属实"

    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices)
    subject_kind = models.CharField("对象类别", max_length=40)
    subject_id = models.PositiveBigIntegerField("对象编号")
    subject_label = models.CharField("被投诉对象", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("收到日期")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    content = models.TextField("投诉内容")
    recorded_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("处理结果", max_length=15, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_note = models.CharField("处理说明", max_length=200, blank=True)
    handled_by = models.ForeignKey(USER, verbose_name="处理人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    handled_on = models.DateField("处理日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self):
        return f"{self.subject_label} 投诉"
