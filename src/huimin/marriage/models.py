"""婚姻登记: registry offices and their appointments, the marriage records (registrations, divorces and the
digitised paper archive), refusals, 协议离婚 applications with their cooling-off windows, counselling, 补领,
court judgments and corrections. A party is identified by the ID number (protected, with a blind index) and may
come from anywhere in the country: the identity fields are kept on the record, and a registry person is linked
when there is one."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huimin.core.fields import BlindIndexField, ProtectedField, ProtectedLookupMixin
from huimin.core.models import Region
from huimin.registry import codes
from huimin.registry.models import Person


class Office(models.Model):
    """A 婚姻登记机关 (the county's 婚姻登记处): its hours, windows and daily capacity, and how it numbers its
    certificates (``number_format``: {prefix} {area} {year} {seq} — the region's numbering as data)."""

    scope_region_field = "region"

    code = models.CharField("机关代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("办公时间", max_length=200, default="周一至周五 9:00–12:00，13:30–17:00")
    windows = models.PositiveSmallIntegerField("窗口数", default=2)
    daily_capacity = models.PositiveSmallIntegerField("每日可预约数", default=40)
    open_weekdays = models.CharField("办公日（周一=1）", max_length=7, default="12345")
    number_format = models.CharField("证件字号格式", max_length=60, default="{prefix}{area}-{year}-{seq:06d}")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "婚姻登记机关"
        ordering = ["code"]

    def __str__(self):
        return self.name


class SpecialDate(models.Model):
    """A popular date (5月20日, 七夕, 春节前 …) with its own capacity: configured as data per year (七夕 is a lunar
    date, so each year's day is entered, not computed); ``office`` empty = every office. It opens the office even
    on a weekend."""

    office = models.ForeignKey(Office, verbose_name="登记机关", null=True, blank=True, on_delete=models.CASCADE)
    day = models.DateField("日期")
    name = models.CharField("名称", max_length=30)
    capacity = models.PositiveSmallIntegerField("当日可预约数")

    class Meta:
        verbose_name = verbose_name_plural = "特殊日期"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


class Kind(models.TextChoices):
    MARRIAGE = "marriage", "结婚登记"
    DIVORCE_APPLY = "divorce_apply", "离婚申请"
    DIVORCE = "divorce", "离婚登记"
    REISSUE = "reissue", "补领婚姻登记证"


class Appointment(ProtectedLookupMixin, models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CANCELLED = "cancelled", "已取消"
        SERVED = "served", "已办理"
        NO_SHOW = "no_show", "未到"

    number = models.CharField("预约号", max_length=20, unique=True)
    office = models.ForeignKey(Office, verbose_name="登记机关", on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    day = models.DateField("预约日期")
    name = models.CharField("预约人", max_length=50)
    id_number = ProtectedField("身份证号", kind="id_number")
    id_number_bidx = BlindIndexField()
    partner_name = models.CharField("另一方姓名", max_length=50, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.BOOKED)
    walk_in = models.BooleanField("现场取号", default=False)
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        indexes = [models.Index(fields=["office", "day", "status"])]

    def __str__(self):
        return self.number


class Record(ProtectedLookupMixin, models.Model):
    """One marriage record: a 结婚登记 or 离婚登记 made here, or a digitised paper record (``source`` 档案).
    ``status`` of a 结婚 record says whether the marriage subsists; the subsisting-marriage check reads every
    region's records through the two partial indexes on the parties' blind indexes."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        DISSOLVED = "dissolved", "已离婚"
        ANNULLED = "annulled", "已撤销（法院判决）"
        VOID = "void", "已宣告无效（法院判决）"
        DECEASED = "deceased", "一方死亡"

    class Source(models.TextChoices):
        REGISTERED = "registered", "本系统登记"
        ARCHIVE = "archive", "历史档案数字化"

    kind = models.CharField("类别", max_length=10, choices=[("marriage", "结婚"), ("divorce", "离婚")])
    number = models.CharField("证件字号", max_length=40, unique=True)
    office = models.ForeignKey(Office, verbose_name="登记机关", null=True, blank=True, on_delete=models.PROTECT)
    office_name = models.CharField("登记机关名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="登记机关区划", on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField("登记日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID)
    status_on = models.DateField("状态变更日期", null=True, blank=True)
    status_basis = models.CharField("状态变更依据", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.REGISTERED)
    marriage = models.ForeignKey(
        "self", verbose_name="所解除的婚姻", null=True, blank=True, on_delete=models.PROTECT, related_name="divorces"
    )
    agreement = models.TextField("离婚协议（子女抚养、财产及债务处理）", blank=True)
    first_marriage_male = models.BooleanField("男方初婚", default=True)
    first_marriage_female = models.BooleanField("女方初婚", default=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verify_token = models.CharField("核验码", max_length=32, unique=True)
    scan = models.FileField("档案扫描件", upload_to="marriage/archive/%Y/", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    male_name = models.CharField("男方姓名", max_length=50)
    male_id_number = ProtectedField("男方身份证号", kind="id_number")
    male_id_number_bidx = BlindIndexField()
    male_birth_date = models.DateField("男方出生日期", null=True, blank=True)
    male_person = models.ForeignKey(
        Person, verbose_name="男方（人员库）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    female_name = models.CharField("女方姓名", max_length=50)
    female_id_number = ProtectedField("女方身份证号", kind="id_number")
    female_id_number_bidx = BlindIndexField()
    female_birth_date = models.DateField("女方出生日期", null=True, blank=True)
    female_person = models.ForeignKey(
        Person, verbose_name="女方（人员库）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "婚姻登记档案"
        indexes = [
            models.Index(
                fields=["male_id_number_bidx"],
                condition=Q(kind="marriage", status="valid"),
                name="marriage_subsisting_male",
            ),
            models.Index(
                fields=["female_id_number_bidx"],
                condition=Q(kind="marriage", status="valid"),
                name="marriage_subsisting_female",
            ),
            models.Index(fields=["region", "registered_on"]),
            models.Index(fields=["male_name"]),
            models.Index(fields=["female_name"]),
        ]

    def __str__(self):
        return self.number


class Counter(models.Model):
    """The gap-free sequence of certificate numbers per office, year and prefix (locked FOR UPDATE)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year", "prefix"], name="marriage_counter_unique")]

    def __str__(self):
        return f"{self.office_id}-{self.year}-{self.prefix}: {self.last}"


class Refusal(models.Model):
    """不予登记: the officer's reasons (each a rule's article and message), printable for the parties."""

    scope_region_field = "office__region"

    office = models.ForeignKey(Office, verbose_name="登记机关", on_delete=models.PROTECT)
    kind = models.CharField("事项", max_length=20, choices=Kind.choices, default=Kind.MARRIAGE)
    day = models.DateField("日期")
    male_name = models.CharField("男方姓名", max_length=50)
    female_name = models.CharField("女方姓名", max_length=50)
    reasons = models.JSONField("不予登记理由", default=list)
    note = models.CharField("登记员说明", max_length=300, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记员", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "不予登记"

    def __str__(self):
        return f"不予登记 {self.male_name}、{self.female_name} {self.day}"


class DivorceApplication(models.Model):
    """A joint 离婚登记申请 with the agreement: received, 冷静期, then the registration window (periods.py)."""

    scope_region_field = "office__region"

    class Status(models.TextChoices):
        COOLING = "cooling", "冷静期内"
        WAITING = "waiting", "待登记"
        WITHDRAWN = "withdrawn", "已撤回"
        LAPSED = "lapsed", "视为撤回（逾期未登记）"
        REGISTERED = "registered", "已登记离婚"

    number = models.CharField("申请编号", max_length=30, unique=True)
    office = models.ForeignKey(Office, verbose_name="受理机关", on_delete=models.PROTECT)
    marriage = models.ForeignKey(
        Record, verbose_name="婚姻登记记录", on_delete=models.PROTECT, related_name="divorce_applications"
    )
    received_on = models.DateField("受理日期")
    cooling_end = models.DateField("冷静期届满日")
    register_end = models.DateField("登记期限届满日")
    agreement = models.TextField("离婚协议（子女抚养、财产及债务处理）")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.COOLING)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    withdrawn_by = models.CharField("撤回方", max_length=50, blank=True)
    record = models.OneToOneField(
        Record, verbose_name="离婚登记", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "离婚登记申请"
        indexes = [models.Index(fields=["status", "register_end"])]

    def __str__(self):
        return self.number


class Counselling(models.Model):
    application = models.ForeignKey(DivorceApplication, on_delete=models.CASCADE, related_name="counselling")
    day = models.DateField("辅导日期")
    counsellor = models.CharField("辅导员", max_length=50)
    attended = models.BooleanField("已参加", default=False)
    note = models.CharField("记录", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "婚姻家庭辅导"

    def __str__(self):
        return f"辅导 {self.day} {self.counsellor}"


class Request(models.Model):
    """An act needing a second officer (DutySeparation in the app: the requester may not approve): 补领 from the
    archive record, a correction of a record's field, or a court judgment's 撤销/无效."""

    scope_region_field = "record__region"

    class What(models.TextChoices):
        REISSUE = "reissue", "补领婚姻登记证"
        CORRECTION = "correction", "更正档案记录"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    what = models.CharField("事项", max_length=12, choices=What.choices)
    record = models.ForeignKey(Record, verbose_name="档案记录", on_delete=models.PROTECT, related_name="requests")
    field = models.CharField("更正项", max_length=40, blank=True)
    old_value = models.CharField("原内容", max_length=200, blank=True)
    new_value = models.CharField("更正为", max_length=200, blank=True)
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    certificate_number = models.CharField("补发证件编号", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待审批事项"

    def __str__(self):
        return f"{self.get_what_display()} {self.record_id}"


SEX_MALE, SEX_FEMALE = codes.Sex.MALE, codes.Sex.FEMALE
