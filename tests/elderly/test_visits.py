"""探访关爱: tiers and their frequencies (due date at each boundary), overdue, the two-periods count the monitoring
warning reads, the visit's refusals (future date, outside the visitor's villages), idempotent submit and conflicts."""

import datetime

import pytest
from django.urls import reverse

from huimin.core import idempotency
from huimin.core.models import ReceivedSubmission
from huimin.core.services import ServiceError
from huimin.elderly import services, visits
from huimin.elderly.models import Category, CategoryMark, RiskTier, Visit, VisitAssignment, Visitor
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_A1, VILLAGE_A2
from tests.elderly.conftest import make_person

pytestmark = pytest.mark.django_db


def _mark(person, code):
    CategoryMark.objects.create(person=person, category=Category.objects.get(code=code), status="confirmed",
                                source="township", source_date=datetime.date(2026, 1, 1))  # fmt: skip


@pytest.fixture
def visitor(staff):
    v = Visitor.objects.create(name="协理员甲", kind="assistant", township_id=TOWN_A, user=staff["assistant"])
    v.villages.set([VILLAGE_A1])
    return v


def _visit(actor, person, day, key="", **extra):
    data = {"person": person.pk, "visited_on": day, "seen_in_person": True, "living": "good", "health": "fair",
            **extra}  # fmt: skip
    return visits.do_visit(actor, data, key)


def _due(person, day):
    (row,) = visits.schedule("", day, services.register_age(), person_ids=[person.pk])
    return row


def test_tiers_from_categories_and_level_and_override(staff):
    alone = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    _mark(alone, "living_alone")
    severe = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    _mark(severe, "severe_disability")
    other = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    day = datetime.date(2026, 11, 20)
    tiers = {t.pk: t.code for t in RiskTier.objects.all()}
    assert tiers[_due(alone, day).tier_id] == "key" and _due(alone, day).period_days == 30
    assert tiers[_due(severe, day).tier_id] == "high" and _due(severe, day).period_days == 7
    assert tiers[_due(other, day).tier_id] == "general" and _due(other, day).period_days == 90
    with pytest.raises(ServiceError, match="理由"):
        visits.do_override(staff["clerk"], other.pk, "high", "")
    visits.do_override(staff["clerk"], other.pk, "high", "子女长期在外，近期摔倒")
    assert tiers[_due(other, day).tier_id] == "high"
    visits.do_override(staff["clerk"], other.pk, "", "")
    assert tiers[_due(other, day).tier_id] == "general"


@pytest.mark.parametrize(("code", "period"), [("severe_disability", 7), ("living_alone", 30), (None, 90)])
def test_due_date_at_each_boundary(staff, visitor, code, period):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    if code:
        _mark(person, code)
    last = datetime.date(2026, 8, 1)
    _visit(staff["assistant"], person, last)
    due = last + datetime.timedelta(days=period)
    assert _due(person, due).due == due
    assert not _due(person, due).overdue_on(due)  # the due day itself is in time
    nxt = due + datetime.timedelta(days=1)
    assert _due(person, nxt).overdue_on(nxt) and _due(person, nxt).days_overdue(nxt) == 1


def test_never_visited_counts_from_assignment_and_event_within_24_hours(staff, visitor):
    from django.utils import timezone

    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    _mark(person, "severe_disability")
    VisitAssignment.objects.create(person=person, visitor=visitor, since=datetime.date(2026, 11, 10))
    assert _due(person, datetime.date(2026, 11, 17)).due == datetime.date(2026, 11, 17)
    assert not _due(person, datetime.date(2026, 11, 17)).overdue_on(datetime.date(2026, 11, 17))
    _visit(staff["assistant"], person, datetime.date(2026, 11, 19))
    at_ = timezone.make_aware(datetime.datetime(2026, 11, 20, 8, 0))
    visits.do_event(staff["assistant"], person.pk, "摔倒", at_)
    row = _due(person, datetime.date(2026, 11, 20))
    assert row.event_due == at_ + datetime.timedelta(hours=24)
    assert not row.overdue_on(datetime.date(2026, 11, 20), at_ + datetime.timedelta(hours=24))
    assert row.overdue_on(datetime.date(2026, 11, 20), at_ + datetime.timedelta(hours=24, seconds=1))


def test_overdue_list_and_two_periods_warning(staff, visitor):
    seen = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    late = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    for p in (seen, late):
        _mark(p, "living_alone")  # monthly
    _visit(staff["assistant"], seen, datetime.date(2026, 11, 1))
    _visit(staff["assistant"], late, datetime.date(2026, 9, 20))
    day = datetime.date(2026, 11, 20)
    rows = visits.overdue(visits.schedule(VILLAGE_A1[:9], day, services.register_age()), day)
    ids = [d.person_id for d in rows]
    assert late.pk in ids and seen.pk not in ids
    # 9-20 + 2×30 days = 11-19: the second period ends on 11-19, so on 11-20 two whole periods have passed
    assert _due(late, datetime.date(2026, 11, 19)).periods_missed(datetime.date(2026, 11, 19)) == 1
    assert _due(late, day).periods_missed(day) == 2
    facts = visits.unvisited_facts(day, prefix=VILLAGE_A1[:9])
    assert [f["person_id"] for f in facts if f["person_id"] in (seen.pk, late.pk)] == [late.pk]


def test_visit_refusals_write_nothing(staff, visitor):
    inside = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    outside = make_person(VILLAGE_A2, datetime.date(1950, 1, 1))
    with pytest.raises(ServiceError, match="晚于今天"):
        _visit(staff["assistant"], inside, datetime.date(2026, 11, 21))
    with pytest.raises(ServiceError, match="不在探访人员协理员甲负责的村"):  # the township records for him
        _visit(staff["clerk"], outside, datetime.date(2026, 11, 20), visitor=visitor.pk)
    with pytest.raises(ServiceError, match="未见到本人"):
        _visit(staff["assistant"], inside, datetime.date(2026, 11, 20), seen_in_person=False)
    assert not Visit.objects.exists()
    _visit(staff["assistant"], inside, datetime.date(2026, 11, 20))  # today itself is allowed
    assert Visit.objects.count() == 1


def test_idempotent_submit(staff, visitor):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    first = _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="k-0001-abcd")
    with pytest.raises(idempotency.AlreadyReceived) as exc:
        _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="k-0001-abcd")
    assert exc.value.object_id == str(first.pk) and "已于此前提交" in str(exc.value)
    assert Visit.objects.count() == 1 and ReceivedSubmission.objects.get().object_id == str(first.pk)
    _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="k-0002-abcd")  # another record
    assert Visit.objects.count() == 2
    with pytest.raises(ServiceError, match="提交标识格式"):
        _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="bad key!")


def test_conflict_when_someone_else_visited_since_the_form_was_loaded(staff, visitor):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    other = Visitor.objects.create(name="村干部乙", kind="cadre", township_id=TOWN_A, user=staff["clerk"])
    other.villages.set([VILLAGE_A1])
    loaded = ""  # the phone loaded the form when he had no visit
    theirs = _visit(staff["clerk"], person, datetime.date(2026, 11, 19))
    with pytest.raises(visits.VisitConflict, match="村干部乙") as exc:
        _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="k-conflict-1", known_last=loaded)
    assert exc.value.latest == theirs and Visit.objects.count() == 1
    assert not ReceivedSubmission.objects.exists()  # the refused key may be sent again, confirmed
    _visit(staff["assistant"], person, datetime.date(2026, 11, 20), key="k-conflict-1", known_last=loaded,
           confirm_conflict=True)  # fmt: skip
    assert Visit.objects.count() == 2
    # a form loaded after the latest visit: no conflict
    latest = Visit.objects.latest("created_at", "id")
    _visit(staff["assistant"], person, datetime.date(2026, 11, 20), known_last=str(latest.pk))
    assert Visit.objects.count() == 3


def test_round_page_answers_the_queue_in_json(login, staff, visitor):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    visits.do_assign(staff["clerk"], [person.pk], visitor.pk)
    client = login(staff["assistant"])
    page = client.get(reverse("elderly:visit_round")).content.decode()
    assert person.name in page and "offline-queue.js" in page
    form = {"person": person.pk, "visited_on": "2026-11-20", "seen_in_person": "1", "living": "good",
            "health": "good", "known_last": ""}  # fmt: skip
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_IDEMPOTENCY_KEY": "abcdef12-3456"}
    r1 = client.post(reverse("elderly:visit_round"), form, **headers)
    r2 = client.post(reverse("elderly:visit_round"), form, **headers)
    assert (r1.status_code, r1.json()["status"]) == (201, "received")
    assert (r2.status_code, r2.json()["status"]) == (200, "already_received")
    bad = client.post(reverse("elderly:visit_round"), {**form, "visited_on": "2026-12-01"},
                      HTTP_ACCEPT="application/json")  # fmt: skip
    assert bad.status_code == 400 and "晚于今天" in bad.json()["message"]
    assert Visit.objects.count() == 1


def test_coverage_by_village(staff, visitor):
    a = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    b = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    make_person(VILLAGE_A1, datetime.date(1950, 1, 1))  # general tier: not in the monthly rate
    for p in (a, b):
        _mark(p, "living_alone")
    _visit(staff["assistant"], a, datetime.date(2026, 11, 3))
    _visit(staff["assistant"], b, datetime.date(2026, 10, 31))  # last month
    with at(2026, 11, 30):
        rows = visits.coverage(VILLAGE_A1[:9], datetime.date(2026, 11, 1), services.register_age())
    (row,) = [r for r in rows if r.region_id == VILLAGE_A1]
    assert (row.due, row.visited, row.rate) == (2, 1, 0.5)
    from decimal import Decimal

    from huimin.core.models import Region
    from huimin.stats.indicators import elderly_visit_rate

    with at(2026, 11, 30):
        town = Region.objects.get(code=TOWN_A)
        assert elderly_visit_rate(staff["approver"], town, datetime.date(2026, 11, 1)) == Decimal("50.00")
        assert elderly_visit_rate(staff["approver"], town, datetime.date(2026, 5, 1)) == Decimal("0.00")


def test_pages_render(login, staff, visitor):
    person = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    _mark(person, "living_alone")
    visit = _visit(staff["assistant"], person, datetime.date(2026, 9, 1), needs="需要米面油")
    client = login(staff["clerk"])
    assert person.name in client.get(reverse("elderly:visits_overdue")).content.decode()
    assert "月探访率" in client.get(reverse("elderly:visits_coverage") + "?month=2026-09").content.decode()
    assert "协理员甲" in client.get(reverse("elderly:visitors")).content.decode()
    assert person.name in client.get(reverse("elderly:person_visits", args=[person.pk])).content.decode()
    client.post(reverse("elderly:visit", args=[visit.pk]), {"kind": "assistance", "need": "需要米面油"})
    ref = visit.referrals.get()
    client.post(reverse("elderly:referral_close", args=[ref.pk]), {"status": "done", "outcome": ""})
    ref.refresh_from_db()
    assert ref.status == "open"  # no outcome: refused
    client.post(reverse("elderly:referral_close", args=[ref.pk]), {"status": "done", "outcome": "已批临时救助 800 元"})
    ref.refresh_from_db()
    assert ref.status == "done"
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/" and b"huimin-offline-v1" in sw.content


def test_two_periods_unvisited_raise_one_monitoring_warning(staff, visitor, settings, tmp_path):
    from huimin.monitoring import services as monitoring
    from huimin.monitoring.models import MonitoringRun, Warning

    settings.VAR_DIR = tmp_path
    late = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    in_time = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    never_assigned = make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    for p in (late, in_time, never_assigned):
        _mark(p, "living_alone")
    _visit(staff["assistant"], late, datetime.date(2026, 9, 20))  # 2 × 30 days end on 11-19
    _visit(staff["assistant"], in_time, datetime.date(2026, 9, 21))  # … on 11-20: one period missed only
    monitoring.run(None, MonitoringRun.Kind.FULL, datetime.date(2026, 11, 20))
    (w,) = Warning.objects.filter(rule__code="elderly_unvisited")
    assert (w.person_id, w.direction, w.region_id, w.record_key) == (late.pk, "care", VILLAGE_A1, "末次探访 2026-09-20")
    monitoring.run(None, MonitoringRun.Kind.FULL, datetime.date(2026, 11, 20))
    assert Warning.objects.filter(rule__code="elderly_unvisited").count() == 1  # not raised twice
