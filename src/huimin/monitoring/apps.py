from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "huimin.monitoring"
    label = "monitoring"
    verbose_name = "低收入人口动态监测"

    def ready(self):
        from huimin.core import roles
        from huimin.core.roles import Role
        from huimin.monitoring import capabilities as c

        roles.extend(Role.CLERK, c.VIEW, c.HANDLE)
        roles.extend(Role.REVIEWER, c.VIEW, c.HANDLE)
        roles.extend(Role.APPROVER, c.VIEW, c.HANDLE, c.RULES, c.RUN)
        roles.extend(Role.STATISTICIAN, c.VIEW)
