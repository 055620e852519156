"""Stable codes of the supervision machinery's business-rule refusals (the API's ``code``)."""

from enum import StrEnum


class SupervisionErrorCode(StrEnum):
    UNKNOWN_KIND = "supervision.unknown_kind"  # no subject kind registered under that name
    EMPTY_POPULATION = "supervision.empty_population"  # nothing to draw from
    BAD_SAMPLE = "supervision.bad_sample"  # count/ratio missing, both given, or out of range
    POOL_TOO_SMALL = "supervision.pool_too_small"  # fewer inspectors than each subject needs
    BAD_INSPECTOR = "supervision.bad_inspector"  # an inspector who may not inspect in the draw's region
    DUPLICATE_SUBJECT = "supervision.duplicate_subject"  # the same subject twice in the population
    ALREADY_PUBLISHED = "supervision.already_published"
    INSPECTION_STATE = "supervision.inspection_state"  # the inspection's state does not allow the action
    NOT_INSPECTOR = "supervision.not_inspector"  # only a drawn inspector records a drawn inspection
    BAD_DATE = "supervision.bad_date"  # a date missing, malformed, in the future or out of order
    BAD_DEADLINE = "supervision.bad_deadline"  # a rectification deadline outside what the severity allows
    FINDING_STATE = "supervision.finding_state"  # the finding's state does not allow the action
    TEXT_REQUIRED = "supervision.text_required"  # a description, note or reason is required
    BAD_CHOICE = "supervision.bad_choice"  # a severity, risk category, level or channel that does not exist
