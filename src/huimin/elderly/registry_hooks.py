"""How 养老服务 plugs into the registry's person merge (``registry.dedup.MERGE_HOOKS``)."""

from huimin.elderly.models import Assessment, CategoryMark

DECIDED = (CategoryMark.Status.CONFIRMED, CategoryMark.Status.REJECTED)


def repoint_person(keep, drop) -> None:
    """After the registry merges ``drop`` into ``keep``, his assessments are ``keep``'s, and so are his categories;
    where both hold the same category, the township's decision (确认 or 否定) wins over an undecided suggestion and
    the merged-away mark lapses (nothing is deleted)."""
    Assessment.objects.filter(person=drop).update(person=keep)
    kept = {m.category_id: m for m in CategoryMark.objects.filter(person=keep)}
    for mark in CategoryMark.objects.filter(person=drop):
        other = kept.get(mark.category_id)
        if other is None:
            mark.person = keep
            mark.save(update_fields=["person"])
            continue
        if mark.status in DECIDED and other.status not in DECIDED:
            for f in ("status", "source", "basis", "source_date", "decided_by", "decided_on", "note"):
                setattr(other, f, getattr(mark, f))
            other.save()
        mark.status, mark.note = CategoryMark.Status.LAPSED, f"人员已合并至 {keep.pk}"
        mark.save(update_fields=["status", "note"])
