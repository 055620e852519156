"""How 动态监测 objects are fetched for an actor (huimin.core.access): warnings and rules."""

from huimin.core.access import access_by_id, visible_configuration
from huimin.monitoring import capabilities as cap
from huimin.monitoring.models import Warning, WarningRule


def access_warning_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Warning:
    queryset = Warning.objects.select_related("rule", "household", "person", "region", "township")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="预警")


def visible_rules(actor):
    """The rules that hold for the actor (the whole city's, his region's or one above it) and those set inside
    his subtree; another county's own rules do not exist for him."""
    return visible_configuration(WarningRule.objects.all(), actor)


def access_rule_by_id(actor, pk, *, capability: str = cap.RULES, for_update: bool = False) -> WarningRule:
    """A rule the actor sees (writes check ``require_writable_region`` on top: a wider rule is read-only)."""
    return access_by_id(visible_rules(actor).select_related("region"), actor, pk, capability=capability,
                        region_field=None, for_update=for_update, what="预警规则")  # fmt: skip
