"""How eldercare plugs into the registry (person merges) and into supervision (the subject kind)."""

from huimin.eldercare.models import Institution, Resident, Retrofit

KIND = "eldercare.institution"


def repoint_person(keep, drop) -> None:
    Resident.objects.filter(person=drop).update(person=keep)
    Retrofit.objects.filter(person=drop).update(person=keep)


def resolve_institutions(ids) -> dict[int, tuple[str, str]]:
    return {pk: (name, region) for pk, name, region in
            Institution.objects.filter(pk__in=list(ids)).values_list("pk", "name", "region_id")}  # fmt: skip


def institution_population(region_code: str) -> list[tuple[str, int, str]]:
    """The institutions a draw in ``region_code`` picks from: those operating in its subtree."""
    from huimin.core import regions
    from huimin.core.scope import subtree

    qs = Institution.objects.filter(subtree("region", regions.prefix_of(region_code)),
                                    status=Institution.Status.OPERATING)  # fmt: skip
    return [(KIND, pk, name) for pk, name in qs.values_list("pk", "name")]
