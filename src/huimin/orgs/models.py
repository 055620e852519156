"""社会组织, 慈善 and 志愿服务: the organisations registered by a 登记管理机关 (社会团体, 社会服务机构, 基金会), their
filings (登记, 变更, 注销), annual reports (年报/年检), credit (活动异常名录, 严重违法失信名单, penalties, 等级评估),
charity (慈善组织 recognition, donations, the spending ratios as data), volunteers and their hours, and the
township 社工站."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.fields import BlindIndexField, ProtectedField
from huimin.core.models import Region


class Kind(models.TextChoices):
    SOCIAL_GROUP = "social_group", "社会团体"
    SERVICE_ORG = "service_org", "社会服务机构"
    FOUNDATION = "foundation", "基金会"


class Organisation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        CANCELLED = "cancelled", "已注销"
        REVOKED = "revoked", "已撤销登记"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    authority = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="登记管理机关")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="住所所在区划")
    supervisor = models.CharField("业务主管单位", max_length=100, blank=True, help_text="直接登记的留空")
    legal_rep = models.CharField("法定代表人", max_length=50)
    capital = models.DecimalField("注册资金（万元）", max_digits=12, decimal_places=2)
    domicile = models.CharField("住所", max_length=200)
    scope = models.TextField("业务范围")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField("成立登记日期")
    ended_on = models.DateField("注销/撤销日期", null=True, blank=True)
    is_charity = models.BooleanField("慈善组织", default=False)
    charity_on = models.DateField("认定为慈善组织日期", null=True, blank=True)
    fundraising = models.BooleanField("具有公开募捐资格", default=False)
    portal_password = models.CharField("年报填报密码（散列）", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社会组织"
        ordering = ["authority_id", "name"]
        indexes = [models.Index(fields=["authority", "status"])]

    def __str__(self):
        return self.name


class Branch(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="branches", verbose_name="社会组织")
    name = models.CharField("分支机构名称", max_length=100)
    head = models.CharField("负责人", max_length=50)
    domicile = models.CharField("住所", max_length=200, blank=True)
    established_on = models.DateField("设立日期")

    class Meta:
        verbose_name = verbose_name_plural = "分支机构"

    def __str__(self):
        return self.name


class Filing(models.Model):
    """An application to the registration authority: 成立登记, 变更登记 or 注销登记, with its documents, decided
    by a second officer (core.duties procedure ``orgs.filing``)."""

    class Type(models.TextChoices):
        REGISTER = "register", "成立登记"
        CHANGE = "change", "变更登记"
        CANCEL = "cancel", "注销登记"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待决定"
        APPROVED = "approved", "准予登记"
        REFUSED = "refused", "不予登记"

    type = models.CharField("事项", max_length=20, choices=Type.choices)
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="filings", verbose_name="社会组织"
    )
    authority = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="登记管理机关")
    data = models.JSONField("申请事项", default=dict)
    documents = models.JSONField("申请材料", default=list)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="受理人"
    )
    submitted_at = models.DateTimeField("受理时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.CharField("决定理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记申请"
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.get_type_display()} {self.data.get('name', '')}"


class AnnualReport(models.Model):
    """年报: filed by the organisation in the portal, pre-checked by the 业务主管单位 (or the authority for
    directly registered ones), decided by the registration authority (年检结论)."""

    class Status(models.TextChoices):
        FILED = "filed", "已报送，待初审"
        RETURNED = "returned", "初审退回"
        PRECHECKED = "prechecked", "初审通过，待年检结论"
        DECIDED = "decided", "已作出年检结论"

    class Result(models.TextChoices):
        QUALIFIED = "qualified", "合格"
        BASIC = "basic", "基本合格"
        UNQUALIFIED = "unqualified", "不合格"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports", verbose_name="社会组织")
    year = models.PositiveSmallIntegerField("年度")
    data = models.JSONField("年报内容", default=dict)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.FILED)
    filed_at = models.DateTimeField("报送时间")
    precheck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="初审人",
    )
    precheck_at = models.DateTimeField("初审时间", null=True, blank=True)
    precheck_note = models.CharField("初审意见", max_length=300, blank=True)
    result = models.CharField("年检结论", max_length=20, choices=Result.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结论作出人",
    )
    decided_at = models.DateTimeField("结论时间", null=True, blank=True)
    decision_note = models.CharField("结论说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度报告"
        ordering = ["-year", "org__name"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="orgs_one_report_a_year")]

    def __str__(self):
        return f"{self.org} {self.year} 年度报告"


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", "活动异常名录"
    SERIOUS = "serious", "严重违法失信名单"


class CreditRule(models.Model):
    """A reason to enter a credit list, with its rules as data: the working days within which a decision must be
    entered, and (for the abnormal list) the years after which an entry not corrected moves to the serious list."""

    code = models.CharField("代码", max_length=30, unique=True)
    list = models.CharField("名单", max_length=20, choices=CreditList.choices)
    label = models.CharField("列入事由", max_length=100)
    basis = models.CharField("依据", max_length=200, blank=True)
    entry_workdays = models.PositiveSmallIntegerField("决定后录入时限（工作日）", default=5)
    move_after_years = models.PositiveSmallIntegerField("满几年未移出转入严重违法失信名单", null=True, blank=True)
    exit_on_correction = models.CharField("移出条件", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信用名单列入事由"
        ordering = ["list", "order"]

    def __str__(self):
        return self.label


class CreditEntry(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit", verbose_name="社会组织")
    rule = models.ForeignKey(CreditRule, on_delete=models.PROTECT, verbose_name="列入事由")
    list = models.CharField("名单", max_length=20, choices=CreditList.choices)
    decided_on = models.DateField("决定日期")
    decision_no = models.CharField("决定书文号", max_length=60, blank=True)
    entered_on = models.DateField("录入日期")
    entered_by = models.CharField("录入人", max_length=150)
    due_by = models.DateField("录入时限")
    note = models.CharField("说明", max_length=300, blank=True)
    report_year = models.PositiveSmallIntegerField("未报年度", null=True, blank=True)
    finding_id = models.PositiveBigIntegerField(
        "抽查发现问题编号", null=True, blank=True, help_text="因抽查发现问题逾期未整改列入时，该问题（监督检查）的编号"
    )
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.CharField("移出理由", max_length=300, blank=True)
    exited_by = models.CharField("移出人", max_length=150, blank=True)
    moved_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_to",
        verbose_name="由活动异常名录转入",
    )

    class Meta:
        verbose_name = verbose_name_plural = "信用名单记录"
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "rule"], condition=Q(exited_on__isnull=True), name="orgs_one_open_entry_per_reason"
            ),
        ]

    def __str__(self):
        return f"{self.org} {self.get_list_display()}"

    @property
    def late(self) -> bool:
        return self.entered_on > self.due_by


class Penalty(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", "警告"
        FINE = "fine", "罚款"
        CONFISCATE = "confiscate", "没收违法所得"
        SUSPEND = "suspend", "限期停止活动"
        REVOKE = "revoke", "撤销登记"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="penalties", verbose_name="社会组织")
    kind = models.CharField("处罚种类", max_length=20, choices=Kind.choices)
    decided_on = models.DateField("决定日期")
    decision_no = models.CharField("决定书文号", max_length=60)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    facts = models.CharField("违法事实", max_length=300)
    recorded_by = models.CharField("录入人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "行政处罚"
        ordering = ["-decided_on"]

    def __str__(self):
        return f"{self.org} {self.get_kind_display()}"


class Grading(models.Model):
    class Grade(models.IntegerChoices):
        A1 = 1, "1A"
        A2 = 2, "2A"
        A3 = 3, "3A"
        A4 = 4, "4A"
        A5 = 5, "5A"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="gradings", verbose_name="社会组织")
    grade = models.PositiveSmallIntegerField("评估等级", choices=Grade.choices)
    decided_on = models.DateField("评定日期")
    valid_until = models.DateField("有效期至")
    recorded_by = models.CharField("录入人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "社会组织等级评估"
        ordering = ["-decided_on"]

    def __str__(self):
        return f"{self.org} {self.get_grade_display()}"


class CharityRatio(models.Model):
    """The legal ratios of a 慈善组织's yearly spending, as data (慈善法 and 民政部令 on 慈善组织 spending): the
    charitable activities of a year at least ``min_spending_pct`` of the base (the previous year's total income for
    organisations with public fundraising, otherwise the average net assets of the previous three years), and the
    management costs at most ``max_admin_pct`` of the total spending."""

    fundraising = models.BooleanField("具有公开募捐资格")
    min_spending_pct = models.DecimalField("年度慈善活动支出不低于（%）", max_digits=5, decimal_places=2)
    max_admin_pct = models.DecimalField("管理费用不高于（%）", max_digits=5, decimal_places=2)
    basis = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "慈善组织支出比例"
        constraints = [models.UniqueConstraint(fields=["fundraising"], name="orgs_one_ratio_per_kind")]

    def __str__(self):
        return f"{'公募' if self.fundraising else '非公募'} ≥{self.min_spending_pct}%"


class Donation(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网络募捐"
        OFFLINE = "offline", "线下捐赠"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="donations", verbose_name="慈善组织")
    donor = models.CharField("捐赠人", max_length=100)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2)
    purpose = models.CharField("用途", max_length=200)
    received_on = models.DateField("收到日期")
    channel = models.CharField("方式", max_length=20, choices=Channel.choices)
    recorded_by = models.CharField("录入人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠记录"
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.donor} → {self.org} {self.amount}"


class Volunteer(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_number = ProtectedField("身份证号", kind="id_number")
    id_number_bidx = BlindIndexField()
    phone = ProtectedField("手机号", kind="phone", blank=True)
    phone_bidx = BlindIndexField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记人口"
    )
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="volunteers", verbose_name="所属志愿服务组织"
    )
    registered_on = models.DateField("注册日期")

    class Meta:
        verbose_name = verbose_name_plural = "志愿者"
        ordering = ["org_id", "name"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activities", verbose_name="组织")
    title = models.CharField("活动名称", max_length=100)
    held_on = models.DateField("活动日期")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="活动地点")

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务活动"
        ordering = ["-held_on"]

    def __str__(self):
        return self.title


class ServiceHours(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="hours", verbose_name="活动")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours", verbose_name="志愿者")
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1)
    recorded_by = models.CharField("录入人", max_length=150)
    confirmed_by = models.CharField("确认人", max_length=150, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "志愿服务时长"
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="orgs_hours_once")]

    def __str__(self):
        return f"{self.volunteer} {self.hours}h"


class SocialWorkStation(models.Model):
    """乡镇（街道）社工站."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）")
    name = models.CharField("名称", max_length=100)
    operator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="运营机构"
    )
    social_workers = models.PositiveSmallIntegerField("驻站社工人数", default=0)
    services = models.CharField("服务内容", max_length=300, blank=True)
    opened_on = models.DateField("建成日期")

    class Meta:
        verbose_name = verbose_name_plural = "乡镇社工站"
        ordering = ["region_id"]

    def __str__(self):
        return self.name
