"""智慧养老 API: a provider's system reports its devices' events with the bearer token of the provider's API
client (huimin.apiclients; the client is linked to the provider on 「服务商与合同」). A heartbeat only keeps the
device alive; any other event raises an alarm, dispatched to the responder on duty."""

import datetime

from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth
from huimin.core.access import BusinessRuleError
from huimin.homecare import alarms
from huimin.homecare import capabilities as cap

router = Router(tags=["居家养老"])


class EventIn(Schema):
    serial: str = Field(max_length=40, description="设备编号")
    kind: str = Field(description="事件类型：heartbeat（心跳）、button、fall、smoke、gas、water")
    occurred_at: datetime.datetime | None = Field(None, description="设备记录的发生时间（缺省为接收时间）")
    event_id: str = Field("", max_length=60, description="服务商系统的事件编号（重复上报同一编号只产生一条告警）")


class EventOut(Schema):
    alarm: int | None = Field(description="告警编号（心跳为空）")
    status: str = ""
    responder: str = Field("", description="派发的值班响应人类型")


# device telemetry: an accepted event is not an audit entry of its own; the alarm it raises is (alarms.report_event)
@router.post("/events", response={200: EventOut, **ERRORS}, auth=api_auth(cap.REPORT, audit_calls=False),
             summary="设备事件上报（服务商）")  # fmt: skip
def report_device_event(request, payload: EventIn):
    return _answer(alarms.report_event(request.auth, payload.serial, payload.kind, payload.occurred_at,
                                       payload.event_id))  # fmt: skip


def _answer(alarm) -> dict:
    """An accepted event's answer: its alarm, or none for a heartbeat."""
    if alarm is None:
        return {"alarm": None}
    return {"alarm": alarm.pk, "status": alarm.status, "responder": alarm.responder}


class EventBatchIn(Schema):
    events: list[EventIn] = Field(min_length=1, max_length=alarms.MAX_BATCH,
                                  description=f"设备事件（至多 {alarms.MAX_BATCH} 条），逐条处理")  # fmt: skip


class EventResult(EventOut):
    code: str = Field("", description="该条被拒绝时的错误码（如 homecare.device_unknown），接受时为空")
    message: str = Field("", description="该条被拒绝的原因")


class EventBatchOut(Schema):
    results: list[EventResult] = Field(description="与上报顺序一致的逐条结果")


@router.post("/events/batch", response={200: EventBatchOut, **ERRORS},
             auth=api_auth(cap.REPORT, audit_calls=False), summary="设备事件批量上报（服务商）")  # fmt: skip
def report_device_events(request, payload: EventBatchIn):
    """A provider's platform forwards the events it gathered over a moment in one call: each is taken as the
    single call takes it; one refused (an unknown device, a kind not supported) is answered in its place with its
    code and does not refuse the others."""
    answers = alarms.report_events(request.auth, payload.events)
    return {"results": [{"alarm": None, "code": a.code, "message": a.message} if isinstance(a, BusinessRuleError)
                        else _answer(a) for a in answers]}  # fmt: skip
