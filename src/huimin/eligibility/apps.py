from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "huimin.eligibility"
    label = "eligibility"
    verbose_name = "待遇资格认证"

    def ready(self):
        from huimin.core import menu, roles, todos
        from huimin.core.roles import BusinessLine, Role
        from huimin.eligibility import capabilities as c
        from huimin.eligibility import services
        from huimin.eligibility.todos import certificate_notices, survival_overdue
        from huimin.verification import services as verification

        # the allowances are handled by the 社会救助 offices in many counties and by the 残疾人福利 office in others
        for line in (BusinessLine.ASSISTANCE, BusinessLine.DISABILITY):
            roles.extend(Role.ASSISTANT, c.VIEW, c.CONFIRM, line=line)
            roles.extend(Role.CLERK, c.VIEW, c.CONFIRM, line=line)
            roles.extend(Role.REVIEWER, c.VIEW, line=line)
            roles.extend(Role.APPROVER, c.VIEW, c.CONFIRM, c.POLICY, line=line)
            roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("eligibility", "生存认证", "eligibility_survival", "eligibility:survival", c.VIEW)
        menu.register("eligibility", "残疾人证变更", "eligibility_certificates", "eligibility:certificates", c.VIEW)
        menu.register("eligibility", "生存认证规则", "eligibility_policies", "eligibility:policies", c.VIEW)
        todos.register(certificate_notices)
        todos.register(survival_overdue)
        verification.on_snapshot(services.on_ingest)

        from huimin.core import daily

        def eligibility_daily(day):
            r = services.daily(day)
            return f"残疾人证变更 {r['certificates']} 条；生存认证逾期停保 {r['suspended']} 人"

        daily.register("eligibility.daily", "待遇资格：残疾人证变更、生存认证逾期停保", eligibility_daily)
