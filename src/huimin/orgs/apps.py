from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "huimin.orgs"
    label = "orgs"
    verbose_name = "社会组织管理"

    def ready(self):
        from huimin.core import daily, duties, menu, roles
        from huimin.core.roles import BusinessLine, Role
        from huimin.orgs import capabilities as c
        from huimin.orgs import rules, supervision_hooks
        from huimin.supervision import capabilities as s
        from huimin.supervision import subjects

        line = BusinessLine.ORGS
        # 双随机 spot checks (huimin.supervision): the approver draws and closes findings as the second person, the
        # reviewer inspects, the clerk records an organisation's rectification
        roles.extend(Role.CLERK, c.VIEW, c.REGISTER, s.VIEW, s.RECTIFY, line=line)
        roles.extend(Role.REVIEWER, c.VIEW, c.PRECHECK, s.VIEW, s.INSPECT, s.RECTIFY, s.CLOSE, line=line)
        roles.extend(Role.APPROVER, c.VIEW, c.DECIDE, c.REGISTER, s.VIEW, s.DRAW, s.INSPECT, s.CLOSE, line=line)
        roles.extend(Role.STATISTICIAN, c.VIEW, s.VIEW, line=line)

        subjects.register(supervision_hooks.KIND, "社会组织", supervision_hooks.resolve_organisations, "orgs:org", line,
                          supervision_hooks.organisation_population,
                          note=f"年度抽查比例不低于 {rules.SPOT_CHECK_TARGET * 100:.0f}%（比例填 "
                          f"{rules.SPOT_CHECK_TARGET}，向上取整）")  # fmt: skip

        menu.register("orgs", "社会组织", "orgs_list", "orgs:list", c.VIEW)
        menu.register("orgs", "登记申请", "orgs_filings", "orgs:filings", c.VIEW)
        menu.register("orgs", "年度报告", "orgs_reports", "orgs:reports", c.VIEW)
        menu.register("orgs", "信用名单", "orgs_credit", "orgs:credit", c.VIEW)
        menu.register("orgs", "志愿服务", "orgs_activities", "orgs:activities", c.VIEW)
        menu.register("orgs", "乡镇社工站", "orgs_stations", "orgs:stations", c.VIEW)
        menu.register("orgs", "年检率统计", "orgs_stats", "orgs:stats", c.VIEW)

        duties.register(
            duties.Procedure(
                code="orgs.filing",
                label="社会组织登记",
                line=line,
                steps={"submit": "受理", "decide": "登记决定"},
                doing={"submit": "受理登记申请", "decide": "作出登记决定"},
                defaults=(("submit", "decide", "受理与决定分离"),),
                required=frozenset({frozenset(("submit", "decide"))}),
            )
        )
        duties.register(
            duties.Procedure(
                code="orgs.annual_report",
                label="社会组织年检",
                line=line,
                steps={"precheck": "年报初审", "decide": "年检结论"},
                doing={"precheck": "初审年度报告", "decide": "作出年检结论"},
                defaults=(("precheck", "decide", "初审与结论分离"),),
                required=frozenset({frozenset(("precheck", "decide"))}),
            )
        )
        duties.register(
            duties.Procedure(
                code="orgs.service_hours",
                label="志愿服务时长",
                line=line,
                steps={"record": "登记时长", "confirm": "确认时长"},
                doing={"record": "登记服务时长", "confirm": "确认服务时长"},
                defaults=(("record", "confirm", "时长由组织方另一人确认"),),
            )
        )

        from huimin.orgs import services

        daily.register("orgs.credit_moves", "活动异常名录满期转入严重违法失信名单", services.daily)
