"""How 地名 objects are fetched for an actor (huimin.core.access): capability 403, outside his region 404."""

from huimin.core.access import access_by_id
from huimin.places import capabilities as cap
from huimin.places.models import PlaceName, Proposal, Sign


def access_place_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> PlaceName:
    queryset = PlaceName.objects.select_related("region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="地名")


def access_proposal_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Proposal:
    queryset = Proposal.objects.select_related("region", "place", "proposed_by", "decided_by")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="地名申请")


def access_sign_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Sign:
    queryset = Sign.objects.select_related("place__region")
    return access_by_id(queryset, actor, pk, capability=capability, region_field="place__region",
                        for_update=for_update, what="地名标志")  # fmt: skip
