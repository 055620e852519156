from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from huimin.core import regions
from huimin.core.roles import Role


class Region(models.Model):
    """A node of the 行政区划 tree, keyed by its 12-digit 统计用区划代码."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=list(regions.LEVEL_NAMES.items()))
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural_code = models.CharField(
        "城乡分类代码", max_length=3, blank=True, choices=list(regions.URBAN_RURAL_CODES.items())
    )
    is_active = models.BooleanField("有效", default=True)
    source = models.CharField("数据来源", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return regions.prefix_of(self.code, self.level)

    @property
    def gb2260_code(self) -> str:
        return self.code[:6]

    @property
    def is_urban(self) -> bool | None:
        return regions.is_urban(self.urban_rural_code)

    def ancestors(self) -> list["Region"]:
        codes = []
        code = regions.parent_code(self.code)
        while code:
            codes.append(code)
            code = regions.parent_code(code)
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [found[c] for c in reversed(codes) if c in found]

    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


class HuiminUserManager(UserManager):
    pass


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", null=True, on_delete=models.PROTECT)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = HuiminUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return self.get_role_display() if self.role else "未分配角色"


class AuditEntry(models.Model):
    """One link of the append-only audit chain (see huimin.core.audit)."""

    seq = models.BigIntegerField("序号", primary_key=True)
    ts = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor = models.CharField("操作人", max_length=150, blank=True, db_index=True)
    actor_role = models.CharField("角色", max_length=20, blank=True)
    ip = models.CharField("IP", max_length=45, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    detail = models.TextField("说明", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-seq"]

    def __str__(self):
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不能删除")


class AuditHead(models.Model):
    """The single row that serialises appends and remembers the chain's last link (detects truncation)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"审计链尾 #{self.last_seq}"
