"""职责分离 for procedures outside the programme machinery (core.duties): rules as data, defaults written after
migrate, a conflict refused naming both steps, required pairs that cannot be ended, and only an approver of the
procedure's line managing its rules."""

import pytest

from huimin.core import duties
from huimin.core.access import BusinessRuleError, Forbidden
from huimin.core.models import AuditEntry, DutyRule
from huimin.core.roles import BusinessLine, Role
from tests.conftest import COUNTY

SETTLEMENT = duties.Procedure(
    code="test.settlement",
    label="测试结算",
    line=BusinessLine.FUNERAL,
    steps={"compute": "生成结算", "review": "审核", "approve": "审批"},
    doing={"compute": "生成结算", "review": "审核结算", "approve": "审批结算"},
    defaults=(("compute", "approve", "资金须两人"), ("review", "approve", "")),
    required=frozenset({frozenset(("compute", "approve"))}),
)


@pytest.fixture
def procedure(db, monkeypatch):
    monkeypatch.setitem(duties.PROCEDURES, SETTLEMENT.code, SETTLEMENT)
    duties.ensure_defaults()
    return SETTLEMENT


@pytest.fixture
def funeral_approver(make_user, regions):
    return make_user("fa", Role.APPROVER, COUNTY, line=BusinessLine.FUNERAL)


def test_the_defaults_are_written_once_and_an_ended_rule_stays_ended(procedure, funeral_approver):
    assert DutyRule.objects.filter(procedure=procedure.code, ended_at__isnull=True).count() == 2
    rule = DutyRule.objects.get(procedure=procedure.code, first="review")
    duties.end_rule(funeral_approver, rule.pk, "乡镇人手不足")
    assert duties.ensure_defaults() == 0  # the procedure has had rules: the defaults are not written again
    assert not DutyRule.objects.filter(procedure=procedure.code, first="review", ended_at__isnull=True).exists()


def test_the_same_person_may_not_do_two_steps_kept_apart(procedure, funeral_approver):
    with pytest.raises(BusinessRuleError) as refused:
        duties.check(funeral_approver, procedure.code, "approve", {"compute": "fa"})
    assert refused.value.code == duties.DUTY_CONFLICT
    assert str(refused.value) == (
        "同一人不能既生成结算又审批结算（职责分离：“测试结算”的生成结算与审批须由不同工作人员办理）"
    )
    duties.check(funeral_approver, procedure.code, "approve", {"compute": "someone_else", "review": "other"})
    duties.check(funeral_approver, procedure.code, "review", {"compute": "fa"})  # no rule keeps these two apart


def test_an_ended_rule_no_longer_refuses_and_a_new_one_does(procedure, funeral_approver):
    rule = DutyRule.objects.get(procedure=procedure.code, first="review")
    duties.end_rule(funeral_approver, rule.pk, "试行")
    duties.check(funeral_approver, procedure.code, "approve", {"review": "fa"})
    duties.add_rule(funeral_approver, procedure.code, "review", "compute", "复核")  # stored in step order
    assert DutyRule.objects.filter(procedure=procedure.code, first="compute", second="review").exists()
    with pytest.raises(BusinessRuleError):
        duties.check(funeral_approver, procedure.code, "review", {"compute": "fa"})
    assert AuditEntry.objects.filter(action__in=("core.duty_rule.add", "core.duty_rule.end")).count() == 2


def test_a_required_pair_cannot_be_ended_nor_a_rule_without_reason(procedure, funeral_approver):
    required = DutyRule.objects.get(procedure=procedure.code, first="compute")
    with pytest.raises(BusinessRuleError, match="必须由两人办理"):
        duties.end_rule(funeral_approver, required.pk, "理由")
    other = DutyRule.objects.get(procedure=procedure.code, first="review")
    with pytest.raises(BusinessRuleError, match="须填写理由"):
        duties.end_rule(funeral_approver, other.pk, "  ")
    assert DutyRule.objects.filter(procedure=procedure.code, ended_at__isnull=True).count() == 2


def test_a_duplicate_or_one_step_rule_is_refused(procedure, funeral_approver):
    with pytest.raises(BusinessRuleError, match="已有"):
        duties.add_rule(funeral_approver, procedure.code, "approve", "compute")
    with pytest.raises(BusinessRuleError, match="两个不同的环节"):
        duties.add_rule(funeral_approver, procedure.code, "review", "review")


def test_only_an_approver_of_the_procedures_line_manages_its_rules(procedure, make_user, funeral_approver, client):
    other_line = make_user("ma", Role.APPROVER, COUNTY, line=BusinessLine.MARRIAGE)
    with pytest.raises(Forbidden):
        duties.add_rule(other_line, procedure.code, "compute", "review")
    client.force_login(other_line)
    assert "测试结算" not in client.get("/system/duties/").content.decode()
    client.force_login(funeral_approver)
    assert "测试结算" in client.get("/system/duties/").content.decode()


def test_a_procedure_of_several_lines_is_managed_by_an_approver_of_any_of_them(
    db, monkeypatch, make_user, regions, client
):
    shared = duties.Procedure(
        code="test.shared", label="测试共用流程", line=(BusinessLine.FUNERAL, BusinessLine.MARRIAGE),
        steps={"record": "登记", "close": "验收"}, doing={"record": "登记", "close": "验收"},
    )  # fmt: skip
    monkeypatch.setitem(duties.PROCEDURES, shared.code, shared)
    marriage = make_user("ma", Role.APPROVER, COUNTY, line=BusinessLine.MARRIAGE)
    orgs = make_user("oa", Role.APPROVER, COUNTY, line=BusinessLine.ORGS)
    rule = duties.add_rule(marriage, shared.code, "record", "close")
    with pytest.raises(Forbidden):
        duties.end_rule(orgs, rule.pk, "不归本条线")
    duties.end_rule(make_user("fa", Role.APPROVER, COUNTY, line=BusinessLine.FUNERAL), rule.pk, "试行")
    client.force_login(orgs)
    assert "测试共用流程" not in client.get("/system/duties/").content.decode()
    client.force_login(marriage)
    assert "测试共用流程" in client.get("/system/duties/").content.decode()
