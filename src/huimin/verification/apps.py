from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "huimin.verification"
    label = "verification"
    verbose_name = "居民家庭经济状况核对"

    def ready(self):
        from huimin.core import menu
        from huimin.core.roles import STATS_VIEW, BusinessLine, Role, extend
        from huimin.verification.capabilities import VERIFY_BATCH, VERIFY_DATA, VERIFY_REPORTS, VERIFY_RUN

        extend(Role.CLERK, VERIFY_RUN, VERIFY_REPORTS, line=BusinessLine.ASSISTANCE)
        extend(Role.REVIEWER, VERIFY_RUN, VERIFY_REPORTS, line=BusinessLine.ASSISTANCE)
        extend(Role.APPROVER, VERIFY_RUN, VERIFY_REPORTS, VERIFY_DATA, VERIFY_BATCH, line=BusinessLine.ASSISTANCE)
        extend(Role.STATISTICIAN, VERIFY_REPORTS, line=BusinessLine.ASSISTANCE)

        menu.register("verification", "家庭核对", "verification_households", "verification:households", VERIFY_RUN)
        menu.register("verification", "核对报告", "verification_reports", "verification:reports", VERIFY_REPORTS)
        menu.register("verification", "部门数据", "verification_sources", "verification:sources", VERIFY_DATA)
        menu.register("verification", "核对规则阈值", "verification_thresholds", "verification:thresholds", VERIFY_DATA)
        menu.register("verification", "批量复核", "verification_batches", "verification:batches", VERIFY_BATCH)
        menu.register("verification", "协查", "verification_assist", "verification:assist_list", VERIFY_RUN)
        menu.register("verification", "核对统计", "verification_stats", "verification:stats", STATS_VIEW)

        from django.apps import apps

        if apps.is_installed("huimin.assistance"):
            from huimin.verification import assistance_link

            assistance_link.connect()
