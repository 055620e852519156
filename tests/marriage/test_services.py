"""婚姻登记 services: the legal checks with their boundaries, numbering, the divorce windows on the exact days, the
daily job, the two-officer acts, appointments and the archive."""

import datetime

import pytest

from huimin.core.access import BusinessRuleError, Forbidden
from huimin.marriage import services
from huimin.marriage.models import Appointment, DivorceApplication, Record, Request, SpecialDate
from huimin.registry import codes
from huimin.registry.models import Person
from tests.clock import at
from tests.conftest import VILLAGE_A1
from tests.marriage.conftest import man, woman

D = datetime.date
pytestmark = pytest.mark.django_db


def _register(clerk, office, m, f):
    return services.do_register_marriage(clerk, office, m, f, no_kinship_declared=True)


@at(2026, 6, 15)
def test_groom_of_21_is_refused_on_the_day_before_his_22nd_birthday_and_registered_on_it(clerk, office):
    groom, bride = man(D(2004, 6, 16), 1), woman(D(2000, 1, 1), 2)
    reasons = services.check_marriage(clerk, office, groom, bride, no_kinship_declared=True)
    assert [r.code for r in reasons] == ["age"]
    assert "男方张伟未达法定婚龄" in reasons[0].message and "21 周岁" in reasons[0].message
    assert "2026年06月16日起可登记" in reasons[0].message and reasons[0].article == "《民法典》第一千零四十七条"
    with pytest.raises(BusinessRuleError, match="未达法定婚龄"):
        _register(clerk, office, groom, bride)
    assert not Record.objects.exists()
    with at(2026, 6, 16):
        assert services.check_marriage(clerk, office, groom, bride, no_kinship_declared=True) == []


@at(2026, 6, 15)
def test_bride_legal_age_is_20_to_the_day(clerk, office):
    groom = man(D(1990, 1, 1), 3)
    assert services.check_marriage(clerk, office, groom, woman(D(2006, 6, 15), 4), no_kinship_declared=True) == []
    reasons = services.check_marriage(clerk, office, groom, woman(D(2006, 6, 16), 6), no_kinship_declared=True)
    assert [r.code for r in reasons] == ["age"] and "女方" in reasons[0].message


@at(2026, 6, 15)
def test_declaration_guardianship_and_sexes(clerk, office):
    groom, bride = man(D(1990, 1, 1), 5), woman(D(1990, 1, 1), 8)
    assert [r.code for r in services.check_marriage(clerk, office, groom, bride, no_kinship_declared=False)] == [
        "kinship"
    ]
    ward = services.PartyInput(groom.name, groom.id_number, under_guardianship=True)
    assert [r.code for r in services.check_marriage(clerk, office, ward, bride, no_kinship_declared=True)] == [
        "capacity"
    ]
    two_men = services.check_marriage(clerk, office, groom, man(D(1990, 1, 1), 7), no_kinship_declared=True)
    assert "sexes" in [r.code for r in two_men]


@at(2026, 6, 15)
def test_subsisting_marriage_anywhere_in_the_archive_names_the_office_not_the_spouse(
    clerk, office, other_office, other_clerk
):
    groom, first_wife = man(D(1980, 1, 1), 9), woman(D(1982, 1, 1), 10, name="王芳")
    services.do_digitise(
        other_clerk,
        other_office,
        kind="marriage",
        number="(1998)西民结字第0012号",
        registered_on=D(1998, 5, 1),
        status="valid",
        male=groom,
        female=first_wife,
    )
    reasons = services.check_marriage(clerk, office, groom, woman(D(1990, 1, 1), 12), no_kinship_declared=True)
    assert [r.message for r in reasons] == ["男方张伟存在有效婚姻登记记录（登记机关：西平县婚姻登记处）"]
    assert "王芳" not in reasons[0].message
    # the first wife, too, cannot marry again
    other = services.check_marriage(clerk, office, man(D(1980, 1, 1), 11), first_wife, no_kinship_declared=True)
    assert [r.code for r in other] == ["subsisting"]
    # a dissolved archive marriage does not count
    Record.objects.update(status=Record.Status.DISSOLVED)
    assert services.check_marriage(clerk, office, groom, woman(D(1990, 1, 1), 12), no_kinship_declared=True) == []


@at(2026, 6, 15)
def test_registration_numbers_the_certificate_and_updates_the_registry(clerk, office):
    person = Person.objects.create(
        name="张伟",
        id_number=man(D(1990, 1, 1), 13).id_number,
        region_id=VILLAGE_A1,
        marital_status=codes.MaritalStatus.UNMARRIED,
    )
    r1 = _register(clerk, office, man(D(1990, 1, 1), 13), woman(D(1990, 1, 1), 14))
    r2 = _register(clerk, office, man(D(1990, 1, 1), 15), woman(D(1990, 1, 1), 16))
    assert (r1.number, r2.number) == ("J411702-2026-000001", "J411702-2026-000002")
    assert r1.male_person == person and r1.first_marriage_male
    person.refresh_from_db()
    assert person.marital_status == codes.MaritalStatus.MARRIED
    assert person.events.filter(note__contains=r1.number).exists()
    with pytest.raises(BusinessRuleError, match="存在有效婚姻登记记录（登记机关：驿城区婚姻登记处）"):
        _register(clerk, office, man(D(1990, 1, 1), 13), woman(D(1991, 1, 1), 18))


def test_a_refused_registration_is_recorded_with_its_reasons(clerk, office):
    with at(2026, 6, 15):
        refusal = services.do_refuse(
            clerk,
            office,
            man(D(2005, 1, 1), 17),
            woman(D(2000, 1, 1), 20),
            no_kinship_declared=True,
            note="当事人未携带户口簿",
        )
    assert [r["code"] for r in refusal.reasons] == ["age", "officer"]
    with at(2026, 6, 15), pytest.raises(BusinessRuleError, match="不予登记须写明理由"):
        services.do_refuse(clerk, office, man(D(1990, 1, 1), 19), woman(D(1990, 1, 1), 22), no_kinship_declared=True)


def test_an_officer_of_another_line_may_not_register(make_user, office, regions):
    from huimin.core.roles import Role

    assistance_clerk = make_user("a_clerk", Role.CLERK, "411702000000")
    with pytest.raises(Forbidden):
        services.check_marriage(
            assistance_clerk, office, man(D(1990, 1, 1), 21), woman(D(1990, 1, 1), 24), no_kinship_declared=True
        )


# --- 协议离婚 ------------------------------------------------------------------------------------------------------


@pytest.fixture
def application(clerk, office):
    with at(2026, 3, 2):
        marriage = _register(clerk, office, man(D(1990, 1, 1), 23), woman(D(1990, 1, 1), 26))
    with at(2026, 12, 10):
        return services.do_receive_divorce(clerk, office, marriage.number, "子女由女方抚养，房产归男方，无共同债务。")


def _on(n):
    day = D(2026, 12, 10) + datetime.timedelta(days=n)
    return at(day.year, day.month, day.day)


def test_windows_are_computed_on_receipt(application):
    assert (application.cooling_end, application.register_end) == (D(2027, 1, 9), D(2027, 2, 8))


def test_withdrawal_on_day_30_is_allowed(clerk, application):
    with _on(30):
        a = services.do_withdraw(clerk, application, "女方李娜")
    assert a.status == DivorceApplication.Status.WITHDRAWN and a.closed_on == D(2027, 1, 9)


def test_withdrawal_on_day_31_is_refused_naming_the_dates(clerk, application):
    with _on(31), pytest.raises(BusinessRuleError, match="冷静期已于 2027年01月09日 届满") as exc:
        services.do_withdraw(clerk, application, "女方李娜")
    assert "2027年02月08日" in str(exc.value)


def test_registration_on_day_30_is_too_early(clerk, application):
    with _on(30), pytest.raises(BusinessRuleError, match="冷静期未满.*2027年01月10日 至 2027年02月08日"):
        services.do_register_divorce(clerk, application)


@pytest.mark.parametrize("n", [31, 60])
def test_registration_on_day_31_and_day_60_is_allowed(clerk, application, n):
    with _on(n):
        record = services.do_register_divorce(clerk, application)
    assert record.number.startswith("L411702-") and record.kind == "divorce"
    application.refresh_from_db()
    assert application.status == DivorceApplication.Status.REGISTERED
    assert application.marriage.__class__.objects.get(pk=application.marriage_id).status == Record.Status.DISSOLVED


def test_day_61_is_lapsed_and_the_daily_job_marks_it(clerk, application):
    with _on(61), pytest.raises(BusinessRuleError, match="登记期限已于 2027年02月08日 届满"):
        services.do_register_divorce(clerk, application)
    assert services.daily(D(2027, 2, 8))["lapsed"] == 0
    assert services.daily(D(2027, 2, 9))["lapsed"] == 1
    application.refresh_from_db()
    assert application.status == DivorceApplication.Status.LAPSED
    assert services.daily(D(2027, 2, 9))["lapsed"] == 0  # idempotent


def test_ending_this_week_and_counselling(clerk, application):
    assert list(services.ending_this_week(clerk, D(2027, 1, 9))) == [application]  # Saturday of that week
    assert list(services.ending_this_week(clerk, D(2027, 1, 11))) == []
    assert list(services.ending_this_week(clerk, D(2027, 2, 8))) == [application]
    with _on(5):
        services.book_counselling(clerk, application, D(2026, 12, 20), "辅导员陈")
    assert application.counselling.count() == 1


# --- two officers -------------------------------------------------------------------------------------------------


@at(2026, 6, 15)
def test_correction_needs_a_second_officer(clerk, head, office):
    record = _register(clerk, office, man(D(1990, 1, 1), 25), woman(D(1990, 1, 1), 28))
    req = services.do_request(head, record, Request.What.CORRECTION, "录入错误", field="female_name", new_value="李娅")
    with pytest.raises(BusinessRuleError, match="同一人不能既申请补领或更正又审批补领或更正"):
        services.do_decide(head, req, True)
    with pytest.raises(Forbidden):
        services.do_decide(clerk, req, True)
    req2 = services.do_request(
        clerk, record, Request.What.CORRECTION, "录入错误", field="female_name", new_value="李娅"
    )
    services.do_decide(head, req2, True)
    record.refresh_from_db()
    assert record.female_name == "李娅"
    reissue = services.do_request(clerk, record, Request.What.REISSUE, "结婚证遗失")
    assert services.do_decide(head, reissue, True).certificate_number == "BJ411702-2026-000001"


@at(2026, 6, 15)
def test_court_judgment_voids_the_marriage_and_frees_the_parties(clerk, head, office):
    record = _register(clerk, office, man(D(1990, 1, 1), 27), woman(D(1990, 1, 1), 30))
    services.do_judgment(head, record, Record.Status.VOID, "驿城区人民法院", "(2026)豫1702民初1号", D(2026, 6, 10))
    assert services.subsisting_offices(record.male_id_number) == []


# --- appointments ---------------------------------------------------------------------------------------------------


@at(2026, 5, 11)  # a Monday
def test_capacity_special_dates_cancellation_and_no_shows(office, clerk):
    ids = [man(D(1990, 1, 1), s).id_number for s in (31, 33, 35, 37)]
    monday = D(2026, 5, 11)
    for i in ids[:3]:
        services.book(office, "marriage", monday, "甲", i)
    with pytest.raises(BusinessRuleError, match="预约已满（3 个）"):
        services.book(office, "marriage", monday, "甲", ids[3])
    services.cancel(ids[0], Appointment.objects.get(**Appointment.lookup("id_number", ids[0])).number)
    services.book(office, "marriage", monday, "甲", ids[3])
    with pytest.raises(BusinessRuleError, match="不办公"):
        services.book(office, "marriage", D(2026, 5, 16), "甲", ids[0])  # a Saturday
    SpecialDate.objects.create(day=D(2026, 5, 20), name="5月20日", capacity=1)
    services.book(office, "marriage", D(2026, 5, 20), "甲", ids[0])
    with pytest.raises(BusinessRuleError, match="5月20日的预约已满（1 个）"):
        services.book(office, "marriage", D(2026, 5, 20), "甲", ids[1])
    walk = services.book(office, "marriage", monday, "乙", ids[1], walk_in=True, actor=clerk)  # served though full
    assert walk.status == Appointment.Status.SERVED
    assert services.daily(D(2026, 5, 12))["no_shows"] == 3


@at(2026, 6, 15)
def test_a_refused_registration_writes_nothing_and_keeps_the_numbers_gap_free(clerk, head, office):
    first = _register(clerk, office, man(D(1990, 1, 1), 13), woman(D(1990, 1, 1), 14))
    with pytest.raises(BusinessRuleError) as refused:
        _register(clerk, office, man(D(1990, 1, 1), 13), woman(D(1991, 1, 1), 18))
    assert refused.value.code == "marriage.refused" and Record.objects.count() == 1
    second = _register(clerk, office, man(D(1990, 1, 1), 15), woman(D(1990, 1, 1), 16))
    assert second.number == "J411702-2026-000002" and second.first_marriage_male and second.first_marriage_female
    services.do_judgment(head, first, Record.Status.VOID, "驿城区人民法院", "（2026）民初3号", D(2026, 6, 15))
    again = _register(clerk, office, man(D(1990, 1, 1), 13), woman(D(1991, 1, 1), 18))
    assert again.number == "J411702-2026-000003"
    assert not again.first_marriage_male and again.first_marriage_female  # married before, though not now


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_windows_registering_one_person_at_once_register_him_once(clerk, office):
    """The parties' advisory locks: the second window waits for the first and then finds the marriage."""
    import threading

    from django.db import connection

    groom = man(D(1990, 1, 1), 21)
    brides = [woman(D(1991, 1, 1), 22), woman(D(1991, 1, 1), 24)]
    barrier, outcomes = threading.Barrier(2), []

    def window(bride):
        try:
            barrier.wait()
            with at(2026, 6, 15):
                outcomes.append(_register(clerk, office, groom, bride).number)
        except BusinessRuleError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=window, args=(b,)) for b in brides]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["J411702-2026-000001", "marriage.refused"]
    assert Record.objects.count() == 1
