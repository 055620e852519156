"""区划地名: the standard place names of a county (with their readings, history and approval), the naming rules as
data, the proposals of a new name or a rename, 地名标志, the registry addresses that use a standard name, and the
record of each 行政区划 change (a township merged into another or renamed) with its old→new code mapping.

Models that record a change of the region tree itself say ``region_move_exempt = True``: a region merge
(``places.regions.merge_township``) re-points every other foreign key to ``core.Region`` it finds through Django's
model meta, and must leave these pointing at the old codes."""

from django.conf import settings
from django.db import models

from huimin.core.models import Region


class PlaceKind(models.TextChoices):
    NATURAL_VILLAGE = "natural_village", "自然村"
    SETTLEMENT = "settlement", "居民点"
    ROAD = "road", "道路"
    STREET = "street", "街巷"
    BRIDGE = "bridge", "桥梁"
    COMMUNITY = "community", "小区"
    BUILDING = "building", "建筑物"
    WATER = "water", "河流湖泊"
    MOUNTAIN = "mountain", "山岭"
    STATION = "station", "交通站点"


class PlaceName(models.Model):
    """A standard place name in force (or retired, with ``is_active`` false). Its name and pinyin are the current
    ones; earlier names are ``NameHistory`` rows."""

    scope_region_field = "region"

    name = models.CharField("标准名称", max_length=50)
    pinyin = models.CharField("汉语拼音", max_length=200)
    kind = models.CharField("地名类别", max_length=20, choices=PlaceKind.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField("所属县级区划代码", max_length=6, db_index=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    meaning = models.CharField("含义及由来", max_length=300, blank=True)
    document = models.CharField("批准文号", max_length=100)
    approved_on = models.DateField("批准日期")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准地名"
        ordering = ["county_code", "kind", "name"]
        indexes = [models.Index(fields=["county_code", "kind", "name"], name="places_name_in_county")]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class NameHistory(models.Model):
    """A name the place bore: from when, until when, and the document that changed it."""

    place = models.ForeignKey(PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="history")
    name = models.CharField("名称", max_length=50)
    pinyin = models.CharField("汉语拼音", max_length=200)
    used_from = models.DateField("启用日期")
    used_until = models.DateField("停用日期")
    document = models.CharField("更名批准文号", max_length=100)
    reason = models.CharField("更名理由", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "曾用名"
        ordering = ["-used_until", "-pk"]

    def __str__(self):
        return f"{self.name}（至 {self.used_until}）"


class NamingRule(models.Model):
    """A naming rule checked when a name is proposed: data, added and ended by the approver."""

    class Kind(models.TextChoices):
        UNIQUE_IN_COUNTY = "unique_in_county", "同一县级区划内同类地名不得重名"
        FORBIDDEN_CHAR = "forbidden_char", "禁用字"
        FORBIDDEN_WORD = "forbidden_word", "禁用词"
        RESERVED = "reserved", "保留地名"

    kind = models.CharField("规则类型", max_length=20, choices=Kind.choices)
    value = models.CharField("字、词或名称", max_length=50, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="适用区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # blank: everywhere
    basis = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    ended_at = models.DateTimeField("停用时间", null=True, blank=True)
    ended_by = models.CharField("停用人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "地名命名规则"
        ordering = ["kind", "value"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.value}" if self.value else self.get_kind_display()


class Proposal(models.Model):
    """命名 or 更名: proposed by one officer, approved or refused by another (core.duties ``places.naming``)."""

    scope_region_field = "region"

    class Type(models.TextChoices):
        NEW = "new", "命名"
        RENAME = "rename", "更名"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "不予批准"

    number = models.CharField("申请编号", max_length=20, unique=True)
    type = models.CharField("类型", max_length=10, choices=Type.choices)
    place = models.ForeignKey(
        PlaceName, verbose_name="原地名", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    name = models.CharField("拟用名称", max_length=50)
    pinyin = models.CharField("汉语拼音", max_length=200)
    kind = models.CharField("地名类别", max_length=20, choices=PlaceKind.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    meaning = models.CharField("含义及由来", max_length=300, blank=True)
    reason = models.CharField("申请理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("申报时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    document = models.CharField("批准文号", max_length=100, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "地名命名更名申请"
        ordering = ["-proposed_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.get_type_display()} {self.name}"


class Sign(models.Model):
    """A 地名标志: where it stands and in what condition it was last found."""

    class Kind(models.TextChoices):
        ROAD = "road", "街路巷标志"
        VILLAGE = "village", "村牌"
        COMMUNITY = "community", "小区标志"
        BUILDING = "building", "楼栋牌"
        DOOR = "door", "门牌"
        BRIDGE = "bridge", "桥梁标志"

    class Condition(models.TextChoices):
        GOOD = "good", "完好"
        WORN = "worn", "污损"
        DAMAGED = "damaged", "损坏"
        MISSING = "missing", "缺失"
        OUTDATED = "outdated", "名称未更新"

    place = models.ForeignKey(PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="signs")
    kind = models.CharField("标志类型", max_length=20, choices=Kind.choices)
    location = models.CharField("设置位置", max_length=200)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    text = models.CharField("标志所示名称", max_length=50)
    condition = models.CharField("状况", max_length=10, choices=Condition.choices, default=Condition.GOOD)
    installed_on = models.DateField("设置日期", null=True, blank=True)
    checked_on = models.DateField("最近检查日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "地名标志"
        ordering = ["place", "pk"]

    def __str__(self):
        return f"{self.text} {self.location}"


class AddressLink(models.Model):
    """A registry household's address that uses a standard place name: the household's ``address`` is written as
    the place's current name followed by ``detail`` (门牌), and rewritten when the place is renamed."""

    household = models.OneToOneField(
        "registry.Household", verbose_name="家庭", on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(PlaceName, verbose_name="标准地名", on_delete=models.PROTECT, related_name="addresses")
    detail = models.CharField("门牌及以下", max_length=100, blank=True)
    linked_by = models.CharField("关联人", max_length=150)
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "住址关联标准地名"

    def __str__(self):
        return f"{self.place.name}{self.detail}"


class RegionChange(models.Model):
    """A 行政区划 change carried out: a township merged into another (its villages given codes under the other,
    every record moved) or renamed (the code kept). The old Region rows stay, inactive, so old codes resolve."""

    region_move_exempt = True

    class Kind(models.TextChoices):
        MERGE = "merge", "撤并"
        RENAME = "rename", "更名"

    kind = models.CharField("变更类型", max_length=10, choices=Kind.choices)
    old_region = models.ForeignKey(Region, verbose_name="原区划", on_delete=models.PROTECT, related_name="+")
    new_region = models.ForeignKey(Region, verbose_name="现区划", on_delete=models.PROTECT, related_name="+")
    old_name = models.CharField("原名称", max_length=100)
    new_name = models.CharField("新名称", max_length=100)
    document = models.CharField("批准文号", max_length=100)
    effective_on = models.DateField("生效日期")
    moved = models.JSONField("迁移记录数", default=dict)  # "app.Model.field" → rows moved
    done_by = models.CharField("办理人", max_length=150)
    done_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划变更"
        ordering = ["-done_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.old_name}→{self.new_name}"


class CodeMapping(models.Model):
    """One old code of a region change and the code that replaced it."""

    region_move_exempt = True

    change = models.ForeignKey(RegionChange, verbose_name="区划变更", on_delete=models.PROTECT, related_name="mappings")
    old_region = models.ForeignKey(Region, verbose_name="原区划代码", on_delete=models.PROTECT, related_name="+")
    new_region = models.ForeignKey(Region, verbose_name="新区划代码", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "区划代码对照"
        constraints = [models.UniqueConstraint(fields=["old_region"], name="places_old_code_once")]

    def __str__(self):
        return f"{self.old_region_id}→{self.new_region_id}"
