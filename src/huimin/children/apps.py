from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "huimin.children"
    label = "children"
    verbose_name = "儿童福利"

    def ready(self):
        from huimin.children import capabilities as c
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role

        line = BusinessLine.CHILDREN
        # 儿童主任 (village assistant), 儿童督导员 (township clerk/reviewer), the county children's office (approver)
        roles.extend(Role.ASSISTANT, c.VIEW, c.CASE_REPORT, c.CASE_WORK, line=line)
        roles.extend(Role.CLERK, c.VIEW, c.REGISTER, c.CASE_REPORT, c.CASE_WORK, c.CASE_SUPERVISE, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.REGISTER, c.CASE_REPORT, c.CASE_WORK, c.CASE_SUPERVISE, c.ADOPTION,
                     line=line)  # fmt: skip
        # the county office is the 收养登记机关: it alone reads the sealed 收养档案
        roles.extend(Role.APPROVER, c.VIEW, c.REGISTER, c.CASE_REPORT, c.CASE_WORK, c.CASE_SUPERVISE, c.CASE_ALL,
                     c.ADOPTION, c.ADOPTION_ARCHIVE, line=line)  # fmt: skip
        roles.extend(Role.STATISTICIAN, c.VIEW, line=line)

        menu.register("children", "儿童名册", "children_register", "children:register", c.VIEW)
        menu.register("children", "走访任务", "children_visits", "children:visit_round", c.VIEW)
        menu.register("children", "儿童保护个案", "children_cases", "children:cases", c.CASE_REPORT)
        menu.register("children", "收养登记", "children_adoptions", "children:adoptions", c.ADOPTION)
        menu.register("children", "家庭寄养", "children_foster", "children:foster", c.ADOPTION)

        from huimin.children.adoption import procedure
        from huimin.core import duties

        duties.register(procedure())

        from huimin.children.todos import adoption_registry_pending
        from huimin.core import todos

        todos.register(adoption_registry_pending)

        from huimin.children.registry_hooks import repoint_person
        from huimin.registry import dedup

        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)

        from huimin.children import services
        from huimin.core import daily

        def children_daily(day):
            result = services.daily(day)
            return f"退出儿童名册 {result['ended']} 人；停发基本生活费 {result['stopped']} 人"

        daily.register("children.daily", "儿童福利：年满18周岁退出名册、停发基本生活费", children_daily)
