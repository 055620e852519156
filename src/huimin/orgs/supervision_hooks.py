"""社会组织 as a subject of the supervision machinery (双随机抽查, inspections, findings): the kind, its resolver
and the population a draw picks from (registered in ``OrgsConfig.ready``)."""

from huimin.core import regions
from huimin.core.scope import subtree
from huimin.orgs.models import Organisation

KIND = "orgs.organisation"


def resolve_organisations(ids) -> dict[int, tuple[str, str]]:
    """{id: (name, registration authority's region code)}: an organisation is supervised by its authority."""
    rows = Organisation.objects.filter(pk__in=list(ids)).values_list("pk", "name", "authority_id")
    return {pk: (name, authority) for pk, name, authority in rows}


def organisation_population(region_code: str) -> list[tuple[str, int, str]]:
    """The organisations a draw in ``region_code`` picks from: the active ones registered by an authority there."""
    qs = Organisation.objects.filter(subtree("authority", regions.prefix_of(region_code)),
                                     status=Organisation.Status.ACTIVE)  # fmt: skip
    return [(KIND, pk, name) for pk, name in qs.order_by("pk").values_list("pk", "name")]
