"""Authorisation, the explained and printable report, scope, and single check = batch re-check."""

import pyarrow.parquet as pq
import pytest
from django.http import Http404

from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.engine import verification as engine
from huimin.verification import services
from huimin.verification.models import BatchRun, Conclusion, Report
from tests.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.verification.factories import AS_OF, D, authorise_all, load, make_household, standard_thresholds


def test_a_check_is_refused_while_an_adult_member_has_not_signed(users):
    standard_thresholds()
    hh, (father, mother, child) = make_household(
        VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("李秀英", D(1972, 8, 9)), ("张小明", D(2012, 1, 1))]
    )
    with pytest.raises(ServiceError, match="尚未签署核对授权书.*张建国、李秀英"):
        services.check_household(users["clerk_a"], hh, "dibao", AS_OF)
    from django.core.files.base import ContentFile

    services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), ContentFile(b"scan", name="a.pdf"))
    with pytest.raises(ServiceError, match="：李秀英$"):
        services.check_household(users["clerk_a"], hh, "dibao", AS_OF)
    services.record_authorisation(users["clerk_a"], hh, mother, D(2026, 6, 1), ContentFile(b"scan", name="b.pdf"))
    report = services.check_household(users["clerk_a"], hh, "dibao", AS_OF)  # the child needs none
    assert report.conclusion == Conclusion.ELIGIBLE
    assert Report.objects.count() == 1
    assert AuditEntry.objects.filter(action="verification.check").count() == 1


def test_a_household_outside_the_users_region_does_not_exist_for_them(users):
    standard_thresholds()
    hh, _ = make_household(VILLAGE_B1, [("外乡人", D(1980, 1, 1))])
    authorise_all(hh)
    with pytest.raises(Http404):
        services.check_household(users["clerk_a"], hh, "dibao", AS_OF)


def test_the_report_lists_every_record_with_its_source_and_prints_as_pdf(users, login):
    standard_thresholds()
    hh, (father, mother) = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("李秀英", D(1972, 8, 9))])
    authorise_all(hh)
    load(
        users["approver"],
        "vehicles",
        [
            {
                "id_number": father.id_number,
                "plate_no": "豫Q12345",
                "vehicle_type": "轿车",
                "value": "120000.00",
                "registered_on": "2023-04-01",
                "status": "正常",
            }
        ],
    )
    load(
        users["approver"],
        "disability",
        [
            {
                "id_number": mother.id_number,
                "cert_no": "C1",
                "category": "肢体",
                "grade": "2",
                "issued_on": "2020-01-01",
                "status": "有效",
            }
        ],
    )
    report = services.check_household(users["clerk_a"], hh, "dibao", AS_OF)
    assert report.conclusion == Conclusion.NOT_ELIGIBLE
    [reason] = report.reasons
    assert reason["code"] == "vehicle_value"
    assert reason["text"] == "名下机动车总价值 120,000.00 元，超过上限 50,000.00 元"
    assert reason["records"][0]["source_name"] == "机动车登记"
    assert ["号牌号码", "豫Q12345"] in reason["records"][0]["fields"]
    by_name = {m["name"]: m for m in report.members}
    assert by_name["李秀英"]["records"][0]["source_name"] == "残疾人证"
    assert by_name["李秀英"]["records"][0]["snapshot_date"] == "2026-06-30"
    client = login(users["clerk_a"])
    page = client.get(f"/verification/reports/{report.pk}/")
    assert "不符合" in page.content.decode() and "豫Q12345" in page.content.decode()
    pdf = client.get(f"/verification/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/verification/reports/{report.pk}/pdf/").status_code == 200
    assert login(users["clerk_b"]).get(f"/verification/reports/{report.pk}/").status_code == 404


@pytest.fixture
def town(users):
    """Households of every outcome in two villages."""
    standard_thresholds()
    plan = {
        "poor": [("甲一", D(1950, 1, 1)), ("甲二", D(1952, 1, 1))],
        "earner": [("乙一", D(1980, 1, 1))],
        "car": [("丙一", D(1985, 1, 1))],
        "company": [("丁一", D(1975, 1, 1)), ("丁二", D(2015, 1, 1))],
        "empty_rural": [("戊一", D(1940, 1, 1))],
    }
    made = {}
    for i, (key, members) in enumerate(plan.items()):
        made[key] = make_household(VILLAGE_A1 if i % 2 == 0 else VILLAGE_A2, members, number=f"T{i}")
        authorise_all(made[key][0])
    approver = users["approver"]
    load(
        approver,
        "social_insurance",
        [{"id_number": made["poor"][1][0].id_number, "month": "2026-01", "kind": "养老金", "amount": "1200.00"}],
    )
    load(
        approver,
        "wages",
        [
            {
                "id_number": made["earner"][1][0].id_number,
                "month": f"2026-0{m}",
                "gross_wage": "5000.00",
                "tax": "100.00",
            }
            for m in range(1, 7)
        ],
    )
    load(
        approver,
        "vehicles",
        [
            {
                "id_number": made["car"][1][0].id_number,
                "plate_no": "豫Q1",
                "vehicle_type": "轿车",
                "value": "90000.00",
                "registered_on": "2020-01-01",
                "status": "正常",
            }
        ],
    )
    load(
        approver,
        "business",
        [
            {
                "id_number": made["company"][1][0].id_number,
                "credit_code": "9141X",
                "company_name": "小店",
                "role": "经营者",
                "established_on": "2020-01-01",
                "status": "存续",
            }
        ],
    )
    return made


def test_single_check_and_batch_give_the_same_answer(users, town):
    run = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    assert run.status == BatchRun.Status.DONE and run.households == 5
    rows = {r["household_id"]: r for r in pq.read_table(run.results_path).to_pylist()}
    expected = {
        "poor": "eligible",
        "earner": "not_eligible",
        "car": "not_eligible",
        "company": "needs_visit",
        "empty_rural": "eligible",
    }
    for key, (hh, _) in town.items():
        single = services.check_household(users["clerk_a"], hh, "dibao", AS_OF)
        assert single.conclusion == rows[hh.pk]["conclusion"] == expected[key], key
        flagged = {f for f in engine.FLAGS if rows[hh.pk][f]}
        assert {r["code"] for r in single.reasons} - {"ok"} == {_code(f) for f in flagged}
    assert run.counts == {"eligible": 2, "not_eligible": 2, "needs_visit": 1}


def _code(flag):
    from huimin.verification.rules import FLAG_RULES

    return FLAG_RULES[flag][0].value if flag in FLAG_RULES else flag.removeprefix("r_")


def test_a_second_batch_lists_who_changed_and_why(users, town, login):
    first = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    assert first.changed == 0
    poor = town["poor"][1][0]
    load(
        users["approver"],
        "deposits",
        [
            {
                "id_number": poor.id_number,
                "institution": "某银行",
                "product": "理财",
                "balance": "500000.00",
                "as_of": "2026-06-01",
            }
        ],
    )
    second = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    assert second.changed == 1
    [row] = services.review_rows(second, only_changed=True)
    assert row["previous"] == "符合" and row["conclusion"] == "不符合"
    assert "存款、理财与证券合计 500,000.00 元" in row["reasons"]
    client = login(users["approver"])
    response = client.get(f"/verification/batches/{second.pk}/review.xlsx")
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:5] == ["户编号", "区划代码", "成员数", "上次结论", "本次结论"]
    assert any(v[0] == "T0" and v[5] == "是" for v in values[1:])
    assert login(users["clerk_a"]).get(f"/verification/batches/{second.pk}/").status_code == 403


def _recorded(users, household_and_people, day, conclusion="eligible", status="effective"):
    """A 核对 result entered by hand in the household's 低保 application (as the demo's history is loaded)."""
    from huimin.assistance.models import ManualVerification
    from huimin.registry.models import Membership
    from tests.assistance.conftest import apply

    household, people = household_and_people
    for i, person in enumerate(people):
        Membership.objects.create(household=household, person=person, relation="01" if i == 0 else "10",
                                  started_on=D(2020, 1, 1))  # fmt: skip
    app = apply(users, household, people)
    return ManualVerification.objects.create(
        application=app, report_number=f"M{app.pk}", report_date=day, conclusion=conclusion, reasons="历史核对",
        recorded_by="演示历史", status=status,
    )  # fmt: skip


def test_the_first_batch_compares_with_results_entered_by_hand_and_lists_the_new_failures_first(users, town):
    _recorded(users, town["car"], AS_OF)  # on the 核对基准日 itself: a previous result
    _recorded(users, town["poor"], D(2026, 1, 5))
    _recorded(users, town["earner"], D(2026, 7, 1))  # after the 核对基准日: not a previous result
    _recorded(users, town["company"], D(2026, 1, 5), status="pending")  # awaiting confirmation: no result
    run = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    assert run.changed == 1
    [row] = services.review_rows(run, only_changed=True)
    assert row["number"] == town["car"][0].number and (row["previous"], row["conclusion"]) == ("符合", "不符合")
    rows = {r["number"]: r for r in services.review_rows(run)}
    earner = rows[town["earner"][0].number]
    assert earner["previous"] == "（首次核对）" and not earner["changed"]
    assert rows[town["company"][0].number]["previous"] == "（首次核对）"
    assert town["poor"][0].number not in rows  # 符合 before and now: not for review
    assert services.review_rows(run)[0]["number"] == town["car"][0].number  # the new failure leads the list


def test_a_later_single_check_outweighs_an_older_hand_entered_result(users, town):
    _recorded(users, town["car"], D(2026, 1, 5))
    hh = town["car"][0]
    authorise_all(hh)
    services.check_household(users["clerk_a"], hh, "dibao", AS_OF)  # 不符合, dated AS_OF
    run = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    assert run.changed == 0
    assert services.review_rows(run, only_changed=True) == []
