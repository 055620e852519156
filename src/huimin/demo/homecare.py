"""The demo city's 居家社区养老服务: per county two providers with contracts and workers, orders for some older
people, a month of service records (bulk inserted; one impossible — a worker in two places at once, so both records are
flagged — and about 5 % unconfirmed), a duty roster, devices and a few alarms. The
settlement is left for the county's staff to build, review and approve."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc

from huimin.core.models import Region
from huimin.homecare.models import (
    Alarm,
    Contract,
    Device,
    DutyShift,
    Order,
    Provider,
    ServiceItem,
    ServiceRecord,
    Worker,
)
from huimin.homecare.services import amounts, local
from huimin.registry.models import Person

ORDERS_PER_COUNTY = 12
VISITS_PER_ORDER = 8


def _uscc(n: int) -> str:
    base = f"52411700MJ{n:07d}"
    return base + uscc.calc_check_digit(base)


def load_homecare(as_of: datetime.date, seed: int = 18) -> dict[str, int]:
    rng = random.Random(seed)
    month = (as_of.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # the month before as_of
    items = {i.code: i for i in ServiceItem.objects.all()}
    counties = list(Region.objects.filter(level=3, code__startswith="4117").order_by("code"))
    counts = {"providers": 0, "orders": 0, "records": 0, "devices": 0, "alarms": 0}
    born_before = as_of.replace(year=as_of.year - 60)
    DutyShift.objects.bulk_create([
        DutyShift(region=None, level=1, responder="family", starts=datetime.time(0), ends=datetime.time(0),
                  effective_from=datetime.date(2020, 1, 1)),
        DutyShift(region=None, level=2, responder="provider", name="服务商值班台", phone="0396-12349",
                  starts=datetime.time(0), ends=datetime.time(0), effective_from=datetime.date(2020, 1, 1)),
        DutyShift(region=None, level=3, responder="assistant", name="区县民政值班", phone="0396-12345",
                  starts=datetime.time(0), ends=datetime.time(0), effective_from=datetime.date(2020, 1, 1)),
    ])  # fmt: skip
    n = 0
    for county in counties:
        older = Person.objects.filter(region__code__startswith=county.code[:6], is_deceased=False,
                                      birth_date__lte=born_before)  # fmt: skip
        persons = list(older.order_by("pk")[:ORDERS_PER_COUNTY])
        if not persons:
            continue
        providers = []
        for kind, label in (("centre", "社区养老服务中心"), ("company", "居家养老服务有限公司")):
            n += 1
            p = Provider.objects.create(name=f"{county.name}{label}", kind=kind, uscc=_uscc(n), region=county,
                                        legal_person="张主任", phone="0396-0000000")  # fmt: skip
            c = Contract.objects.create(provider=p, region=county, number=f"JJYL-{county.code[:6]}-{n}",
                                        starts_on=datetime.date(as_of.year - 1, 1, 1),
                                        ends_on=datetime.date(as_of.year + 1, 12, 31), created_by="demo")  # fmt: skip
            workers = Worker.objects.bulk_create([Worker(provider=p, code=f"G{n}{i:02d}", name=f"护理员{n}-{i}")
                                                  for i in range(3)])  # fmt: skip
            providers.append((p, c, workers))
        counts["providers"] += 2
        orders = []
        for i, person in enumerate(persons):
            p, c, _ = providers[i % 2]
            item = items[("meal", "clean", "bath", "medical")[i % 4]]
            percent = 100 if i % 3 else 50
            orders.append(Order(person=person, region_id=person.region_id, provider=p, contract=c, item=item,
                                funding="subsidy" if percent == 100 else "mixed", subsidy_percent=percent,
                                monthly_allowance=Decimal("300"), unit_price=Decimal("12.00") if item.code == "meal"
                                else Decimal("40.00"), starts_on=month, created_by="demo"))  # fmt: skip
        orders = Order.objects.bulk_create(orders)
        counts["orders"] += len(orders)
        records = []
        for i, order in enumerate(orders):
            workers = providers[i % 2][2]
            for v in range(VISITS_PER_ORDER):
                day = month + datetime.timedelta(days=v * 3 + i % 3)
                start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + (i % 4) * 2, 0)))
                minutes = 45 if order.item.code == "meal" else 90
                records.append(_record(order, workers[i % 3], start, minutes, confirmed=rng.random() > 0.05))
        # impossible: the first worker of the county in two places at once
        first = records[0]
        records.append(_record(orders[-1], first.worker, first.started_at + datetime.timedelta(minutes=10), 45))
        ServiceRecord.objects.bulk_create(records)
        counts["records"] += len(records)
        devices = Device.objects.bulk_create([
            Device(serial=f"SOS-{county.code[:6]}-{i}", kind=("button", "fall", "smoke")[i % 3], person=person,
                   region_id=person.region_id, provider=providers[0][0], heartbeat_minutes=60,
                   family_name="家属", family_phone="13800000000", installed_on=month,
                   last_seen_at=timezone.now())
            for i, person in enumerate(persons[:4])
        ])  # fmt: skip
        counts["devices"] += len(devices)
        now = timezone.now()
        alarms = []
        for i, device in enumerate(devices[:2]):
            raised = now - datetime.timedelta(hours=3 + i)
            acked = raised + datetime.timedelta(minutes=4 + 7 * i)
            alarms.append(Alarm(device=device, person_id=device.person_id, region_id=device.region_id,
                                provider_id=device.provider_id, kind=device.kind, occurred_at=raised,
                                raised_at=raised, dispatched_at=raised, responder="family",
                                responder_name="家属", responder_phone=device.family_phone, status="closed",
                                acknowledged_at=acked, acknowledged_by="demo", closed_at=acked
                                + datetime.timedelta(minutes=30), closed_by="demo", outcome="visited"))  # fmt: skip
        alarms.append(Alarm(device=devices[-1], person_id=devices[-1].person_id, region_id=devices[-1].region_id,
                            provider_id=devices[-1].provider_id, kind=devices[-1].kind, occurred_at=now, raised_at=now,
                            dispatched_at=now, responder="family", responder_name="家属",
                            responder_phone=devices[-1].family_phone))  # fmt: skip
        Alarm.objects.bulk_create(alarms)
        counts["alarms"] += len(alarms)
    return counts


def _record(order, worker, start, minutes, confirmed=True) -> ServiceRecord:
    units, amount, subsidy = amounts(order, minutes)
    end = start + datetime.timedelta(minutes=minutes)
    begin = local(start)
    return ServiceRecord(order=order, provider_id=order.provider_id, region_id=order.region_id, worker=worker,
                         service_date=begin.date(), started_at=start, ended_at=end, minutes=minutes,
                         start_minute=begin.hour * 60 + begin.minute, units=units, amount=amount,
                         subsidy_amount=subsidy, checkin_at=start, checkin_location="32.98,114.02",
                         confirmed_at=end if confirmed else None, confirmed_by="family" if confirmed else "",
                         created_by="demo")  # fmt: skip
