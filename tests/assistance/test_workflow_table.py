"""The state machine's pure table (assistance.workflow), function by function — written against mutmut's
survivors (docs/testing.md): the stage after the last one, a programme whose last stage is not 审批, where an
action leads, the mandatory stages and the problems of a stage list, the actions of each stage."""

from huimin.assistance import workflow
from huimin.assistance.models import Stage


def test_next_stage_skips_the_stages_a_programme_does_not_use():
    stages = [Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION]
    assert workflow.next_stage(stages, Stage.ACCEPT) == Stage.VERIFY
    assert workflow.next_stage(stages, Stage.VERIFY) == Stage.REVIEW
    assert workflow.next_stage(stages, Stage.REVIEW) == Stage.DECISION


def test_next_stage_after_the_last_is_the_decision_not_an_error():
    # the boundary index + 1 == len(stages): one further would be past the list
    assert workflow.next_stage([Stage.ACCEPT, Stage.REVIEW, Stage.DECISION], Stage.DECISION) == Stage.DECISION
    assert workflow.next_stage([Stage.ACCEPT, Stage.VERIFY], Stage.VERIFY) == Stage.DECISION


def test_next_stage_of_the_last_but_one_is_the_last():
    # index + 1 == len(stages) - 1: the last stage of the list, even when it is not 审批
    assert workflow.next_stage([Stage.ACCEPT, Stage.VERIFY, Stage.VISIT], Stage.VERIFY) == Stage.VISIT


def test_target_follows_the_action():
    stages = [Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.PUBLICITY, Stage.DECISION]
    assert workflow.target(workflow.ACTIONS["accept"], stages, Stage.ACCEPT) == Stage.VERIFY  # NEXT
    assert workflow.target(workflow.ACTIONS["refuse"], stages, Stage.PUBLICITY) == Stage.REFUSED  # a stage
    assert workflow.target(workflow.ACTIONS["approve"], stages, Stage.DECISION) == Stage.ENROLLED
    assert workflow.target(workflow.ACTIONS["record_visit"], stages, Stage.VISIT) == Stage.VISIT  # stays


def test_mandatory_stages():
    assert workflow.mandatory_stages() == {Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION}
    assert workflow.mandatory_stages(True) == {Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION}
    assert workflow.mandatory_stages(False) == {Stage.ACCEPT, Stage.REVIEW, Stage.DECISION}
    assert workflow.mandatory_stages(False) is not workflow.MANDATORY_STAGES  # the constant is not handed out


def test_validate_stages_names_each_problem():
    full = [Stage.ACCEPT, Stage.VERIFY, Stage.REVIEW, Stage.DECISION]
    assert workflow.validate_stages(full) == []
    assert workflow.validate_stages([Stage.ACCEPT, Stage.REVIEW, Stage.DECISION]) == ["缺少必经环节 家庭经济状况核对"]
    assert workflow.validate_stages([Stage.ACCEPT, Stage.REVIEW, Stage.DECISION], means_tested=False) == []
    assert workflow.validate_stages([*full, "interview"]) == ["未知环节 interview"]
    assert workflow.validate_stages(["interview", Stage.ACCEPT]) == [
        "未知环节 interview",
        "缺少必经环节 家庭经济状况核对",
        "缺少必经环节 乡镇审核",
        "缺少必经环节 待审批/确认",
    ]


def test_allowed_actions_per_stage():
    def codes(stage):
        return [a.code for a in workflow.allowed_actions(stage)]

    assert codes(Stage.ACCEPT) == ["accept", "not_accept", "forward", "advance"]
    assert codes(Stage.PUBLICITY) == ["refuse", "resolve_objection", "approve", "advance"]
    assert codes(Stage.DECISION) == ["refuse", "approve", "advance", "case_by_case"]
    assert codes(Stage.ENROLLED) == []
