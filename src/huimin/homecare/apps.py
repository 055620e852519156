from django.apps import AppConfig


class HomecareConfig(AppConfig):
    name = "huimin.homecare"
    label = "homecare"
    verbose_name = "居家社区养老服务"

    def ready(self):
        from huimin.core import duties, menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.homecare import capabilities as c

        line = BusinessLine.ELDERLY
        roles.extend(Role.ASSISTANT, c.VIEW, c.ALARM, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.MANAGE, c.ALARM, c.SETTLE, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.SETTLE, c.ALARM, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.MANAGE, c.SETTLE, c.ALARM, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("elderly", "服务项目与价格", "homecare_catalogue", "homecare:catalogue", c.VIEW)
        menu.register("elderly", "服务商与合同", "homecare_providers", "homecare:providers", c.VIEW)
        menu.register("elderly", "居家服务订单", "homecare_orders", "homecare:orders", c.VIEW)
        menu.register("elderly", "服务记录", "homecare_records", "homecare:records", c.VIEW)
        menu.register("elderly", "服务结算", "homecare_settlements", "homecare:settlements", c.VIEW)
        menu.register("elderly", "智慧养老告警", "homecare_alarms", "homecare:alarms", c.VIEW)
        menu.register("elderly", "居家养老统计", "homecare_dashboard", "homecare:dashboard", c.VIEW)

        duties.register(duties.Procedure(
            code="homecare.settlement", label="居家养老服务结算", line=line,
            steps={"build": "生成结算", "review": "复核", "approve": "审批"},
            doing={"build": "生成服务结算", "review": "复核服务结算", "approve": "审批服务结算"},
            defaults=(("build", "review", "结算由生成人以外的人员复核"),
                      ("build", "approve", "服务补贴资金须由生成人以外的人员审批"),
                      ("review", "approve", "服务补贴资金须由复核人以外的人员审批")),
            required=frozenset({frozenset(("build", "approve")), frozenset(("review", "approve"))}),
        ))  # fmt: skip

        from huimin.homecare.registry_hooks import repoint_person
        from huimin.registry import dedup

        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)
