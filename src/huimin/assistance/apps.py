from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "huimin.assistance"
    label = "assistance"
    verbose_name = "社会救助"

    def ready(self):
        from huimin.assistance import workflow as w
        from huimin.core import menu, roles
        from huimin.core.roles import BusinessLine, Role

        # The programme machinery serves every line whose programmes it runs: 社会救助 (低保, 特困 …) and 残疾人福利
        # (残疾人两项补贴), 养老服务 (经济困难老年人养老服务补贴, 护理补贴). A capability counts on the line of the
        # programme acted on (Programme.business_line).
        for line in (BusinessLine.ASSISTANCE, BusinessLine.DISABILITY, BusinessLine.ELDERLY):
            roles.extend(Role.ASSISTANT, w.VIEW, w.APPLY, line=line)
            roles.extend(Role.CLERK, w.VIEW, w.APPLY, w.ACCEPT, w.VERIFY, w.VISIT, w.REVIEW, w.FORWARD, line=line)
            roles.extend(Role.REVIEWER, w.VIEW, w.VERIFY, w.REVIEW, w.CONFIRM_DELEGATED, line=line)
            roles.extend(Role.APPROVER, w.VIEW, w.VERIFY, w.APPROVE, w.MANAGE, w.DELEGATE, w.CONFIGURE, line=line)
        roles.extend(Role.FEDERATION_REVIEWER, w.VIEW, w.AGENCY_REVIEW, line=BusinessLine.DISABILITY)

        menu.register("assistance", "救助申请", "assistance_applications", "assistance:applications", w.VIEW)
        menu.register("assistance", "入户调查任务", "assistance_visits", "assistance:visit_round", w.VISIT)
        menu.register("assistance", "办理时限", "assistance_deadlines", "assistance:deadlines", w.VIEW)
        menu.register("assistance", "公示", "assistance_publicity", "assistance:publicity", w.VIEW)
        menu.register("assistance", "在保对象", "assistance_enrolments", "assistance:enrolments", w.VIEW)
        menu.register("assistance", "到期复核", "assistance_reviews", "assistance:reviews_due", w.VIEW)
        menu.register("assistance", "近亲属备案", "assistance_relatives", "assistance:relatives", w.VIEW)
        menu.register("assistance", "权限下放", "assistance_delegations", "assistance:delegations", w.VIEW)
        menu.register("assistance", "已转出申请", "assistance_forwarded", "assistance:forwarded", w.VIEW)
        menu.register("assistance", "待遇衔接规则", "assistance_overlap_rules", "assistance:overlap_rules", w.VIEW)
        menu.register("assistance", "政策参数与工作日", "assistance_settings", "assistance:settings", w.CONFIGURE)

        from huimin.assistance.registry_hooks import PROGRAMME_FILTER, repoint_person
        from huimin.registry import dedup, panels, search

        if PROGRAMME_FILTER not in search.PROGRAMME_FILTERS:
            search.PROGRAMME_FILTERS.append(PROGRAMME_FILTER)
        panels.register_fragment("社会救助", "assistance:household_panel", capability=w.VIEW)
        panels.register_action("申请救助", "assistance:application_create", capability=w.APPLY)
        if repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(repoint_person)

        from huimin.assistance.todos import applications_at_my_stages, reviews_due
        from huimin.core import todos

        todos.register(applications_at_my_stages)
        todos.register(reviews_due)
