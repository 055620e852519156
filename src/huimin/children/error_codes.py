"""Stable codes of 儿童福利's business-rule refusals (the API's ``code``; docs/children.md lists them)."""

from enum import StrEnum


class ChildrenErrorCode(StrEnum):
    NOT_A_CHILD = "children.not_a_child"  # the person is 18 or older (or dead, or has no birth date) on the date
    CATEGORY_UNKNOWN = "children.category_unknown"  # no such register category
    CRITERIA = "children.criteria"  # the category's criteria are not met (e.g. no guardian in a listed status)
    ALREADY_REGISTERED = "children.already_registered"  # the child is already in this register
    GUARDIAN_IS_CHILD = "children.guardian_is_child"  # a guardian recorded is the child himself
    DIRECTOR = "children.director"  # the 儿童主任 named is not a 儿童福利 assistant of the child's village
    CASE_STATE = "children.case_state"  # the case's state does not allow the step
    PLAN_EMPTY = "children.plan_empty"  # a case plan with no intervention
    SELF_APPROVAL = "children.self_approval"  # the author of a plan (or the closure request) approves it
    REQUIRED = "children.required"  # a required field is missing
    ASSESSMENT_ITEMS = "children.assessment_items"  # an assessment item has no (or an unknown) answer
    NOT_CONFIGURED = "children.not_configured"  # parameters, risk items or levels missing
    ADOPTION_CONDITIONS = "children.adoption_conditions"  # 民法典第一千零九十三条至第一千一百零四条 not met
    ADOPTION_STATE = "children.adoption_state"  # the adoption's (or foster family's) state does not allow the step
    # a visit entered offline while someone else recorded a visit of the same child after the form was loaded
    VISIT_CONFLICT = "children.visit_conflict"
    # the adopter (or the co-adopting spouse) has no current household in the registry to receive the child
    ADOPTER_HOUSEHOLD = "children.adopter_household"
    FOSTER_CONDITIONS = "children.foster_conditions"  # 《家庭寄养管理办法》: the carer's age, two children at most
    # a report received from the portal or the API: a value that is not one (an ID number, an age, a text too long)
    INVALID = "children.invalid"
    REPORT_STATE = "children.report_state"  # the received report was already identified (立案) or closed
