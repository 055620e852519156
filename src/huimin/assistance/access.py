"""How assistance objects are fetched for an actor (huimin.core.access): applications and enrolments —
capability 403, outside his region 404, and a case of a business line on which he holds no role (a 低保
application for a 残疾人福利 经办员) 404 as well: it does not exist for him."""

from huimin.assistance import workflow
from huimin.assistance.models import Application, Enrolment
from huimin.core.access import access_by_id, by_line

LINE_FIELD = "programme__business_line"


def of_my_lines(queryset, actor, capability: str = workflow.VIEW):
    """Applications or enrolments of the programmes whose business line ``actor`` holds ``capability`` on."""
    return by_line(queryset, actor, capability, LINE_FIELD)


APPLICATION_RELATED = ("programme", "household", "applicant", "region")
PROTECTED_APPLICANT = ("applicant__id_number", "applicant__phone", "applicant__bank_account")


def access_application_by_id(
    actor, pk, *, capability: str = workflow.VIEW, for_update: bool = False, queryset=None
) -> Application:
    """``queryset`` narrows what is fetched (a page's select_related); the scope is applied on top of it."""
    if queryset is None:
        queryset = Application.objects.select_related(*APPLICATION_RELATED).defer(*PROTECTED_APPLICANT)
    queryset = of_my_lines(queryset, actor, capability)
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="申请")


def access_enrolment_by_id(
    actor, pk, *, capability: str = workflow.VIEW, for_update: bool = False, queryset=None
) -> Enrolment:
    if queryset is None:
        queryset = Enrolment.objects.select_related("programme", "household", "region")
    queryset = of_my_lines(queryset, actor, capability)
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="在保记录")
