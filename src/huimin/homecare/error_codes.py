"""Stable codes of 居家社区养老服务's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class HomecareErrorCode(StrEnum):
    NOT_CONFIGURED = "homecare.not_configured"  # no price / setting / roster in force for the place and day
    INVALID = "homecare.invalid"  # a field is missing or malformed
    USCC = "homecare.uscc"  # the 统一社会信用代码 fails its check digit
    NOT_ELDERLY = "homecare.not_elderly"  # an order for someone younger than 60 (or dead) on the date
    CONTRACT = "homecare.contract"  # the provider has no contract for the region covering the date
    STATE = "homecare.state"  # the object's state does not allow the action
    DEVICE_UNKNOWN = "homecare.device_unknown"  # an event for a device that is not this provider's
