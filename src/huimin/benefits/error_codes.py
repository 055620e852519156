"""Stable codes of benefits' business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class BenefitsErrorCode(StrEnum):
    MONTH_LOCKED = "benefits.month_locked"  # the payroll month is locked
    DUTIES_SEPARATED = "benefits.duties_separated"  # the same person may not build, review and approve a month
    WRONG_STATUS = "benefits.wrong_status"  # the month's status does not allow the action
    MONTH_INVALID = "benefits.month_invalid"  # a month that is not YYYY-MM
    RECOVERY_STATE = "benefits.recovery_state"  # the 追缴's status does not allow the action
    RECOVERY_AMOUNT = "benefits.recovery_amount"  # a repayment above what is outstanding
    BAND_OVERLAP = "benefits.band_overlap"  # a 高龄津贴 age band overlaps another of the same region and time
