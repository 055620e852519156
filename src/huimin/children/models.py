"""儿童福利 and 未成年人保护: the child registers (孤儿, 事实无人抚养儿童, 困境儿童, 农村留守儿童) with their guardians,
evidence, 儿童主任 and visits, and the 一人一案 case management (发现报告 → 应急处置 → 评估 → 帮扶计划 → 服务与转介 →
监护干预 → 回访 → 结案). The child is a registry person; categories, risk items and deadlines are data.

Nothing here is deleted: a register entry ends (成年, 情况变化), a case ends closed.
"""

from django.conf import settings
from django.db import models

from huimin.core.fields import ProtectedField
from huimin.core.models import Region
from huimin.registry.models import Household, Person


class Parameter(models.Model):
    """A figure of 儿童福利 as data (seeded from huimin.children.defaults.PARAMETERS)."""

    class Code(models.TextChoices):
        ADULT_AGE = "adult_age", "成年年龄（周岁）"
        TRANSITION_DAYS = "transition_days", "即将成年提示天数"
        VISIT_DAYS = "visit_days", "儿童主任走访间隔（天）"
        EMERGENCY_HOURS = "emergency_hours", "应急处置时限（小时）"
        ASSESSMENT_DAYS = "assessment_days", "评估时限（天，自立案）"
        PLAN_DAYS = "plan_days", "帮扶计划时限（天，自评估）"
        APPROVAL_DAYS = "approval_days", "审批时限（天，自提交）"
        REFERRAL_DAYS = "referral_days", "转介答复时限（天）"
        FOLLOWUP_DAYS = "followup_days", "回访间隔（天）"

    code = models.CharField("参数", max_length=30, choices=Code.choices, unique=True)
    value = models.PositiveIntegerField("数值")

    class Meta:
        verbose_name = verbose_name_plural = "儿童福利参数"

    def __str__(self):
        return f"{self.get_code_display()} {self.value}"


class GuardianStatus(models.TextChoices):
    NORMAL = "normal", "正常履责"
    DEAD = "dead", "死亡"
    MISSING = "missing", "失踪"
    IMPRISONED = "imprisoned", "服刑在押"
    COMPULSORY = "compulsory", "强制隔离戒毒"
    SEVERE_DISABILITY = "severe_disability", "重残"
    SERIOUS_ILLNESS = "serious_illness", "重病"
    DEPRIVED = "deprived", "被撤销监护资格"
    DEPORTED = "deported", "被遣送（驱逐）出境"
    UNCONTACTABLE = "uncontactable", "失联"
    MIGRANT = "migrant", "外出务工"


class Category(models.Model):
    """A register: 孤儿, 事实无人抚养儿童, 困境儿童, 农村留守儿童. ``criteria`` is how entry is checked
    (huimin.children.rules.CRITERIA): a list of {"kind": …, parameters}; ``allowance`` the programme codes whose
    基本生活费 follows from the entry (informational: the allowance is applied for on the programme machinery)."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    criteria = models.JSONField("认定条件", default=list, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    basis = models.CharField("政策依据", max_length=200, blank=True)
    allowance = models.JSONField("对应基本生活费项目", default=list, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "儿童名册类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RegisterEntry(models.Model):
    """A child in one register. Ends (``status`` 已退出) at 18 (the daily job, at the birthday) or by a decision."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        ACTIVE = "active", "在册"
        ENDED = "ended", "已退出"

    class Placement(models.TextChoices):
        KIN = "kin", "亲属抚养"
        FOSTER = "foster", "家庭寄养"
        INSTITUTION = "institution", "机构养育"
        ADOPTED = "adopted", "依法收养"
        OWN = "own", "父母或其他监护人抚养"

    person = models.ForeignKey(Person, verbose_name="儿童", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, verbose_name="家庭", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    category = models.ForeignKey(Category, verbose_name="名册", on_delete=models.PROTECT, related_name="entries")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    placement = models.CharField("安置方式", max_length=15, choices=Placement.choices, default=Placement.KIN)
    director = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="儿童主任", on_delete=models.PROTECT,
                                 related_name="+")  # fmt: skip
    entered_on = models.DateField("纳入日期")
    next_visit_due = models.DateField("下次走访日期")
    ended_on = models.DateField("退出日期", null=True, blank=True)
    end_reason = models.CharField("退出原因", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.CharField("登记人", max_length=150)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "儿童名册"
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], condition=models.Q(status="active"),
                                    name="children_one_active_entry_per_register"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["category", "status"])]

    def __str__(self):
        return f"{self.person_id} {self.category.name}（{self.get_status_display()}）"


class Guardian(models.Model):
    """A parent or guardian of a registered child with his status (死亡, 失踪, 服刑 …)."""

    class Relation(models.TextChoices):
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"
        GRANDPARENT = "grandparent", "（外）祖父母"
        SIBLING = "sibling", "兄姐"
        RELATIVE = "relative", "其他亲属"
        OTHER = "other", "其他监护人"

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="guardians")
    person = models.ForeignKey(Person, verbose_name="登记人员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=15, choices=Relation.choices)
    status = models.CharField("状况", max_length=20, choices=GuardianStatus.choices)
    since = models.DateField("状况发生日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监护人状况"

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}，{self.get_status_display()}）"


class Evidence(models.Model):
    """An evidence document of a register entry (死亡证明, 失踪宣告, 判决书, 残疾人证 …)."""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="evidence")
    name = models.CharField("证明材料", max_length=100)
    reference = models.CharField("文号或编号", max_length=100, blank=True)
    issued_on = models.DateField("出具日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证明材料"

    def __str__(self):
        return self.name


class RegisterVisit(models.Model):
    """A 儿童主任's visit of a registered child."""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("情况", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "名册走访"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.entry_id} {self.visited_on}"


# --- 一人一案 --------------------------------------------------------------------------------------------------


class RiskItem(models.Model):
    """An item of the 监护风险评估: ``options`` is a list of {"score": n, "label": "…"}."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("评估项目", max_length=100)
    options = models.JSONField("选项")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "监护风险评估项目"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def scores(self) -> list[int]:
        return sorted(int(o["score"]) for o in self.options)


class RiskLevel(models.Model):
    """监护风险等级 by total score (``rank`` 0 the lowest risk)."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)
    min_total = models.PositiveSmallIntegerField("总分下限（含）")
    rank = models.PositiveSmallIntegerField("风险序号", unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "监护风险等级"
        ordering = ["rank"]

    def __str__(self):
        return self.name


class Case(models.Model):
    """一人一案: a child's protection case, opened by a 发现报告."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        EMERGENCY = "emergency", "待应急处置"
        ASSESSMENT = "assessment", "待评估"
        PLANNING = "planning", "待制定计划"
        PLAN_REVIEW = "plan_review", "计划待审批"
        SERVICES = "services", "帮扶服务中"
        CLOSURE_REVIEW = "closure_review", "结案待审批"
        CLOSED = "closed", "已结案"

    class Source(models.TextChoices):
        DIRECTOR = "director", "儿童主任"
        SCHOOL = "school", "学校"
        POLICE = "police", "公安机关"
        HOSPITAL = "hospital", "医疗机构"
        NEIGHBOUR = "neighbour", "邻居或群众"
        PORTAL = "portal", "网上报告"
        OTHER = "other", "其他"

    number = models.CharField("案件编号", max_length=30, unique=True)
    child = models.ForeignKey(Person, verbose_name="儿童", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.EMERGENCY, db_index=True)
    source = models.CharField("报告来源", max_length=15, choices=Source.choices)
    # the reporter: never shown on the family's side (nor in any list); empty when anonymous
    anonymous = models.BooleanField("匿名报告", default=False)
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_contact = models.CharField("报告人联系方式", max_length=50, blank=True)
    concern = models.TextField("报告情况")
    reported_at = models.DateTimeField("报告时间")
    emergency_due = models.DateTimeField("应急处置时限")
    first_response_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    emergency_action = models.TextField("应急处置情况", blank=True)
    assessment_due = models.DateField("评估时限", null=True, blank=True)
    risk_level = models.ForeignKey(RiskLevel, verbose_name="监护风险等级", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # fmt: skip
    plan_due = models.DateField("计划时限", null=True, blank=True)
    next_visit_due = models.DateField("下次回访日期", null=True, blank=True)
    closure_reason = models.CharField("结案原因", max_length=300, blank=True)
    closure_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请结案人", null=True,
                                             blank=True, on_delete=models.PROTECT, related_name="+")  # fmt: skip
    closure_due = models.DateField("结案审批时限", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结案审批人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_by = models.CharField("录入人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "儿童保护个案"
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return self.number


class ReceivedReport(models.Model):
    """A 发现报告 received from outside the office — the resident portal (anyone, anonymously too) or a partner's
    system through the API (a school, a hospital, the police) — with its receipt number. A child found in the
    registry by his ID number inside the region opens a case at once (``case``); otherwise the report waits 待核实
    for the township 督导员 or the county office to identify the child in the registry, which opens the case, or to
    close it with a reason. The reporter reads nothing back: the receipt number is a receipt, not a key."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        OPENED = "opened", "已立案"
        CLOSED = "closed", "已核实不立案"

    number = models.CharField("受理回执号", max_length=30, unique=True)
    source = models.CharField("报告来源", max_length=15, choices=Case.Source.choices)
    channel = models.CharField("报告渠道", max_length=100)  # 网上报告, or the API client's name
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField("儿童姓名", max_length=50, blank=True)
    child_age = models.PositiveSmallIntegerField("儿童大致年龄", null=True, blank=True)
    child_id_number = ProtectedField("儿童身份证号", kind="id_number", blind_index=False)
    address = models.CharField("所在地址", max_length=200, blank=True)
    concern = models.TextField("报告情况")
    # the reporter: shown only to the staff handling the report; empty when anonymous
    anonymous = models.BooleanField("匿名报告", default=False)
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_contact = models.CharField("报告人联系方式", max_length=50, blank=True)
    received_at = models.DateTimeField("接收时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    case = models.OneToOneField(Case, verbose_name="个案", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="received_report")  # fmt: skip
    resolved_by = models.CharField("核实人", max_length=150, blank=True)
    resolved_at = models.DateTimeField("核实时间", null=True, blank=True)
    resolution = models.CharField("核实情况", max_length=300, blank=True)
    # a partner system's Idempotency-Key: the same key sent again by the same channel gets the same receipt
    submission_key = models.CharField("提交标识", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发现报告（网上及接口）"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "submission_key"], condition=~models.Q(submission_key=""),
                                    name="children_report_once"),
        ]  # fmt: skip

    def __str__(self):
        return self.number


class Assignment(models.Model):
    """Who works a case: its 儿童主任 (worker) and its 督导员 (supervisor). Only they, and the county children's
    office (capability ``children.case_all``), see the case."""

    class Role(models.TextChoices):
        WORKER = "worker", "个案工作者（儿童主任）"
        SUPERVISOR = "supervisor", "督导员"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("职责", max_length=15, choices=Role.choices)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "个案指派"
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], condition=models.Q(ended_at__isnull=True),
                                    name="children_one_open_assignment"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.case_id} {self.get_role_display()} {self.user_id}"


class CaseAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField("评估日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评估人", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField("评估项目得分")  # {item code: score}
    total = models.PositiveSmallIntegerField("总分")
    level = models.ForeignKey(RiskLevel, verbose_name="监护风险等级", on_delete=models.PROTECT, related_name="+")
    needs = models.TextField("需求分析", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "个案评估"
        ordering = ["-assessed_on", "-id"]

    def __str__(self):
        return f"{self.case_id} {self.assessed_on} {self.total}"


class Plan(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审批"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    goal = models.CharField("总体目标", max_length=300)
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="制定人", on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField("提交时间")
    approval_due = models.DateField("审批时限")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "帮扶计划"
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"{self.case_id} {self.goal}"


class Intervention(models.Model):
    """One intervention of a plan: service, provider, goal, timeframe and how success is measured."""

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        DONE = "done", "已完成"
        DROPPED = "dropped", "已取消"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="interventions")
    service = models.CharField("服务内容", max_length=200)
    provider = models.CharField("提供方", max_length=100)
    goal = models.CharField("目标", max_length=200)
    due_on = models.DateField("完成时限")
    success_measure = models.CharField("成效标准", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField("完成日期", null=True, blank=True)
    result = models.CharField("完成情况", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "帮扶措施"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.service


class Referral(models.Model):
    class Agency(models.TextChoices):
        EDUCATION = "education", "教育部门"
        HEALTH = "health", "卫生健康部门"
        POLICE = "police", "公安机关"
        COURT = "court", "人民法院"
        PROCURATORATE = "procuratorate", "人民检察院"
        WOMEN = "women", "妇联"
        OTHER = "other", "其他机构"

    class Status(models.TextChoices):
        PENDING = "pending", "待答复"
        ACCEPTED = "accepted", "已接收"
        REJECTED = "rejected", "已拒绝"
        DONE = "done", "已办结"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    agency = models.CharField("转介机构类别", max_length=15, choices=Agency.choices)
    agency_name = models.CharField("机构名称", max_length=100)
    reason = models.CharField("转介事由", max_length=300)
    referred_on = models.DateField("转介日期")
    due_on = models.DateField("答复时限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    responded_on = models.DateField("答复日期", null=True, blank=True)
    response = models.CharField("答复意见", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="转介人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "转介"
        ordering = ["-referred_on", "-id"]

    def __str__(self):
        return f"{self.get_agency_display()} {self.agency_name}"


class GuardianshipAction(models.Model):
    """监护干预: 临时监护 by the civil-affairs bureau, a report to the court (撤销监护资格), 委托照料 …"""

    class Kind(models.TextChoices):
        TEMPORARY_CUSTODY = "temporary_custody", "民政部门临时监护"
        COURT_REPORT = "court_report", "向人民法院申请撤销监护人资格"
        ENTRUSTED_CARE = "entrusted_care", "督促委托照料"
        WARNING = "warning", "批评教育、督促履责"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="guardianship_actions")
    kind = models.CharField("干预方式", max_length=20, choices=Kind.choices)
    taken_on = models.DateField("日期")
    note = models.CharField("情况", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "监护干预"
        ordering = ["-taken_on", "-id"]

    def __str__(self):
        return self.get_kind_display()


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="followups")
    due_on = models.DateField("应回访日期")
    visited_on = models.DateField("回访日期")
    note = models.CharField("回访情况", max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "回访"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.case_id} {self.visited_on}"


# --- 安置 (placement history), 收养, 家庭寄养 ---------------------------------------------------------------------


class PlacementRecord(models.Model):
    """One period of a child's placement (亲属抚养, 家庭寄养, 机构养育, 依法收养 …): the child's placement history.
    Written when a child enters a register, a foster placement starts or ends, an adoption is registered or
    dissolved; the open period (``ended_on`` empty) is the current one."""

    child = models.ForeignKey(Person, verbose_name="儿童", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("安置方式", max_length=15, choices=RegisterEntry.Placement.choices)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "安置记录"
        ordering = ["child_id", "-started_on", "-id"]

    def __str__(self):
        return f"{self.child_id} {self.get_kind_display()} {self.started_on}"


class FamilyAssessmentItem(models.Model):
    """An item of the family assessment as data: ``kind`` 收养评估 (民政部《收养评估办法（试行）》) or 寄养家庭评估
    (《家庭寄养管理办法》第八条). Each is answered 符合/不符合 with a note; a family passes when every item does."""

    class Kind(models.TextChoices):
        ADOPTION = "adoption", "收养评估"
        FOSTER = "foster", "寄养家庭评估"

    kind = models.CharField("评估类别", max_length=10, choices=Kind.choices)
    code = models.CharField("代码", max_length=30)
    name = models.CharField("评估项目", max_length=100)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "家庭评估项目"
        ordering = ["kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="children_assessment_item_code")]

    def __str__(self):
        return self.name


class Adoption(models.Model):
    """收养登记 (民法典第一千一百零五条): application → 收养评估 (items, home visit, police and health checks) →
    登记审查 (the law's conditions) → 审批 by another person (core.duties ``children.adoption``) → 收养登记证; and
    解除收养. Once registered the file is sealed (收养档案 "一案一档"): only the adoption office reads it, every read
    audited, anyone else gets 404."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        APPLIED = "applied", "已受理"
        ASSESSED = "assessed", "已评估"
        SUBMITTED = "submitted", "登记待审批"
        REGISTERED = "registered", "已登记"
        REFUSED = "refused", "不予登记"
        DISSOLVED = "dissolved", "已解除"

    class Situation(models.TextChoices):
        ORPHAN = "orphan", "丧失父母的孤儿"
        UNFOUND = "unfound", "查找不到生父母的未成年人"
        HARDSHIP = "hardship", "生父母有特殊困难无力抚养的子女"

    class Surname(models.TextChoices):
        KEEP = "keep", "保留原姓氏"
        ADOPTER = "adopter", "随养父或者养母的姓氏"

    class Sender(models.TextChoices):
        INSTITUTION = "institution", "儿童福利机构"
        GUARDIAN = "guardian", "孤儿的监护人"
        PARENTS = "parents", "生父母"

    number = models.CharField("收养登记编号", max_length=30, unique=True)
    child = models.ForeignKey(Person, verbose_name="被收养人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="被收养人所在地", on_delete=models.PROTECT, related_name="+")
    situation = models.CharField("被收养人情形", max_length=10, choices=Situation.choices)
    child_disabled = models.BooleanField("残疾未成年人", default=False)
    sender = models.CharField("送养人", max_length=15, choices=Sender.choices)
    sender_name = models.CharField("送养人名称", max_length=100)
    adopter = models.ForeignKey(Person, verbose_name="收养人", on_delete=models.PROTECT, related_name="+")
    spouse = models.ForeignKey(Person, verbose_name="共同收养人（配偶）", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")  # fmt: skip
    has_spouse = models.BooleanField("收养人有配偶", default=False)
    existing_children = models.PositiveSmallIntegerField("收养人现有子女数", default=0)
    child_consents = models.BooleanField("被收养人同意（八周岁以上）", default=False)
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.APPLIED, db_index=True)
    applied_on = models.DateField("受理日期")
    # 收养评估
    answers = models.JSONField("评估项目结论", default=dict, blank=True)  # {item code: {"pass": bool, "note": ""}}
    home_visit_on = models.DateField("入户调查日期", null=True, blank=True)
    home_visit_note = models.CharField("入户调查情况", max_length=500, blank=True)
    police_clear = models.BooleanField("无违法犯罪记录（公安机关出具）", null=True)
    police_reference = models.CharField("无犯罪记录证明编号", max_length=100, blank=True)
    health_clear = models.BooleanField("未患不应当收养子女的疾病（体检证明）", null=True)
    health_reference = models.CharField("体检证明编号", max_length=100, blank=True)
    assessment_passed = models.BooleanField("评估结论：通过", null=True)
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评估人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    # 登记审查 and 审批 (two people)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记审查人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    certificate_number = models.CharField("收养登记证字号", max_length=40, blank=True)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    # 解除收养
    dissolved_on = models.DateField("解除日期", null=True, blank=True)
    dissolution_kind = models.CharField("解除方式", max_length=10, blank=True,
                                        choices=[("agreement", "协议解除"), ("court", "人民法院判决解除")])  # fmt: skip
    dissolution_reason = models.CharField("解除原因", max_length=300, blank=True)
    dissolution_number = models.CharField("解除收养关系证明字号", max_length=40, blank=True)
    # 民法典第一千一百一十二条: the name the parties agreed (kept unless they agreed on the adopter's surname)
    surname = models.CharField("被收养人姓氏", max_length=10, choices=Surname.choices, default=Surname.KEEP)
    new_name = models.CharField("登记后姓名", max_length=50, blank=True)
    former_name = models.CharField("登记前姓名", max_length=50, blank=True)
    # the registry change made with the registration (registry services), undone on 解除 when possible
    household_from = models.ForeignKey(Household, verbose_name="登记前家庭", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")  # fmt: skip
    relation_from = models.CharField("登记前与户主关系", max_length=2, blank=True)
    household_to = models.ForeignKey(Household, verbose_name="迁入家庭（收养人家庭）", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")  # fmt: skip
    relation_to = models.CharField("迁入后与户主关系", max_length=2, blank=True)
    registry_note = models.CharField("户籍变动情况", max_length=300, blank=True)
    created_by = models.CharField("受理人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "收养登记"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(status__in=["applied", "assessed",
                                    "submitted", "registered"]), name="children_one_open_adoption"),
        ]  # fmt: skip

    def __str__(self):
        return self.number

    @property
    def sealed(self) -> bool:
        return self.status in (self.Status.REGISTERED, self.Status.DISSOLVED)


class FosterFamily(models.Model):
    """A 寄养家庭: its 主要照料人 (a registry person), the assessment (items as data, a home visit) and its approval by
    the county office; ``status`` 待评估 → 已认定 (may take children) → 已终止."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        APPLIED = "applied", "待评估"
        APPROVED = "approved", "已认定"
        REFUSED = "refused", "未通过评估"
        ENDED = "ended", "已终止"

    carer = models.ForeignKey(Person, verbose_name="主要照料人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("家庭住址", max_length=200)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPLIED, db_index=True)
    applied_on = models.DateField("申请日期")
    answers = models.JSONField("评估项目结论", default=dict, blank=True)
    home_visit_note = models.CharField("入户调查情况", max_length=500, blank=True)
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评估人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "寄养家庭"
        ordering = ["region_id", "id"]

    def __str__(self):
        return f"{self.carer_id} 寄养家庭"


class FosterPlacement(models.Model):
    """A child placed in a foster family by a 家庭寄养协议 (the institution, the family, the term, the monthly fee's
    standard, paid through the 家庭寄养费 programme on the monthly payroll); visited monthly (``next_visit_due``)."""

    scope_region_field = "family__region"

    class Status(models.TextChoices):
        ACTIVE = "active", "寄养中"
        ENDED = "ended", "已结束"

    family = models.ForeignKey(FosterFamily, verbose_name="寄养家庭", on_delete=models.PROTECT,
                               related_name="placements")  # fmt: skip
    child = models.ForeignKey(Person, verbose_name="寄养儿童", on_delete=models.PROTECT, related_name="+")
    institution = models.CharField("送养儿童福利机构", max_length=100)
    agreement_number = models.CharField("寄养协议编号", max_length=40, unique=True)
    started_on = models.DateField("寄养开始日期")
    term_ends_on = models.DateField("协议期满日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    next_visit_due = models.DateField("下次回访日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = verbose_name_plural = "家庭寄养协议"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(status="active"),
                                    name="children_one_active_foster_placement"),
        ]  # fmt: skip

    def __str__(self):
        return self.agreement_number


class FosterVisit(models.Model):
    """A monthly visit of a foster placement (《家庭寄养管理办法》第二十条: 每月至少一次)."""

    placement = models.ForeignKey(FosterPlacement, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("回访日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("回访情况", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "寄养回访"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.placement_id} {self.visited_on}"
