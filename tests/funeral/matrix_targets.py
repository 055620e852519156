"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 殡葬管理 pages and operations with."""

import datetime
from decimal import Decimal

from huimin.funeral.models import BurialReport, Facility, Record, Settlement
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.security.matrix import outside_region

D = datetime.date


def _facility(region_code: str, kind: str = "funeral_home") -> Facility:
    return Facility.objects.create(name=f"矩阵{kind}{region_code}", kind=kind, region_id=region_code, licence_no="M1")


def _record(region_code: str, facility: Facility, seq: int) -> Record:
    household = Household.objects.create(number=f"FM{seq:03d}", region_id=region_code)
    person = Person.objects.create(name=f"逝者{seq}", region_id=region_code, household=household,
                                   id_number=idnumbers.make("411702", D(1940, 2, 2), 950 + seq))  # fmt: skip
    return Record.objects.create(
        number=f"BZM{seq}", facility=facility, person=person, region_id=region_code, deceased_name=person.name,
        deceased_id_number=person.id_number, cause="disease",
        death_date=D(2026, 1, 2), death_place="家中", certificate="medical", certificate_no="X", family_name="家属",
        family_relation="子", family_phone="13800000000", received_on=D(2026, 1, 2), disposal="cremation",
        disposed_on=D(2026, 1, 3), ashes="stored", fees={"cremation": "600.00"}, group="general",
        waiver=Decimal("600.00"), created_by="t",
    )  # fmt: skip


def _report(region_code: str) -> BurialReport:
    return BurialReport.objects.create(region_id=region_code, location="北地", reported_on=D(2026, 1, 5),
                                       reporter="群众", description="散埋乱葬", created_by="t")  # fmt: skip


def funeral_targets(users) -> dict:
    homes = {code: _facility(code) for code in (TOWN_A, TOWN_B, OTHER_COUNTY)}
    cemeteries = {code: _facility(code, "public_cemetery") for code in (TOWN_A, TOWN_B, OTHER_COUNTY)}
    records = [_record(VILLAGE_A1, homes[TOWN_A], 1), _record(VILLAGE_B1, homes[TOWN_B], 2),
               _record(OTHER_COUNTY, homes[OTHER_COUNTY], 3)]  # fmt: skip
    settlements = [
        Settlement.objects.create(facility=homes[c], month=D(2026, 1, 1), records=1, total=Decimal("600"),
                                  prepared_by="someone")
        for c in (TOWN_A, TOWN_B, OTHER_COUNTY)
    ]  # fmt: skip
    reports = [_report(c) for c in (VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY)]

    def by_pk(objs, **kwargs):
        return tuple({"kwargs": {"pk": o.pk, **kwargs}} for o in objs)

    def facility_form(facilities, base):
        return (
            {"data": {**base, "facility": facilities[TOWN_A].pk}},
            {"data": {**base, "facility": facilities[TOWN_B].pk}},
            {"data": {**base, "facility": facilities[OTHER_COUNTY].pk}},
        )

    def region_form(base):
        return (
            lambda user: {"data": {**base, "region": user.region_id}},
            lambda user: {"data": {**base, "region": outside_region(user)}},
            lambda user: {"data": {**base, "region": outside_region(user)}},
        )

    return {
        "funeral_record": by_pk(records),
        "funeral_settlement": by_pk(settlements),
        "funeral_settlement_review": by_pk(settlements, action="review"),
        "funeral_report_handle": tuple(
            {"kwargs": {"pk": r.pk}, "data": {"status": "rectified", "outcome": "已整治"}} for r in reports
        ),  # fmt: skip
        "funeral_record_form": facility_form(homes, {"id_number": records[0].person.id_number, "step": "save"}),
        "funeral_settlement_form": facility_form(homes, {"month": "2026-01"}),
        "funeral_inspection_form": facility_form(
            cemeteries, {"inspected_on": "2026-01-10", "result": "passed", "findings": "合格"}
        ),  # fmt: skip
        "funeral_policy_form": region_form(
            {"group": "general", "services": ["cremation"], "cap": "500", "effective_from": "2026-01-01"}
        ),  # fmt: skip
        "funeral_facility_form": region_form({"name": "新馆", "kind": "funeral_home", "licence_no": "N1"}),
        "funeral_report_form": region_form(
            {"location": "北地", "reported_on": "2026-01-05", "reporter": "群众", "description": "散埋"}
        ),  # fmt: skip
    }
