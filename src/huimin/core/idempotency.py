"""Submit once: a record entered offline (static/huimin/js/offline-queue.js) carries a key the browser made for
it, sent as the ``Idempotency-Key`` header (or the ``client_key`` field). The service that writes the record
calls ``check_key`` before validating and ``remember`` inside its transaction, first: a second submit of the same
key — the network dropped the answer, the queue retried — is refused as ``AlreadyReceived`` (naming the record
the first submit made), never written twice. Any business can use it: the kind names the business
("elderly.visit", later "children.visit")."""

import re

from django.db import IntegrityError, transaction

from huimin.core.models import ReceivedSubmission
from huimin.core.services import ServiceError

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
HEADER = "HTTP_IDEMPOTENCY_KEY"


class AlreadyReceived(ServiceError):
    """The same submission arrived before; ``object_id`` is what it made."""

    code = "core.already_received"

    def __init__(self, kind: str, key: str, object_id: str):
        self.kind, self.key, self.object_id = kind, key, object_id
        super().__init__(f"该记录已于此前提交并接收（提交标识 {key}），未重复登记")


def key_from(request) -> str:
    """The key of a request: the header, else the form field ``client_key`` ('' when neither)."""
    return (request.META.get(HEADER) or request.POST.get("client_key") or "").strip()


def check_key(kind: str, key: str) -> None:
    """Validate a key (empty: the form was submitted online without one) and refuse one already received."""
    if not key:
        return
    if not KEY_RE.fullmatch(key):
        raise ServiceError("提交标识格式不正确（应为 8–64 位字母、数字、连字符）")
    seen = ReceivedSubmission.objects.filter(kind=kind, key=key).first()
    if seen is not None:
        raise AlreadyReceived(kind, key, seen.object_id)


def remember(kind: str, key: str, user) -> ReceivedSubmission | None:
    """Inside the writing transaction, before the record: claim the key. A concurrent submit of the same key waits
    on the unique index and is refused when the first commits."""
    if not key:
        return None
    try:
        with transaction.atomic():
            return ReceivedSubmission.objects.create(kind=kind, key=key, user=user)
    except IntegrityError:
        seen = ReceivedSubmission.objects.filter(kind=kind, key=key).first()
        raise AlreadyReceived(kind, key, seen.object_id if seen else "") from None


def attach(received: ReceivedSubmission | None, obj) -> None:
    """Name the record the submission made (after it is created, in the same transaction)."""
    if received is not None:
        received.object_id = str(obj.pk)
        received.save(update_fields=["object_id"])
