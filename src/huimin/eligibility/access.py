"""How 待遇资格 objects are fetched for an actor (huimin.core.access): recipients to confirm, notices."""

from huimin.core.access import access_by_id, visible_configuration
from huimin.eligibility import capabilities as cap
from huimin.eligibility.models import CertificateChange, SurvivalPolicy
from huimin.registry.models import Person


def access_person_for_survival(actor, pk, *, capability: str = cap.CONFIRM, for_update: bool = False) -> Person:
    queryset = Person.objects.select_related("household", "household__region")
    return access_by_id(queryset, actor, pk, capability=capability, region_field="household__region",
                        for_update=for_update, what="认证对象")  # fmt: skip


def access_change_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> CertificateChange:
    queryset = CertificateChange.objects.select_related("enrolment__programme", "person", "region", "township")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="残疾人证变更告知")


def visible_policies(actor):
    return visible_configuration(SurvivalPolicy.objects.select_related("region"), actor)
