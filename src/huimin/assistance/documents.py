"""Printable forms as PDF (WeasyPrint; the Noto CJK fonts come from Debian's fonts-noto-cjk, `make system-deps`)."""

from django.template.loader import render_to_string
from django.utils import timezone

from huimin.assistance.models import Stage
from huimin.assistance.verification_link import verification_record
from huimin.registry.models import Membership

FORMS = {
    "application": ("申请书", "assistance/pdf/application.html"),
    "visit": ("入户调查表", "assistance/pdf/visit.html"),
    "approval": ("审批表", "assistance/pdf/approval.html"),
    "decision": ("决定书", "assistance/pdf/decision.html"),
}


def available_forms(application) -> list[tuple[str, str]]:
    forms = [("application", "申请书")]
    if application.visits.exists():
        forms.append(("visit", "入户调查表"))
    if application.stage not in (Stage.ACCEPT, Stage.NOT_ACCEPTED):
        forms.append(("approval", "审批表"))
    if application.stage == Stage.ENROLLED:
        forms.append(("decision", "决定书"))
    if application.stage in (Stage.REFUSED, Stage.NOT_ACCEPTED):
        forms.append(("decision", "不予批准通知书" if application.stage == Stage.REFUSED else "不予受理通知书"))
    return forms


def context_for(application) -> dict:
    members = (
        Membership.objects.filter(household=application.household, ended_on__isnull=True)
        .select_related("person")
        .order_by("relation", "person__birth_date")
    )
    verification, history = verification_record(application)
    return {
        "app": application,
        "members": members,
        "verification": verification,
        "verification_history": history,
        "visits": application.visits.all(),
        "events": application.events.all(),
        "enrolment": getattr(application, "enrolment", None),
        "objections": application.objections.all(),
        "printed_at": timezone.localtime(),
        "region_name": application.region.full_name(),
    }


def render_pdf(application, form: str) -> tuple[str, bytes]:
    from weasyprint import HTML

    title, template = FORMS[form]
    if form == "decision" and application.stage == Stage.REFUSED:
        title = "不予批准通知书"
    elif form == "decision" and application.stage == Stage.NOT_ACCEPTED:
        title = "不予受理通知书"
    html = render_to_string(template, {**context_for(application), "title": title})
    return title, HTML(string=html).write_pdf()
