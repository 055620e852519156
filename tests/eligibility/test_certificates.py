"""The 残联's certificate data stops or notes a subsidy from the month after the change, with a notice to the
township: 注销 on the last day of a month vs the first of the next, the expiry boundary, a downgrade, the hook on
ingest, idempotence, access."""

import datetime

import pytest

from huimin.assistance.models import Enrolment, EnrolmentChange, OverlapRule
from huimin.core.access import NotInScope
from huimin.core.services import ServiceError
from huimin.core.todos import for_user
from huimin.eligibility import services
from huimin.eligibility.models import CertificateChange
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.eligibility.conftest import enrol, make_person, upload

D = datetime.date


def _stop(enrolment) -> EnrolmentChange:
    return EnrolmentChange.objects.get(enrolment=enrolment, kind="stop")


def test_revoked_on_the_last_day_of_a_month_stops_the_next_month_on_the_first_day_the_month_after(subsidies, users):
    with at(2026, 3, 10):
        last_day = make_person(grade=1)
        first_day = make_person(grade=1)
        a, b = enrol(last_day, "severe_care", users=users), enrol(first_day, "severe_care", users=users)
        snap = upload([{"person": last_day, "grade": 1, "status": "注销", "changed_on": "2026-01-31", "reason": "死亡"},
                       {"person": first_day, "grade": 1, "status": "注销", "changed_on": "2026-02-01"}],
                      D(2026, 3, 9))  # fmt: skip
        assert services.apply_certificates([snap]) == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == Enrolment.Status.STOPPED
    assert _stop(a).effective_month == D(2026, 2, 1)  # January paid, February not
    assert _stop(b).effective_month == D(2026, 3, 1)  # February paid
    notice = CertificateChange.objects.get(enrolment=a)
    assert notice.kind == "revoked" and notice.outcome == "stopped" and notice.township_id == TOWN_A
    assert notice.snapshot == snap and "死亡" in notice.reasons and notice.change == _stop(a)
    assert "2026-01-31 注销" in _stop(a).reasons


def test_expiry_date_is_the_last_valid_day(subsidies, users):
    person = make_person(grade=2)
    with at(2026, 3, 20):
        enrolment = enrol(person, "severe_care", users=users)
        upload([{"person": person, "grade": 2, "valid_until": "2026-03-31"}], D(2026, 3, 20))
    with at(2026, 3, 31):
        assert services.daily()["certificates"] == 0
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    with at(2026, 4, 1):
        assert services.daily()["certificates"] == 1
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED
    assert _stop(enrolment).effective_month == D(2026, 4, 1)  # paid to the end of the month it expired in
    assert CertificateChange.objects.get(enrolment=enrolment).kind == "expired"


def test_downgrade_of_a_physical_disability_stops_care_but_not_living(subsidies, users):
    person = make_person(grade=2, category="4")
    with at(2026, 5, 6):
        care = enrol(person, "severe_care", users=users)
        living = enrol(person, "disability_living", users=users)
        snap = upload([{"person": person, "grade": 3, "category": "4", "issued_on": "2026-04-20",
                        "changed_on": "2026-04-20", "reason": "重新评定"}], D(2026, 5, 5))  # fmt: skip
        services.apply_certificates([snap])
    care.refresh_from_db()
    living.refresh_from_db()
    assert care.status == Enrolment.Status.STOPPED and _stop(care).effective_month == D(2026, 5, 1)
    assert living.status == Enrolment.Status.ACTIVE
    notices = {n.enrolment_id: n for n in CertificateChange.objects.all()}
    assert notices[care.pk].kind == "downgraded" and notices[care.pk].grade_before == 2
    assert notices[care.pk].grade_after == 3
    assert notices[living.pk].kind == "regraded" and notices[living.pk].outcome == "continued"
    assert notices[living.pk].change is None


def test_grade_3_intellectual_continues_where_the_region_extends_care(subsidies, users):
    OverlapRule.objects.create(code="care_grade", name="护理补贴扩大到智力精神残疾", programme_kind="severe_care",
                                kind="grade", params={"max_grade": 2, "extended_categories": ["5", "6"],
                                                      "extended_max_grade": 4},
                                region_id="411702000000", effective_from=D(2025, 1, 1), basis="测试")  # fmt: skip
    intellectual = make_person(grade=2, category="5")
    physical = make_person(grade=2, category="4")
    with at(2026, 5, 6):
        kept = enrol(intellectual, "severe_care", users=users)
        stopped = enrol(physical, "severe_care", users=users)
        snap = upload(
            [
                {"person": intellectual, "grade": 3, "category": "5", "changed_on": "2026-04-20"},
                {"person": physical, "grade": 3, "category": "4", "changed_on": "2026-04-20"},
            ],
            D(2026, 5, 5),
        )
        services.apply_certificates([snap])
    kept.refresh_from_db()
    stopped.refresh_from_db()
    assert kept.status == Enrolment.Status.ACTIVE and stopped.status == Enrolment.Status.STOPPED


def test_a_valid_unchanged_certificate_changes_nothing_and_findings_are_recorded_once(subsidies, users):
    fine, revoked = make_person(grade=1), make_person(grade=1)
    with at(2026, 3, 10):
        enrol(fine, "severe_care", users=users)
        enrol(revoked, "severe_care", users=users)
        snap = upload([{"person": fine, "grade": 1}, {"person": revoked, "grade": 1, "status": "注销",
                                                        "changed_on": "2026-03-01"}], D(2026, 3, 10))  # fmt: skip
        assert services.apply_certificates([snap]) == 1
        assert services.apply_certificates([snap]) == 0
        assert services.daily()["certificates"] == 0
    assert CertificateChange.objects.count() == 1
    assert EnrolmentChange.objects.filter(kind="stop").count() == 1


def test_an_uploaded_extract_acts_once_committed(subsidies, users, django_capture_on_commit_callbacks):
    person = make_person(grade=1)
    with at(2026, 3, 10):
        enrolment = enrol(person, "severe_care", users=users)
        with django_capture_on_commit_callbacks(execute=True):
            upload([{"person": person, "grade": 1, "status": "注销", "changed_on": "2026-03-02"}], D(2026, 3, 10))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED


def test_the_notice_reaches_the_township_and_only_it(subsidies, users):
    a_person, b_person = make_person(grade=1), make_person(VILLAGE_B1, grade=1)
    with at(2026, 3, 10):
        enrol(a_person, "severe_care", users=users)
        enrol(b_person, "severe_care", users=users)
        snap = upload([{"person": p, "grade": 1, "status": "注销", "changed_on": "2026-03-01"}
                       for p in (a_person, b_person)], D(2026, 3, 10))  # fmt: skip
        services.apply_certificates([snap])
        todo = {t.label: t for t in for_user(users["clerk_a"])}["残疾人证变更待知悉"]
        assert todo.count == 1
        mine = CertificateChange.objects.get(person=a_person)
        theirs = CertificateChange.objects.get(person=b_person)
        with pytest.raises(NotInScope):
            services.acknowledge(users["clerk_a"], theirs.pk)
        services.acknowledge(users["clerk_a"], mine.pk)
        with pytest.raises(ServiceError, match="已由 clerk_a"):
            services.acknowledge(users["clerk_a"], mine.pk)
        assert {t.label: t for t in for_user(users["clerk_a"])}["残疾人证变更待知悉"].count == 0


def test_certificate_pages(subsidies, users, login):
    person = make_person(VILLAGE_A1, grade=1)
    with at(2026, 3, 10):
        enrol(person, "severe_care", users=users)
        services.apply_certificates([upload([{"person": person, "grade": 1, "status": "注销",
                                              "changed_on": "2026-03-01"}], D(2026, 3, 10))])  # fmt: skip
        notice = CertificateChange.objects.get()
        page = login(users["clerk_a"]).get("/eligibility/certificates/")
        assert (
            page.status_code == 200 and "残疾人证注销" in page.content.decode() and "2026年4月" in page.content.decode()
        )
        assert login(users["clerk_b"]).post(f"/eligibility/certificates/{notice.pk}/ack/").status_code == 404
        assert login(users["reviewer_a"]).post(f"/eligibility/certificates/{notice.pk}/ack/").status_code == 403
        login(users["clerk_a"]).post(f"/eligibility/certificates/{notice.pk}/ack/")
    notice.refresh_from_db()
    assert notice.acknowledged_by == "clerk_a"


def test_a_new_grade_that_still_qualifies_is_noted_once_whatever_the_extracts(subsidies, users):
    person = make_person(grade=1)
    with at(2026, 3, 10):
        enrolment = enrol(person, "severe_care", users=users)
        for as_of in (D(2026, 3, 1), D(2026, 3, 5)):  # no 变更日期: the 发证日期 dates the new grade
            services.apply_certificates([upload([{"person": person, "grade": 2, "issued_on": "2026-02-20"}], as_of)])
    (notice,) = CertificateChange.objects.all()
    assert (notice.kind, notice.event_on, notice.grade_before, notice.grade_after) == ("regraded", D(2026, 2, 20), 1, 2)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
