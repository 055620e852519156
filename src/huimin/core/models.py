from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from huimin.core import regions
from huimin.core.roles import SYSTEM_ROLES, BusinessLine, Role


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


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str, line: str | None = None):
        """Accounts holding ``role`` (on ``line``, when given)."""
        condition = Q(role_assignments__role=role)
        if line is not None:
            condition &= Q(role_assignments__line=line)
        return self.filter(condition).distinct()


class HuiminUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", null=True, on_delete=models.PROTECT)
    must_change_password = models.BooleanField("下次登录须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = HuiminUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def role_pairs(self) -> tuple[tuple[str, str], ...]:
        """(role, business line) of every assignment; the line is "" for a system role. Set it on an unsaved
        copy to act with roles that are not stored (the portal's online 协理员)."""
        if self.pk is None:
            return ()
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("role_assignments")
        if prefetched is not None:
            return tuple(sorted(((a.role, a.line) for a in prefetched), key=lambda pair: (pair[1], pair[0])))
        return tuple(self.role_assignments.order_by("line", "role").values_list("role", "line"))

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("role_pairs", None)

    @property
    def role(self) -> str:
        """The account's main role: its system role, else its first business role ("" without any). Read-only:
        roles change through huimin.core.services."""
        roles = [role for role, _ in self.role_pairs]
        system = [role for role in roles if role in SYSTEM_ROLES]
        return (system or roles or [""])[0]

    @property
    def roles(self) -> list[str]:
        return sorted({role for role, _ in self.role_pairs}, key=list(Role.values).index)

    @property
    def holds_system_role(self) -> bool:
        return any(role in SYSTEM_ROLES for role, _ in self.role_pairs)

    @property
    def role_label(self) -> str:
        labels = []
        for role, line in self.role_pairs:
            label = Role(role).label
            labels.append(f"{label}（{BusinessLine(line).label}）" if line else label)
        return "、".join(labels) or "未分配角色"


class RoleAssignment(models.Model):
    """One role an account holds: a business role for one business line within the account's region, or one
    of the three system roles (without a line, and then the account's only assignment)."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    line = models.CharField("业务条线", max_length=20, choices=BusinessLine.choices, blank=True)
    granted_by = models.ForeignKey(
        User, verbose_name="授予人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField("授予时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "角色分配"
        ordering = ["user", "line", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "line"], name="core_role_assignment_unique"),
            models.CheckConstraint(
                condition=(Q(role__in=sorted(SYSTEM_ROLES)) & Q(line=""))
                | (~Q(role__in=sorted(SYSTEM_ROLES)) & ~Q(line="")),
                name="core_role_assignment_line_iff_business",
            ),
        ]

    def __str__(self):
        role = Role(self.role).label
        return f"{role}（{BusinessLine(self.line).label}）" if self.line else role


class AccountChangeRequest(models.Model):
    """A change of an account that holds (or would hold) a system role: asked by the security officer, done
    only when another system-role holder — neither the requester nor the account itself — confirms it."""

    class Kind(models.TextChoices):
        RESET_PASSWORD = "reset_password", "重置密码"
        DEACTIVATE = "deactivate", "停用账号"
        ACTIVATE = "activate", "启用账号"
        GRANT_ROLE = "grant_role", "授予系统角色"
        REVOKE_ROLE = "revoke_role", "撤销系统角色"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        DONE = "done", "已确认执行"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"

    target = models.ForeignKey(User, verbose_name="账号", on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    role = models.CharField("系统角色", max_length=20, choices=Role.choices, blank=True)
    reason = models.CharField("事由", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "三员账号变更申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=Q(status="pending"), name="core_account_change_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target.username}"

    @property
    def summary(self) -> str:
        role = f"：{Role(self.role).label}" if self.role else ""
        return f"{self.get_kind_display()}{role}"


class AuditEntry(models.Model):
    """One link of the append-only audit chain (see huimin.core.audit)."""

    seq = models.BigIntegerField("序号", primary_key=True)
    ts = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor = models.CharField("操作人", max_length=150, blank=True, db_index=True)
    actor_role = models.CharField("角色", max_length=100, blank=True)
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


class TaskWorkerBeat(models.Model):
    """A running task worker (``huimin db_worker``) says it lives: the pages waiting on a queued job tell whether
    anyone will pick it up. The row is refreshed every few seconds and removed when the worker stops."""

    worker = models.CharField("任务进程", max_length=200, unique=True)  # host:pid
    seen_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = verbose_name_plural = "后台任务进程心跳"

    def __str__(self):
        return f"{self.worker} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class DutyRule(models.Model):
    """职责分离 of a procedure outside the programme machinery (a settlement, a correction, a decision on an
    organisation …; ``core.duties``): on one case the same person may not do both ``first`` and ``second``. The
    procedures and their steps are registered by the apps; the rules are data. A rule is never deleted: ending it
    keeps it as history, with who and why. (The application workflow's rules are per programme:
    ``assistance.DutySeparation``.)"""

    procedure = models.CharField("业务流程", max_length=60)
    first = models.CharField("前一环节", max_length=40)
    second = models.CharField("后一环节", max_length=40)
    basis = models.CharField("依据", max_length=200, blank=True)
    created_by = models.CharField("设置人", max_length=150)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    ended_by = models.CharField("停用人", max_length=150, blank=True)
    ended_at = models.DateTimeField("停用时间", null=True, blank=True)
    end_reason = models.CharField("停用理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "职责分离规则（其他业务）"
        ordering = ["procedure", "first", "second", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "first", "second"], condition=Q(ended_at__isnull=True), name="core_duty_rule_once"
            ),
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="core_duty_rule_two_steps"),
        ]

    def __str__(self):
        return f"{self.procedure}：{self.first}≠{self.second}"


class ReceivedSubmission(models.Model):
    """A submission received once (huimin.core.idempotency): a form entered offline carries a key the browser
    made for it; the same key sent again is answered as already received, not written twice."""

    kind = models.CharField("业务", max_length=40)
    key = models.CharField("提交标识", max_length=64)
    user = models.ForeignKey("core.User", verbose_name="提交人", on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField("记录", max_length=40, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "已接收的提交"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="core_submission_once")]

    def __str__(self):
        return f"{self.kind} {self.key}"
