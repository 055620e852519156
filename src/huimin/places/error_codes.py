"""Stable codes of 区划地名's business-rule refusals (the API's ``code``; docs/place-names.md lists them)."""

from enum import StrEnum


class PlacesErrorCode(StrEnum):
    INVALID = "places.invalid"  # a required field is missing or malformed
    NAMING_RULE = "places.naming_rule"  # the name breaks a naming rule (duplicate, forbidden, reserved)
    PINYIN = "places.pinyin"  # the pinyin given does not match the name's reading
    PROPOSAL_STATE = "places.proposal_state"  # the proposal was already decided
    REGION_CHANGE = "places.region_change"  # the region change cannot be carried out (level, state, conflict)
    RULE_STATE = "places.rule_state"  # the naming rule is already ended
