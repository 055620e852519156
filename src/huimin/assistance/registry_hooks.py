"""How assistance plugs into the registry: its panel on the household page, and person merges."""

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, NearRelative, Notification, Programme
from huimin.registry.search import ProgrammeFilter


def _programme_choices() -> list[tuple[str, str]]:
    return [(f"assistance:{code}", name) for code, name in Programme.objects.order_by("id").values_list("code", "name")]


def _households_in(code: str):
    """Households whose enrolment in the programme is still open (在保, 渐退期 or 停发)."""
    live = [Enrolment.Status.ACTIVE, Enrolment.Status.GRACE, Enrolment.Status.SUSPENDED]
    programme = code.removeprefix("assistance:")
    return Enrolment.objects.filter(programme__code=programme, status__in=live).values("household_id")


PROGRAMME_FILTER = ProgrammeFilter(_programme_choices, _households_in)


def repoint_person(keep, drop) -> None:
    """After the registry merges ``drop`` into ``keep``, every case of ``drop`` belongs to ``keep``."""
    Application.objects.filter(applicant=drop).update(applicant=keep)
    Application.objects.filter(beneficiary=drop).update(beneficiary=keep)
    Enrolment.objects.filter(person=drop).update(person=keep)
    EnrolmentMember.objects.filter(person=drop).update(person=keep)
    NearRelative.objects.filter(person=drop).update(person=keep)
    Notification.objects.filter(recipient=drop).update(recipient=keep)
