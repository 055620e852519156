"""居家社区养老服务: the service catalogue with regional prices, providers and their contracts, orders for older
people, service records with the worker's check-in and the older person's confirmation, quality follow-up calls,
the monthly settlement per provider (with the impossible records flagged, not paid) and the 智慧养老 devices and
their alarms. Every figure is data: prices and settings per region (core.regions.in_force), the duty roster."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from huimin.core.models import Region
from huimin.registry.models import Person


class Setting(models.Model):
    """A figure of 居家养老 for a region subtree (null region = everywhere) from a date; the most specific region,
    then the latest date wins (core.regions.in_force). Seeded from huimin.homecare.defaults.SETTINGS."""

    class Key(models.TextChoices):
        FOLLOWUP_PERCENT = "followup_percent", "质量回访抽样比例（%）"
        ESCALATE_MINUTES = "escalate_minutes", "告警未响应升级时限（分钟）"
        MIDNIGHT_GRACE = "midnight_grace", "服务跨零点宽限（分钟）"
        ELDERLY_AGE = "elderly_age", "服务对象起算年龄（周岁）"

    key = models.CharField("项目", max_length=30, choices=Key.choices)
    region = models.ForeignKey(Region, verbose_name="适用区划", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    effective_from = models.DateField("起始日期")
    value = models.DecimalField("数值", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "居家养老参数"
        ordering = ["key", "region_id", "-effective_from"]

    def __str__(self):
        return f"{self.get_key_display()} {self.value}"


class ServiceItem(models.Model):
    """A service of the catalogue (助餐, 助浴 …): its unit (per visit or per hour) and the longest a record of it
    may last (a longer record is flagged)."""

    class Unit(models.TextChoices):
        VISIT = "visit", "次"
        HOUR = "hour", "小时"

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=30)
    unit = models.CharField("计价单位", max_length=10, choices=Unit.choices, default=Unit.VISIT)
    max_minutes = models.PositiveSmallIntegerField(
        "单次时长上限（分钟）", default=240, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    description = models.CharField("服务内容", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "居家养老服务项目"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Price(models.Model):
    """The unit price of a service item in a region subtree from a date (null region = the whole city)."""

    item = models.ForeignKey(ServiceItem, verbose_name="服务项目", on_delete=models.PROTECT, related_name="prices")
    region = models.ForeignKey(Region, verbose_name="适用区划", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    effective_from = models.DateField("起始日期")
    unit_price = models.DecimalField("单价（元）", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    source = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务单价"
        ordering = ["item__order", "region_id", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["item", "region", "effective_from"],
                                               name="homecare_one_price_per_day")]  # fmt: skip

    def __str__(self):
        return f"{self.item} {self.unit_price} 元"


class Provider(models.Model):
    """A service provider: an institution, a community centre, a company. Its system reports device events with
    the token of its API client (huimin.apiclients)."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", "养老机构"
        CENTRE = "centre", "社区养老服务中心"
        COMPANY = "company", "企业"
        ORGANISATION = "organisation", "社会组织"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_person = models.CharField("负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    api_client = models.OneToOneField("apiclients.ApiClient", verbose_name="接口客户端", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="homecare_provider")  # fmt: skip
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "居家养老服务商"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Contract(models.Model):
    """A provider contracted to serve a region subtree for a period (both ends included)."""

    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="contracts")
    region = models.ForeignKey(Region, verbose_name="服务区域", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("合同编号", max_length=40, unique=True)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务合同"
        ordering = ["provider_id", "-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="homecare_contract_period")]  # fmt: skip

    def __str__(self):
        return f"{self.number}（{self.starts_on}—{self.ends_on}）"


class Worker(models.Model):
    """A provider's service worker (护理员), who checks in for each service."""

    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="workers")
    code = models.CharField("工号", max_length=30)
    name = models.CharField("姓名", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "服务人员"
        ordering = ["provider_id", "code"]
        constraints = [models.UniqueConstraint(fields=["provider", "code"], name="homecare_worker_code")]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Order(models.Model):
    """A service ordered for an older person from a contracted provider. ``subsidy_percent`` of each record's
    amount is paid from the subsidy (100 补贴, 0 自费, between: both), up to ``monthly_allowance`` a month for
    this order. The allowance is the hook for the person's 经济困难老年人养老服务补贴 entitlement: until that
    programme supplies it (services.subsidy_allowance), it is entered with the order."""

    class Funding(models.TextChoices):
        SUBSIDY = "subsidy", "政府补贴"
        SELF = "self", "自费"
        MIXED = "mixed", "补贴+自费"

    class Status(models.TextChoices):
        ACTIVE = "active", "服务中"
        ENDED = "ended", "已终止"

    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="居住地", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="orders")
    contract = models.ForeignKey(Contract, verbose_name="服务合同", on_delete=models.PROTECT, related_name="orders")
    item = models.ForeignKey(ServiceItem, verbose_name="服务项目", on_delete=models.PROTECT, related_name="+")
    funding = models.CharField("资金来源", max_length=10, choices=Funding.choices)
    subsidy_percent = models.PositiveSmallIntegerField("补贴比例（%）", validators=[MaxValueValidator(100)])
    monthly_allowance = models.DecimalField("每月补贴额度（元）", max_digits=10, decimal_places=2, default=0)
    unit_price = models.DecimalField("单价（元）", max_digits=8, decimal_places=2)
    starts_on = models.DateField("起始日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务订单"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self):
        return f"{self.person.name} {self.item}"


class ServiceRecord(models.Model):
    """One service delivered: start and end, the worker's check-in (time and place as the worker recorded them)
    and the confirmation by the older person or the family. ``minutes`` and ``start_minute`` (minute of the day
    the service began) are kept so that the settlement's rules are plain comparisons in one query;
    ``amount`` and ``subsidy_amount`` are fixed when the record is entered."""

    class ConfirmedBy(models.TextChoices):
        SELF = "self", "老年人本人"
        FAMILY = "family", "家属"

    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.PROTECT, related_name="records")
    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="居住地", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(Worker, verbose_name="服务人员", on_delete=models.PROTECT, related_name="records")
    service_date = models.DateField("服务日期")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    minutes = models.IntegerField("时长（分钟）")
    start_minute = models.PositiveSmallIntegerField("开始时刻（当日第几分钟）")
    units = models.DecimalField("数量", max_digits=6, decimal_places=2)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    subsidy_amount = models.DecimalField("补贴金额（元）", max_digits=10, decimal_places=2)
    checkin_at = models.DateTimeField("签到时间", null=True, blank=True)
    checkin_location = models.CharField("签到位置", max_length=100, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.CharField("确认人", max_length=10, choices=ConfirmedBy.choices, blank=True)
    created_by = models.CharField("录入人", max_length=150, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务记录"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["region", "service_date"]),
            models.Index(fields=["provider", "service_date"]),
            models.Index(fields=["worker", "started_at"]),
        ]

    def __str__(self):
        return f"{self.order_id} {self.started_at:%Y-%m-%d %H:%M}"


class Rule(models.TextChoices):
    """The rules that refuse a record in the settlement (huimin.homecare.settlement.RULES)."""

    OVERLAP = "overlap", "同一服务人员时间重叠"
    END_BEFORE_START = "end_before_start", "结束时间不晚于开始时间"
    TOO_LONG = "too_long", "服务时长超过上限"
    MIDNIGHT = "midnight", "跨零点超过宽限"
    DEAD = "dead", "服务日前已死亡"
    OUT_OF_CONTRACT = "out_of_contract", "不在合同期内"
    UNCONFIRMED = "unconfirmed", "未经老年人或家属确认"


class RecordFlag(models.Model):
    """A rule a record breaks, found when its month is checked; a flagged record is not paid."""

    record = models.ForeignKey(ServiceRecord, verbose_name="服务记录", on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField("规则", max_length=20, choices=Rule.choices)
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "异常服务记录"
        constraints = [models.UniqueConstraint(fields=["record", "rule"], name="homecare_one_flag_per_rule")]

    def __str__(self):
        return self.reason


class FollowUp(models.Model):
    """A quality follow-up call on a record drawn at random (the ratio is a setting; the seed is kept)."""

    record = models.OneToOneField(ServiceRecord, verbose_name="服务记录", on_delete=models.CASCADE,
                                  related_name="followup")  # fmt: skip
    seed = models.CharField("抽样种子", max_length=40)
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    called_at = models.DateTimeField("回访时间", null=True, blank=True)
    called_by = models.CharField("回访人", max_length=150, blank=True)
    satisfied = models.BooleanField("满意", null=True, blank=True)
    note = models.CharField("回访记录", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "质量回访"
        ordering = ["-drawn_at", "-id"]

    def __str__(self):
        return f"回访 {self.record_id}"


class Settlement(models.Model):
    """The monthly settlement of a county: what each provider is owed from subsidies. Built, reviewed and
    approved by three different people (职责分离, as the payroll)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待复核"
        REVIEWED = "reviewed", "已复核"
        APPROVED = "approved", "已审批"

    region = models.ForeignKey(Region, verbose_name="区县", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("结算月份")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    records = models.PositiveIntegerField("结算记录数", default=0)
    flagged = models.PositiveIntegerField("异常记录数", default=0)
    total = models.DecimalField("补贴结算金额（元）", max_digits=14, decimal_places=2, default=0)
    built_by = models.CharField("生成人", max_length=150)
    built_at = models.DateTimeField("生成时间")
    reviewed_by = models.CharField("复核人", max_length=150, blank=True)
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    approved_by = models.CharField("审批人", max_length=150, blank=True)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "居家养老服务结算"
        ordering = ["-month", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="homecare_one_settlement")]

    def __str__(self):
        return f"{self.month:%Y年%m月} 居家养老服务结算"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="+")
    records = models.PositiveIntegerField("结算记录数")
    flagged = models.PositiveIntegerField("异常记录数")
    amount = models.DecimalField("服务金额（元）", max_digits=14, decimal_places=2)
    subsidy = models.DecimalField("应付补贴（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "结算明细"
        ordering = ["provider__name"]

    def __str__(self):
        return f"{self.provider_id} {self.subsidy}"


# --- 智慧养老: devices and alarms ------------------------------------------------------------------------------


class Device(models.Model):
    """A home monitoring device of an older person, looked after by a provider. A device silent longer than
    ``heartbeat_minutes`` raises its own alarm."""

    class Kind(models.TextChoices):
        BUTTON = "button", "紧急呼叫按钮"
        FALL = "fall", "跌倒探测器"
        SMOKE = "smoke", "烟雾报警器"
        GAS = "gas", "燃气报警器"
        WATER = "water", "水浸探测器"

    serial = models.CharField("设备编号", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="安装地", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="devices")
    heartbeat_minutes = models.PositiveIntegerField("心跳间隔（分钟）", default=60, validators=[MinValueValidator(1)])
    family_name = models.CharField("家属联系人", max_length=50, blank=True)
    family_phone = models.CharField("家属电话", max_length=30, blank=True)
    installed_on = models.DateField("安装日期")
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "智慧养老设备"
        ordering = ["region_id", "serial"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial}"


class DutyShift(models.Model):
    """The duty roster as data: who answers an alarm of a region subtree at ``level`` (1 first, 2 after one
    escalation …) between two times of day (``ends`` before ``starts`` spans midnight). A family shift takes the
    name and phone from the device."""

    class Responder(models.TextChoices):
        FAMILY = "family", "家属"
        ASSISTANT = "assistant", "协理员"
        PROVIDER = "provider", "服务商"

    region = models.ForeignKey(Region, verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    level = models.PositiveSmallIntegerField("响应级别", validators=[MinValueValidator(1), MaxValueValidator(9)])
    responder = models.CharField("响应人类型", max_length=10, choices=Responder.choices)
    name = models.CharField("值班人", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    starts = models.TimeField("开始时刻")
    ends = models.TimeField("结束时刻")
    effective_from = models.DateField("起始日期")

    class Meta:
        verbose_name = verbose_name_plural = "告警值班表"
        ordering = ["region_id", "level", "starts"]

    def __str__(self):
        return f"{self.level}级 {self.get_responder_display()} {self.name}"


class Alarm(models.Model):
    class Kind(models.TextChoices):
        BUTTON = "button", "紧急呼叫"
        FALL = "fall", "跌倒"
        SMOKE = "smoke", "烟雾"
        GAS = "gas", "燃气泄漏"
        WATER = "water", "水浸"
        SILENT = "silent", "设备失联"

    class Status(models.TextChoices):
        OPEN = "open", "待响应"
        ACKNOWLEDGED = "acknowledged", "处置中"
        CLOSED = "closed", "已关闭"

    class Outcome(models.TextChoices):
        FALSE_ALARM = "false_alarm", "误报"
        VISITED = "visited", "上门处置"
        HOSPITAL = "hospital", "送医"
        EMERGENCY = "emergency", "报警/消防处置"
        DEVICE_FIXED = "device_fixed", "设备已修复"
        OTHER = "other", "其他"

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="alarms")
    person = models.ForeignKey(Person, verbose_name="老年人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name="服务商", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("告警类型", max_length=10, choices=Kind.choices)
    event_id = models.CharField("事件编号", max_length=60, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    raised_at = models.DateTimeField("接收时间")
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.OPEN)
    level = models.PositiveSmallIntegerField("响应级别", default=1)
    responder = models.CharField("响应人类型", max_length=10, choices=DutyShift.Responder.choices, blank=True)
    responder_name = models.CharField("响应人", max_length=50, blank=True)
    responder_phone = models.CharField("响应人电话", max_length=30, blank=True)
    dispatched_at = models.DateTimeField("派发时间")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    acknowledged_by = models.CharField("响应人账号", max_length=150, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.CharField("关闭人", max_length=150, blank=True)
    outcome = models.CharField("处置结果", max_length=15, choices=Outcome.choices, blank=True)
    note = models.CharField("处置说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "智慧养老告警"
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "dispatched_at"]), models.Index(fields=["region", "raised_at"])]
        constraints = [models.UniqueConstraint(fields=["device", "event_id"], condition=~Q(event_id=""),
                                               name="homecare_alarm_event_once")]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()}告警 {self.device.serial}"
