"""Stable codes of 养老机构、设施和适老化改造's business-rule refusals (the API's ``code``)."""

from enum import StrEnum


class EldercareErrorCode(StrEnum):
    BAD_USCC = "eldercare.bad_uscc"  # the 统一社会信用代码 fails its check (python-stdnum, GB 32100-2015)
    DUPLICATE_USCC = "eldercare.duplicate_uscc"  # another institution holds the code
    REQUIRED = "eldercare.required"  # a required field is empty
    BAD_CHOICE = "eldercare.bad_choice"  # a type, status, post or bed type that does not exist
    BAD_NUMBER = "eldercare.bad_number"  # a count or an amount that is not a number in range
    BAD_DATE = "eldercare.bad_date"  # a date missing, malformed, in the future or out of order
    BEDS_FULL = "eldercare.beds_full"  # no free bed of the type; or fewer beds than residents
    ALREADY_RESIDENT = "eldercare.already_resident"  # the person lives in an institution already
    NOT_ELDERLY = "eldercare.not_elderly"  # the person is not on the older people's register
    NOT_ELIGIBLE = "eldercare.not_eligible"  # 适老化: the family is not a poor older family
    ALREADY_APPLIED = "eldercare.already_applied"  # 适老化: the household has an open or paid application
    STATE = "eldercare.state"  # the object's state does not allow the action
    OVER_CAP = "eldercare.over_cap"  # the subsidy exceeds the cap or the assessed cost
    ABNORMAL = "eldercare.abnormal"  # already (or not) on the 异常 list
