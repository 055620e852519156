"""How supervision objects are fetched for an actor (huimin.core.access): the capability on the object's business
line (a draw of another line does not exist for him: 404), the object's region in his subtree (404)."""

from huimin.core.access import access_by_id, by_line
from huimin.supervision import capabilities as cap
from huimin.supervision.models import Complaint, Draw, Finding, Inspection, Risk


def _get(model, actor, pk, capability, what, for_update=False, related=()):
    queryset = by_line(model.objects.select_related("region", *related), actor, capability, "line")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what=what)


def access_draw_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Draw:
    return _get(Draw, actor, pk, capability, "抽查", for_update, ("created_by",))


def access_inspection_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Inspection:
    return _get(Inspection, actor, pk, capability, "检查记录", for_update, ("inspector", "co_inspector", "draw"))


def access_finding_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Finding:
    return _get(Finding, actor, pk, capability, "检查发现问题", for_update, ("inspection",))


def access_risk_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Risk:
    return _get(Risk, actor, pk, capability, "安全风险", for_update)


def access_complaint_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Complaint:
    return _get(Complaint, actor, pk, capability, "投诉", for_update)
