"""智慧养老 alarms: reported through the API with a provider's token, dispatched by the roster, escalated exactly
at the minute boundary, a silent device raising its own alarm (the clock moved with time_machine)."""

import datetime

import pytest
import time_machine

from huimin.apiclients.models import ApiClient
from huimin.apiclients.tokens import token_hash
from huimin.homecare import alarms
from huimin.homecare.models import Alarm, Device, DutyShift
from tests.conftest import COUNTY, VILLAGE_A1
from tests.homecare.helpers import BEIJING, older, provider

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def device(regions):
    p, _, _ = provider(COUNTY, 1)
    person = older(VILLAGE_A1)
    day = datetime.date(2026, 1, 1)
    DutyShift.objects.create(region=None, level=1, responder="family", starts=datetime.time(0), ends=datetime.time(0),
                             effective_from=day)  # fmt: skip
    DutyShift.objects.create(region_id=COUNTY, level=2, responder="assistant", name="王协理", phone="123",
                             starts=datetime.time(0), ends=datetime.time(0), effective_from=day)  # fmt: skip
    return Device.objects.create(serial="SOS-1", kind="button", person=person, region_id=VILLAGE_A1, provider=p,
                                 heartbeat_minutes=30, family_name="李女儿", family_phone="139",
                                 installed_on=day, last_seen_at=T0)  # fmt: skip


def _alarm(device, now=T0) -> Alarm:
    return alarms._raise(device, "button", now, now)


def test_unacknowledged_alarm_escalates_exactly_at_the_minute_boundary(device):
    with time_machine.travel(T0, tick=False):
        alarm = _alarm(device)
    assert (alarm.level, alarm.responder, alarm.responder_name) == (1, "family", "李女儿")
    with time_machine.travel(T0 + datetime.timedelta(minutes=15) - datetime.timedelta(seconds=1), tick=False):
        assert alarms.escalate() == 0
    with time_machine.travel(T0 + datetime.timedelta(minutes=15), tick=False):
        assert alarms.escalate() == 1
    alarm.refresh_from_db()
    assert (alarm.level, alarm.responder, alarm.responder_name) == (2, "assistant", "王协理")
    assert alarm.escalated_at == T0 + datetime.timedelta(minutes=15)


def test_an_acknowledged_alarm_does_not_escalate(device, staff):
    with time_machine.travel(T0, tick=False):
        alarm = _alarm(device)
        alarms.acknowledge(staff["assistant"], alarm.pk)
    with time_machine.travel(T0 + datetime.timedelta(hours=1), tick=False):
        assert alarms.escalate() == 0
        closed = alarms.close(staff["assistant"], alarm.pk, "visited", "上门查看，老人无恙")
    assert closed.status == Alarm.Status.CLOSED


def test_a_silent_device_raises_its_own_alarm_once(device):
    with time_machine.travel(T0 + datetime.timedelta(minutes=30), tick=False):  # exactly the interval
        assert alarms.silent_devices() == 0
    with time_machine.travel(T0 + datetime.timedelta(minutes=30, seconds=1), tick=False):
        assert alarms.minutely() == {"escalated": 0, "silent": 1}
        assert alarms.silent_devices() == 0  # one open silent alarm is enough
    alarm = Alarm.objects.get(device=device)
    assert alarm.kind == Alarm.Kind.SILENT and alarm.occurred_at == T0


@pytest.fixture
def token(device):
    digest = token_hash("hc1-secret")
    ApiClient.objects.create(name="服务商1系统", department="服务商1", token_prefix="hc1", token_hash=digest,
                             operations=["report_device_event", "report_device_events"], region_prefixes=["411702"],
                             rate_limit_per_minute=1000)  # fmt: skip
    device.provider.api_client = ApiClient.objects.get(name="服务商1系统")
    device.provider.save()
    return "hc1-secret"


def test_the_api_accepts_a_providers_events(client, token, device):
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/homecare/events", {"serial": "SOS-1", "kind": "fall", "event_id": "e1"},
                    content_type="application/json", headers=headers)  # fmt: skip
    assert r.status_code == 200, r.content
    again = client.post("/api/homecare/events", {"serial": "SOS-1", "kind": "fall", "event_id": "e1"},
                        content_type="application/json", headers=headers)  # fmt: skip
    assert again.json()["alarm"] == r.json()["alarm"] and Alarm.objects.count() == 1
    beat = client.post("/api/homecare/events", {"serial": "SOS-1", "kind": "heartbeat"},
                       content_type="application/json", headers=headers)  # fmt: skip
    assert beat.status_code == 200 and beat.json()["alarm"] is None
    unknown = client.post("/api/homecare/events", {"serial": "NOPE", "kind": "fall"},
                          content_type="application/json", headers=headers)  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["code"] == "homecare.device_unknown"
    bad = client.post("/api/homecare/events", {"serial": "SOS-1", "kind": "party"}, content_type="application/json",
                      headers=headers)  # fmt: skip
    assert bad.status_code == 400 and "不支持" in bad.json()["message"]


def test_a_provider_is_linked_only_to_a_client_granted_the_event_operation(device, staff):
    from huimin.core.access import BusinessRuleError
    from huimin.homecare import services

    granted = ApiClient.objects.create(name="甲", department="服务商1", token_prefix="a1", token_hash="a" * 64,
                                       operations=["report_device_event"])  # fmt: skip
    other = ApiClient.objects.create(name="乙", department="统计局", token_prefix="b1", token_hash="b" * 64,
                                     operations=["list_persons"])  # fmt: skip
    with pytest.raises(BusinessRuleError, match="接口客户端"):
        services.link_client(staff["clerk"], device.provider_id, other.pk)
    assert services.link_client(staff["clerk"], device.provider_id, granted.pk).api_client == granted


def _post(client, token, **body):
    return client.post("/api/homecare/events", body, content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_heartbeats_keep_the_device_alive_without_an_audit_entry_each_and_an_alarm_is_audited(client, token, device):
    from huimin.core.models import AuditEntry

    with time_machine.travel(T0, tick=False):
        assert _post(client, token, serial="SOS-1", kind="heartbeat").status_code == 200
    with time_machine.travel(T0 + datetime.timedelta(seconds=30), tick=False):
        assert _post(client, token, serial="SOS-1", kind="heartbeat").status_code == 200
    device.refresh_from_db()
    assert device.last_seen_at == T0 + datetime.timedelta(seconds=30)
    assert not AuditEntry.objects.filter(action="api.call").exists()
    with time_machine.travel(T0 + datetime.timedelta(minutes=1), tick=False):
        alarm_id = _post(client, token, serial="SOS-1", kind="fall").json()["alarm"]
        refused = _post(client, token, serial="NOPE", kind="heartbeat")
    assert refused.status_code == 400 and refused.json()["code"] == "homecare.device_unknown"
    raised = AuditEntry.objects.get(action="homecare.alarm.raise")
    assert (raised.object_id, raised.actor) == (str(alarm_id), "api:服务商1系统")


def test_a_client_s_last_use_is_written_once_a_minute(client, token, device):
    with time_machine.travel(T0, tick=False):
        _post(client, token, serial="SOS-1", kind="heartbeat")
    first = ApiClient.objects.get(name="服务商1系统").last_used_at
    with time_machine.travel(T0 + datetime.timedelta(seconds=59), tick=False):
        _post(client, token, serial="SOS-1", kind="heartbeat")
    assert ApiClient.objects.get(name="服务商1系统").last_used_at == first == T0
    with time_machine.travel(T0 + datetime.timedelta(seconds=60), tick=False):
        _post(client, token, serial="SOS-1", kind="heartbeat")
    assert ApiClient.objects.get(name="服务商1系统").last_used_at == T0 + datetime.timedelta(seconds=60)


def test_an_event_never_moves_the_sign_of_life_backwards_and_another_providers_device_is_unknown(client, token, device):
    with time_machine.travel(T0 - datetime.timedelta(minutes=5), tick=False):  # a worker's clock behind
        assert _post(client, token, serial="SOS-1", kind="heartbeat").status_code == 200
        assert _post(client, token, serial="SOS-1", kind="fall", event_id="late").status_code == 200
    device.refresh_from_db()
    assert device.last_seen_at == T0
    p2, _, _ = provider(COUNTY, 2)
    Device.objects.create(serial="SOS-2", kind="button", person=device.person, region_id=VILLAGE_A1, provider=p2,
                          installed_on=datetime.date(2026, 1, 1))  # fmt: skip
    refused = _post(client, token, serial="SOS-2", kind="fall")
    assert refused.status_code == 400 and refused.json()["code"] == "homecare.device_unknown"
    assert not Alarm.objects.filter(device__serial="SOS-2").exists()


def test_a_roster_of_another_place_never_answers_an_alarm(client, token, device):
    from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B

    day = datetime.date(2026, 6, 1)
    for region in (OTHER_COUNTY, TOWN_B):  # later and as specific, but elsewhere
        DutyShift.objects.create(region_id=region, level=1, responder="provider", name="别处", phone="1",
                                 starts=datetime.time(0), ends=datetime.time(0), effective_from=day)  # fmt: skip
    with time_machine.travel(T0, tick=False):
        first = Alarm.objects.get(pk=_post(client, token, serial="SOS-1", kind="fall", event_id="a").json()["alarm"])
    assert (first.responder, first.responder_name) == ("family", "李女儿")
    DutyShift.objects.create(region_id=TOWN_A, level=1, responder="provider", name="本乡服务商", phone="2",
                             starts=datetime.time(0), ends=datetime.time(0), effective_from=day)  # fmt: skip
    with time_machine.travel(T0, tick=False):
        second = Alarm.objects.get(pk=_post(client, token, serial="SOS-1", kind="fall", event_id="b").json()["alarm"])
    assert (second.responder, second.responder_name) == ("provider", "本乡服务商")


def test_a_batch_answers_each_event_in_its_place_and_refuses_only_the_bad_ones(client, token, device):
    from huimin.core import audit
    from huimin.core.models import AuditEntry

    events = [
        {"serial": "SOS-1", "kind": "fall", "event_id": "b1"},
        {"serial": "NOPE", "kind": "fall", "event_id": "b2"},
        {"serial": "SOS-1", "kind": "party"},
        {"serial": "SOS-1", "kind": "heartbeat"},
        {"serial": "SOS-1", "kind": "button", "event_id": "b1"},  # the same event id again, in the same batch
        {"serial": "SOS-1", "kind": "smoke"},
    ]
    with time_machine.travel(T0 + datetime.timedelta(minutes=2), tick=False):
        r = client.post("/api/homecare/events/batch", {"events": events}, content_type="application/json",
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 200, r.content
    results = r.json()["results"]
    assert [x["code"] for x in results] == ["", "homecare.device_unknown", "homecare.invalid", "", "", ""]
    assert "不支持" in results[2]["message"] and results[3]["alarm"] is None
    assert results[4]["alarm"] == results[0]["alarm"] and results[0]["responder"] == "family"
    assert sorted(Alarm.objects.values_list("kind", flat=True)) == ["fall", "smoke"]
    raised = AuditEntry.objects.filter(action="homecare.alarm.raise").order_by("seq")
    assert [e.object_id for e in raised] == [str(results[0]["alarm"]), str(results[5]["alarm"])]
    assert audit.verify().ok  # the entries appended together still chain
    device.refresh_from_db()
    assert device.last_seen_at == T0 + datetime.timedelta(minutes=2)


def test_a_batch_holds_at_most_its_limit_and_a_client_without_a_provider_is_refused_whole(client, token, device):
    too_many = [{"serial": "SOS-1", "kind": "heartbeat"}] * (alarms.MAX_BATCH + 1)
    r = client.post("/api/homecare/events/batch", {"events": too_many}, content_type="application/json",
                    headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code in (400, 422) and not Alarm.objects.exists()
    device.provider.api_client = None
    device.provider.save()
    r = client.post("/api/homecare/events/batch", {"events": [{"serial": "SOS-1", "kind": "fall"}]},
                    content_type="application/json", headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 400 and "未关联居家养老服务商" in r.json()["message"] and not Alarm.objects.exists()
