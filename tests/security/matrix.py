"""The authorisation matrix: every URL of Huimin, how to call it, and who may.

Each entry names the capability the view requires (None = any logged-in user, PUBLIC = no login) and how to
build its arguments for an object inside and outside the caller's scope. A URL that is not listed here makes
``test_every_url_is_in_the_matrix`` fail, so a new page cannot ship without deciding who may open it.
"""

from dataclasses import dataclass, field

from huimin.core import roles

PUBLIC = "public"
LOGGED_IN = None


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
    "pii_reveal": Entry(roles.PII_UNMASK, method="POST", target="person_id_number"),
    "core:regions": Entry(roles.REGIONS_VIEW),
    "core:region_children": Entry(LOGGED_IN, target="region_query"),
    "core:region_pick": Entry(LOGGED_IN, method="POST", target="region_post"),
    "core:users": Entry(roles.USERS_VIEW),
    "core:user_create": Entry(roles.USERS_MANAGE, method="POST", data={"username": "", "full_name": ""}),
    "core:user_detail": Entry(roles.USERS_VIEW, target="user"),
    "core:user_assign_role": Entry(roles.ROLES_ASSIGN, method="POST", target="user", data={"role": ""}),
    "core:user_toggle_active": Entry(roles.USERS_MANAGE, method="POST", target="user"),
    "core:user_reset_password": Entry(roles.USERS_MANAGE, method="POST", target="user"),
    "core:audit": Entry(roles.AUDIT_VIEW),
    "core:audit_verify": Entry(roles.AUDIT_VIEW, method="POST"),
    # social assistance (huimin.assistance)
    "assistance:applications": Entry("assistance.view"),
    "assistance:application_create": Entry("assistance.apply"),
    "assistance:application_detail": Entry("assistance.view", target="assistance_application"),
    "assistance:application_act": Entry("assistance.view", method="POST", target="assistance_application_act"),
    "assistance:application_file": Entry("assistance.view", target="assistance_application_file"),
    "assistance:application_pdf": Entry("assistance.view", target="assistance_application_pdf"),
    "assistance:objection_resolve": Entry("assistance.view", method="POST", target="assistance_objection"),
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
    "assistance:household": Entry("assistance.view", target="assistance_household"),
    "assistance:household_panel": Entry("assistance.view", target="assistance_household"),
    "assistance:public_publicity": Entry(PUBLIC),
    "assistance:public_objection": Entry(PUBLIC, kwargs={"token": "00000000-0000-0000-0000-000000000000"}),
    # benefit standards, payroll and bank files (huimin.benefits)
    "benefits:standards": Entry("benefits.view"),
    "benefits:standard_add": Entry("benefits.standards", method="POST"),
    "benefits:price_index": Entry("benefits.standards", method="POST"),
    "benefits:payroll_months": Entry("benefits.view"),
    "benefits:payroll_build": Entry("benefits.payroll", method="POST"),
    "benefits:payroll_detail": Entry("benefits.view", target="benefits_payroll"),
    "benefits:payroll_act": Entry("benefits.payroll", method="POST", target="benefits_payroll_act"),
    "benefits:bank_export": Entry("benefits.pay", method="POST", target="benefits_payroll"),
    "benefits:bank_return": Entry("benefits.pay", method="POST", target="benefits_batch"),
    "benefits:templates": Entry("benefits.pay"),
    "benefits:template_create": Entry("benefits.pay", method="POST"),
    "benefits:report": Entry("benefits.view"),
    "benefits:calculator": Entry("benefits.view", query="?kind=dibao&income=100&members=2"),
}
