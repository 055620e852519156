"""The audit chain: every state change and every sensitive read appends an entry that carries the SM3 hash
of the previous one, so an edited, deleted or inserted entry breaks the chain at a point ``verify`` names.

Appends are serialised on the AuditHead row and run inside the caller's transaction, so an entry exists
exactly when the change it records was committed.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from huimin.core.context import Actor, current_actor
from huimin.core.crypto import sm3_hex
from huimin.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "ts", "actor_id", "actor", "actor_role", "ip", "action",
    "object_type", "object_id", "object_repr", "region_code", "before", "after", "detail",
)  # fmt: skip


def _jsonable(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str)) if value is not None else None


def _canonical(entry: AuditEntry) -> bytes:
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    return sm3_hex(prev_hash.encode() + _canonical(entry))


@dataclass(frozen=True)
class Change:
    """One entry to append: what ``record`` takes, for ``record_many``."""

    action: str
    obj: object = None
    before: dict | None = None
    after: dict | None = None
    detail: str = ""
    region_code: str = ""


def record(
    action: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
    region_code: str = "",
    actor: Actor | None = None,
) -> AuditEntry:
    return record_many([Change(action, obj, before, after, detail, region_code)], actor=actor)[0]


def record_many(changes: list[Change], *, actor: Actor | None = None) -> list[AuditEntry]:
    """Append an entry per change, chained in order, with one lock of the head and one INSERT (a batch of device
    events raises many alarms at once)."""
    if not changes:
        return []
    actor = actor or current_actor()
    # no savepoint: an entry that cannot be written must undo the change it records, not be skipped
    with transaction.atomic(savepoint=False):
        head = AuditHead.objects.select_for_update().filter(id=1).order_by()[:1]
        if not head:  # only after a database flush; the migration creates the row
            AuditHead.objects.get_or_create(id=1)
            head = AuditHead.objects.select_for_update().filter(id=1)
        head = head[0]
        seq, prev, now, entries = head.last_seq, head.last_hash, timezone.now(), []
        for change in changes:
            obj = change.obj
            seq += 1
            entry = AuditEntry(
                seq=seq,
                ts=now,
                actor_id=actor.user_id,
                actor=actor.username,
                actor_role=actor.role,
                ip=actor.ip,
                action=change.action,
                object_type=obj._meta.label if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                object_repr=str(obj)[:200] if obj is not None else "",
                region_code=change.region_code or _region_of(obj),
                before=_jsonable(change.before),
                after=_jsonable(change.after),
                detail=change.detail,
                prev_hash=prev,
            )
            entry.hash = prev = entry_hash(prev, entry)
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(entries)
        AuditHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    return entries


def _region_of(obj) -> str:
    if obj is None:
        return ""
    region_id = getattr(obj, "region_id", None)
    return region_id or ""


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"审计链完整：已校验 {self.checked} 条记录"
        return f"审计链在第 {self.broken_seq} 条记录处断开：{self.reason}"


def verify(chunk_size: int = 5000) -> VerifyResult:
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少序号 {expected_seq} 的记录（记录被删除）")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, "前一条记录的哈希不符（记录被删除、插入或改动）")
        if entry_hash(prev_hash, entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "记录内容与其哈希不符（记录被改动）")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "链尾记录缺失（末尾记录被删除）")
    return VerifyResult(True, checked)


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` of ``obj`` for an entry's before/after (never protected plaintext)."""
    return {name: getattr(obj, name) for name in fields}
