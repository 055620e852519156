"""How assistance plugs into the registry: its panel on the household page, and person merges."""

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, NearRelative, Notification


def repoint_person(keep, drop) -> None:
    """After the registry merges ``drop`` into ``keep``, every case of ``drop`` belongs to ``keep``."""
    Application.objects.filter(applicant=drop).update(applicant=keep)
    Application.objects.filter(beneficiary=drop).update(beneficiary=keep)
    Enrolment.objects.filter(person=drop).update(person=keep)
    EnrolmentMember.objects.filter(person=drop).update(person=keep)
    NearRelative.objects.filter(person=drop).update(person=keep)
    Notification.objects.filter(recipient=drop).update(recipient=keep)
