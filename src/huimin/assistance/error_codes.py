"""Stable codes of social assistance's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum

from huimin.core.access import BusinessRuleError


class AssistanceErrorCode(StrEnum):
    PUBLICITY_NOT_OVER = "assistance.publicity_not_over"  # approval before the 公示期 has ended
    OBJECTIONS_OPEN = "assistance.objections_open"  # approval while a 公示 objection is unresolved
    PUBLICITY_OVER = "assistance.publicity_over"  # an objection after the 公示期
    WRONG_STAGE = "assistance.wrong_stage"  # the application's stage does not allow the action
    DOCUMENTS_MISSING = "assistance.documents_missing"  # 受理 while required documents are missing
    NO_AUTHORITY = "assistance.no_authority"  # changing an enrolment is the county's (or a delegated township's)
    DUTY_CONFLICT = "assistance.duty_conflict"  # 职责分离: the actor did a step the programme keeps apart
    NOT_ELIGIBLE = "assistance.not_eligible"  # a rule of who may receive the programme (OverlapRule) refuses
    OVERLAP = "assistance.overlap"  # an overlap rule (OverlapRule) refuses the programme beside another one
    # a programme whose condition rule (OverlapRule) is in force nowhere at the place and day (ended, not replaced)
    RULE_NOT_CONFIGURED = "assistance.rule_not_configured"
    ALREADY_RECEIVING = "assistance.already_receiving"  # the person already receives the programme
    CERTIFICATE_INVALID = "assistance.certificate_invalid"  # a 残疾人证 that cannot be the holder's
    OTHER_COUNTY = "assistance.other_county"  # a county department acting on another county's application
    NOT_FORWARDABLE = "assistance.not_forwardable"  # forwarding where the 户籍 county is the receiving one
    # a manual 核对 conclusion that differs from the 核对 system's report came without the report file
    VERIFICATION_DOCUMENT_REQUIRED = "assistance.verification_document_required"
    # submitting the 入户调查 with no saved record, too few visitors or no findings
    VISIT_INCOMPLETE = "assistance.visit_incomplete"
    # an 入户调查 record entered offline while someone else saved the same case's record after the form was loaded
    VISIT_CONFLICT = "assistance.visit_conflict"


class DutyConflict(BusinessRuleError):
    """职责分离: the actor did another step of the same application that the programme keeps apart from this one,
    or would confirm a 核对 conclusion he recorded himself."""

    def __init__(self, message: str):
        super().__init__(AssistanceErrorCode.DUTY_CONFLICT, message)


class VerificationDocumentRequired(BusinessRuleError):
    """A manual 核对 conclusion that differs from the 核对 system's report came without the report file."""

    def __init__(self, message: str):
        super().__init__(AssistanceErrorCode.VERIFICATION_DOCUMENT_REQUIRED, message)
