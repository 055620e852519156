"""智慧养老 alarms: a provider's system reports device events (huimin.homecare.api, a token per provider); an
alarm is dispatched to the responder on duty (the duty roster, level 1 first), acknowledged, and closed with an
outcome. ``minutely`` (``huimin homecare_minutely`` every minute, or the ``minutely_task``) escalates the alarms
nobody acknowledged within the region's ``escalate_minutes`` to the next level and raises an alarm for each
device silent longer than its heartbeat interval."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError
from huimin.homecare import capabilities as cap
from huimin.homecare.access import access_alarm_by_id
from huimin.homecare.error_codes import HomecareErrorCode as E
from huimin.homecare.models import Alarm, Device, DutyShift, Provider, Setting
from huimin.homecare.services import local, setting

HEARTBEAT = "heartbeat"
EVENT_KINDS = {**{k: v for k, v in Alarm.Kind.choices if k != Alarm.Kind.SILENT}, HEARTBEAT: "心跳"}


def _covers_time(shift: DutyShift, moment: datetime.time) -> bool:
    """Whether the shift's hours hold ``moment``: from ``starts`` (included) to ``ends`` (excluded); equal times
    are the whole day."""
    if shift.starts == shift.ends:
        return True
    if shift.starts < shift.ends:
        return shift.starts <= moment < shift.ends
    return moment >= shift.starts or moment < shift.ends  # across midnight


def on_duty(region_code: str, level: int, now: datetime.datetime) -> DutyShift | None:
    """The shift answering at ``level`` for the place at ``now`` (most specific region, then latest roster)."""
    moment = local(now)
    shifts = DutyShift.objects.filter(Q(region__isnull=True) | Q(region_id__in=regions.lineage(region_code)),
                                      level=level, effective_from__lte=moment.date()).order_by()  # fmt: skip
    rows = [s for s in shifts if _covers_time(s, moment.time())]
    return regions.in_force(rows, region_code, region=lambda s: s.region_id, effective_from=lambda s: s.effective_from,
                            tiebreak=lambda s: (s.pk,))  # fmt: skip


def _dispatch(alarm: Alarm, level: int, now: datetime.datetime, shifts: dict | None = None) -> bool:
    """Point the alarm at the responder of ``level``; False (unchanged) when the roster has no such level.
    ``shifts`` keeps the shift found per place and level for the alarms of one batch."""
    if shifts is None:
        shift = on_duty(alarm.region_id, level, now)
    else:
        key = (alarm.region_id, level)
        if key not in shifts:
            shifts[key] = on_duty(alarm.region_id, level, now)
        shift = shifts[key]
    if shift is None:
        return False
    alarm.level, alarm.responder, alarm.dispatched_at = level, shift.responder, now
    if shift.responder == DutyShift.Responder.FAMILY:
        alarm.responder_name = alarm.device.family_name or "家属"
        alarm.responder_phone = alarm.device.family_phone
    else:
        alarm.responder_name, alarm.responder_phone = shift.name, shift.phone
    return True


def _new_alarm(device: Device, kind: str, occurred_at, now, event_id: str = "", shifts: dict | None = None) -> Alarm:
    """An alarm of the device (not saved), dispatched to the first level of the roster."""
    alarm = Alarm(device=device, person_id=device.person_id, region_id=device.region_id,
                  provider_id=device.provider_id, kind=kind, event_id=event_id, occurred_at=occurred_at,
                  raised_at=now, dispatched_at=now)  # fmt: skip
    _dispatch(alarm, 1, now, shifts)
    return alarm


def _raise(device: Device, kind: str, occurred_at, now, event_id: str = "") -> Alarm:
    alarm = _new_alarm(device, kind, occurred_at, now, event_id)
    alarm.save()
    return alarm


def provider_of(principal) -> Provider:
    client = getattr(principal, "client", None)
    provider = Provider.objects.filter(api_client=client, is_active=True).first() if client is not None else None
    if provider is None:
        raise BusinessRuleError(E.DEVICE_UNKNOWN, "此接口客户端未关联居家养老服务商，请在「服务商与合同」页面关联")
    return provider


MAX_BATCH = 200  # events in one call of a provider's platform

# One statement finds the provider's active devices, keeps them alive (never moving last_seen_at backwards) and,
# inside the transaction, holds their row locks, taken in id order (two batches of one provider never deadlock):
# events of one device are serialised, so event ids are checked and inserted without a savepoint. Device telemetry
# is the hottest write path (issue 18: 200 events a second on 2 cores).
_TOUCH = """
WITH mine AS (
    SELECT d.id FROM {device} d JOIN {provider} p ON p.id = d.provider_id
     WHERE d.serial = ANY(%(serials)s) AND d.is_active AND p.is_active AND p.api_client_id = %(client)s
     ORDER BY d.id FOR UPDATE OF d)
UPDATE {device} d SET last_seen_at = GREATEST(d.last_seen_at, %(now)s) FROM mine WHERE d.id = mine.id
RETURNING d.id, d.serial, d.kind, d.person_id, d.region_id, d.provider_id, d.family_name, d.family_phone"""


def _touch(principal, serials: list[str], now) -> dict[str, Device]:
    client = getattr(principal, "client", None)
    sql = _TOUCH.format(device=Device._meta.db_table, provider=Provider._meta.db_table)
    params = {"now": now, "serials": sorted(set(serials)), "client": getattr(client, "pk", None)}
    return {d.serial: d for d in Device.objects.raw(sql, params)}


def report_event(principal, serial: str, kind: str, occurred_at: datetime.datetime | None = None,
                 event_id: str = "") -> Alarm | None:  # fmt: skip
    """A device event from the provider's system: every event counts as a sign of life; anything but a
    heartbeat raises an alarm (once per ``event_id``). Returns the alarm, or None for a heartbeat."""
    (answer,) = report_events(principal, [Event(serial, kind, occurred_at, event_id)])
    if isinstance(answer, BusinessRuleError):
        raise answer
    return answer


@dataclass(frozen=True)
class Event:
    serial: str
    kind: str
    occurred_at: datetime.datetime | None = None
    event_id: str = ""


def report_events(principal, events: list[Event]) -> list:
    """Device events from a provider's system, one or a batch (what its platform gathered over a moment), each
    taken alone: the answer per event, in order, is its alarm (None for a heartbeat) or the ``BusinessRuleError``
    that refused it — an unknown device or kind refuses that event, not the others. A batch costs the statements of
    one event: the devices touched in one statement, the event ids looked up in one, the alarms inserted in one,
    their audit entries appended in one."""
    if len(events) > MAX_BATCH:
        raise BusinessRuleError(E.INVALID, f"一次最多上报 {MAX_BATCH} 条事件")
    now = timezone.now()
    events = [Event(e.serial.strip(), e.kind.strip(), e.occurred_at, e.event_id.strip()[:60]) for e in events]
    answers: list = [None] * len(events)
    for i, e in enumerate(events):
        if e.kind not in EVENT_KINDS:
            answers[i] = BusinessRuleError(E.INVALID, f"事件类型“{e.kind}”不支持，应为：{'、'.join(EVENT_KINDS)}")
    valid = [i for i, e in enumerate(events) if answers[i] is None]
    with transaction.atomic():
        devices = _touch(principal, [events[i].serial for i in valid], now) if valid else {}
        if not devices:  # a client no provider is linked to: every event refused the same way (checked only here,
            provider_of(principal)  # not on the hot path: the touch already joins the client's provider)
        raising = []
        for i in valid:
            e = events[i]
            if e.serial not in devices:
                answers[i] = BusinessRuleError(E.DEVICE_UNKNOWN, f"设备“{e.serial}”未登记或不属于本服务商")
            elif e.kind != HEARTBEAT:
                raising.append(i)
        ids = {(devices[events[i].serial].pk, events[i].event_id) for i in raising if events[i].event_id}
        known = {(a.device_id, a.event_id): a for a in Alarm.objects.filter(
            device_id__in={d for d, _ in ids}, event_id__in={e for _, e in ids}).order_by()} if ids else {}  # fmt: skip
        new, shifts = [], {}
        for i in raising:
            e, device = events[i], devices[events[i].serial]
            key = (device.pk, e.event_id)
            if e.event_id and key in known:  # reported before, or earlier in this batch
                answers[i] = known[key]
                continue
            alarm = _new_alarm(device, e.kind, e.occurred_at or now, now, e.event_id, shifts)
            answers[i] = alarm
            new.append(alarm)
            if e.event_id:
                known[key] = alarm
        Alarm.objects.bulk_create(new)
        audit.record_many([audit.Change("homecare.alarm.raise", a, after={"kind": a.kind, "responder": a.responder},
                                        region_code=a.region_id) for a in new])  # fmt: skip
    return answers


def _minutes(region_code: str, day) -> int:
    try:
        return int(setting(Setting.Key.ESCALATE_MINUTES, region_code, day))
    except BusinessRuleError:
        return 0  # not configured: never escalated (the console says so)


def escalate(now: datetime.datetime | None = None) -> int:
    """Move every open alarm whose responder has not acknowledged within the region's minutes (exactly that
    many minutes after dispatch counts as late) to the next level of the roster."""
    now = now or timezone.now()
    count = 0
    for alarm in Alarm.objects.filter(status=Alarm.Status.OPEN).select_related("device").order_by("pk"):
        minutes = _minutes(alarm.region_id, local(now).date())
        if not minutes or now < alarm.dispatched_at + datetime.timedelta(minutes=minutes):
            continue
        with transaction.atomic():
            locked = Alarm.objects.select_for_update().select_related("device").get(pk=alarm.pk)
            if locked.status != Alarm.Status.OPEN or locked.dispatched_at != alarm.dispatched_at:
                continue
            before = {"level": locked.level, "responder": locked.responder_name}
            if not _dispatch(locked, locked.level + 1, now):
                locked.dispatched_at = now  # no higher level: the same responder is asked again
            locked.escalated_at = now
            locked.save()
            audit.record("homecare.alarm.escalate", locked, before=before,
                         after={"level": locked.level, "responder": locked.responder_name},
                         region_code=locked.region_id)  # fmt: skip
        count += 1
    return count


def silent_devices(now: datetime.datetime | None = None) -> int:
    """Raise a 设备失联 alarm for every active device silent for longer than its heartbeat interval (exactly
    the interval is not yet silent) that has no silent alarm still open."""
    now = now or timezone.now()
    count = 0
    open_silent = Alarm.objects.filter(kind=Alarm.Kind.SILENT).exclude(status=Alarm.Status.CLOSED)
    candidates = Device.objects.filter(is_active=True, last_seen_at__isnull=False).exclude(
        pk__in=open_silent.values("device_id")
    )
    for device in candidates.only("pk", "last_seen_at", "heartbeat_minutes", "person_id", "region_id",
                                  "provider_id", "family_name", "family_phone"):  # fmt: skip
        if now - device.last_seen_at <= datetime.timedelta(minutes=device.heartbeat_minutes):
            continue
        with transaction.atomic():
            alarm = _raise(device, Alarm.Kind.SILENT, device.last_seen_at, now)
            audit.record("homecare.alarm.silent", alarm, after={"last_seen_at": device.last_seen_at},
                         region_code=alarm.region_id)  # fmt: skip
        count += 1
    return count


def minutely(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {"escalated": escalate(now), "silent": silent_devices(now)}


@transaction.atomic
def acknowledge(actor, alarm_id) -> Alarm:
    alarm = access_alarm_by_id(actor, alarm_id, capability=cap.ALARM, for_update=True)
    if alarm.status != Alarm.Status.OPEN:
        raise BusinessRuleError(E.STATE, f"告警当前为“{alarm.get_status_display()}”，不能再响应")
    alarm.status, alarm.acknowledged_at, alarm.acknowledged_by = (
        Alarm.Status.ACKNOWLEDGED,
        timezone.now(),
        actor.username,
    )
    alarm.save()
    audit.record("homecare.alarm.acknowledge", alarm, region_code=alarm.region_id)
    return alarm


@transaction.atomic
def close(actor, alarm_id, outcome: str, note: str = "") -> Alarm:
    alarm = access_alarm_by_id(actor, alarm_id, capability=cap.ALARM, for_update=True)
    if alarm.status != Alarm.Status.ACKNOWLEDGED:
        raise BusinessRuleError(E.STATE, "告警须先响应再关闭" if alarm.status == Alarm.Status.OPEN else "告警已关闭")
    if outcome not in Alarm.Outcome.values:
        raise BusinessRuleError(E.INVALID, "请选择处置结果")
    note = (note or "").strip()
    if outcome == Alarm.Outcome.OTHER and not note:
        raise BusinessRuleError(E.INVALID, "处置结果为“其他”时须填写处置说明")
    if len(note) > 300:
        raise BusinessRuleError(E.INVALID, "处置说明过长（最多 300 字）")
    alarm.status, alarm.outcome, alarm.note = Alarm.Status.CLOSED, outcome, note
    alarm.closed_at, alarm.closed_by = timezone.now(), actor.username
    alarm.save()
    audit.record("homecare.alarm.close", alarm, after={"outcome": outcome}, region_code=alarm.region_id)
    return alarm


# --- devices and the duty roster -----------------------------------------------------------------------------


@transaction.atomic
def register_device(actor, data: dict) -> Device:
    from huimin.core.access import require_capability, require_region_in_scope
    from huimin.homecare.services import _date, _text
    from huimin.registry.models import Person

    require_capability(actor, cap.ALARM, "登记智慧养老设备")
    person = Person.objects.filter(pk=data.get("person") or 0, is_deceased=False).first()
    if person is None or not person.region_id:
        raise BusinessRuleError(E.INVALID, "请选择在世的老年人")
    require_region_in_scope(actor, person.region_id, "老年人")
    kind = data.get("kind", "")
    if kind not in Device.Kind.values:
        raise BusinessRuleError(E.INVALID, "请选择设备类型")
    provider = Provider.objects.filter(pk=data.get("provider") or 0, is_active=True).first()
    if provider is None:
        raise BusinessRuleError(E.INVALID, "请选择负责的服务商")
    serial = _text(data.get("serial"), "设备编号", 40)
    if Device.objects.filter(serial=serial).exists():
        raise BusinessRuleError(E.INVALID, f"设备编号“{serial}”已登记")
    try:
        heartbeat = int(data.get("heartbeat_minutes") or 60)
    except ValueError:
        heartbeat = 0
    if not 1 <= heartbeat <= 10080:
        raise BusinessRuleError(E.INVALID, "心跳间隔应为 1—10080 分钟")
    device = Device.objects.create(
        serial=serial, kind=kind, person=person, region_id=person.region_id, provider=provider,
        heartbeat_minutes=heartbeat, family_name=_text(data.get("family_name"), "家属联系人", 50, required=False),
        family_phone=_text(data.get("family_phone"), "家属电话", 30, required=False),
        installed_on=_date(data.get("installed_on"), "安装日期"), last_seen_at=timezone.now(),
    )  # fmt: skip
    audit.record("homecare.device.register", device, after={"kind": kind, "provider": provider.pk},
                 region_code=device.region_id)  # fmt: skip
    return device


@transaction.atomic
def add_shift(actor, data: dict) -> DutyShift:
    from huimin.core.access import require_capability, require_writable_region
    from huimin.core.models import Region
    from huimin.homecare.services import _date, _text

    require_capability(actor, cap.ALARM, "设置告警值班表")
    code = (data.get("region") or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    require_writable_region(actor, region, "该区域的值班表")
    responder = data.get("responder", "")
    if responder not in DutyShift.Responder.values:
        raise BusinessRuleError(E.INVALID, "请选择响应人类型")
    try:
        level = int(data.get("level") or 0)
        starts = datetime.time.fromisoformat(data.get("starts") or "")
        ends = datetime.time.fromisoformat(data.get("ends") or "")
    except ValueError:
        raise BusinessRuleError(E.INVALID, "请填写响应级别（1—9）和值班起止时刻（HH:MM）") from None
    if not 1 <= level <= 9:
        raise BusinessRuleError(E.INVALID, "响应级别应为 1—9")
    shift = DutyShift.objects.create(
        region=region, level=level, responder=responder, starts=starts, ends=ends,
        name=_text(data.get("name"), "值班人", 50, required=responder != DutyShift.Responder.FAMILY),
        phone=_text(data.get("phone"), "电话", 30, required=False), effective_from=_date(data.get("effective_from"),
                                                                                        "起始日期"),
    )  # fmt: skip
    audit.record("homecare.roster.add", shift, after={"level": level, "responder": responder},
                 region_code=code)  # fmt: skip
    return shift
