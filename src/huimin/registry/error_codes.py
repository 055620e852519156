"""Stable codes of the registry's business-rule refusals (the API's ``code``; docs/api.md lists them)."""

from enum import StrEnum


class RegistryErrorCode(StrEnum):
    DUPLICATE_ID = "registry.duplicate_id"  # the ID number is already registered
