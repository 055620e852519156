"""A body recorded at the funeral home: the waiver (per group, per service, capped, explained per yuan), the
refusals that write nothing, and the record as the death signal — the same death warning a departmental feed
raises, confirmed by the township into the registry, benefits stopped from the month after death, the
overpayment listed for recovery."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.assistance import services as assistance
from huimin.benefits import services as payroll
from huimin.benefits.models import PayrollLine, Recovery
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.funeral import services
from huimin.funeral.models import Record
from huimin.monitoring import services as monitoring
from huimin.monitoring.models import MonitoringRun, Warning
from huimin.registry import idnumbers
from huimin.registry.models import Household, LifeEvent, Membership, Person
from tests.benefits.conftest import lock_month, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1
from tests.funeral.conftest import FEES, record_data

D = datetime.date


def resident(seq: int, region=VILLAGE_A1, members: int = 1) -> Person:
    household = Household.objects.create(number=f"FU{seq:04d}", region_id=region)
    first = None
    for i in range(members):
        p = Person.objects.create(name=f"居民{seq}-{i}", region_id=region, household=household,
                                  id_number=idnumbers.make("411702", D(1945, 3, 1), seq * 3 + i))  # fmt: skip
        Membership.objects.create(household=household, person=p, relation="01" if i == 0 else "10",
                                  started_on=D(2000, 1, 1))  # fmt: skip
        first = first or p
    household.head = first
    household.save()
    return first


def test_a_general_resident_gets_the_basic_services_up_to_the_cap(staff, policies, home):
    person = resident(1)
    checked = services.check_record(staff["clerk"], record_data(home, person))
    w = checked.waiver
    assert w.group == "general" and w.amount == Decimal("1000.00")
    lines = {line["service"]: (line["fee"], line["waived"]) for line in w.lines}
    assert lines["transport"] == ("300.00", "300.00") and lines["urn"] == ("500.00", "0.00")
    assert "减免项目合计 1250.00 元，超过本类别减免上限 1000.00 元，按上限减免 1000.00 元" in w.text
    assert "基本服务收费合计 2050.00 元，减免 1000.00 元，家属自付 1050.00 元" in w.text
    assert not Record.objects.exists()  # the check writes nothing


@pytest.mark.parametrize(("urn", "waived"), [("300.00", "1850.00"), ("450.00", "2000.00"), ("450.01", "2000.00")])
def test_a_dibao_recipient_gets_every_service_up_to_the_dibao_cap(users, staff, policies, home, urn, waived):
    """Fees 300+150+600+200+300 = 1550 plus the urn: under, at and just over the 2000 元 cap."""
    enrolment = make_enrolment(users, region=VILLAGE_A1)
    checked = services.check_record(staff["clerk"], record_data(home, enrolment.persons[0], fee_urn=urn))
    assert checked.waiver.group == "dibao" and checked.waiver.amount == Decimal(waived)
    assert "所在家庭在“最低生活保障”在保" in checked.waiver.text[0]
    assert any("本地户籍居民（可减免 1000.00 元）" in t for t in checked.waiver.text)


def test_a_youfu_certificate_gives_the_larger_waiver(staff, policies, home):
    person = resident(2)
    checked = services.check_record(staff["clerk"], record_data(home, person, youfu_cert_no="豫优2026-0001"))
    assert checked.waiver.group == "youfu" and checked.waiver.amount == Decimal("2050.00")


def test_without_a_policy_the_record_is_refused_naming_who_configures_it(staff, regions, home):
    with pytest.raises(ServiceError, match="尚未设置惠民殡葬减免政策.*审批人在「殡葬管理 › 惠民殡葬政策」"):
        services.check_record(staff["clerk"], record_data(home, resident(3)))


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"death_date": "2026-12-04"}, "死亡日期不合法"),
        ({"received_on": "2026-11-27"}, "死亡日期 ≤ 接运日期"),
        ({"disposed_on": "2026-12-04"}, "死亡日期 ≤ 接运日期"),
        ({"certificate_no": ""}, "无证明不得火化"),
        ({"family_phone": ""}, "请填写家属联系电话"),
        ({"storage_days": "366"}, "存放天数应在 0 至 365"),
        ({"fee_urn": "abc"}, "普通骨灰盒收费须为金额"),
        ({"fee_urn": "-1"}, "普通骨灰盒收费须不小于 0 元"),
        ({"fee_urn": "100000.01"}, "普通骨灰盒收费不能超过 100000 元"),
        ({"cause": "x"}, "请选择死亡原因类别"),
        ({"death_date": "2026/11/28"}, "死亡日期“2026/11/28”不是有效日期"),
        ({"id_number": "411702"}, "逝者身份证号有误"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(staff, policies, home, over, message):
    person = resident(4)
    with pytest.raises(ServiceError, match=message):
        services.do_record(staff["clerk"], record_data(home, person, **over))
    assert not Record.objects.exists() and not Warning.objects.exists()


def test_out_of_scope_and_wrong_facility_are_refused(staff, policies, home, cemetery):
    other = resident(5, region=OTHER_COUNTY)
    with pytest.raises(ServiceError, match="逝者在其他县（区）的对象库登记"):
        services.check_record(staff["clerk"], record_data(home, other))
    with pytest.raises(ServiceError, match="不能火化遗体"):
        services.check_record(staff["clerk"], record_data(cemetery, resident(6)))
    home.licence_valid_until = D(2026, 11, 29)
    home.save()
    with pytest.raises(ServiceError, match="许可已于 2026年11月29日 到期"):
        services.check_record(staff["clerk"], record_data(home, resident(7)))
    home.licence_valid_until = D(2026, 11, 30)  # valid through the day of cremation
    home.save()
    services.check_record(staff["clerk"], record_data(home, resident(8)))


def test_a_deceased_the_registry_does_not_hold_is_recorded_by_name_without_a_signal(staff, policies, home):
    number = idnumbers.make("411702", D(1950, 5, 5), 777)
    with pytest.raises(ServiceError, match="请填写逝者姓名"):
        services.do_record(staff["clerk"], {**record_data(home, resident(13)), "id_number": number})
    record = services.do_record(staff["clerk"], {**record_data(home, resident(14)), "id_number": number,
                                                 "name": "赵未登"})  # fmt: skip
    assert record.person_id is None and record.deceased_name == "赵未登" and record.region_id == COUNTY
    assert record.group == "general" and record.waiver == Decimal("1000.00") and record.signal["warnings"] == []
    assert not Warning.objects.exists()
    with pytest.raises(ServiceError, match="已有遗体处置记录"):
        services.do_record(staff["clerk"], {**record_data(home, resident(15)), "id_number": number, "name": "赵"})


def test_a_second_record_of_the_same_person_is_refused(staff, policies, home):
    person = resident(9)
    services.do_record(staff["clerk"], record_data(home, person))
    with pytest.raises(ServiceError, match="已有遗体处置记录"):
        services.do_record(staff["clerk"], record_data(home, person))


def test_the_record_of_a_dibao_recipient_is_the_death_signal_to_the_money(users, staff, policies, home, login):
    """Recorded on 3 December (died 28 November): the death warning is raised at once with the record as its
    source; the township confirms it (the registry's life event names the funeral home's record); the stop is
    from December; December, paid before the death was known, is listed for recovery; January pays nothing."""
    enrolment = make_enrolment(users, amount="500.00", start=D(2026, 1, 1), region=VILLAGE_A1)
    person = enrolment.persons[0]
    with at(2026, 12, 1):
        lock_month(users, payroll.build(users["approver"], region_code=COUNTY, month="2026-11"))
        lock_month(users, payroll.build(users["approver"], region_code=COUNTY, month="2026-12"))
    record = services.do_record(staff["clerk"], record_data(home, person))
    assert record.number.startswith("BZ2026") and record.group == "dibao" and record.waiver == Decimal("2000.00")
    w = Warning.objects.get(person=person)
    assert w.rule.code == "death_of_recipient" and w.occurred_on == D(2026, 11, 28) and w.status == "pending"
    assert w.record_key == "2026-11-28" and w.detail["source"]["record"] == record.number
    assert w.run.kind == MonitoringRun.Kind.RECORD and monitoring.last_done_run() is None
    assert record.signal["warnings"] == [w.pk]
    assert AuditEntry.objects.filter(action="funeral.record.create", object_id=str(record.pk)).exists()
    # the same death pushed again (or fed by a department) is not warned twice
    assert monitoring.raise_for_record(staff["clerk"], person, kind="death", occurred_on=D(2026, 11, 28),
                                       record_key="2026-11-28", source={"source": "funeral"}) == []  # fmt: skip
    person.refresh_from_db()
    assert not person.is_deceased  # the record alone does not change the registry

    with at(2026, 12, 4):
        clerk = login(users["clerk_a"])
        page = clerk.post(reverse("monitoring:warning_act", args=[w.pk, "confirm_death"]), {"note": "核实属实"},
                          follow=True)  # fmt: skip
        assert "已确认死亡" in page.content.decode()
    person.refresh_from_db()
    assert person.is_deceased and person.death_date == D(2026, 11, 28)
    event = LifeEvent.objects.get(person=person, kind="death")
    assert event.detail["source"]["record"] == record.number and event.detail["source"]["department"] == "驿城区殡仪馆"
    items = {i["name"]: i for i in services.checklist(record)}
    assert items["对象库死亡登记"]["done"] and "户口注销" in items

    with at(2026, 12, 5):
        assistance.stop(users["approver"], enrolment, "死亡（殡仪馆火化记录）")
    r = Recovery.objects.get(enrolment_id=enrolment.pk)
    assert r.reason == "death" and [(i.service_month, i.amount) for i in r.items.all()] == [
        (D(2026, 12, 1), Decimal("500.00"))
    ]
    with at(2026, 12, 20):
        january = payroll.build(users["approver"], region_code=COUNTY, month="2027-01")
    assert not PayrollLine.objects.filter(payroll=january, enrolment_id=enrolment.pk).exists()


def test_a_person_outside_every_death_rule_raises_no_warning(staff, policies, home):
    """A single-person household in no programme: 家庭主要劳动力死亡 needs two members."""
    record = services.do_record(staff["clerk"], record_data(home, resident(10)))
    assert record.signal["warnings"] == [] and "未产生预警" in record.signal["note"]
    two = resident(11, members=2)
    record = services.do_record(staff["clerk"], record_data(home, two))
    assert [Warning.objects.get(pk=pk).rule.code for pk in record.signal["warnings"]] == ["death_of_earner"]


def test_an_already_registered_death_is_recorded_without_a_push_but_must_agree(staff, policies, home):
    person = resident(12)
    Person.objects.filter(pk=person.pk).update(is_deceased=True, death_date=D(2026, 11, 27), household=None)
    with pytest.raises(ServiceError, match="与本记录不符"):
        services.do_record(staff["clerk"], record_data(home, person))
    Person.objects.filter(pk=person.pk).update(death_date=D(2026, 11, 28))
    record = services.do_record(staff["clerk"], record_data(home, person))
    assert record.signal["warnings"] == [] and record.group == "general"


def test_fees_total_matches_the_fixture():
    assert sum(Decimal(v) for v in FEES.values()) == Decimal("2050")
