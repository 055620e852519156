"""Stable codes of 养老服务's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class ElderlyErrorCode(StrEnum):
    NOT_ELDERLY = "elderly.not_elderly"  # the person is not an older person (age, death, merged) on the date
    CATEGORY_STATE = "elderly.category_state"  # the category's state does not allow the action
    CATEGORY_UNKNOWN = "elderly.category_unknown"  # no such 特殊困难老年人 category
    NOTE_REQUIRED = "elderly.note_required"  # a rejection or a township 认定 needs its reason / source
    ASSESSMENT_INCOMPLETE = "elderly.assessment_incomplete"  # an item of the assessment has no score
    ASSESSMENT_SCORE = "elderly.assessment_score"  # a score is not one of the item's options
    ASSESSMENT_DATE = "elderly.assessment_date"  # the assessment date is missing or in the future
    NOT_CONFIGURED = "elderly.not_configured"  # the assessment items, levels or parameters are missing
    NOT_ELIGIBLE = "elderly.not_eligible"  # not an 经济困难 older person, or not assessed as needing care
    VISIT_DATE = "elderly.visit_date"  # the visit date is missing or in the future
    OUTSIDE_VILLAGES = "elderly.outside_villages"  # the older person lives outside the visitor's villages
    VISIT_CONFLICT = "elderly.visit_conflict"  # someone else visited the person since the form was loaded
