"""How 居家社区养老服务 objects are fetched for an actor (huimin.core.access): capability 403, outside his region
404. A provider is reached through its own region; its contracts, orders and records through theirs."""

from huimin.core.access import access_by_id
from huimin.homecare import capabilities as cap
from huimin.homecare.models import Alarm, Contract, Device, Order, Provider, ServiceRecord, Settlement


def access_provider_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Provider:
    return access_by_id(Provider.objects.select_related("region"), actor, pk, capability=capability,
                        for_update=for_update, what="服务商")  # fmt: skip


def access_contract_by_id(actor, pk, *, capability: str = cap.VIEW) -> Contract:
    return access_by_id(Contract.objects.select_related("provider", "region"), actor, pk, capability=capability,
                        what="服务合同")  # fmt: skip


def access_order_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Order:
    queryset = Order.objects.select_related("person", "region", "provider", "contract", "item")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="服务订单")


def access_record_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> ServiceRecord:
    queryset = ServiceRecord.objects.select_related("order__person", "order__item", "provider", "worker", "region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="服务记录")


def access_settlement_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Settlement:
    return access_by_id(Settlement.objects.select_related("region"), actor, pk, capability=capability,
                        for_update=for_update, what="结算")  # fmt: skip


def access_device_by_id(actor, pk, *, capability: str = cap.VIEW) -> Device:
    return access_by_id(Device.objects.select_related("person", "provider", "region"), actor, pk,
                        capability=capability, what="设备")  # fmt: skip


def access_alarm_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Alarm:
    queryset = Alarm.objects.select_related("device", "person", "provider", "region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="告警")
