"""The authorisation matrix: every URL of Huimin, how to call it, and who may.

Each entry names the capability the view requires (None = any logged-in user, PUBLIC = no login) and how to
build its arguments for an object inside and outside the caller's scope. A URL that is not listed here makes
``test_every_url_is_in_the_matrix`` fail, so a new page cannot ship without deciding who may open it.
"""

from dataclasses import dataclass, field

from huimin.core import roles

PUBLIC = "public"
LOGGED_IN = None


# Targets that belong to one business line (every assistance target is a 低保 case, on the 社会救助 line): a user
# holding the entry's capability only on another line gets 404, the case does not exist for him.
LINE_BOUND = {
    kind: roles.BusinessLine.ASSISTANCE
    for kind in (
        "assistance_application", "assistance_application_act", "assistance_application_file",
        "assistance_application_pdf", "assistance_objection", "assistance_enrolment", "assistance_enrolment_act",
    )
}  # fmt: skip
# the supervision targets are 养老机构's (tests/eldercare/matrix_targets.py): the 社会组织 line's staff, who hold the
# same supervision capabilities on their own line, must find them absent (404)
LINE_BOUND |= {
    kind: roles.BusinessLine.ELDERLY
    for kind in ("supervision_draw", "supervision_inspection", "supervision_finding", "supervision_risk",
                 "supervision_complaint")
}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    capability: str | None
    method: str = "GET"
    # name of a fixture-built object kind whose pk fills the URL, e.g. "user" → ("in_scope", "out_of_scope")
    target: str | None = None
    data: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    query: str = ""


MATRIX: dict[str, Entry] = {
    "home": Entry(LOGGED_IN),
    "login": Entry(PUBLIC),
    "logout": Entry(PUBLIC, method="POST"),
    "password_change": Entry(LOGGED_IN),
    "healthz": Entry(PUBLIC),
    "service_worker": Entry(PUBLIC),
    "pii_reveal": Entry(roles.PII_UNMASK, method="POST", target="person_id_number"),
    "core:regions": Entry(roles.REGIONS_VIEW),
    "core:region_children": Entry(LOGGED_IN, target="region_query"),
    "core:region_pick": Entry(LOGGED_IN, method="POST", target="region_post"),
    "core:users": Entry(roles.USERS_VIEW),
    "core:user_create": Entry(roles.USERS_MANAGE, method="POST", data={"username": "", "full_name": ""}),
    "core:user_detail": Entry(roles.USERS_VIEW, target="user"),
    "core:user_assign_role": Entry(roles.ROLES_ASSIGN, method="POST", target="user", data={"role": ""}),
    "core:user_revoke_role": Entry(roles.ROLES_ASSIGN, method="POST", target="user_assignment"),
    "core:user_request_change": Entry(roles.SYSTEM_ACCOUNTS_REQUEST, method="POST", target="user", data={"kind": ""}),
    "core:account_requests": Entry(roles.SYSTEM_ACCOUNTS_CONFIRM),
    "core:account_request_confirm": Entry(roles.SYSTEM_ACCOUNTS_CONFIRM, method="POST", target="account_request"),
    "core:account_request_reject": Entry(roles.SYSTEM_ACCOUNTS_CONFIRM, method="POST", target="account_request"),
    "core:user_toggle_active": Entry(roles.USERS_MANAGE, method="POST", target="user"),
    "core:user_reset_password": Entry(roles.USERS_MANAGE, method="POST", target="user"),
    "core:audit": Entry(roles.AUDIT_VIEW),
    "core:audit_verify": Entry(roles.AUDIT_VIEW, method="POST"),
    "core:duty_rules": Entry(roles.DUTIES_MANAGE),
    "core:duty_rule_add": Entry(roles.DUTIES_MANAGE, method="POST", data={"procedure": ""}),
    "core:duty_rule_end": Entry(roles.DUTIES_MANAGE, method="POST", kwargs={"pk": 999999}),
    # registry pages
    "registry:persons": Entry(roles.PEOPLE_VIEW),
    "registry:person": Entry(roles.PEOPLE_VIEW, target="person"),
    "registry:person_edit": Entry(roles.PEOPLE_EDIT, target="person"),
    "registry:person_event": Entry(roles.PEOPLE_EDIT, target="person_event"),
    "registry:households": Entry(roles.PEOPLE_VIEW),
    "registry:household": Entry(roles.PEOPLE_VIEW, target="household"),
    "registry:household_register": Entry(roles.PEOPLE_EDIT),
    "registry:household_event": Entry(roles.PEOPLE_EDIT, target="household_event"),
    "registry:duplicates": Entry(roles.PEOPLE_MERGE),
    "registry:duplicate_decide": Entry(
        roles.PEOPLE_MERGE, method="POST", target="duplicate", data={"action": "dismiss"}
    ),
    "registry:bank_changes": Entry(roles.PEOPLE_BANK_CONFIRM),
    "registry:bank_change_decide": Entry(
        roles.PEOPLE_BANK_CONFIRM, method="POST", target="bank_change", data={"action": "reject", "note": "矩阵"}
    ),
    "registry:foreign_duplicate_close": Entry(
        roles.PEOPLE_MERGE, method="POST", target="foreign_duplicate", data={"note": "已核实"}
    ),
    "registry:import": Entry(roles.PEOPLE_EDIT),
    "registry:import_template": Entry(roles.PEOPLE_EDIT),
    "registry:import_job": Entry(roles.PEOPLE_EDIT, target="import_job"),
    "registry:import_errors": Entry(roles.PEOPLE_EDIT, target="import_job"),
    # the API (anonymous callers get 401 JSON, not a login redirect); a path's GET and its write share one URL
    "api:api-root": Entry(PUBLIC),
    "api:openapi-json": Entry(PUBLIC),
    "api:openapi-view": Entry(PUBLIC),
    "api:list_persons": Entry(roles.PEOPLE_VIEW),
    "api:search_persons": Entry(roles.PEOPLE_VIEW, method="POST", data={"q": ""}),
    "api:get_person": Entry(roles.PEOPLE_VIEW, target="person"),
    "api:update_person": Entry(roles.PEOPLE_VIEW, target="person"),  # GET of the same path; PATCH in tests/registry
    # a partner's 发现报告 (tests/children/test_api.py); an empty body is refused (400) to whoever may call it
    "api:report_child_case": Entry("children.case_report", method="POST"),
    "api:list_households": Entry(roles.PEOPLE_VIEW),
    "api:search_households": Entry(roles.PEOPLE_VIEW, method="POST", data={"q": ""}),
    "api:create_household": Entry(roles.PEOPLE_EDIT, method="POST", data={"region": ""}),
    "api:get_household": Entry(roles.PEOPLE_VIEW, target="household"),
    "api:list_programmes": Entry("assistance.view"),
    "api:list_applications": Entry("assistance.view"),
    "api:get_application": Entry("assistance.view", target="assistance_application"),
    "api:create_application": Entry("assistance.apply", method="POST", data={"programme": ""}),
    "api:act_on_application": Entry("assistance.view", method="POST", target="assistance_application_act"),
    "api:list_verification_reports": Entry("verification.reports"),
    "api:get_verification_report": Entry("verification.reports", target="verification_report"),
    # an unknown programme: refused (400) inside the scope, 404 outside; the real check runs in tests/api
    "api:request_verification": Entry(
        "verification.run", method="POST", target="verification_household", data={"programme": "nope"}
    ),
    "api:upload_feed": Entry("verification.data", method="POST", kwargs={"source": "wages"}),
    "api:household_authorisations": Entry("verification.run", target="verification_household"),
    "api:list_warnings": Entry("monitoring.view"),
    "api:get_warning": Entry("monitoring.view", target="api_warning"),
    "api:act_on_warning": Entry("monitoring.handle", method="POST", target="api_warning_act"),
    # no file: refused inside (400), 404 outside
    "api:attach_warning_evidence": Entry("monitoring.handle", method="POST", target="api_warning"),
    # a well-formed body, so the warning's scope decides (404 outside) before the rules refuse (400 inside)
    "api:start_discovery": Entry(
        "monitoring.handle",
        method="POST",
        target="api_warning",
        data={
            "programme": "temp_urgent",
            "applicant": 1,
            "consent_by": 1,
            "consent_on": "2026-01-01",
            "consent_note": "口头同意",
        },
    ),  # fmt: skip
    "api:list_survival_overdue": Entry("eligibility.view"),
    "api:confirm_survival": Entry(
        "eligibility.confirm", method="POST", target="eligibility_person", data={"channel": "visit"}
    ),
    "api:list_certificate_changes": Entry("eligibility.view"),
    "api:acknowledge_certificate_change": Entry("eligibility.confirm", method="POST", target="eligibility_notice"),
    # 婚姻登记: the check and the verification read every region's records by law (regional=False, no target)
    "api:marriage_slots": Entry("marriage.view", target="api_marriage_office"),
    "api:check_subsisting": Entry("marriage.register", method="POST", data={"id_number": ""}),
    "api:verify_certificate": Entry("marriage.view", kwargs={"number": "J0"}),
    "api:search_marriage_records": Entry("marriage.view", method="POST", data={"q": ""}),
    "api:list_elderly": Entry("elderly.view"),
    "api:get_elderly_person": Entry("elderly.view", target="api_elderly_person"),
    "api:create_assessment": Entry("elderly.assess", method="POST", target="api_elderly_assess"),
    "api:decide_category": Entry("elderly.confirm", method="POST", target="api_elderly_decide"),
    "api:list_payroll_months": Entry("benefits.view"),
    "api:get_payroll_summary": Entry("benefits.view", target="benefits_payroll"),
    "api:list_payroll_totals": Entry("benefits.view"),
    "api:list_recoveries": Entry("benefits.view"),
    "api:get_recovery": Entry("benefits.view", target="benefits_recovery"),
    # refused inside (400: nothing outstanding to repay below 0, no reason, nothing pending), 404 outside
    "api:repay_recovery": Entry(
        "benefits.payroll", method="POST", target="benefits_recovery", data={"amount": "0", "paid_on": "2026-01-05"}
    ),
    "api:request_recovery_write_off": Entry(
        "benefits.payroll", method="POST", target="benefits_recovery", data={"reason": ""}
    ),
    "api:decide_recovery_write_off": Entry(
        "benefits.payroll", method="POST", target="benefits_recovery", data={"approve": True}
    ),
    # API clients (the security officer's page)
    "apiclients:clients": Entry(roles.API_CLIENTS_MANAGE),
    "apiclients:client_issue": Entry(roles.API_CLIENTS_MANAGE, method="POST", data={"name": ""}),
    "apiclients:client_toggle_active": Entry(roles.API_CLIENTS_MANAGE, method="POST", target="api_client"),
    "apiclients:client_rotate": Entry(roles.API_CLIENTS_MANAGE, method="POST", target="api_client"),
    # social assistance (huimin.assistance)
    "assistance:applications": Entry("assistance.view"),
    "assistance:application_create": Entry("assistance.apply", target="assistance_apply_household"),
    "assistance:application_detail": Entry("assistance.view", target="assistance_application"),
    "assistance:application_act": Entry("assistance.view", method="POST", target="assistance_application_act"),
    "assistance:application_file": Entry("assistance.view", target="assistance_application_file"),
    "assistance:application_pdf": Entry("assistance.view", target="assistance_application_pdf"),
    "assistance:objection_resolve": Entry("assistance.view", method="POST", target="assistance_objection"),
    "assistance:visit_round": Entry("assistance.visit"),
    "assistance:deadlines": Entry("assistance.view"),
    "assistance:publicity": Entry("assistance.view"),
    "assistance:enrolments": Entry("assistance.view"),
    "assistance:enrolment_detail": Entry("assistance.view", target="assistance_enrolment"),
    "assistance:enrolment_act": Entry("assistance.view", method="POST", target="assistance_enrolment_act"),
    "assistance:reviews_due": Entry("assistance.view"),
    "assistance:relatives": Entry("assistance.view"),
    "assistance:delegations": Entry("assistance.view"),
    "assistance:delegation_end": Entry("assistance.delegate", method="POST", target="assistance_delegation"),
    "assistance:settings": Entry("assistance.configure"),
    "assistance:overlap_rules": Entry("assistance.view"),
    "assistance:forwarded": Entry("assistance.view"),
    "assistance:household": Entry("assistance.view", target="assistance_household"),
    "assistance:household_panel": Entry("assistance.view", target="assistance_household"),
    "assistance:public_publicity": Entry(PUBLIC),
    "assistance:public_objection": Entry(PUBLIC, kwargs={"token": "00000000-0000-0000-0000-000000000000"}),
    # household economic-status verification (huimin.verification)
    "verification:households": Entry("verification.run"),
    "verification:household": Entry("verification.run", target="verification_household"),
    "verification:authorisation_add": Entry("verification.run", method="POST", target="verification_household"),
    "verification:check": Entry("verification.run", method="POST", target="verification_household"),
    "verification:assist_create": Entry("verification.run", method="POST", target="verification_household"),
    "verification:authorisation_scan": Entry("verification.run", target="verification_authorisation"),
    "verification:authorisation_revoke": Entry(
        "verification.run", method="POST", target="verification_authorisation", data={"reason": ""}
    ),
    "verification:reports": Entry("verification.reports"),
    "verification:report": Entry("verification.reports", target="verification_report"),
    "verification:report_pdf": Entry("verification.reports", target="verification_report"),
    "verification:sources": Entry("verification.data"),
    "verification:upload": Entry("verification.data", target="verification_upload"),
    "verification:upload_errors": Entry("verification.data", target="verification_upload"),
    # the departments' first upload address: an alias of api:upload_feed (API client token)
    "verification:api_upload": Entry(PUBLIC, method="POST", kwargs={"source": "wages"}),
    "verification:thresholds": Entry("verification.data"),
    "verification:batches": Entry("verification.batch"),
    "verification:batch": Entry("verification.batch", target="verification_batch"),
    "verification:batch_xlsx": Entry("verification.batch", target="verification_batch"),
    "verification:batch_by_county": Entry("verification.batch", method="POST"),
    "verification:batch_resume": Entry("verification.batch", method="POST", target="verification_batch"),
    "verification:assist_list": Entry("verification.run"),
    "verification:assist_file": Entry("verification.run", target="verification_assist"),
    "verification:assist_answer": Entry("verification.run", method="POST", target="verification_assist"),
    "verification:stats": Entry(roles.STATS_VIEW),
    # the resident portal: public URLs; a resident's own pages need the phone-verified session (tests/portal)
    "portal:index": Entry(PUBLIC),
    "portal:verify": Entry(PUBLIC),
    "portal:verify_code": Entry(PUBLIC),
    "portal:logout": Entry(PUBLIC, method="POST"),
    "portal:home": Entry(PUBLIC),
    "portal:apply": Entry(PUBLIC, kwargs={"code": "dibao"}),
    "portal:application": Entry(PUBLIC, kwargs={"number": "JZ0"}),
    "portal:track": Entry(PUBLIC),
    "portal:survival_confirm": Entry(PUBLIC, method="POST"),
    "portal:marriage": Entry(PUBLIC),
    # 报告困境儿童: anyone, anonymously too; answered with a receipt only (tests/portal/test_child_report.py)
    "portal:child_report": Entry(PUBLIC),
    "portal:marriage_appointment": Entry(PUBLIC, kwargs={"number": "Y0"}),
    "portal:marriage_cancel": Entry(PUBLIC, method="POST", kwargs={"number": "Y0"}),
    # 低收入人口动态监测 (huimin.monitoring)
    "monitoring:warnings": Entry("monitoring.view"),
    "monitoring:overdue": Entry("monitoring.view"),
    "monitoring:warning": Entry("monitoring.view", target="monitoring_warning"),
    "monitoring:warning_act": Entry("monitoring.handle", method="POST", target="monitoring_warning_act"),
    # 主动发现 with nothing filled in: refused inside (a message), 404 outside
    "monitoring:warning_discover": Entry("monitoring.handle", method="POST", target="monitoring_warning"),
    "monitoring:rules": Entry("monitoring.rules"),
    "monitoring:rule_edit": Entry("monitoring.rules", target="monitoring_rule"),
    "monitoring:rule_dry_run": Entry("monitoring.rules", method="POST", target="monitoring_rule"),
    "monitoring:runs": Entry("monitoring.run"),
    "monitoring:dashboard": Entry("monitoring.view"),
    "monitoring:household_panel": Entry("monitoring.view", target="monitoring_household"),
    # 待遇资格 (huimin.eligibility): 生存认证 and the 残联's certificate changes
    "eligibility:survival": Entry("eligibility.view"),
    "eligibility:survival_confirm": Entry(
        "eligibility.confirm", method="POST", target="eligibility_person", data={"channel": "visit"}
    ),
    "eligibility:certificates": Entry("eligibility.view"),
    "eligibility:certificate_ack": Entry("eligibility.confirm", method="POST", target="eligibility_notice"),
    "eligibility:policies": Entry("eligibility.view"),  # its POST (eligibility.policy) is tested in tests/eligibility
    # 社会组织 (huimin.orgs)
    "orgs:list": Entry("orgs.view"),
    "orgs:org": Entry("orgs.view", target="orgs_org"),
    "orgs:org_filing": Entry("orgs.register", method="POST", target="orgs_org_filing"),
    "orgs:portal_password": Entry("orgs.register", method="POST", target="orgs_org"),
    "orgs:org_act": Entry("orgs.register", method="POST", target="orgs_org_act"),
    "orgs:filings": Entry("orgs.view"),
    "orgs:filing_new": Entry("orgs.register"),
    "orgs:filing": Entry("orgs.view", target="orgs_filing"),
    "orgs:filing_decide": Entry("orgs.decide", method="POST", target="orgs_filing_decide"),
    "orgs:reports": Entry("orgs.view"),
    "orgs:non_filers": Entry("orgs.view"),
    "orgs:report": Entry("orgs.view", target="orgs_report"),
    "orgs:report_precheck": Entry("orgs.precheck", method="POST", target="orgs_report_precheck"),
    "orgs:report_decide": Entry("orgs.decide", method="POST", target="orgs_report_decide"),
    "orgs:credit": Entry("orgs.view"),
    "orgs:credit_exit": Entry("orgs.decide", method="POST", target="orgs_credit"),
    "orgs:activities": Entry("orgs.view"),
    "orgs:activity": Entry("orgs.view", target="orgs_activity"),
    "orgs:activity_act": Entry("orgs.register", method="POST", target="orgs_activity_act"),
    "orgs:volunteer_certificate": Entry("orgs.view", target="orgs_volunteer"),
    "orgs:stations": Entry("orgs.view"),
    "orgs:stats": Entry("orgs.view"),
    "orgs:public_credit": Entry(PUBLIC),
    "orgs:portal_home": Entry(PUBLIC),
    "orgs:portal_login": Entry(PUBLIC),
    "orgs:portal_logout": Entry(PUBLIC, method="POST"),
    "orgs:portal_report": Entry(PUBLIC, kwargs={"year": 2025}),
    # 居家社区养老服务 (huimin.homecare)
    "homecare:catalogue": Entry("homecare.view"),
    "homecare:providers": Entry("homecare.view"),
    "homecare:provider": Entry("homecare.view", target="homecare_provider"),
    "homecare:orders": Entry("homecare.view"),
    "homecare:order_new": Entry("homecare.manage"),
    "homecare:order": Entry("homecare.view", target="homecare_order"),
    "homecare:records": Entry("homecare.view"),
    "homecare:record_confirm": Entry("homecare.manage", method="POST", target="homecare_record"),
    "homecare:followups": Entry("homecare.view"),
    "homecare:followup": Entry("homecare.manage", method="POST", target="homecare_followup"),
    "homecare:settlements": Entry("homecare.view"),
    "homecare:settlement": Entry("homecare.view", target="homecare_settlement"),
    "homecare:settlement_advance": Entry("homecare.settle", method="POST", target="homecare_settlement_act"),
    "homecare:alarms": Entry("homecare.view"),
    "homecare:alarm_acknowledge": Entry("homecare.alarm", method="POST", target="homecare_alarm"),
    "homecare:alarm_close": Entry("homecare.alarm", method="POST", target="homecare_alarm_close"),
    "homecare:devices": Entry("homecare.view"),
    "homecare:dashboard": Entry("homecare.view"),
    "api:report_device_event": Entry("homecare.report", method="POST", data={"serial": "M-1", "kind": "heartbeat"}),
    "api:report_device_events": Entry(
        "homecare.report", method="POST", data={"events": [{"serial": "M-1", "kind": "heartbeat"}]}
    ),
    # 养老服务 (huimin.elderly)
    "elderly:register": Entry("elderly.view"),
    "elderly:derive": Entry("elderly.confirm", method="POST"),
    "elderly:person": Entry("elderly.view", target="elderly_person"),
    "elderly:mark_add": Entry("elderly.confirm", method="POST", target="elderly_person_add"),
    "elderly:assess": Entry("elderly.assess", target="elderly_person"),
    "elderly:mark_decide": Entry("elderly.confirm", method="POST", target="elderly_mark_decide"),
    "elderly:assessment": Entry("elderly.view", target="elderly_assessment"),
    "elderly:household_panel": Entry("elderly.view", target="elderly_household"),
    # 婚姻登记 (huimin.marriage); the verification page of an e-certificate is public
    "marriage:index": Entry("marriage.view"),
    "marriage:office": Entry("marriage.view", target="marriage_office"),
    "marriage:special_add": Entry("marriage.approve", method="POST", target="marriage_office"),
    "marriage:walk_in": Entry("marriage.register", method="POST", target="marriage_office"),
    "marriage:register": Entry("marriage.register", target="marriage_office"),
    "marriage:digitise": Entry("marriage.register", target="marriage_office"),
    "marriage:divorce_new": Entry("marriage.register", target="marriage_office"),
    "marriage:records": Entry("marriage.view", query="?q=甲"),
    "marriage:record": Entry("marriage.view", target="marriage_record"),
    "marriage:certificate": Entry("marriage.view", target="marriage_record"),
    "marriage:record_request": Entry("marriage.register", method="POST", target="marriage_record"),
    "marriage:judgment": Entry("marriage.approve", method="POST", target="marriage_record"),
    "marriage:decide": Entry("marriage.approve", method="POST", target="marriage_request"),
    "marriage:refusal": Entry("marriage.view", target="marriage_refusal"),
    "marriage:divorces": Entry("marriage.view"),
    "marriage:divorce": Entry("marriage.view", target="marriage_divorce"),
    "marriage:divorce_act": Entry("marriage.register", method="POST", target="marriage_divorce_act"),
    "marriage:stats": Entry("marriage.view"),
    "marriage:verify": Entry(PUBLIC, kwargs={"token": "x"}),
    "elderly:allowance": Entry("elderly.view"),
    "elderly:allowance_confirm": Entry("elderly.allowance", method="POST", target="elderly_allowance_confirm"),
    "elderly:allowance_enrolled": Entry("elderly.view"),
    "elderly:allowance_bands": Entry("elderly.view"),
    "elderly:allowance_band_add": Entry("elderly.allowance_policy", method="POST", target="elderly_allowance_band"),
    "elderly:allowance_policy_add": Entry("elderly.allowance_policy", method="POST", target="elderly_allowance_policy"),
    # 探访关爱 (huimin.elderly.visits)
    "elderly:visit_round": Entry("elderly.visit"),
    "elderly:visits_overdue": Entry("elderly.view"),
    "elderly:visits_coverage": Entry("elderly.view"),
    "elderly:visit": Entry("elderly.view", target="elderly_visit"),
    "elderly:visit_photo": Entry("elderly.view", target="elderly_visit"),
    "elderly:visitors": Entry("elderly.view"),
    "elderly:visitor": Entry("elderly.view", target="elderly_visitor"),
    "elderly:person_visits": Entry("elderly.view", target="elderly_visit_person"),
    "elderly:person_tier": Entry("elderly.visits_manage", method="POST", target="elderly_person_tier"),
    "elderly:person_event": Entry("elderly.visit", method="POST", target="elderly_person_event"),
    "elderly:referral_close": Entry("elderly.visits_manage", method="POST", target="elderly_referral"),
    # 儿童福利 (huimin.children): a case exists only for its assigned staff and the county office
    "children:register": Entry("children.view"),
    "children:visit_round": Entry("children.view"),
    "children:enter": Entry("children.register"),
    "children:transitions": Entry("children.view"),
    "children:entry": Entry("children.view", target="children_entry"),
    "children:entry_visit": Entry("children.view", method="POST", target="children_entry_visit"),
    "children:cases": Entry("children.case_report"),
    "children:report": Entry("children.case_report"),
    "children:kpis": Entry("children.case_report"),
    "children:case": Entry("children.case_report", target="children_case"),
    "children:case_act": Entry("children.case_report", method="POST", target="children_case_act"),
    # 发现报告 received from the portal and the API: the township 督导员 and the county office identify the child
    "children:received_report": Entry("children.case_supervise", target="children_received_report"),
    "children:received_report_act": Entry(
        "children.case_supervise", method="POST", target="children_received_report_act"
    ),
    # 收养登记 and 家庭寄养: a registered adoption is sealed, the adoption office's alone (tests/children)
    "children:adoptions": Entry("children.adoption"),
    "children:adoption_apply": Entry("children.adoption"),
    "children:adoption": Entry("children.adoption", target="children_adoption"),
    "children:adoption_act": Entry("children.adoption", method="POST", target="children_adoption_act"),
    "children:adoption_certificate": Entry("children.adoption", target="children_adoption_certificate"),
    "children:foster": Entry("children.adoption"),
    "children:foster_apply": Entry("children.adoption"),
    "children:foster_family": Entry("children.adoption", target="children_foster_family"),
    "children:foster_family_act": Entry("children.adoption", method="POST", target="children_foster_family_act"),
    "children:foster_placement_act": Entry("children.view", method="POST", target="children_foster_placement_act"),
    # benefit standards, payroll and bank files (huimin.benefits)
    "benefits:standards": Entry("benefits.view"),
    "benefits:standard_add": Entry("benefits.standards", method="POST"),
    "benefits:price_index": Entry("benefits.standards", method="POST"),
    "benefits:payroll_months": Entry("benefits.view"),
    "benefits:payroll_build": Entry("benefits.payroll", method="POST"),
    "benefits:payroll_detail": Entry("benefits.view", target="benefits_payroll"),
    "benefits:payroll_lines_export": Entry("benefits.payroll", target="benefits_payroll"),
    "benefits:payroll_act": Entry("benefits.payroll", method="POST", target="benefits_payroll_act"),
    "benefits:bank_export": Entry("benefits.pay", method="POST", target="benefits_payroll"),
    "benefits:bank_return": Entry("benefits.pay", method="POST", target="benefits_batch"),
    "benefits:templates": Entry("benefits.pay"),
    "benefits:template_create": Entry("benefits.pay", method="POST"),
    "benefits:report": Entry("benefits.view"),
    "benefits:funds": Entry("benefits.view"),
    "benefits:fund_add": Entry("benefits.standards", method="POST"),
    "benefits:recoveries": Entry("benefits.view"),
    "benefits:recovery": Entry("benefits.view", target="benefits_recovery"),
    "benefits:recovery_act": Entry("benefits.payroll", method="POST", target="benefits_recovery_act"),
    "benefits:calculator": Entry("benefits.view", query="?kind=dibao&income=100&members=2"),
    # 养老机构、社区养老服务设施、适老化改造 (huimin.eldercare)
    "eldercare:institutions": Entry("eldercare.view"),
    "eldercare:institution_add": Entry("eldercare.register", method="POST"),
    "eldercare:institution": Entry("eldercare.view", target="eldercare_institution"),
    "eldercare:institution_beds": Entry("eldercare.register", method="POST", target="eldercare_institution"),
    "eldercare:resident_add": Entry("eldercare.register", method="POST", target="eldercare_institution"),
    "eldercare:resident_leave": Entry("eldercare.register", method="POST", target="eldercare_resident"),
    "eldercare:staff_add": Entry("eldercare.register", method="POST", target="eldercare_institution"),
    "eldercare:rating_add": Entry("eldercare.approve", method="POST", target="eldercare_institution"),
    "eldercare:abnormal_act": Entry("eldercare.approve", method="POST", target="eldercare_institution"),
    "eldercare:abnormal": Entry("eldercare.view"),
    "eldercare:facilities": Entry("eldercare.view"),
    "eldercare:facility_add": Entry("eldercare.register", method="POST"),
    "eldercare:facility": Entry("eldercare.view", target="eldercare_facility"),
    "eldercare:facility_status": Entry("eldercare.register", method="POST", target="eldercare_facility"),
    "eldercare:facility_use": Entry("eldercare.register", method="POST", target="eldercare_facility"),
    "eldercare:retrofits": Entry("eldercare.view"),
    "eldercare:retrofit_add": Entry("eldercare.register", method="POST"),
    "eldercare:retrofit": Entry("eldercare.view", target="eldercare_retrofit"),
    "eldercare:retrofit_act": Entry("eldercare.register", method="POST", target="eldercare_retrofit_act"),
    "eldercare:dashboard": Entry("eldercare.view"),
    # 双随机、一公开 and inspections (huimin.supervision); the public pages need no login
    "supervision:draws": Entry("supervision.view"),
    "supervision:draw_create": Entry("supervision.draw", method="POST"),
    "supervision:draw": Entry("supervision.view", target="supervision_draw"),
    "supervision:draw_publish": Entry("supervision.draw", method="POST", target="supervision_draw"),
    "supervision:public_draws": Entry(PUBLIC),
    "supervision:public_draw": Entry(PUBLIC, kwargs={"pk": 1}),
    "supervision:public_draw_json": Entry(PUBLIC, kwargs={"pk": 1}),
    "supervision:inspections": Entry("supervision.view"),
    "supervision:inspection": Entry("supervision.view", target="supervision_inspection"),
    "supervision:inspection_record": Entry("supervision.inspect", method="POST", target="supervision_inspection"),
    "supervision:finding_add": Entry("supervision.inspect", method="POST", target="supervision_inspection"),
    "supervision:finding_rectify": Entry("supervision.rectify", method="POST", target="supervision_finding"),
    "supervision:finding_close": Entry("supervision.close", method="POST", target="supervision_finding"),
    "supervision:overdue": Entry("supervision.view"),
    "supervision:risks": Entry("supervision.view"),
    "supervision:risk_add": Entry("supervision.inspect", method="POST"),
    "supervision:risk_resolve": Entry("supervision.close", method="POST", target="supervision_risk"),
    "supervision:complaints": Entry("supervision.view"),
    "supervision:complaint_add": Entry("supervision.rectify", method="POST"),
    "supervision:complaint_handle": Entry("supervision.close", method="POST", target="supervision_complaint"),
    # statistics, indicators and dashboards (huimin.stats)
    "stats:dashboard": Entry(roles.STATS_VIEW),
    "stats:chart_xlsx": Entry(roles.STATS_VIEW, kwargs={"chart": "trend"}),
    "stats:monthly": Entry(roles.STATS_VIEW, query="?area=rural"),
    "stats:monthly_xlsx": Entry(roles.STATS_VIEW),
    "stats:monthly_pdf": Entry(roles.STATS_VIEW),
    "stats:funds": Entry(roles.STATS_VIEW, query="?from=2026-01&to=2026-03"),
    "stats:funds_xlsx": Entry(roles.STATS_VIEW),
    "stats:recompute": Entry("stats.manage", method="POST", data={"month": "2026-03"}),
    "stats:indicators": Entry(roles.STATS_VIEW),
    "stats:indicator_target": Entry("stats.manage", method="POST", target="stats_indicator"),
    "benefits:restandard": Entry("benefits.standards", query="?kind=dibao&month=2026-01&preview=1"),
    "benefits:restandard_apply": Entry("benefits.standards", method="POST"),
    # 殡葬管理 (huimin.funeral)
    "funeral:records": Entry("funeral.view"),
    "funeral:record_new": Entry("funeral.record"),
    "funeral:record": Entry("funeral.view", target="funeral_record"),
    "funeral:facilities": Entry("funeral.view"),
    "funeral:policies": Entry("funeral.view"),
    "funeral:settlements": Entry("funeral.view"),
    "funeral:settlement": Entry("funeral.view", target="funeral_settlement"),
    "funeral:settlement_act": Entry("funeral.review", method="POST", target="funeral_settlement_review"),
    "funeral:supervision": Entry("funeral.view"),
    "funeral:inspection_add": Entry("funeral.supervise", method="POST"),
    "funeral:report_handle": Entry("funeral.supervise", method="POST", target="funeral_report_handle"),
    "funeral:stats": Entry("funeral.view"),
    # 区划地名 (huimin.places)
    "places:list": Entry("places.view"),
    "places:place": Entry("places.view", target="places_place"),
    "places:place_act": Entry("places.propose", method="POST", target="places_place_sign"),
    "places:proposals": Entry("places.view"),
    "places:propose": Entry("places.propose"),
    "places:proposal": Entry("places.view", target="places_proposal"),
    "places:proposal_decide": Entry("places.approve", method="POST", target="places_proposal_decide"),
    "places:signs": Entry("places.view"),
    "places:sign_check": Entry("places.propose", method="POST", target="places_sign_check"),
    "places:rules": Entry("places.view"),
    "places:rule_end": Entry("places.configure", method="POST", target="places_rule_end"),
    "places:changes": Entry("places.view"),
    "places:change": Entry("places.view", target="places_change"),
    "places:public_search": Entry(PUBLIC, query="?q=矩阵"),
    "places:stats": Entry("places.view"),
    "places:household_panel": Entry("places.view", target="places_household"),
    # 流浪乞讨救助 (huimin.relief)
    "relief:stays": Entry("relief.view"),
    "relief:intake": Entry("relief.intake"),
    "relief:stay": Entry("relief.view", target="relief_stay"),
    "relief:photo": Entry("relief.view", target="relief_stay"),
    "relief:stay_act": Entry("relief.intake", method="POST", target="relief_stay_act"),
    "relief:search_close": Entry("relief.intake", method="POST", target="relief_search"),
    "relief:stations": Entry("relief.view"),
    "relief:stats": Entry("relief.view"),
}


# --- writes outside one's region (issue 15) ---------------------------------------------------------------------
# Every write — each POST entry above with an object target, and the forms and API operations below that name
# their region in the request body — is tried by every role allowed to make it with a target outside the role's
# region: the answer is 404 and nothing in the database changes (test_out_of_region_writes_are_404_...).
# A target kind's third element is its "outside" for county- and city-level callers (the second is outside only
# for township callers).


@dataclass(frozen=True)
class Write:
    target: str
    method: str = "POST"
    capability: str | None = None  # when the write needs more than the entry's (GET) capability


WRITE_CASES: dict[str, Write] = {
    "verification:thresholds": Write("verification_threshold_form"),
    "verification:batches": Write("verification_batch_form"),
    "verification:batch_by_county": Write("verification_batch_form"),
    "monitoring:rule_edit": Write("monitoring_rule_write"),
    "elderly:derive": Write("elderly_derive_form"),
    "homecare:settlements": Write("homecare_settlement_form", capability="homecare.settle"),
    "elderly:assess": Write("elderly_assess", capability="elderly.assess"),
    "eldercare:institution_add": Write("eldercare_region_form"),
    "eldercare:facility_add": Write("eldercare_region_form"),
    "eldercare:retrofit_add": Write("eldercare_person_form"),
    "supervision:draw_create": Write("supervision_draw_form"),
    "supervision:risk_add": Write("supervision_subject_form"),
    "supervision:complaint_add": Write("supervision_subject_form"),
    "elderly:visit_round": Write("elderly_visit_form", capability="elderly.visit"),
    "assistance:visit_round": Write("assistance_visit_form", capability="assistance.visit"),
    "children:visit_round": Write("children_visit_form"),
    "api:report_child_case": Write("children_report_api"),
    "elderly:visitors": Write("elderly_visitor_form", capability="elderly.visits_manage"),
    "elderly:visitor": Write("elderly_visitor_assign", capability="elderly.visits_manage"),
    "elderly:visit": Write("elderly_visit_refer", capability="elderly.visit"),
    "benefits:standard_add": Write("benefits_standard_form"),
    "benefits:price_index": Write("benefits_price_index_form"),
    "benefits:payroll_build": Write("benefits_payroll_form"),
    "benefits:template_create": Write("benefits_template_form"),
    "benefits:fund_add": Write("benefits_fund_form"),
    "benefits:restandard_apply": Write("benefits_restandard_form"),
    "assistance:settings": Write("assistance_policy_form"),
    "assistance:overlap_rules": Write("assistance_overlap_form", capability="assistance.configure"),
    "api:create_household": Write("api_household_create"),
    "api:update_person": Write("api_person_move", method="PATCH", capability=roles.PEOPLE_EDIT),
    "funeral:record_new": Write("funeral_record_form"),
    "funeral:settlements": Write("funeral_settlement_form", capability="funeral.settle"),
    "funeral:inspection_add": Write("funeral_inspection_form"),
    "funeral:policies": Write("funeral_policy_form", capability="funeral.configure"),
    "funeral:facilities": Write("funeral_facility_form", capability="funeral.configure"),
    "funeral:supervision": Write("funeral_report_form", capability="funeral.supervise"),
    "places:propose": Write("places_propose_form"),
    "places:rules": Write("places_rule_form", capability="places.configure"),
    "places:changes": Write("places_change_form", capability="places.regions"),
    "relief:intake": Write("relief_intake_form"),
    "relief:stations": Write("relief_station_form", capability="relief.configure"),
}

# POST entries that name no region: why an out-of-region write cannot be expressed for them
NO_REGION_WRITES: dict[str, str] = {
    "logout": "ends one's own session",
    "core:user_create": "the region is a choice of the form limited to one's subtree (refused by the form, 400)",
    "core:audit_verify": "reads the audit chain, writes nothing",
    "core:duty_rule_add": "职责分离 rules belong to a business line's procedure, not a region (tests/core)",
    "core:duty_rule_end": "职责分离 rules belong to a business line's procedure, not a region (tests/core)",
    "api:create_application": "the household named is fetched in scope (404); covered by tests/api",
    "api:upload_feed": "a staff member's feed holds for his own region (tests/verification/test_region_writes.py)",
    "apiclients:client_issue": "API clients are the security officer's city-wide business",
    "stats:recompute": "recomputes derived figures from the data; no region's configuration is written",
    "portal:logout": "a resident's own session",
    "orgs:portal_logout": "an organisation's own session",
    "portal:survival_confirm": "a resident's own 生存认证 (tests/eligibility/test_portal.py)",
    "portal:marriage_cancel": "a resident's own appointment, found by his own ID number (tests/marriage/test_views.py)",
    "api:search_persons": "a search posted so the ID number stays out of URLs: reads in one's scope, writes nothing",
    "api:report_device_event": "a provider's own devices: its client's provider, not a region (tests/homecare)",
    "api:report_device_events": "a provider's own devices, a batch: its client's provider, not a region "
    "(tests/homecare)",
    "api:search_households": "a search posted so the ID number stays out of URLs: reads in one's scope, writes nothing",
    "api:check_subsisting": "the subsisting-marriage check posted so the ID number stays out of URLs: reads every "
    "region's records by law, writes only its audit entry (tests/marriage/test_api.py)",
    "api:search_marriage_records": "a search posted so the ID number stays out of URLs: reads in one's scope, "
    "writes nothing",
}

# object targets that belong to no region
NOT_REGIONAL_TARGETS = {
    "api_client": "API clients are the security officer's city-wide business",
    "account_request": "三员 account requests are the city-level system roles' business and name no region",
}

OTHER_CITY = "411600000000"  # 周口市: outside every fixture user's region


def outside_region(user) -> str:
    """A region code outside ``user``'s subtree at his own level: another township, county or city."""
    from tests.conftest import OTHER_COUNTY, TOWN_B, VILLAGE_B1

    level = user.region.level
    if level == 5:
        return VILLAGE_B1
    if level == 4:
        return TOWN_B
    return OTHER_COUNTY if level == 3 else OTHER_CITY
