"""Refusals of social assistance that the API answers with their own stable error code (docs/api.md) instead of
the generic ``refused``; pages show the message like any other ServiceError."""

from huimin.core.services import ServiceError


class DutyConflict(ServiceError):
    """职责分离: the actor did another step of the same application that the programme keeps apart from this one,
    or would confirm a 核对 conclusion he recorded himself."""

    code = "assistance.duty_conflict"


class VerificationDocumentRequired(ServiceError):
    """A manual 核对 conclusion that differs from the 核对 system's report came without the report file."""

    code = "assistance.verification_document_required"
