from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "huimin.stats"
    label = "stats"
    verbose_name = "统计决策"

    def ready(self):
        from huimin.core import daily, menu, roles
        from huimin.core.roles import STATS_VIEW, BusinessLine, Role
        from huimin.stats import capabilities as c
        from huimin.stats import indicators

        roles.extend(Role.STATISTICIAN, c.MANAGE, line=BusinessLine.ASSISTANCE)
        roles.extend(Role.APPROVER, c.MANAGE, line=BusinessLine.ASSISTANCE)

        menu.register("stats", "决策看板", "stats_dashboard", "stats:dashboard", STATS_VIEW)
        menu.register("stats", "社会救助月报", "stats_monthly", "stats:monthly", STATS_VIEW)
        menu.register("stats", "资金发放统计", "stats_funds", "stats:funds", STATS_VIEW)
        menu.register("stats", "指标", "stats_indicators", "stats:indicators", STATS_VIEW)
        daily.register(
            "stats.indicators", "统计指标：重算工作人员所在区划及上级的本月、上月指标", indicators.refresh_staff_regions
        )
