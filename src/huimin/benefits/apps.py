from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "huimin.benefits"
    label = "benefits"
    verbose_name = "待遇发放"

    def ready(self):
        from huimin.benefits import capabilities as c
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role

        roles.extend(Role.APPROVER, c.VIEW, c.STANDARDS, c.PAYROLL, c.PAY, line=BusinessLine.ASSISTANCE)
        roles.extend(Role.STATISTICIAN, c.VIEW, line=BusinessLine.ASSISTANCE)

        menu.register("benefits", "保障标准", "benefits_standards", "benefits:standards", c.VIEW)
        menu.register("benefits", "月度发放", "benefits_payroll", "benefits:payroll_months", c.VIEW)
        menu.register("benefits", "代发模板", "benefits_templates", "benefits:templates", c.PAY)
        menu.register("benefits", "发放项目与资金来源", "benefits_funds", "benefits:funds", c.VIEW)
        menu.register("benefits", "追缴", "benefits_recoveries", "benefits:recoveries", c.VIEW)
        menu.register("benefits", "待遇试算", "benefits_calculator", "benefits:calculator", c.VIEW)
        menu.register("benefits", "调标", "benefits_restandard", "benefits:restandard", c.STANDARDS)

        from huimin.benefits.todos import payroll_months
        from huimin.core import todos

        todos.register(payroll_months)

        from django.apps import apps

        if apps.is_installed("huimin.assistance"):
            from huimin.benefits import assistance_link

            assistance_link.connect()
