"""How 儿童福利 plugs into the registry's person merge (``registry.dedup.MERGE_HOOKS``): a merged child's register
entries, cases and the guardians recorded as that person become ``keep``'s (a duplicate active entry in the same
register ends, its history kept)."""

from huimin.children.models import Case, Guardian, RegisterEntry


def repoint_person(keep, drop) -> None:
    kept = set(RegisterEntry.objects.filter(person=keep, status=RegisterEntry.Status.ACTIVE)
               .values_list("category_id", flat=True))  # fmt: skip
    RegisterEntry.objects.filter(person=drop, status=RegisterEntry.Status.ACTIVE, category_id__in=kept).update(
        status=RegisterEntry.Status.ENDED, end_reason="人员合并：与保留人员的名册记录重复"
    )
    RegisterEntry.objects.filter(person=drop).update(person=keep)
    Guardian.objects.filter(person=drop).update(person=keep)
    Case.objects.filter(child=drop).update(child=keep)
