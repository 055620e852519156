"""Stable codes of 殡葬管理's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class FuneralErrorCode(StrEnum):
    INVALID = "funeral.invalid"  # a date or an amount missing or malformed
    ALREADY_RECORDED = "funeral.already_recorded"  # the deceased already has a record of a body
    DECEASED_STATE = "funeral.deceased_state"  # the person is merged, or registered dead on another date
    DEATH_DATE = "funeral.death_date"  # the date of death is missing, in the future or after the disposal
    CERTIFICATE_REQUIRED = "funeral.certificate_required"  # no 死亡医学证明 / 公安死亡证明 number
    FACILITY_KIND = "funeral.facility_kind"  # the facility cannot do this (a cemetery cannot cremate …)
    FACILITY_LICENCE = "funeral.facility_licence"  # the facility's licence has expired on the date
    NOT_CONFIGURED = "funeral.not_configured"  # no 惠民殡葬 policy in force for the region
    SETTLEMENT_STATE = "funeral.settlement_state"  # the settlement's state does not allow the action
    SETTLEMENT_EMPTY = "funeral.settlement_empty"  # no waiver to settle for the facility and month
    DUTY_CONFLICT = "funeral.duty_conflict"  # the same person cannot prepare, review and approve
    INSPECTION_STATE = "funeral.inspection_state"  # only a cemetery is inspected, once a year
    REPORT_STATE = "funeral.report_state"  # the illegal burial report's state does not allow the action
