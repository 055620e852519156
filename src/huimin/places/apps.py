from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "huimin.places"
    label = "places"
    verbose_name = "区划地名"

    def ready(self):
        from huimin.core import duties, menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.places import capabilities as c

        line = BusinessLine.PLACES
        # the township's or county's 经办员 proposes names and keeps the signs; the county's 审批人 approves names
        # (never his own proposal), sets the naming rules and carries out 行政区划 changes
        roles.extend(Role.ASSISTANT, c.VIEW, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.PROPOSE, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.PROPOSE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.APPROVE, c.CONFIGURE, c.REGIONS, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("places", "标准地名", "places_list", "places:list", c.VIEW)
        menu.register("places", "命名更名申请", "places_proposals", "places:proposals", c.VIEW)
        menu.register("places", "申报地名命名", "places_propose", "places:propose", c.PROPOSE)
        menu.register("places", "地名标志", "places_signs", "places:signs", c.VIEW)
        menu.register("places", "地名命名规则", "places_rules", "places:rules", c.VIEW)
        menu.register("places", "行政区划变更", "places_changes", "places:changes", c.VIEW)
        menu.register("places", "地名统计", "places_stats", "places:stats", c.VIEW)

        from huimin.registry import panels

        panels.register_fragment("标准地名", "places:household_panel", capability=c.VIEW)

        duties.register(
            duties.Procedure(
                code="places.naming",
                label="地名命名更名",
                line=line,
                steps={"propose": "申报", "approve": "审批"},
                doing={"propose": "申报地名命名、更名", "approve": "审批地名命名、更名"},
                defaults=(("propose", "approve", "申报与审批分离（《地名管理条例》命名更名须经批准）"),),
                required=frozenset({frozenset(("propose", "approve"))}),
            )
        )
