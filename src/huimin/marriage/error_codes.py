"""Stable codes of 婚姻登记's business-rule refusals (the API's ``code``; docs/marriage.md lists them)."""

from enum import StrEnum


class MarriageErrorCode(StrEnum):
    NOT_CONFIGURED = "marriage.not_configured"  # no office, or the office is closed that day
    ID_NUMBER = "marriage.id_number"  # an ID number that is not valid
    FULL = "marriage.full"  # no appointment left that day
    APPOINTMENT_STATE = "marriage.appointment_state"  # cancelled, served or past
    REFUSED = "marriage.refused"  # a legal condition of registration is not met (the reasons follow)
    COOLING_OFF = "marriage.cooling_off"  # registration before the cooling-off period ended
    WINDOW_ENDED = "marriage.window_ended"  # withdrawal after the period / registration after the window
    APPLICATION_STATE = "marriage.application_state"  # the application was withdrawn, lapsed or registered
    RECORD_STATE = "marriage.record_state"  # the record does not allow the act (not subsisting …)
    INPUT = "marriage.input"  # a required field is missing or malformed
