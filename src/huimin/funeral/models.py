"""殡葬管理: facilities (殡仪馆, 火葬场, 公墓), the record of each body, 惠民殡葬 waiver policies as data, monthly
settlements with each funeral home, cemetery inspections and illegal burial reports."""

from django.db import models
from django.db.models import Q

from huimin.core.fields import BlindIndexField, ProtectedField, ProtectedLookupMixin
from huimin.core.models import Region
from huimin.registry.models import Person


class FacilityKind(models.TextChoices):
    FUNERAL_HOME = "funeral_home", "殡仪馆"
    CREMATORIUM = "crematorium", "火葬场"
    PUBLIC_CEMETERY = "public_cemetery", "公益性公墓"
    BUSINESS_CEMETERY = "business_cemetery", "经营性公墓"


CEMETERIES = (FacilityKind.PUBLIC_CEMETERY, FacilityKind.BUSINESS_CEMETERY)
CREMATING = (FacilityKind.FUNERAL_HOME, FacilityKind.CREMATORIUM)


class Facility(models.Model):
    """A 殡葬服务单位 with its licence and capacity, in the region that supervises it (a county or a township)."""

    scope_region_field = "region"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=FacilityKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    address = models.CharField("地址", max_length=200, blank=True)
    licence_no = models.CharField("批准文号/许可证号", max_length=60)
    licence_valid_until = models.DateField("许可有效期至", null=True, blank=True)
    capacity = models.PositiveIntegerField("设计能力", default=0)
    capacity_unit = models.CharField("能力单位", max_length=20, default="具/年",
                                     help_text="殡仪馆、火葬场：具/年（火化能力）；公墓：穴位")  # fmt: skip
    cold_storage = models.PositiveSmallIntegerField("冷藏柜位", default=0)
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "殡葬服务单位"
        ordering = ["region_id", "kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_cemetery(self) -> bool:
        return self.kind in CEMETERIES


class Service(models.TextChoices):
    """The basic funeral services 惠民殡葬 may waive (up to seven; a policy names the ones it waives)."""

    TRANSPORT = "transport", "遗体接运"
    STORAGE = "storage", "遗体存放（冷藏）"
    DISINFECTION = "disinfection", "遗体消毒"
    FAREWELL = "farewell", "告别（小厅）"
    CREMATION = "cremation", "遗体火化"
    URN = "urn", "普通骨灰盒"
    ASH_STORAGE = "ash_storage", "骨灰寄存（三年）"


class Group(models.TextChoices):
    """Who the waiver cap is for. 低保 and 特困 are read from enrolments (the registry's programme hook);
    重点优抚对象 is declared on the record with the 优抚证 number (the 退役军人事务部门's list is not in Huimin)."""

    GENERAL = "general", "本地户籍居民"
    DIBAO = "dibao", "低保对象"
    TEKUN = "tekun", "特困人员"
    YOUFU = "youfu", "重点优抚对象"


class WaiverPolicy(models.Model):
    """惠民殡葬 for one group in a region from a date: the services waived and the cap of the waiver (元 per
    deceased). The most specific region wins, then the latest effective date (``core.regions.in_force``)."""

    scope_region_field = "region"

    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="适用区划（空为全部）")  # fmt: skip
    group = models.CharField("对象类别", max_length=10, choices=Group.choices)
    services = models.JSONField("减免项目", default=list)
    cap = models.DecimalField("减免上限（元/人）", max_digits=10, decimal_places=2)
    programmes = models.JSONField(
        "认定依据（救助项目）", default=list, blank=True, help_text="低保、特困：在这些项目中在保即属本类别"
    )
    effective_from = models.DateField("生效日期")
    basis = models.CharField("政策依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "惠民殡葬政策"
        ordering = ["group", "-effective_from"]

    def __str__(self):
        return f"{self.get_group_display()} {self.effective_from}"

    def service_names(self) -> list[str]:
        names = dict(Service.choices)
        return [names.get(s, s) for s in self.services]


class Settlement(models.Model):
    """The month's 惠民殡葬 waivers of one funeral home, paid to it: prepared, reviewed and approved by three
    different people (职责分离: who prepares does not review, who reviews does not approve)."""

    scope_region_field = "facility__region"

    class Status(models.TextChoices):
        DRAFT = "draft", "待审核"
        REVIEWED = "reviewed", "已审核"
        APPROVED = "approved", "已审批"
        RETURNED = "returned", "已退回"

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="settlements",
                                 verbose_name="殡葬服务单位")  # fmt: skip
    month = models.DateField("结算月份")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    records = models.PositiveIntegerField("人数", default=0)
    total = models.DecimalField("减免金额合计（元）", max_digits=12, decimal_places=2, default=0)
    prepared_by = models.CharField("制表人", max_length=150)
    prepared_at = models.DateTimeField("制表时间", auto_now_add=True)
    reviewed_by = models.CharField("审核人", max_length=150, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.CharField("审批人", max_length=150, blank=True)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "惠民殡葬结算"
        ordering = ["-month", "facility_id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "month"], condition=~Q(status="returned"),
                                    name="funeral_one_settlement_per_month"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.facility} {self.month:%Y年%m月}"


class Record(ProtectedLookupMixin, models.Model):
    """The record of one body: received (接运), kept (存放), then cremated or buried, with the deceased linked to
    the registry, the death's certificate and the family's contact. Its creation is the death signal
    (``services.do_record``: 动态监测's death warning, through ``monitoring.services.raise_for_record``)."""

    scope_region_field = "region"

    class Cause(models.TextChoices):
        DISEASE = "disease", "疾病（正常死亡）"
        AGE = "age", "衰老（正常死亡）"
        ACCIDENT = "accident", "意外事故"
        OTHER_UNNATURAL = "unnatural", "其他非正常死亡"

    class Certificate(models.TextChoices):
        MEDICAL = "medical", "居民死亡医学证明（推断）书"
        POLICE = "police", "公安机关死亡证明"

    class Disposal(models.TextChoices):
        CREMATION = "cremation", "火化"
        BURIAL = "burial", "安葬（土葬改革区外）"

    class Ashes(models.TextChoices):
        NONE = "", "—"
        STORED = "stored", "骨灰寄存"
        CEMETERY = "cemetery", "公墓安葬"
        TAKEN = "taken", "家属领回"
        SCATTERED = "scattered", "海撒、树葬等生态安葬"

    number = models.CharField("记录编号", max_length=30, unique=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="records", verbose_name="殡葬服务单位"
    )
    # the deceased: a registry person (linked, the death signal goes to 动态监测), or one the registry does not hold
    # (most deaths are of people never in 社会救助's registry): then only the name and ID number, and the region is
    # the facility's
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="对象库人员")  # fmt: skip
    deceased_name = models.CharField("逝者姓名", max_length=50)
    deceased_id_number = ProtectedField("逝者身份证号", kind="id_number")
    deceased_id_number_bidx = BlindIndexField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    cause = models.CharField("死亡原因类别", max_length=10, choices=Cause.choices)
    death_date = models.DateField("死亡日期")
    death_place = models.CharField("死亡地点", max_length=100)
    certificate = models.CharField("死亡证明类型", max_length=10, choices=Certificate.choices)
    certificate_no = models.CharField("死亡证明编号", max_length=40)
    family_name = models.CharField("家属姓名", max_length=50)
    family_relation = models.CharField("与逝者关系", max_length=20)
    family_phone = ProtectedField("家属联系电话", kind="phone")
    family_phone_bidx = BlindIndexField()
    received_on = models.DateField("接运日期")
    storage_days = models.PositiveSmallIntegerField("存放天数", default=0)
    disposal = models.CharField("处置方式", max_length=10, choices=Disposal.choices)
    disposed_on = models.DateField("火化/安葬日期")
    ashes = models.CharField("骨灰去向", max_length=10, choices=Ashes.choices, blank=True)
    fees = models.JSONField("基本服务收费（元）", default=dict)  # service code → "123.00"
    youfu_cert_no = models.CharField("优抚证号", max_length=40, blank=True,
                                     help_text="重点优抚对象：填写优抚证号，按重点优抚对象标准减免")  # fmt: skip
    group = models.CharField("减免类别", max_length=10, choices=Group.choices, blank=True)
    waiver = models.DecimalField("减免金额（元）", max_digits=10, decimal_places=2, default=0)
    waiver_basis = models.JSONField("减免计算说明", default=dict)
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="items", verbose_name="结算单")  # fmt: skip
    signal = models.JSONField("死亡信息推送", default=dict)  # {"warnings": [ids], "note": …}
    created_by = models.CharField("经办人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "遗体处置记录"
        ordering = ["-disposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deceased_id_number_bidx"], name="funeral_one_record_per_deceased"),
        ]
        indexes = [models.Index(fields=["facility", "disposed_on"])]

    def __str__(self):
        return self.number


class Inspection(models.Model):
    """A cemetery's annual inspection (公墓年检)."""

    scope_region_field = "facility__region"

    class Result(models.TextChoices):
        PASSED = "passed", "合格"
        RECTIFY = "rectify", "限期整改"
        FAILED = "failed", "不合格"

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="inspections", verbose_name="公墓")
    year = models.PositiveSmallIntegerField("年度")
    inspected_on = models.DateField("检查日期")
    result = models.CharField("结论", max_length=10, choices=Result.choices)
    findings = models.TextField("检查情况")
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    inspector = models.CharField("检查人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公墓年检"
        ordering = ["-year", "facility_id"]
        constraints = [models.UniqueConstraint(fields=["facility", "year"], name="funeral_one_inspection_a_year")]

    def __str__(self):
        return f"{self.facility_id} {self.year} 年检"


class BurialReport(models.Model):
    """A report of an illegal burial (乱埋乱葬、硬化大墓、散埋乱葬), verified and dealt with by the township."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        OPEN = "open", "待核查"
        RECTIFIED = "rectified", "已整治"
        UNFOUNDED = "unfounded", "不属实"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="发生地")
    location = models.CharField("具体位置", max_length=200)
    reported_on = models.DateField("举报日期")
    reporter = models.CharField("举报人/来源", max_length=100)
    description = models.TextField("情况")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField("处理结果", blank=True)
    handled_by = models.CharField("处理人", max_length=150, blank=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_by = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "违规殡葬举报"
        ordering = ["status", "-reported_on", "-id"]

    def __str__(self):
        return f"举报 {self.location}"
