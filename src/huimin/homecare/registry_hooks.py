"""How 居家社区养老服务 plugs into the registry's person merge (``registry.dedup.MERGE_HOOKS``)."""

from huimin.homecare.models import Alarm, Device, Order


def repoint_person(keep, drop) -> None:
    """After the registry merges ``drop`` into ``keep``, his orders, devices and alarms are ``keep``'s."""
    for model in (Order, Device, Alarm):
        model.objects.filter(person=drop).update(person=keep)
