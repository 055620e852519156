"""Every state change of social assistance, as its callers have always named it: the actions live in
huimin.assistance.actions (one module per sub-domain) and are re-exported here. Each checks the actor's capability,
region level and scope, applies the rules, writes the history and the audit entry, and runs in one transaction with
the application (or enrolment) row locked, so two clerks acting at once produce one result. A refused request raises
ServiceError with a Chinese message and changes nothing."""

from huimin.assistance.actions.agency import agency_review, forward
from huimin.assistance.actions.apply import (
    accept,
    attach_document,
    create_application,
    missing_documents,
    not_accept,
    refuse,
)
from huimin.assistance.actions.common import (
    ALLOWED_UPLOADS,
    CENT,
    authority_for,
    today,
)
from huimin.assistance.actions.decide import (
    OBJECTION_FIELD_MAX_CHARS,
    OBJECTION_MAX_CHARS,
    OBJECTION_RATE_MESSAGE,
    OBJECTIONS_PER_IP_PER_HOUR,
    approve,
    calculated_amount,
    record_advance,
    record_case_by_case,
    resolve_objection,
    review,
    submit_objection,
)
from huimin.assistance.actions.delegate import (
    declare_near_relative,
    end_delegation,
    set_delegation,
)
from huimin.assistance.actions.enrol import (
    add_member,
    adjust,
    check_adjust,
    check_grace,
    check_stop,
    close_expired_grace,
    do_adjust,
    do_grace,
    do_stop,
    remove_member,
    resume,
    review_enrolment,
    start_grace,
    stop,
    suspend,
)
from huimin.assistance.actions.inputs import file_inputs
from huimin.assistance.actions.overlap_rules import add_overlap_rule, end_overlap_rule
from huimin.assistance.actions.policy import (
    POLICY_LIMITS,
    set_policy,
    set_workday,
)
from huimin.assistance.actions.verify import (
    check_verification,
    finish_verification,
    record_verification,
)
from huimin.assistance.actions.visit import (
    VisitConflict,
    current_visit,
    record_appraisal,
    record_visit,
    submit_visit,
    visit_problems,
    visit_version,
)

__all__ = [
    "ALLOWED_UPLOADS",
    "CENT",
    "OBJECTIONS_PER_IP_PER_HOUR",
    "OBJECTION_FIELD_MAX_CHARS",
    "OBJECTION_MAX_CHARS",
    "OBJECTION_RATE_MESSAGE",
    "POLICY_LIMITS",
    "accept",
    "add_member",
    "add_overlap_rule",
    "adjust",
    "agency_review",
    "approve",
    "attach_document",
    "authority_for",
    "calculated_amount",
    "check_verification",
    "close_expired_grace",
    "create_application",
    "end_overlap_rule",
    "current_visit",
    "declare_near_relative",
    "end_delegation",
    "file_inputs",
    "finish_verification",
    "forward",
    "missing_documents",
    "not_accept",
    "record_advance",
    "record_appraisal",
    "record_case_by_case",
    "record_verification",
    "record_visit",
    "refuse",
    "remove_member",
    "resolve_objection",
    "resume",
    "review",
    "review_enrolment",
    "set_delegation",
    "set_policy",
    "set_workday",
    "start_grace",
    "check_adjust",
    "check_grace",
    "check_stop",
    "do_adjust",
    "do_grace",
    "do_stop",
    "stop",
    "submit_objection",
    "submit_visit",
    "suspend",
    "today",
    "visit_problems",
    "visit_version",
    "VisitConflict",
]
