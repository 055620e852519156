from django.apps import AppConfig


class MarriageConfig(AppConfig):
    name = "huimin.marriage"
    label = "marriage"
    verbose_name = "婚姻登记"

    def ready(self):
        from huimin.core import daily, duties, menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.marriage import capabilities as c

        line = BusinessLine.MARRIAGE
        roles.extend(Role.ASSISTANT, c.VIEW, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.REGISTER, line=line)  # 婚姻登记员
        roles.extend(Role.REVIEWER, c.VIEW, c.REGISTER, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.REGISTER, c.APPROVE, line=line)  # 婚姻登记处负责人
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("marriage", "婚姻登记", "marriage_index", "marriage:index", c.VIEW)
        menu.register("marriage", "婚姻登记档案", "marriage_records", "marriage:records", c.VIEW)
        menu.register("marriage", "离婚登记申请", "marriage_divorces", "marriage:divorces", c.VIEW)
        menu.register("marriage", "婚姻登记统计", "marriage_stats", "marriage:stats", c.VIEW)

        duties.register(duties.Procedure(
            code="marriage.request", label="补领结婚（离婚）证与登记更正", line=line,
            steps={"request": "申请", "decide": "审批"},
            doing={"request": "申请补领或更正", "decide": "审批补领或更正"},
            defaults=(("request", "decide", "补领与更正须由另一名登记员或负责人审批"),),
            required=frozenset({frozenset(("request", "decide"))}),
        ))  # fmt: skip

        from huimin.marriage import services

        def marriage_daily(day):
            r = services.daily(day)
            return f"预约未到 {r['no_shows']} 个；冷静期届满待登记 {r['waiting']} 件；视为撤回 {r['lapsed']} 件"

        daily.register("marriage.daily", "婚姻登记：预约未到、冷静期届满、逾期视为撤回", marriage_daily)
