"""流浪乞讨救助: 救助站 (stations), the legal period before an unidentified person is placed (as data), and each
stay: the intake (who, found where and by whom, health check, belongings), the daily records, the 寻亲 searches,
and its end — returned home with the receiving party's confirmation, placed in 特困 供养 through the assistance
application machinery, or left."""

from django.db import models

from huimin.core.fields import BlindIndexField, ProtectedField, ProtectedLookupMixin
from huimin.core.models import Region
from huimin.registry import codes
from huimin.registry.models import Person


class Station(models.Model):
    """A 救助管理站 run by a county (or a city) 民政局."""

    scope_region_field = "region"

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    address = models.CharField("地址", max_length=200, blank=True)
    beds = models.PositiveIntegerField("床位", default=0)
    phone = models.CharField("求助电话", max_length=30, blank=True)
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助管理站"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class PlacementPeriod(models.Model):
    """How long a person stays unidentified before the station may refer him to 特困 供养 (for example 90 days):
    the most specific region wins, then the latest effective date (``core.regions.in_force``)."""

    scope_region_field = "region"

    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="适用区划（空为全部）")  # fmt: skip
    days = models.PositiveSmallIntegerField("法定寻亲期限（天）")
    effective_from = models.DateField("生效日期")
    basis = models.CharField("政策依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "寻亲期限"
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.days} 天（{self.effective_from}起）"


class FoundBy(models.TextChoices):
    POLICE = "police", "公安机关护送"
    CITY = "city", "城市管理部门引导"
    PUBLIC = "public", "群众发现报告"
    SELF = "self", "本人主动求助"
    OTHER = "other", "其他单位转送"


class Health(models.TextChoices):
    NORMAL = "normal", "未见异常"
    ILL = "ill", "患病"
    INJURED = "injured", "受伤"
    MENTAL = "mental", "疑似精神障碍"
    INFECTIOUS = "infectious", "疑似传染病"


class Stay(ProtectedLookupMixin, models.Model):
    """One person's stay at a station, from the intake to the return home, the placement or leaving."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        IN_STATION = "in_station", "在站"
        RETURNING = "returning", "待接送返回"
        RETURNED = "returned", "已返回"
        PLACED = "placed", "已转特困供养"
        LEFT = "left", "自行离站"

    class Identified(models.TextChoices):
        NONE = "", "未查明"
        SELF = "self", "本人自述并核实"
        REGISTRY = "registry", "对象库比对"
        DEPARTMENT = "department", "部门数据比对"
        NATIONAL = "national", "全国救助寻亲网"
        POLICE = "police", "公安机关比对"

    class ReturnMethod(models.TextChoices):
        ESCORT = "escort", "救助站护送返回"
        FETCHED = "fetched", "亲属或当地接回"
        TICKET = "ticket", "购票自行返回"

    number = models.CharField("救助编号", max_length=30, unique=True)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="stays", verbose_name="救助站")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    # the person: a registry person once identified there, else the name given (or 无名氏) and the description
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="对象库人员")  # fmt: skip
    name = models.CharField("姓名", max_length=50, default="无名氏")
    id_number = ProtectedField("身份证号", kind="id_number")
    id_number_bidx = BlindIndexField()
    sex = models.CharField("性别", max_length=1, choices=codes.Sex.choices, default=codes.Sex.UNKNOWN)
    apparent_age = models.PositiveSmallIntegerField("估计年龄", null=True, blank=True)
    description = models.TextField("体貌特征", blank=True)
    accent = models.CharField("口音/方言", max_length=50, blank=True)
    photo = models.FileField("照片", upload_to="relief/photos/%Y/%m/", blank=True)
    found_place = models.CharField("发现地点", max_length=200)
    found_by = models.CharField("发现/护送方", max_length=10, choices=FoundBy.choices)
    found_by_detail = models.CharField("护送单位或报告人", max_length=100, blank=True)
    found_on = models.DateField("发现日期")
    admitted_on = models.DateField("入站日期")
    health = models.CharField("健康检查结论", max_length=12, choices=Health.choices)
    health_note = models.TextField("健康检查记录", blank=True)
    belongings = models.TextField("随身物品", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.IN_STATION)
    identified = models.CharField("身份查明方式", max_length=12, choices=Identified.choices, blank=True)
    identified_on = models.DateField("身份查明日期", null=True, blank=True)
    hometown = models.CharField("户籍地/家庭住址", max_length=200, blank=True)
    return_method = models.CharField("返回方式", max_length=10, choices=ReturnMethod.choices, blank=True)
    return_destination = models.CharField("返回目的地", max_length=200, blank=True)
    receiver_name = models.CharField("接收人", max_length=50, blank=True)
    receiver_relation = models.CharField("接收人身份/关系", max_length=50, blank=True)
    receiver_phone = ProtectedField("接收人电话", kind="phone")
    receiver_phone_bidx = BlindIndexField()
    return_arranged_on = models.DateField("安排返回日期", null=True, blank=True)
    returned_on = models.DateField("交接日期", null=True, blank=True)
    receiver_confirmation = models.CharField("接收确认（回执）", max_length=200, blank=True)
    application = models.ForeignKey("assistance.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="特困供养申请")  # fmt: skip
    placed_on = models.DateField("转介日期", null=True, blank=True)
    left_on = models.DateField("离站日期", null=True, blank=True)
    left_reason = models.CharField("离站说明", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "救助记录"
        ordering = ["-admitted_on", "-id"]
        indexes = [models.Index(fields=["station", "status"]), models.Index(fields=["region", "admitted_on"])]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.IN_STATION, self.Status.RETURNING)

    @property
    def ended_on(self):
        return self.returned_on or self.placed_on or self.left_on


class DailyRecord(models.Model):
    """The day's record of a person in the station (meals, condition, what was done)."""

    scope_region_field = "stay__region"

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="days", verbose_name="救助记录")
    day = models.DateField("日期")
    meals = models.PositiveSmallIntegerField("用餐（餐）", default=3)
    condition = models.CharField("身体状况", max_length=12, choices=Health.choices, default=Health.NORMAL)
    note = models.CharField("情况记录", max_length=300, blank=True)
    recorded_by = models.CharField("记录人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "在站日志"
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["stay", "day"], name="relief_one_record_a_day")]

    def __str__(self):
        return f"{self.stay_id} {self.day}"


class Search(models.Model):
    """A 寻亲 search: in Huimin's registry (features, region-scoped), or asked of a department, the police or the
    national 全国救助寻亲网 (out of Huimin's reach: the request and its outcome are recorded)."""

    scope_region_field = "stay__region"

    class Channel(models.TextChoices):
        REGISTRY = "registry", "对象库比对"
        DEPARTMENT = "department", "部门数据比对"
        NATIONAL = "national", "全国救助寻亲网"
        POLICE = "police", "公安机关（人像、DNA）比对"
        MEDIA = "media", "媒体寻亲公告"

    class Outcome(models.TextChoices):
        PENDING = "pending", "待反馈"
        FOUND = "found", "查明身份"
        NOT_FOUND = "not_found", "未查明"

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="searches", verbose_name="救助记录")
    channel = models.CharField("寻亲渠道", max_length=12, choices=Channel.choices)
    requested_on = models.DateField("发起日期")
    criteria = models.JSONField("比对条件", default=dict, blank=True)
    candidates = models.PositiveIntegerField("候选人数", default=0)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)
    closed_on = models.DateField("反馈日期", null=True, blank=True)
    created_by = models.CharField("发起人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "寻亲记录"
        ordering = ["-requested_on", "-id"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.requested_on}"
