from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "huimin.relief"
    label = "relief"
    verbose_name = "流浪乞讨救助"

    def ready(self):
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.relief import capabilities as c

        line = BusinessLine.RELIEF
        # the 救助站's 经办员 takes people in, keeps the daily records, searches for their families and returns them
        # home; its 审核人 and 审批人 (the station's head, the county's office) see the photos and health checks and
        # refer those unidentified after the legal period to 特困 供养; the 审批人 sets stations and the legal period
        roles.extend(Role.ASSISTANT, c.VIEW, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.INTAKE, c.SENSITIVE, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.INTAKE, c.SENSITIVE, c.PLACE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.INTAKE, c.SENSITIVE, c.PLACE, c.CONFIGURE, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("relief", "救助记录", "relief_stays", "relief:stays", c.VIEW)
        menu.register("relief", "入站登记", "relief_intake", "relief:intake", c.INTAKE)
        menu.register("relief", "救助站与寻亲期限", "relief_stations", "relief:stations", c.VIEW)
        menu.register("relief", "救助统计", "relief_stats", "relief:stats", c.VIEW)

        from huimin.registry import dedup, panels
        from huimin.relief.services import household_panel, repoint_person

        panels.register("流浪乞讨救助", "relief/_household_panel.html", household_panel)

        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)
