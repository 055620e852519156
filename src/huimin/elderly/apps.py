from django.apps import AppConfig


class ElderlyConfig(AppConfig):
    name = "huimin.elderly"
    label = "elderly"
    verbose_name = "养老服务"

    def ready(self):
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.elderly import capabilities as c
        from huimin.registry import panels

        line = BusinessLine.ELDERLY
        roles.extend(Role.ASSISTANT, c.VIEW, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.CONFIRM, c.ASSESS, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.CONFIRM, c.ASSESS, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.CONFIRM, c.ASSESS, line=line)
        # 探访关爱 (huimin.elderly.visits)
        roles.extend(Role.ASSISTANT, c.VISIT, line=line)
        roles.extend(Role.CLERK, c.VISIT, c.MANAGE_VISITS, line=line)
        roles.extend(Role.REVIEWER, c.VISIT, c.MANAGE_VISITS, line=line)
        roles.extend(Role.APPROVER, c.VISIT, c.MANAGE_VISITS, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)
        # 高龄津贴 免申即享: the township or county confirms the month's proposal; the county or city sets the bands
        roles.extend(Role.CLERK, c.ALLOWANCE, line=line)
        roles.extend(Role.REVIEWER, c.ALLOWANCE, line=line)
        roles.extend(Role.APPROVER, c.ALLOWANCE, c.ALLOWANCE_POLICY, line=line)

        menu.register("elderly", "老年人名册", "elderly_register", "elderly:register", c.VIEW)
        menu.register("elderly", "高龄津贴名单", "elderly_allowance", "elderly:allowance", c.VIEW)
        menu.register("elderly", "高龄津贴享受人员", "elderly_allowance_enrolled", "elderly:allowance_enrolled", c.VIEW)
        menu.register("elderly", "高龄津贴标准", "elderly_allowance_bands", "elderly:allowance_bands", c.VIEW)
        menu.register("elderly", "探访任务", "elderly_visits", "elderly:visit_round", c.VISIT)
        menu.register("elderly", "探访逾期", "elderly_overdue", "elderly:visits_overdue", c.VIEW)
        menu.register("elderly", "月探访率", "elderly_coverage", "elderly:visits_coverage", c.VIEW)
        menu.register("elderly", "探访人员", "elderly_visitors", "elderly:visitors", c.VIEW)
        panels.register_fragment("养老服务", "elderly:household_panel", capability=c.VIEW)

        from huimin.elderly import subsidies

        subsidies.connect()  # 养老服务补贴 and 护理补贴: the 能力评估 level and 低保/特困 recorded on application

        from huimin.elderly.registry_hooks import repoint_person
        from huimin.registry import dedup

        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)
