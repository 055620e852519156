"""The one registry of persons and households every business uses. Nothing here is deleted: it is closed."""

from django.db import models
from django.db.models import Q

from huimin.core.fields import BlindIndexField, ProtectedField, ProtectedLookupMixin, SuffixIndexField
from huimin.core.models import Region
from huimin.registry import codes


class Household(models.Model):
    scope_region_field = "region"

    number = models.CharField("户编号", max_length=32, unique=True)
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("住址", max_length=200, blank=True)
    household_type = models.CharField(
        "户类型", max_length=20, choices=codes.HouseholdType.choices, default=codes.HouseholdType.FAMILY
    )
    head = models.ForeignKey(
        "Person", verbose_name="户主", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("有效", default=True)
    closed_reason = models.CharField("注销原因", max_length=200, blank=True)
    closed_on = models.DateField("注销日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭"
        indexes = [models.Index(fields=["region", "is_active"])]

    def __str__(self):
        return f"{self.number}（{self.head.name if self.head_id else '无户主'}）"


class Person(ProtectedLookupMixin, models.Model):
    scope_region_field = "region"

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=200, blank=True, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=50, blank=True, db_index=True)
    id_number = ProtectedField("身份证号", kind="id_number", suffix_index=6)
    id_number_bidx = BlindIndexField()
    id_number_sfx = SuffixIndexField()  # keyed index of the last six characters (search by what is read out)
    no_id_reason = models.CharField("无身份证号原因", max_length=100, blank=True)
    sex = models.CharField("性别", max_length=1, choices=codes.Sex.choices, default=codes.Sex.UNKNOWN)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=2, choices=codes.ETHNICITY_CHOICES, default="01")
    region = models.ForeignKey(Region, verbose_name="居住地", on_delete=models.PROTECT, related_name="+")
    hukou_region = models.ForeignKey(
        Region, verbose_name="户籍地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    has_residence_permit = models.BooleanField("持居住证", default=False)
    is_urban = models.BooleanField("城镇居民", default=False)
    urban_rural_overridden = models.BooleanField("城乡属性人工认定", default=False)
    phone = ProtectedField("联系电话", kind="phone")
    phone_bidx = BlindIndexField()
    bank_account = ProtectedField("银行账号", kind="bank_account", blind_index=False)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    labour_ability = models.CharField(
        "劳动能力", max_length=10, choices=codes.LabourAbility.choices, default=codes.LabourAbility.ABLE
    )
    health = models.CharField("健康状况", max_length=10, choices=codes.Health.choices, default=codes.Health.HEALTHY)
    serious_illness = models.CharField("重病诊断", max_length=200, blank=True)
    disability_category = models.CharField(
        "残疾类别", max_length=1, choices=codes.DisabilityCategory.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", null=True, blank=True, choices=[(i, f"{i}级") for i in range(1, 5)]
    )
    # 残疾人证号 begins with the holder's ID number: protected like it
    disability_cert_no = ProtectedField("残疾人证号", kind="disability_cert_no")
    disability_cert_no_bidx = BlindIndexField()
    marital_status = models.CharField(
        "婚姻状况", max_length=2, choices=codes.MaritalStatus.choices, default=codes.MaritalStatus.UNSPECIFIED
    )
    education = models.CharField("文化程度", max_length=2, choices=codes.Education.choices, blank=True)
    special_statuses = models.JSONField("特殊身份", default=list, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name="当前家庭",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    is_deceased = models.BooleanField("已死亡", default=False)
    death_date = models.DateField("死亡日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="已合并至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        indexes = [
            models.Index(fields=["region", "name"]),
            models.Index(fields=["name", "birth_date"]),
            models.Index(fields=["name_pinyin", "birth_date"], name="registry_person_pinyin_birth"),
            # the person list's rarer statuses, in the list's order: at 10,000,000 persons a county's 残疾人 were
            # found by reading its millions of persons (6.4 s); each of these holds only its own persons
            models.Index(fields=["region", "name", "id"], condition=Q(disability_grade__isnull=False),
                         name="registry_person_disabled"),
            models.Index(fields=["region", "name", "id"], condition=Q(is_deceased=True),
                         name="registry_person_deceased"),
            models.Index(fields=["region", "name", "id"], condition=Q(id_number_bidx=""),
                         name="registry_person_no_id"),
            models.Index(fields=["region", "name", "id"], condition=Q(merged_into__isnull=False),
                         name="registry_person_merged"),
        ]  # fmt: skip
        constraints = [
            # Same ID number is one person, always (among persons not merged away).
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=~Q(id_number_bidx="") & Q(merged_into__isnull=True),
                name="registry_person_unique_id_number",
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="registry_person_disability_grade_1_4",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.merged_into_id is None

    def age_on(self, day) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def special_status_labels(self) -> list[str]:
        return [codes.SPECIAL_STATUSES.get(s, s) for s in self.special_statuses]


class PersonNameGram(models.Model):
    """One pair of adjacent characters of an unmerged person's name, with what the person list sorts by (region,
    name, person): a name search's page and capped count are read from this table's key alone, however many
    persons share the name. PostgreSQL keeps it by a trigger on the person table (migration registry 0010);
    SQLite (the demo) leaves it empty and searches the names themselves."""

    # a region merge moves the persons; the trigger moves their pairs with them
    region_move_exempt = True

    pk = models.CompositePrimaryKey("gram", "region", "name", "person")
    gram = models.CharField("字对", max_length=2)
    # no constraint and no index of their own: the trigger keeps the rows, the primary key is the one index
    region = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "姓名字对索引"

    def __str__(self):
        return f"{self.gram} {self.person_id}"


class Membership(models.Model):
    """A person's membership of a household over time; the open one (ended_on is null) is the current one."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=2, choices=codes.RELATION_CHOICES)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员关系"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="registry_one_current_household"
            )
        ]

    def __str__(self):
        return f"{self.person} ∈ {self.household}（{self.get_relation_display()}）"


class LifeEvent(models.Model):
    """Something that happened to a household or person, shown on the household timeline."""

    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=20, choices=codes.EventKind.choices)
    occurred_on = models.DateField("发生日期")
    detail = models.JSONField("详情", default=dict, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "生活事件"
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()}"


class DuplicateCandidate(models.Model):
    """Two persons that are probably one, listed for a human to merge or dismiss."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        MERGED = "merged", "已合并"
        DISMISSED = "dismissed", "非重复"

    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("疑似原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "疑似重复人员"
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="registry_duplicate_pair_once")]

    def __str__(self):
        return f"{self.person_a} ≈ {self.person_b}"


class ImportJob(models.Model):
    """An uploaded 台账 file: checked (dry run), then committed all at once by a background task."""

    class Status(models.TextChoices):
        CHECKED = "checked", "已检查，可导入"
        INVALID = "invalid", "有错误，不能导入"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "导入失败（未写入任何数据）"
        EXPIRED = "expired", "已过期未确认（文件已删除，请重新上传）"

    created_by = models.ForeignKey("core.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="上传人区划", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=200)
    stored_path = models.CharField("存储路径", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField("数据行数", default=0)
    households = models.PositiveIntegerField("家庭数", default=0)
    persons = models.PositiveIntegerField("人员数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row, column, message], …]; row 0 = file
    message = models.CharField("结果说明", max_length=300, blank=True)
    # the uploaded rows with their errors, protected columns left out: the uploaded file itself is deleted
    error_report = models.BinaryField("错误报告（.xlsx）", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导入"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"


class BankAccountChange(models.Model):
    """A requested change of a person's bank account (maker–checker): it takes effect only when an account other
    than the requester's, holding the confirm capability in the person's region, confirms it. Until then payroll
    pays the old account. The new account is stored encrypted; the masked before/after are kept for display."""

    scope_region_field = "person__region"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认生效"
        REJECTED = "rejected", "已退回"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bank_changes", verbose_name="人员")
    bank_account = ProtectedField("新银行账号", kind="bank_account", blind_index=False)
    bank_name = models.CharField("新开户银行", max_length=100, blank=True)
    before_masked = models.CharField("原账号（脱敏）", max_length=60, blank=True)
    before_bank_name = models.CharField("原开户银行", max_length=100, blank=True)
    after_masked = models.CharField("新账号（脱敏）", max_length=60, blank=True)
    reason = models.CharField("变更原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey("core.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "core.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("确认意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行账号变更"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="registry_one_pending_bank_change"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.before_masked or '（无）'} → {self.after_masked or '（无）'}"


class ForeignDuplicate(models.Model):
    """An attempt to register (or import, or change to) an ID number already held by a person outside the
    actor's region. The actor is told only that it is registered elsewhere; the attempt is listed for the county
    of the attempt (and for the holder's), where someone who may see both sides resolves it."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CLOSED = "closed", "已处理"

    holder = models.ForeignKey(Person, verbose_name="已登记人员", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="登记地", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("登记时填写的姓名", max_length=50)
    source = models.CharField("来源", max_length=20)
    attempted_by = models.CharField("经办人", max_length=150)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.CharField("处理情况", max_length=200, blank=True)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "跨地区重复登记"
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "region"], condition=Q(status="open"), name="registry_foreign_duplicate_open_once"
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.region_id}）"
