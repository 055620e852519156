from django.apps import AppConfig


class EldercareConfig(AppConfig):
    name = "huimin.eldercare"
    label = "eldercare"
    verbose_name = "养老机构与设施"

    def ready(self):
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.eldercare import capabilities as c
        from huimin.eldercare import registry_hooks
        from huimin.registry import dedup
        from huimin.supervision import capabilities as s
        from huimin.supervision import subjects

        line = BusinessLine.ELDERLY
        # clerk registers (and records an institution's rectification), reviewer inspects and accepts works,
        # approver draws, approves and closes findings as the second person
        roles.extend(Role.CLERK, c.VIEW, c.REGISTER, s.VIEW, s.RECTIFY, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.REGISTER, c.ASSESS, s.VIEW, s.INSPECT, s.RECTIFY, s.CLOSE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.REGISTER, c.ASSESS, c.APPROVE, s.VIEW, s.DRAW, s.INSPECT, s.CLOSE,
                     line=line)  # fmt: skip
        roles.extend(Role.STATISTICIAN, c.VIEW, s.VIEW, line=line)

        subjects.register(registry_hooks.KIND, "养老机构", registry_hooks.resolve_institutions, "eldercare:institution",
                          line, registry_hooks.institution_population)  # fmt: skip

        menu.register("elderly", "养老机构", "eldercare_institutions", "eldercare:institutions", c.VIEW)
        menu.register("elderly", "社区养老服务设施", "eldercare_facilities", "eldercare:facilities", c.VIEW)
        menu.register("elderly", "适老化改造", "eldercare_retrofits", "eldercare:retrofits", c.VIEW)
        menu.register("elderly", "养老服务指标", "eldercare_dashboard", "eldercare:dashboard", c.VIEW)
        menu.register("elderly", "异常名录", "eldercare_abnormal", "eldercare:abnormal", c.VIEW)

        if registry_hooks.repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(registry_hooks.repoint_person)
