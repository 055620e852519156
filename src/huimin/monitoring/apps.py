from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "huimin.monitoring"
    label = "monitoring"
    verbose_name = "低收入人口动态监测"

    def ready(self):
        from huimin.core import roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.monitoring import capabilities as c

        roles.extend(Role.CLERK, c.VIEW, c.HANDLE, line=BusinessLine.ASSISTANCE)
        roles.extend(Role.REVIEWER, c.VIEW, c.HANDLE, line=BusinessLine.ASSISTANCE)
        roles.extend(Role.APPROVER, c.VIEW, c.HANDLE, c.RULES, c.RUN, line=BusinessLine.ASSISTANCE)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=BusinessLine.ASSISTANCE)

        from huimin.core import menu
        from huimin.registry import panels

        menu.register("monitoring", "预警清单", "monitoring_warnings", "monitoring:warnings", c.VIEW)
        menu.register("monitoring", "超期预警", "monitoring_overdue", "monitoring:overdue", c.VIEW)
        menu.register("monitoring", "监测看板", "monitoring_dashboard", "monitoring:dashboard", c.VIEW)
        menu.register("monitoring", "预警规则", "monitoring_rules", "monitoring:rules", c.RULES)
        menu.register("monitoring", "监测运行", "monitoring_runs", "monitoring:runs", c.RUN)
        panels.register_fragment("动态监测预警", "monitoring:household_panel", capability=c.VIEW)

        from huimin.core import todos
        from huimin.monitoring.todos import warnings_to_triage

        todos.register(warnings_to_triage)
