"""Stable codes of 动态监测's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class MonitoringErrorCode(StrEnum):
    WARNING_STATE = "monitoring.warning_state"  # the warning is not in a state that allows the action
    NOTE_REQUIRED = "monitoring.note_required"  # 处置说明 (or the reason of a 不属实 / 无需处理) is missing
    NO_ENROLMENT = "monitoring.no_enrolment"  # 停止保障 of a household with no current enrolment
    RULE_LEVEL = "monitoring.rule_level"  # rules are changed by county or city staff only
    RULE_INVALID = "monitoring.rule_invalid"  # a rule's parameters, level or time limit are not acceptable
    RUN_IN_PROGRESS = "monitoring.run_in_progress"  # a run is under way or queued
    CHANGE_REQUIRED = "monitoring.change_required"  # an outcome naming an enrolment change without the change
    EVIDENCE_REQUIRED = "monitoring.evidence_required"  # 不属实 / 无需处理 without evidence
    DEATH_UNCONFIRMED = "monitoring.death_unconfirmed"  # 停止保障 on a death warning before the death is confirmed
    RUN_NOT_RESUMABLE = "monitoring.run_not_resumable"  # 续跑 of a run that is not a stopped county-by-county run
    SNAPSHOT_MISSING = "monitoring.snapshot_missing"  # a current departmental snapshot's file is gone
