from django.apps import AppConfig


class FuneralConfig(AppConfig):
    name = "huimin.funeral"
    label = "funeral"
    verbose_name = "殡葬管理"

    def ready(self):
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.funeral import capabilities as c

        line = BusinessLine.FUNERAL
        # the funeral home's or the township's 经办员 records bodies and prepares the month's settlement; the
        # county's 审核人 reviews it, its 审批人 approves it and sets the facilities and the 惠民殡葬 policies
        roles.extend(Role.ASSISTANT, c.VIEW, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.RECORD, c.SETTLE, c.SUPERVISE, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.REVIEW, c.SUPERVISE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.APPROVE, c.CONFIGURE, c.SUPERVISE, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("funeral", "遗体处置记录", "funeral_records", "funeral:records", c.VIEW)
        menu.register("funeral", "登记遗体处置", "funeral_record_new", "funeral:record_new", c.RECORD)
        menu.register("funeral", "惠民殡葬结算", "funeral_settlements", "funeral:settlements", c.VIEW)
        menu.register("funeral", "殡葬服务单位", "funeral_facilities", "funeral:facilities", c.VIEW)
        menu.register("funeral", "惠民殡葬政策", "funeral_policies", "funeral:policies", c.VIEW)
        menu.register("funeral", "殡葬监管", "funeral_supervision", "funeral:supervision", c.VIEW)
        menu.register("funeral", "殡葬统计", "funeral_stats", "funeral:stats", c.VIEW)

        from huimin.funeral.services import repoint_person
        from huimin.registry import dedup

        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)
