"""Providers, contracts, orders and records of 居家养老 for the tests (and the authorisation matrix)."""

import datetime
import itertools
import zoneinfo
from decimal import Decimal

from huimin.homecare.models import Contract, Order, Provider, ServiceItem, ServiceRecord, Worker
from huimin.homecare.services import amounts
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
_SEQ = itertools.count(1)


def uscc(n: int) -> str:
    from stdnum.cn import uscc as check

    base = f"91411702MA{n:07d}"
    return base + check.calc_check_digit(base)


def older(region_code: str, born=datetime.date(1945, 3, 1), name="老人") -> Person:
    seq = next(_SEQ)
    household = Household.objects.create(number=f"HC{region_code[-6:]}{seq:05d}", region_id=region_code)
    return Person.objects.create(name=f"{name}{seq}", id_number=idnumbers.make("411702", born, 500 + seq % 400),
                                 birth_date=born, region_id=region_code, household=household)  # fmt: skip


def provider(region_code: str, n: int = 1, contract_region: str | None = None,
             starts=datetime.date(2026, 1, 1), ends=datetime.date(2026, 12, 31)) -> tuple:  # fmt: skip
    p = Provider.objects.create(name=f"服务商{n}", kind="company", uscc=uscc(n), region_id=region_code)
    c = Contract.objects.create(provider=p, region_id=contract_region or region_code, number=f"HT{n:04d}",
                                starts_on=starts, ends_on=ends)  # fmt: skip
    w = Worker.objects.create(provider=p, code=f"W{n}", name=f"护理员{n}")
    return p, c, w


def order(person, prov, contract, item="meal", percent=100, allowance="500", price="12.00") -> Order:
    return Order.objects.create(person=person, region_id=person.region_id, provider=prov, contract=contract,
                                item=ServiceItem.objects.get(code=item), funding="subsidy" if percent == 100 else
                                "mixed", subsidy_percent=percent, monthly_allowance=Decimal(allowance),
                                unit_price=Decimal(price), starts_on=contract.starts_on)  # fmt: skip


def at(y, m, d, hh=9, mm=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=BEIJING)


def record(o: Order, worker, start: datetime.datetime, minutes: int, confirmed=True) -> ServiceRecord:
    end = start + datetime.timedelta(minutes=minutes)
    units, amount, subsidy = amounts(o, minutes)
    return ServiceRecord.objects.create(
        order=o, provider_id=o.provider_id, region_id=o.region_id, worker=worker, service_date=start.date(),
        started_at=start, ended_at=end, minutes=minutes, start_minute=start.hour * 60 + start.minute, units=units,
        amount=amount, subsidy_amount=subsidy, checkin_at=start, checkin_location="32.98,114.02",
        confirmed_at=end if confirmed else None, confirmed_by="self" if confirmed else "",
    )  # fmt: skip
