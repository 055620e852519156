"""Stable codes of 社会组织管理's business-rule refusals (the API's and the pages' ``code``)."""

from enum import StrEnum


class OrgsErrorCode(StrEnum):
    CREDIT_CODE = "orgs.credit_code"  # 统一社会信用代码 malformed, wrong check digit, or already registered
    FILING_INVALID = "orgs.filing_invalid"  # a filing misses a required field or document
    FILING_STATE = "orgs.filing_state"  # the filing was already decided
    ORG_STATE = "orgs.org_state"  # the organisation is cancelled / revoked
    REPORT_INVALID = "orgs.report_invalid"  # an annual report misses a figure or has a negative one
    REPORT_STATE = "orgs.report_state"  # the report's state does not allow the step
    REPORT_YEAR = "orgs.report_year"  # a report for a year not yet ended, or before the organisation existed
    PORTAL_LOGIN = "orgs.portal_login"  # the organisation's code or filing password is wrong
    CREDIT_STATE = "orgs.credit_state"  # already on the list for this reason, or the entry is not open
    CREDIT_EXIT = "orgs.credit_exit"  # the condition to leave the list is not met
    NOTE_REQUIRED = "orgs.note_required"  # a refusal, a return or a removal needs its reason
    DATE_INVALID = "orgs.date_invalid"  # a date missing, malformed or in the future
    HOURS_INVALID = "orgs.hours_invalid"  # service hours outside 0.5–24 a day, or already confirmed
