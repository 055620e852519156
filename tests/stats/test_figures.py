"""Every figure of the monthly statistics against counts made by hand (or by plain loops in the test) from the
data the test writes; a past month does not move when later months change it."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.assistance import services as assistance
from huimin.assistance.models import EnrolmentMember, ManualVerification
from huimin.benefits.models import PayrollLine, PayrollMonth
from huimin.core.models import Region
from huimin.monitoring.models import MonitoringRun, Warning, WarningRule
from huimin.stats import compute, figures
from huimin.stats.models import MonthlyFigure
from huimin.verification.models import Report
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.stats.conftest import aware

D = datetime.date
M = D(2026, 3, 1)


def _line(payroll, enrolment, amount, kind="regular", month=M):
    return PayrollLine.objects.create(
        payroll=payroll, enrolment=enrolment, service_month=month, kind=kind, amount=Decimal(amount),
        programme_code=enrolment.programme.code, region_id=enrolment.region_id, payee_id=enrolment.household.head_id,
    )  # fmt: skip


def _warning(household, raised, closed=None, n=[0]):  # noqa: B006 - a counter for unique fact keys
    n[0] += 1
    rule = WarningRule.objects.order_by("code").first()
    run = MonitoringRun.objects.create(kind="full", as_of=raised, status="done")
    region = Region.objects.get(code=household.region_id)
    warning = Warning.objects.create(
        rule=rule, run=run, fact_key=f"stats-{n[0]}", household=household, region=region, township=region.parent,
        category="dibao", direction="exit", severity="medium", due_on=raised + datetime.timedelta(days=14),
        status="closed" if closed else "pending",
    )  # fmt: skip
    Warning.objects.filter(pk=warning.pk).update(raised_at=aware(raised), closed_at=aware(closed) if closed else None)
    return warning


def _report(household, day, conclusion, hour=10):
    report = Report.objects.create(
        household=household, region_id=household.region_id, programme="dibao", as_of=day, conclusion=conclusion
    )
    Report.objects.filter(pk=report.pk).update(created_at=aware(day, hour))


@pytest.fixture
def march(build, users):
    """The scenario of March 2026 described in each comment; figures expected are counted by hand below."""
    b = build
    # E1: 城市 (交通路社区, 111) 低保 since 2025-06: 4 members (born 1950 and 1966-03-31 → 60+ at 2026-03-31;
    # 2015 → minor; the 1980 one disabled); a 5th member removed from March, a 6th added from March.
    h1, p1 = b.household(VILLAGE_A1, births=(D(1950, 1, 1), D(1980, 5, 5), D(2015, 6, 1), D(1966, 3, 31),
                                              D(1985, 1, 1), D(1988, 1, 1)), disabled=(1,))  # fmt: skip
    e1 = b.enrol(h1, p1, start=D(2025, 6, 1), members=p1[:5])
    EnrolmentMember.objects.filter(enrolment=e1, person=p1[4]).update(removed_on=M)
    EnrolmentMember.objects.create(enrolment=e1, person=p1[5], added_on=M)
    # E2: 农村 (小王庄村, 220) 低保 new from March: 3 members (2008-03-31 turns 18 on 2026-03-31 → not a minor;
    # 2010-03-31 → minor).
    h2, p2 = b.household(VILLAGE_A2, births=(D(1990, 1, 1), D(2008, 3, 31), D(2010, 3, 31)))
    e2 = b.enrol(h2, p2, start=M)
    # E3: 农村 低保 since 2025-01, stopped on 2026-03-15 (pays March, ends from April): 1 member born 1960-04-01
    # (65 at 2026-03-31).
    h3, p3 = b.household(VILLAGE_A2, births=(D(1960, 4, 1),))
    e3 = b.enrol(h3, p3, start=D(2025, 1, 1), ended=D(2026, 3, 15))
    # E4: 胡庙村 (B, 220) 低保 stopped in February: not in March at all.
    h4, p4 = b.household(VILLAGE_B1, births=(D(2008, 4, 1),))
    e4 = b.enrol(h4, p4, start=D(2025, 1, 1), ended=D(2026, 2, 10))
    # E5: 城市 特困 (person) from April, decided 2026-03-27 after receipt on 2026-03-07 (20 days).
    h5, p5 = b.household(VILLAGE_A1, births=(D(1940, 1, 1), D(1975, 1, 1)))
    b.enrol(h5, p5, "tekun_scattered", start=D(2026, 4, 1), received=D(2026, 3, 7), decided=D(2026, 3, 27))
    # E6: 农村 特困 in 胡庙村 since 2025-12, one person born 1950.
    h6, p6 = b.household(VILLAGE_B1, births=(D(1950, 2, 2),))
    e6 = b.enrol(h6, p6, "tekun_scattered", start=D(2025, 12, 1))
    # Another county's enrolment (西平县): never in 驿城区's figures.
    ho, po = b.household(OTHER_COUNTY, births=(D(1950, 1, 1), D(1951, 1, 1)))
    eo = b.enrol(ho, po, start=D(2025, 1, 1))

    # Payroll: March locked (E1 500, E2 300, E3 recovery −50, E6 800); a February locked month and a March
    # draft elsewhere are not March's payments; another county's March pays 450.
    locked = PayrollMonth.objects.create(region_id=COUNTY, month=M, status="locked")
    _line(locked, e1, "500")
    _line(locked, e2, "300")
    _line(locked, e3, "-50.00", kind="recovery", month=D(2026, 1, 1))
    _line(locked, e6, "800")
    february = PayrollMonth.objects.create(region_id=COUNTY, month=D(2026, 2, 1), status="locked")
    _line(february, e1, "500", month=D(2026, 2, 1))
    _line(february, e4, "400", month=D(2026, 2, 1))
    draft = PayrollMonth.objects.create(region_id=TOWN_B, month=M, status="draft")
    _line(draft, e6, "999")
    other = PayrollMonth.objects.create(region_id=OTHER_COUNTY, month=M, status="locked")
    _line(other, eo, "450")

    # Applications: R1 received 03-03 (open); R2 received 02-20, refused 03-10 (18 days, on time); R3 临时救助
    # received 03-05, approved 03-06 with 800 元; R4 received 03-31 23:30 (still March); R5 received 04-01 00:10;
    # R6 received 2025-12-01, refused 03-20 (109 days, 74 working days > the 48 allowed).
    b.application(h1, p1, received=D(2026, 3, 3), stage="review")
    r2 = b.application(h2, p2, received=D(2026, 2, 20), decided=D(2026, 3, 10), stage="refused")
    b.application(h1, p1, "temp_urgent", received=D(2026, 3, 5), decided=D(2026, 3, 6), amount=Decimal("800"))
    r4 = b.application(h4, p4, received=D(2026, 3, 31), stage="accept")
    r4.__class__.objects.filter(pk=r4.pk).update(created_at=aware(D(2026, 3, 31), 23).replace(minute=30))
    r5 = b.application(h4, p4, received=D(2026, 4, 1), stage="accept")
    r5.__class__.objects.filter(pk=r5.pk).update(created_at=aware(D(2026, 4, 1), 0).replace(minute=10))
    b.application(h3, p3, received=D(2025, 12, 1), decided=D(2026, 3, 20), stage="refused")

    # 核对: A1 eligible on 03-05, A2 not eligible on 03-31 20:00, B1 needs a visit on 02-28 (February); a manual
    # 核对 of R2 (A2) eligible on 03-02.
    _report(h1, D(2026, 3, 5), "eligible")
    _report(h2, D(2026, 3, 31), "not_eligible", hour=20)
    _report(h4, D(2026, 2, 28), "needs_visit")
    ManualVerification.objects.create(application=r2, report_number="M1", report_date=D(2026, 3, 2),
                                      conclusion="eligible", reasons="测试", recorded_by="t")  # fmt: skip
    # manual conclusions over the system's that await a second person's confirmation or were refused are no result
    for status in ("pending", "rejected"):
        ManualVerification.objects.create(
            application=r2, report_number=f"M-{status}", report_date=D(2026, 3, 3), conclusion="eligible",
            reasons="测试", recorded_by="t", status=status,
        )  # fmt: skip

    # Warnings: W1 A1 raised 03-02 closed 03-20; W2 B1 raised 02-10 closed 03-01; W3 B1 raised 03-15, open.
    _warning(h1, D(2026, 3, 2), D(2026, 3, 20))
    _warning(h4, D(2026, 2, 10), D(2026, 3, 1))
    _warning(h6, D(2026, 3, 15))
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e6": e6, "h1": h1, "p1": p1}


EXPECTED_COUNTY = {
    "households": 4, "persons": 10, "new_households": 1, "new_persons": 4, "stopped_households": 1,
    "stopped_persons": 1, "elderly": 4, "minors": 2, "disabled": 1, "amount_paid": Decimal("1550.00"),
    "apps_received": 4, "apps_approved": 2, "apps_refused": 2, "apps_days": 148, "apps_on_time": 3,
    "amount_approved": Decimal("800.00"), "verif_eligible": 2, "verif_not_eligible": 1, "verif_needs_visit": 0,
    "warnings_raised": 2, "warnings_closed": 2,
}  # fmt: skip


def _subset(row, expected):
    return {k: row[k] for k in expected}


def test_every_figure_of_the_county_month(march, users):
    compute.materialise(M)
    county = Region.objects.get(code=COUNTY)
    total = figures.total(users["approver"], county, M)
    assert _subset(total, EXPECTED_COUNTY) == EXPECTED_COUNTY
    assert total["per_person"] == Decimal("155.00")  # 1550 / 10
    assert total["avg_days"] == Decimal("37.0")  # 148 / 4


def test_figures_by_township_programme_and_area(march, users):
    compute.materialise(M)
    approver = users["approver"]
    county = Region.objects.get(code=COUNTY)
    children = {r["code"]: r for r in figures.by_child(approver, county, M)}
    assert set(children) == {TOWN_A, TOWN_B}
    a, b = children[TOWN_A], children[TOWN_B]
    assert (a["households"], a["persons"], a["elderly"], a["minors"], a["amount_paid"]) == (3, 9, 3, 2, Decimal(750))
    assert (a["apps_received"], a["apps_approved"], a["apps_refused"], a["warnings_raised"]) == (3, 2, 2, 1)
    assert (b["households"], b["persons"], b["elderly"], b["amount_paid"], b["apps_received"]) == (1, 1, 1, 800, 1)
    assert (b["warnings_raised"], b["warnings_closed"], b["verif_needs_visit"]) == (1, 1, 0)
    assert a["drill"] and b["drill"]

    town_a = Region.objects.get(code=TOWN_A)
    villages = {r["code"]: r for r in figures.by_child(approver, town_a, M)}
    assert villages[VILLAGE_A1]["persons"] == 5 and villages[VILLAGE_A2]["persons"] == 4
    assert not villages[VILLAGE_A1]["drill"]

    rows = figures.by_programme(approver, county, M)
    dibao = next(r for r in rows if r["code"] == "dibao" and r["is_total"])
    urban = next(r for r in rows if r["code"] == "dibao" and r["area"] == "城市")
    rural = next(r for r in rows if r["code"] == "dibao" and r["area"] == "农村")
    assert (dibao["households"], dibao["persons"], dibao["amount_paid"]) == (3, 9, Decimal(750))
    assert (urban["households"], urban["persons"], urban["new_persons"], urban["disabled"]) == (1, 5, 1, 1)
    assert (rural["households"], rural["new_households"], rural["stopped_households"], rural["persons"]) == (2, 1, 1, 4)
    assert (rural["apps_refused"], rural["apps_days"], rural["apps_on_time"]) == (2, 127, 1)
    tekun = next(r for r in rows if r["code"] == "tekun_scattered" and r["is_total"])
    assert (tekun["households"], tekun["persons"], tekun["apps_approved"], tekun["apps_days"]) == (1, 1, 1, 20)
    temporary = next(r for r in rows if r["code"] == "temp_urgent" and r["is_total"])
    assert (temporary["apps_approved"], temporary["amount_approved"]) == (1, Decimal(800))

    urban_only = figures.total(approver, county, M, urban=True)
    assert (urban_only["households"], urban_only["persons"], urban_only["apps_received"]) == (1, 5, 3)
    assert urban_only["amount_paid"] == Decimal(500) and urban_only["warnings_raised"] == 1


def test_the_city_sees_both_counties_and_a_county_only_its_own(march, users):
    compute.materialise(M)
    city = Region.objects.get(code="411700000000")
    total = figures.total(users["statistician"], city, M)
    assert total["households"] == 5 and total["persons"] == 12 and total["amount_paid"] == Decimal("2000.00")
    counties = {r["code"] for r in figures.by_child(users["statistician"], city, M)}
    assert counties == {COUNTY, OTHER_COUNTY}
    # the county approver asking for the whole city still only gets their own subtree's rows
    assert figures.total(users["approver"], city, M)["households"] == 4
    assert figures.total(users["clerk_a"], city, M)["households"] == 0  # no stats capability: nothing


def test_a_past_month_does_not_move_when_later_months_change_it(march, users):
    compute.materialise(M)
    county = Region.objects.get(code=COUNTY)
    before = figures.total(users["approver"], county, M)
    rows_before = sorted(MonthlyFigure.objects.filter(month=M).values_list(
        "region_id", "is_urban", "programme", "households", "persons", "amount_paid"))  # fmt: skip
    # Later: E1 stopped and a member of E2 removed through the real services (today), a new payroll month, a
    # later warning closure; then March is recomputed.
    assistance.stop(users["approver"], march["e1"], "家庭收入超过标准")
    assistance.remove_member(users["approver"], march["e2"], march["e2"].members.first().person, "迁出")
    later = PayrollMonth.objects.create(region_id=COUNTY, month=D(2026, 4, 1), status="locked")
    _line(later, march["e6"], "800", month=D(2026, 4, 1))
    Warning.objects.filter(status="pending").update(status="closed", closed_at=timezone.now())
    compute.materialise(M)
    assert figures.total(users["approver"], county, M) == before
    rows_after = sorted(MonthlyFigure.objects.filter(month=M).values_list(
        "region_id", "is_urban", "programme", "households", "persons", "amount_paid"))  # fmt: skip
    assert rows_after == rows_before
    # …while the current month shows the stop (E1 ended this month: still in 保 now, 退出 counted)
    this_month = compute.month_start(timezone.localdate())
    compute.materialise(this_month)
    now = figures.total(users["approver"], county, this_month)
    assert now["stopped_households"] == 1
    assert now["stopped_persons"] == 6  # the 5 members of E1 (4 + the added one) and the member removed from E2


def test_figures_against_plain_loops_over_random_data(build, users):
    """Random enrolments, members and dates; every month's households, persons, new, stopped, elderly and minors
    per township and programme checked against loops over the rows the test made."""
    rng = random.Random(20261123)
    villages = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
    made = []
    for _ in range(30):
        village = rng.choice(villages)
        births = tuple(D(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
                       for _ in range(rng.randint(1, 4)))  # fmt: skip
        household, people = build.household(village, births=births)
        code = rng.choice(["dibao", "dibao", "tekun_scattered"])
        start = D(2025, rng.randint(1, 12), 1)
        ended = D(2026, rng.randint(1, 6), rng.randint(1, 28)) if rng.random() < 0.4 else None
        enrolment = build.enrol(household, people, code, start=start, ended=ended)
        made.append((village, code, start, ended, enrolment))
    months = [D(2025, m, 1) for m in range(1, 13)] + [D(2026, m, 1) for m in range(1, 7)]

    def next_month(day):
        return compute.add_months(day.replace(day=1), 1)

    for month in months:
        compute.materialise(month)
        last = compute.month_end(month)
        for town in (TOWN_A, TOWN_B):
            region = Region.objects.get(code=town)
            rows = {r["code"]: r for r in figures.by_programme(users["approver"], region, month) if r["is_total"]}
            for code in ("dibao", "tekun_scattered"):
                mine = [m for m in made if m[0].startswith(town[:9]) and m[1] == code]
                active = [m for m in mine if m[2] <= month and (m[3] is None or m[3] >= month)]
                members = [
                    p for m in active for p in EnrolmentMember.objects.filter(enrolment=m[4]).select_related("person")
                ]
                expected = {
                    "households": len(active),
                    "new_households": sum(1 for m in active if m[2] == month),
                    "stopped_households": sum(1 for m in active if m[3] and m[3].replace(day=1) == month),
                    "persons": len(members),
                    "new_persons": sum(1 for p in members if p.added_on == month),
                    "stopped_persons": sum(1 for p in members if p.removed_on == next_month(month)),
                    "elderly": sum(1 for p in members if p.person.age_on(last) >= 60),
                    "minors": sum(1 for p in members if p.person.age_on(last) < 18),
                }
                got = rows.get(code) or dict.fromkeys(expected, 0)
                assert _subset(got, expected) == expected, (month, town, code)


def test_the_command_materialises_months(march, users):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("stats", "compute", "--month", "2026-03", "--months", "2", stdout=out)
    assert "2026-02" in out.getvalue() and "2026-03" in out.getvalue()
    assert MonthlyFigure.objects.filter(month=M).exists() and MonthlyFigure.objects.filter(month=D(2026, 2, 1)).exists()
    with pytest.raises(CommandError):
        call_command("stats", "compute", "--month", "2026-13")


def test_a_city_user_sees_each_township_named_with_its_county(march, users, client):
    """Every county has its 城关镇: from the city the townships of a county read "驿城区 顺河街道", from the county
    itself "顺河街道" (core.regions.labels)."""
    compute.materialise(M)
    county = Region.objects.get(code=COUNTY)
    from_city = {r["code"]: r["name"] for r in figures.by_child(users["statistician"], county, M)}
    assert from_city == {TOWN_A: f"{county.name} 顺河街道", TOWN_B: f"{county.name} 老街街道"}
    from_county = {r["code"]: r["name"] for r in figures.by_child(users["approver"], county, M)}
    assert from_county == {TOWN_A: "顺河街道", TOWN_B: "老街街道"}
    city = Region.objects.get(code="411700000000")
    counties = {r["code"]: r["name"] for r in figures.by_child(users["statistician"], city, M)}
    assert counties[COUNTY] == county.name
    client.force_login(users["statistician"])
    page = client.get(f"/stats/?region={COUNTY}&month=2026-03").content.decode()
    assert f"{county.name} 顺河街道" in page
