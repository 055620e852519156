"""Stable codes of 待遇资格's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class EligibilityErrorCode(StrEnum):
    NOT_RECIPIENT = "eligibility.not_recipient"  # 生存认证 of a person who receives no allowance that needs it
    DECEASED = "eligibility.deceased"  # 生存认证 of a person registered as dead
    BAD_DATE = "eligibility.bad_date"  # a confirmation dated in the future or before the enrolment
    ACKNOWLEDGED = "eligibility.acknowledged"  # a certificate-change notice already taken note of
    NO_POLICY = "eligibility.no_policy"  # no 生存认证 rule in force for the region
    POLICY_INVALID = "eligibility.policy_invalid"  # a cycle or grace period out of range, or not county/city level
