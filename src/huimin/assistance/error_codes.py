"""Stable codes of social assistance's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class AssistanceErrorCode(StrEnum):
    PUBLICITY_NOT_OVER = "assistance.publicity_not_over"  # approval before the 公示期 has ended
    OBJECTIONS_OPEN = "assistance.objections_open"  # approval while a 公示 objection is unresolved
    PUBLICITY_OVER = "assistance.publicity_over"  # an objection after the 公示期
    WRONG_STAGE = "assistance.wrong_stage"  # the application's stage does not allow the action
    DOCUMENTS_MISSING = "assistance.documents_missing"  # 受理 while required documents are missing
    NO_AUTHORITY = "assistance.no_authority"  # changing an enrolment is the county's (or a delegated township's)
