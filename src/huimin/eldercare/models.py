"""养老服务 (2), the providers' side: 养老机构 (备案, beds, residents, staff, 等级评定, the 异常 list), 社区养老服务设施
(日间照料中心, 助餐点) and 适老化改造 for poor older families. Their supervision (双随机, inspections, findings,
risks, complaints) is huimin.supervision's, with institutions registered as the subject kind
``eldercare.institution``."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from huimin.core.models import Region
from huimin.registry.models import Household, Person

USER = settings.AUTH_USER_MODEL


class Institution(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", "公办"
        PUBLIC_PRIVATE = "public_private", "公建民营"
        PRIVATE = "private", "民办"

    class Status(models.TextChoices):
        OPERATING = "operating", "运营中"
        SUSPENDED = "suspended", "暂停运营"
        CLOSED = "closed", "已停办"

    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("性质", max_length=20, choices=Kind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    operator = models.CharField("运营方", max_length=100)
    address = models.CharField("地址", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField("备案日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPERATING)
    nursing_beds = models.PositiveIntegerField("护理型床位", default=0)
    general_beds = models.PositiveIntegerField("非护理型床位", default=0)
    registered_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "养老机构"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name

    @property
    def beds(self) -> int:
        return self.nursing_beds + self.general_beds


class BedType(models.TextChoices):
    NURSING = "nursing", "护理型床位"
    GENERAL = "general", "非护理型床位"


class Resident(models.Model):
    """An older person living in an institution (a registry person); ``left_on`` ends the stay."""

    institution = models.ForeignKey(Institution, verbose_name="机构", on_delete=models.PROTECT,
                                    related_name="residents")  # fmt: skip
    person = models.ForeignKey(Person, verbose_name="入住老人", on_delete=models.PROTECT, related_name="+")
    bed_type = models.CharField("床位类型", max_length=10, choices=BedType.choices)
    admitted_on = models.DateField("入住日期")
    left_on = models.DateField("离院日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "入住老人"
        ordering = ["-admitted_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["person"], condition=models.Q(left_on__isnull=True),
                                               name="eldercare_one_current_stay")]  # fmt: skip

    def __str__(self):
        return f"{self.person_id}@{self.institution_id}"


class Staff(models.Model):
    class Post(models.TextChoices):
        CARER = "carer", "养老护理员"
        NURSE = "nurse", "护士"
        DOCTOR = "doctor", "医生"
        SOCIAL = "social", "社会工作者"
        MANAGER = "manager", "管理人员"
        OTHER = "other", "其他"

    institution = models.ForeignKey(Institution, verbose_name="机构", on_delete=models.PROTECT, related_name="staff")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("岗位", max_length=10, choices=Post.choices)
    qualification = models.CharField("资格（职业技能等级等）", max_length=100, blank=True)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True)
    hired_on = models.DateField("入职日期")
    left_on = models.DateField("离职日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构工作人员"
        ordering = ["post", "name"]

    def __str__(self):
        return self.name


class Rating(models.Model):
    """等级评定 (GB/T 37276 养老机构等级划分与评定): 1–5 stars, valid until a date."""

    institution = models.ForeignKey(Institution, verbose_name="机构", on_delete=models.PROTECT,
                                    related_name="ratings")  # fmt: skip
    stars = models.PositiveSmallIntegerField("星级", validators=[MinValueValidator(1), MaxValueValidator(5)])
    rated_on = models.DateField("评定日期")
    valid_until = models.DateField("有效期至")
    basis = models.CharField("评定依据", max_length=200)
    rated_by = models.ForeignKey(USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "等级评定"
        ordering = ["-rated_on", "-id"]

    def __str__(self):
        return f"{self.institution_id} {self.stars}星"


class Abnormal(models.Model):
    """An institution on the 异常 (经营异常/失信) list, until it is removed with its reason."""

    institution = models.ForeignKey(Institution, verbose_name="机构", on_delete=models.PROTECT,
                                    related_name="abnormal")  # fmt: skip
    reason = models.CharField("列入原因", max_length=200)
    listed_on = models.DateField("列入日期")
    listed_by = models.ForeignKey(USER, verbose_name="列入人", on_delete=models.PROTECT, related_name="+")
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removed_by = models.ForeignKey(USER, verbose_name="移出人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    removal_note = models.CharField("移出原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异常名录"
        ordering = ["-listed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["institution"], condition=models.Q(removed_on__isnull=True),
                                               name="eldercare_one_open_abnormal")]  # fmt: skip

    def __str__(self):
        return f"{self.institution_id} {self.reason}"


class Facility(models.Model):
    """A 社区养老服务设施 as a place: its opening status and its monthly use."""

    class Kind(models.TextChoices):
        DAY_CARE = "day_care", "日间照料中心"
        MEAL_POINT = "meal_point", "助餐点"
        STATION = "station", "综合养老服务站"

    class Status(models.TextChoices):
        PLANNED = "planned", "筹建中"
        OPEN = "open", "正常开放"
        SUSPENDED = "suspended", "暂停开放"
        CLOSED = "closed", "已关闭"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200)
    operator = models.CharField("运营方", max_length=100, blank=True)
    status = models.CharField("开放状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    status_since = models.DateField("状态起始日期")
    capacity = models.PositiveIntegerField("服务能力（人/日）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "社区养老服务设施"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class FacilityUse(models.Model):
    facility = models.ForeignKey(Facility, verbose_name="设施", on_delete=models.PROTECT, related_name="uses")
    month = models.DateField("月份")  # the first day
    visits = models.PositiveIntegerField("服务人次", default=0)
    meals = models.PositiveIntegerField("助餐份数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "设施使用情况"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["facility", "month"], name="eldercare_use_once_a_month")]

    def __str__(self):
        return f"{self.facility_id} {self.month:%Y-%m}"


class Retrofit(models.Model):
    """适老化改造 of a poor older family's home: application → assessment → works → acceptance → subsidy approved
    (by another person than the one who accepted) → paid once."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已申请"
        ASSESSED = "assessed", "已评估"
        WORKS = "works", "施工中"
        DONE = "done", "待验收"
        ACCEPTED = "accepted", "已验收"
        APPROVED = "approved", "补贴已审批"
        PAID = "paid", "补贴已发放"
        REJECTED = "rejected", "不予改造"

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, verbose_name="家庭", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField("申请日期")
    basis = models.CharField("困难情形", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPLIED)
    recorded_by = models.ForeignKey(USER, verbose_name="受理人", on_delete=models.PROTECT, related_name="+")
    items = models.TextField("改造项目", blank=True)
    estimated_cost = models.DecimalField("评估费用（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    assessed_by = models.ForeignKey(USER, verbose_name="评估人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    contractor = models.CharField("施工单位", max_length=100, blank=True)
    works_started_on = models.DateField("开工日期", null=True, blank=True)
    works_done_on = models.DateField("完工日期", null=True, blank=True)
    accepted_by = models.ForeignKey(USER, verbose_name="验收人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    subsidy = models.DecimalField("补贴金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    approved_by = models.ForeignKey(USER, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    approved_on = models.DateField("审批日期", null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    paid_by = models.ForeignKey(USER, verbose_name="发放登记人", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "适老化改造"
        ordering = ["-applied_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=~models.Q(status="rejected"),
                                               name="eldercare_one_retrofit_per_household")]  # fmt: skip

    def __str__(self):
        return f"适老化改造 {self.pk}"
