"""Stable codes of 核对's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class VerificationErrorCode(StrEnum):
    NO_THRESHOLDS = "verification.no_thresholds"  # the programme has no 核对 thresholds
    AUTHORISATION_MISSING = "verification.authorisation_missing"  # an adult member has not signed the 授权书
    AUTHORISATION_EXISTS = "verification.authorisation_exists"  # the person already has a 授权书 in force
    HOUSEHOLD_CLOSED = "verification.household_closed"  # the household is closed (注销)
    REGION_INVALID = "verification.region_invalid"  # a region code that is not 2/4/6/9/12 digits
    THRESHOLD_INVALID = "verification.threshold_invalid"  # a threshold's values do not hold together
    BATCH_NOT_RESUMABLE = "verification.batch_not_resumable"  # a run that cannot be resumed (done, alive, whole)
    BATCH_QUEUED = "verification.batch_queued"  # a county-by-county run already waits for the task worker
    SNAPSHOTS_NOT_PARTITIONED = "verification.snapshots_not_partitioned"  # no county=…/ directories there
