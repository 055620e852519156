from django.apps import AppConfig


class EldercareConfig(AppConfig):
    name = "huimin.eldercare"
    label = "eldercare"
    verbose_name = "养老机构与设施"

    def ready(self):
        from huimin.core import duties, menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.eldercare import capabilities as c
        from huimin.eldercare import registry_hooks
        from huimin.registry import dedup
        from huimin.supervision import capabilities as s
        from huimin.supervision import subjects

        line = BusinessLine.ELDERLY
        # clerk registers (and records an institution's rectification), reviewer inspects and accepts works,
        # approver draws, approves and closes findings as the second person
        roles.extend(Role.CLERK, c.VIEW, c.REGISTER, s.VIEW, s.RECTIFY, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.REGISTER, c.ASSESS, s.VIEW, s.INSPECT, s.RECTIFY, s.CLOSE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.REGISTER, c.ASSESS, c.APPROVE, s.VIEW, s.DRAW, s.INSPECT, s.CLOSE,
                     line=line)  # fmt: skip
        roles.extend(Role.STATISTICIAN, c.VIEW, s.VIEW, line=line)

        subjects.register(registry_hooks.KIND, "养老机构", registry_hooks.resolve_institutions, "eldercare:institution",
                          line, registry_hooks.institution_population)  # fmt: skip

        duties.register(duties.Procedure(
            code="eldercare.abnormal", label="养老机构异常名录", line=line,
            steps={"list": "列入", "remove": "移出"},
            doing={"list": "列入异常名录", "remove": "移出异常名录"},
            defaults=(("list", "remove", "移出须由列入人以外的审批人决定"),),
            required=frozenset({frozenset(("list", "remove"))}),
        ))  # fmt: skip
        duties.register(duties.Procedure(
            code="eldercare.retrofit", label="适老化改造补贴", line=line,
            steps={"apply": "受理", "assess": "入户评估", "accept": "验收", "approve": "审批补贴", "pay": "登记发放"},
            doing={"apply": "受理改造申请", "assess": "评估改造", "accept": "验收改造", "approve": "审批补贴",
                   "pay": "登记补贴发放"},
            defaults=(("assess", "approve", "补贴须由评估人以外的审批人审批"),
                      ("accept", "approve", "补贴须由验收人以外的审批人审批")),
            required=frozenset({frozenset(("assess", "approve")), frozenset(("accept", "approve"))}),
        ))  # fmt: skip

        menu.register("elderly", "养老机构", "eldercare_institutions", "eldercare:institutions", c.VIEW)
        menu.register("elderly", "社区养老服务设施", "eldercare_facilities", "eldercare:facilities", c.VIEW)
        menu.register("elderly", "适老化改造", "eldercare_retrofits", "eldercare:retrofits", c.VIEW)
        menu.register("elderly", "养老服务指标", "eldercare_dashboard", "eldercare:dashboard", c.VIEW)
        menu.register("elderly", "异常名录", "eldercare_abnormal", "eldercare:abnormal", c.VIEW)

        if registry_hooks.repoint_person not in dedup.MERGE_HOOKS:
            dedup.MERGE_HOOKS.append(registry_hooks.repoint_person)
