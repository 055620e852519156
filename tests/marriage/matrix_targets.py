"""婚姻登记 objects inside the county (驿城区) and in another county (西平县) that the authorisation matrix opens
the pages and operations with. Offices are county-level: a township caller's outside and a county caller's are
both the other county's."""

import datetime

from huimin.core.roles import BusinessLine, Role
from huimin.marriage.models import DivorceApplication, Office, Record, Refusal, Request
from huimin.registry import idnumbers
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B

MARRIAGE_APPROVER = "approver_marriage"
D = datetime.date


def marriage_user(make_user):
    return make_user(MARRIAGE_APPROVER, Role.APPROVER, COUNTY, line=BusinessLine.MARRIAGE)


def _set(code: str, region: str, seq: int, users):
    office = Office.objects.create(code=code, name=f"{code}婚姻登记处", region_id=region)
    ids = [idnumbers.make("411702", D(1990, 1, 1), seq + i) for i in (1, 2)]
    record = Record.objects.create(
        kind="marriage",
        number=f"J{code}",
        office=office,
        office_name=office.name,
        region_id=region,
        registered_on=D(2026, 1, 5),
        verify_token=f"tok{code}",
        male_name="甲",
        male_id_number=ids[0],
        female_name="乙",
        female_id_number=ids[1],
    )
    clerk = users["clerk_a"]
    application = DivorceApplication.objects.create(
        number=f"LH{code}",
        office=office,
        marriage=record,
        received_on=D(2026, 1, 10),
        cooling_end=D(2026, 2, 9),
        register_end=D(2026, 3, 11),
        agreement="协议内容" * 3,
        officer=clerk,
    )
    request = Request.objects.create(what="reissue", record=record, reason="遗失", requested_by=clerk)
    refusal = Refusal.objects.create(
        office=office,
        day=D(2026, 1, 5),
        male_name="甲",
        female_name="乙",
        reasons=[{"code": "age", "article": "", "message": "未达法定婚龄"}],
        officer=clerk,
    )
    return office, record, application, request, refusal


def marriage_targets(users) -> dict:
    a = _set("411702-01", COUNTY, 700, users)
    b = _set("411721-01", OTHER_COUNTY, 710, users)

    def pair(i, **extra):
        return tuple({"kwargs": {"pk": s[i].pk, **extra}} for s in (a, b, b))

    # the API's offices: inside a township A caller's subtree, in township B, in another county
    api_offices = [
        Office.objects.create(code=f"api-{i}", name=f"接口{i}婚姻登记处", region_id=region)
        for i, region in enumerate((TOWN_A, TOWN_B, OTHER_COUNTY))
    ]
    return {
        "api_marriage_office": tuple({"kwargs": {"pk": o.pk}} for o in api_offices),
        "marriage_office": pair(0),
        "marriage_record": pair(1),
        "marriage_divorce": pair(2),
        "marriage_divorce_act": pair(2, action="withdraw"),
        "marriage_request": pair(3, decision="reject"),
        "marriage_refusal": pair(4),
    }
