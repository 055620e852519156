from django.apps import AppConfig


class MarriageConfig(AppConfig):
    name = "huimin.marriage"
    label = "marriage"
    verbose_name = "婚姻登记"

    def ready(self):
        from huimin.core import menu, roles
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
