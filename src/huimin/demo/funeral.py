"""The demo city's 殡葬: in each county a funeral home and a 公益性公墓, the county's 惠民殡葬 policies, a year of
records of bodies (cremations and a few burials, with their waivers), the months settled with the funeral home
(制表, 审核, 审批 by three people; the last month still 待审核), a cemetery inspection and two illegal burial
reports — all through huimin.funeral.services, as the staff would have done it.

The deceased are people the 社会救助 registry does not hold (most deaths are): the registry's persons and the
monitoring ground truth of the demo city stay as generated. The death signal of a registry person is shown by
the tests (tests/e2e/test_day_funeral.py)."""

import datetime
import random

from django.utils import timezone

from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.demo.names import SURNAMES
from huimin.funeral import services
from huimin.funeral.models import Group, Service, WaiverPolicy
from huimin.registry import idnumbers
from huimin.registry.models import Person

RECORDS_PER_MONTH = 2
COUNTIES = 2  # the first counties (by code) get a funeral home with a year of records: the load stays quick
GIVEN = "建国秀英桂兰志强玉梅德福凤英文华金花保国淑珍振华春兰"
BASIC = ["transport", "storage", "cremation", "ash_storage"]


def _who(county: str, role: str) -> User:
    return User.objects.with_role(role, BusinessLine.FUNERAL).filter(region_id=county).order_by("username").first()


def _policies(county: Region) -> None:
    every = list(Service.values)
    rows = {Group.GENERAL: (BASIC, "1000.00", []),
            Group.DIBAO: (every, "2000.00", ["assistance:dibao", "assistance:dibao_single"]),
            Group.TEKUN: (every, "2000.00", ["assistance:tekun_scattered", "assistance:tekun_central"]),
            Group.YOUFU: (every, "2500.00", [])}  # fmt: skip
    WaiverPolicy.objects.bulk_create(
        WaiverPolicy(region=county, group=g, services=s, cap=c, programmes=p, effective_from=datetime.date(2025, 1, 1),
                     basis=f"{county.name}惠民殡葬实施办法（演示）", created_by="demo")
        for g, (s, c, p) in rows.items()
    )  # fmt: skip


def _deceased(rng: random.Random, county: str, taken: set[str]) -> tuple[str, str]:
    while True:
        birth = datetime.date(rng.randint(1925, 1955), rng.randint(1, 12), rng.randint(1, 28))
        number = idnumbers.make(county[:6], birth, rng.randint(0, 999))
        if number not in taken and not Person.objects.filter(**Person.lookup("id_number", number)).exists():
            taken.add(number)
            surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
            return surname + GIVEN[rng.randrange(0, len(GIVEN), 2)][:1] + GIVEN[rng.randrange(1, len(GIVEN), 2)], number


def load_funeral(as_of: datetime.date, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    day = min(as_of, timezone.localdate())
    counts = {"facilities": 0, "records": 0, "settlements": 0}
    taken: set[str] = set()
    approvers = User.objects.with_role(Role.APPROVER, BusinessLine.FUNERAL).order_by("region_id")
    for approver in approvers[:COUNTIES]:
        county = approver.region
        clerk, reviewer = _who(county.code, Role.CLERK), _who(county.code, Role.REVIEWER)
        town = Region.objects.filter(parent=county, level=4).order_by("code").first()
        with acting_as(actor_for(approver)):
            _policies(county)
            home = services.add_facility(approver, {
                "name": f"{county.name}殡仪馆", "kind": "funeral_home", "region": county.code,
                "licence_no": f"驻民殡〔2012〕{county.code[4:6]}号", "capacity": "3000", "cold_storage": "40",
                "address": f"{county.name}殡仪馆路 1 号",
            })  # fmt: skip
            cemetery = services.add_facility(approver, {
                "name": f"{town.name if town else county.name}公益性公墓", "kind": "public_cemetery",
                "region": town.code if town else county.code, "licence_no": f"驻民墓〔2016〕{county.code[4:6]}号",
                "capacity": "5000", "licence_valid_until": "2030-12-31",
            })  # fmt: skip
            counts["facilities"] += 2
        index = day.year * 12 + day.month - 1
        months = [datetime.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(11, -1, -1)]
        with acting_as(actor_for(clerk)):
            for month in months:
                for _ in range(RECORDS_PER_MONTH):
                    death = month + datetime.timedelta(days=rng.randint(0, 24))
                    if death + datetime.timedelta(days=3) > day:
                        continue
                    name, number = _deceased(rng, county.code, taken)
                    burial = rng.random() < 0.15
                    days = rng.randint(1, 3)
                    fees = {"fee_transport": "300", "fee_storage": str(50 * days), "fee_farewell": "200"}
                    if burial:
                        data = {"facility": cemetery.pk, "disposal": "burial", "ashes": ""}
                    else:
                        fees |= {"fee_cremation": "600", "fee_ash_storage": "200", "fee_urn": "300"}
                        data = {"facility": home.pk, "disposal": "cremation",
                                "ashes": rng.choice(["stored", "cemetery", "taken"])}  # fmt: skip
                    services.do_record(clerk, {
                        **data, **fees, "id_number": number, "name": name,
                        "cause": rng.choice(["disease", "disease", "age", "accident"]),
                        "death_date": death.isoformat(), "death_place": rng.choice(["家中", f"{county.name}人民医院"]),
                        "certificate": "medical",
                        "certificate_no": f"A{county.code[:6]}{death:%Y%m%d}{rng.randint(0, 9999)}",
                        "family_name": name[0] + "家属", "family_relation": rng.choice(["子", "女", "配偶"]),
                        "family_phone": f"138{rng.randint(0, 99999999):08d}", "received_on": death.isoformat(),
                        "storage_days": str(days), "disposed_on": (death + datetime.timedelta(days=days)).isoformat(),
                        "youfu_cert_no": "豫优（演示）" if rng.random() < 0.05 else "",
                    })  # fmt: skip
                    counts["records"] += 1
        settled = [m for m in months if m < day.replace(day=1)]
        for i, month in enumerate(settled):
            if not services.settleable(home, month).exists():
                continue
            with acting_as(actor_for(clerk)):
                s = services.prepare_settlement(clerk, home.pk, month)
            counts["settlements"] += 1
            if i == len(settled) - 1:
                continue  # the last month still waits for its review
            with acting_as(actor_for(reviewer)):
                services.act_on_settlement(reviewer, s, "review", "演示：单据齐全")
            with acting_as(actor_for(approver)):
                services.act_on_settlement(approver, s, "approve", "演示：同意拨付")
        with acting_as(actor_for(approver)):
            findings = "演示：墓位面积、价格公示符合规定"
            services.record_inspection(approver, {"facility": cemetery.pk, "inspected_on": day.isoformat(),
                                                  "result": "passed", "findings": findings})  # fmt: skip
            village = Region.objects.filter(code__startswith=county.code[:6], level=5).order_by("code").first()
            if village is not None:
                for status in ("open", "rectified"):
                    r = services.report_burial(approver, {
                        "region": village.code, "location": "村北耕地", "reported_on": day.isoformat(),
                        "reporter": "群众来电（演示）", "description": "耕地内新建坟墓",
                    })  # fmt: skip
                    if status == "rectified":
                        services.handle_report(approver, r, "rectified", "演示：已平坟复耕")
    return counts
