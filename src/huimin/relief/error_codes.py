"""Stable codes of 流浪乞讨救助's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class ReliefErrorCode(StrEnum):
    INVALID = "relief.invalid"  # a date missing or malformed
    STAY_STATE = "relief.stay_state"  # the stay has ended (returned, placed, left) or is not in this state
    ALREADY_IN_STATION = "relief.already_in_station"  # the person is already staying at a station
    DATES = "relief.dates"  # found after admitted, admitted in the future, a daily record outside the stay
    IDENTIFIED = "relief.identified"  # placement is for the unidentified only; identification needs a person
    PERIOD_NOT_REACHED = "relief.period_not_reached"  # the legal period before placement has not passed
    NOT_CONFIGURED = "relief.not_configured"  # no legal period in force, or no 特困 programme to apply for
    CONFIRMATION_REQUIRED = "relief.confirmation_required"  # a return needs the receiving party's confirmation
    SEARCH_STATE = "relief.search_state"  # the search has its outcome already
