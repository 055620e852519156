"""The business operations of the API as a department, a partner system and staff use them: 核对 checks and
reports, departmental feeds, warnings and payroll summaries — each inside the caller's grant and regions."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huimin.apiclients import services as clients
from huimin.apiclients.models import ApiClient
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.monitoring.models import Warning
from huimin.registry.models import Household
from huimin.verification.models import Report, Snapshot, Upload
from tests.api.conftest import bearer
from tests.api.matrix_targets import make_warning
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.verification.factories import (
    AS_OF,
    D,
    authorise_all,
    csv_bytes,
    make_household,
    standard_thresholds,
    valid_row,
)


@pytest.fixture(autouse=True)
def _pinned_clock():
    """Feeds, reports and warnings here carry 2026 dates (a warning due 2026-07-14 is overdue)."""
    with at(2026, 11, 20):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    cache.clear()
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(client, url, body, token):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(token))


# --- 核对 -------------------------------------------------------------------------------------------------------


def test_a_partner_starts_a_check_and_reads_the_report_in_its_regions(client, users, issue):
    standard_thresholds()
    hh, _ = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("张小明", D(2012, 1, 1))])
    outside, _ = make_household(VILLAGE_B1, [("外乡人", D(1980, 1, 1))])
    authorise_all(hh)
    authorise_all(outside)
    token = issue(["request_verification", "get_verification_report", "list_verification_reports"])
    url = f"/api/verification/households/{hh.pk}/checks"
    response = _post(client, url, {"programme": "dibao", "as_of": AS_OF.isoformat()}, token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["conclusion"] == "eligible" and body["conclusion_label"] == "符合" and body["household"] == hh.number
    assert body["programme"] == "dibao" and body["programme_label"] == "最低生活保障"  # codes kept, labels added
    assert body["origin_label"] == "单户核对"
    assert body["figures"]["members"] == 2 and [m["name"] for m in body["members"]] == ["张建国", "张小明"]
    assert "id_number" not in json.dumps(body["members"])
    report = Report.objects.get()
    assert report.created_by is None and AuditEntry.objects.filter(action="verification.check").exists()
    got = client.get(f"/api/verification/reports/{report.pk}", **bearer(token)).json()
    assert got["id"] == report.pk and got["snapshots"] == []
    assert _post(client, f"/api/verification/households/{outside.pk}/checks", {}, token).status_code == 404
    listed = client.get(f"/api/verification/reports?region={TOWN_A}&page_size=1", **bearer(token)).json()
    assert listed["count"] == 1 and listed["items"][0]["income_per_head_month"] == "0.00"


def test_a_check_refused_by_the_rules_says_why_and_records_nothing(client, users):
    standard_thresholds()
    hh, _ = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("李秀英", D(1972, 8, 9))])
    client.force_login(users["clerk_a"])
    response = client.post(f"/api/verification/households/{hh.pk}/checks", {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "verification.authorisation_missing",
        "message": "以下成年家庭成员尚未签署核对授权书（或授权书已过期、已撤回），"
        "须先登记（每人一次，以后沿用）才能发起核对：张建国、李秀英",
    }  # fmt: skip
    authorise_all(hh)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        f"/api/verification/households/{hh.pk}/checks", {"as_of": future}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["message"] == "核对基准日不能晚于今天"
    assert not Report.objects.exists()


def test_reports_list_narrows_by_region_and_conclusion(client, users):
    standard_thresholds()
    for region in (VILLAGE_A1, VILLAGE_B1):
        hh, _ = make_household(region, [("某人", D(1980, 1, 1))])
        authorise_all(hh)
        Report.objects.create(household=hh, region_id=region, programme="dibao", as_of=AS_OF,
                              conclusion="needs_visit", reasons=[], figures={}, members=[])  # fmt: skip
    client.force_login(users["approver"])  # county: sees both townships
    everything = client.get("/api/verification/reports").json()
    assert everything["count"] == 2
    town_b = client.get(f"/api/verification/reports?region={TOWN_B}&conclusion=needs_visit").json()
    assert [r["region"] for r in town_b["items"]] == [VILLAGE_B1]
    assert client.get("/api/verification/reports?conclusion=eligible").json()["count"] == 0
    assert client.get("/api/verification/reports?conclusion=maybe").status_code == 400


# --- departmental feeds ---------------------------------------------------------------------------------------


def _feed(client, token, rows, source="wages", name="wages.csv", **extra):
    data = {"as_of": AS_OF.isoformat(), "file": SimpleUploadedFile(name, csv_bytes(rows)), **extra}
    return client.post(f"/api/verification/feeds/{source}", data, **bearer(token))


def test_a_department_sends_its_feed_with_a_token_for_that_source_only(client, issue):
    token = issue(["upload_feed"], regions=(), sources=["wages"])
    response = _feed(client, token, [valid_row("wages"), valid_row("wages")])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["rows"] == 2 and body["errors"] == []
    snapshot = Snapshot.objects.get()
    assert body["snapshot"] == snapshot.pk and snapshot.row_count == 2 and snapshot.as_of == AS_OF
    upload = Upload.objects.get()
    assert upload.channel == "api" and upload.department == "市人社局" and upload.uploaded_by is None
    call = AuditEntry.objects.filter(action="api.call").order_by("seq").last()
    assert "upload_feed POST /api/verification/feeds/wages" in call.detail and call.actor.startswith("api:")
    refused = _feed(client, token, [valid_row("deposits")], source="deposits", name="d.csv")
    assert refused.status_code == 403 and refused.json()["message"] == "此客户端未获授权报送该数据源"
    unknown = _feed(client, token, [valid_row("wages")], source="lottery")
    assert unknown.status_code == 400 and unknown.json()["message"].startswith("数据源不存在")


def test_a_file_with_a_bad_row_is_rejected_whole_with_line_numbers(client, issue):
    token = issue(["upload_feed"], regions=(), sources=["wages"])
    bad = valid_row("wages") | {"month": "2026-13"}
    response = _feed(client, token, [valid_row("wages"), bad, valid_row("wages")])
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["snapshot"] is None and body["error_rows"] == 1
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "月份"
    assert "月份“2026-13”无法识别" in body["errors"][0]["message"]
    assert not Snapshot.objects.exists()
    partial = _feed(client, token, [valid_row("wages"), bad], valid_only="true")
    assert partial.status_code == 201 and partial.json()["status"] == "partial"
    assert Snapshot.objects.get().row_count == 1
    unreadable = _feed(client, token, [valid_row("wages")], name="wages.txt")
    # refused unread: kept in the upload history as 已拒收, the reason in its errors (row 0: the whole file)
    assert unreadable.status_code == 422 and unreadable.json()["status"] == "rejected"
    assert "不支持的文件格式" in unreadable.json()["errors"][0]["message"]
    missing = client.post("/api/verification/feeds/wages", {"as_of": AS_OF.isoformat()}, **bearer(token))
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"


def test_staff_with_the_data_duty_send_feeds_too_and_others_are_refused(client, users):
    client.force_login(users["approver"])
    data = {"as_of": AS_OF.isoformat(), "file": SimpleUploadedFile("w.csv", csv_bytes([valid_row("wages")]))}
    response = client.post("/api/verification/feeds/wages", data)
    assert response.status_code == 201 and Upload.objects.get().uploaded_by == users["approver"]
    client.force_login(users["clerk_a"])
    data["file"] = SimpleUploadedFile("w.csv", csv_bytes([valid_row("wages")]))
    assert client.post("/api/verification/feeds/wages", data).status_code == 403


def test_feed_clients_need_no_region_but_others_do(users):
    client, _ = clients.issue(users["security"], name="公积金中心", department="住房公积金中心",
                              operations=["upload_feed"], region_codes=[], sources=["housing_fund"])  # fmt: skip
    assert client.region_prefixes == [] and client.sources == ["housing_fund"]
    with pytest.raises(ServiceError, match="请至少填写一个允许访问的区划"):
        clients.issue(users["security"], name="混合", department="某局", operations=["upload_feed", "list_persons"],
                      region_codes=[], sources=["wages"])  # fmt: skip
    with pytest.raises(ServiceError, match="数据源不存在"):
        clients.issue(users["security"], name="错源", department="某局", operations=["upload_feed"],
                      region_codes=[], sources=["nope"])  # fmt: skip
    with pytest.raises(ServiceError, match="upload_feed"):
        clients.issue(users["security"], name="无关", department="某局", operations=["list_persons"],
                      region_codes=[TOWN_A], sources=["wages"])  # fmt: skip
    assert ApiClient.objects.count() == 1


def test_the_security_officer_page_grants_sources(client, users):
    client.force_login(users["security"])
    response = client.post("/system/api-clients/new/", {
        "name": "税务数据", "department": "市税务局", "operations": ["upload_feed"], "sources": ["wages"],
        "regions": "", "rate_limit": "30",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    assert ApiClient.objects.get(name="税务数据").sources == ["wages"]
    assert "工资与个人所得税" in client.get("/system/api-clients/").content.decode()


# --- warnings -------------------------------------------------------------------------------------------------


@pytest.fixture
def warnings(regions):
    a1 = make_warning(Household.objects.create(number="W1", region_id=VILLAGE_A1), TOWN_A)
    a2 = make_warning(Household.objects.create(number="W2", region_id=VILLAGE_A1), TOWN_A, status="closed")
    b1 = make_warning(Household.objects.create(number="W3", region_id=VILLAGE_B1), TOWN_B)
    return a1, a2, b1


def test_warnings_list_by_status_and_region_with_pages(client, issue, warnings):
    a1, a2, b1 = warnings
    token = issue(["list_warnings", "get_warning"])
    everything = client.get("/api/monitoring/warnings?page_size=1", **bearer(token)).json()
    assert everything["count"] == 2 and len(everything["items"]) == 1  # township B's is not theirs
    open_ = client.get("/api/monitoring/warnings?status=open&direction=exit", **bearer(token)).json()
    assert [w["id"] for w in open_["items"]] == [a1.pk] and open_["items"][0]["status_label"] == "待研判"
    assert open_["items"][0]["overdue"] is True  # due 2026-07-14
    assert client.get("/api/monitoring/warnings?direction=enter", **bearer(token)).json()["count"] == 0
    assert client.get("/api/monitoring/warnings?status=lost", **bearer(token)).status_code == 400
    detail = client.get(f"/api/monitoring/warnings/{a1.pk}", **bearer(token)).json()
    assert detail["rule"] == "api_matrix" and detail["detail"] == {"说明": "测试"} and detail["events"] == []
    assert client.get(f"/api/monitoring/warnings/{b1.pk}", **bearer(token)).status_code == 404


def test_staff_triage_through_the_services_and_tokens_cannot(client, users, issue, warnings):
    a1, _, b1 = warnings
    client.force_login(users["clerk_a"])
    url = f"/api/monitoring/warnings/{a1.pk}/actions/"
    response = client.post(url + "confirm", {"note": "入户核实"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "verifying"
    assert response.json()["events"][0]["to_status"] == "verifying"
    refused = client.post(url + "close", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["message"] == "只有已处置的预警可以办结"
    refused = client.post(url + "handle", {"action": "false", "note": "数据滞后"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "monitoring.evidence_required"
    body = {"action": "false", "note": "数据滞后", "visit_on": "2026-06-30", "visit_by": "张三、李四"}
    response = client.post(url + "handle", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["action"] == "false"
    assert response.json()["evidence_visit"] == {"on": "2026-06-30", "by": "张三、李四"}
    outside = client.post(f"/api/monitoring/warnings/{b1.pk}/actions/confirm", {}, content_type="application/json")
    assert outside.status_code == 404
    with pytest.raises(ServiceError):
        issue(["act_on_warning"])
    token = issue(["get_warning"])
    assert _post(client, url + "close", {}, token).status_code == 403
    assert Warning.objects.get(pk=a1.pk).status == "handled"


# --- payroll summaries ----------------------------------------------------------------------------------------


@pytest.fixture
def payroll(users):
    from huimin.benefits import services as benefits
    from tests.benefits.conftest import lock_month, make_enrolment

    march = datetime.date(2026, 3, 1)
    make_enrolment(users, amount="500.00", start=march, region=VILLAGE_A1)
    make_enrolment(users, amount="300.00", start=march, region=VILLAGE_A1)
    make_enrolment(users, amount="700.00", start=march, region=VILLAGE_B1)
    month = lock_month(users, benefits.build(users["approver"], region_code=COUNTY, month=march))
    april = benefits.build(users["approver"], region_code=COUNTY, month=datetime.date(2026, 4, 1))  # a draft
    from huimin.benefits.models import PayrollMonth

    foreign = PayrollMonth.objects.create(region_id=OTHER_COUNTY, month=march)
    return month, april, foreign


def test_payroll_summaries_count_only_the_callers_regions(client, users, issue, payroll):
    march, april, foreign = payroll
    token = issue(["list_payroll_months", "get_payroll_summary", "list_payroll_totals"])
    months = client.get("/api/benefits/payrolls", **bearer(token)).json()
    assert [(m["month"], m["status"]) for m in months["items"]] == [("2026-04", "draft"), ("2026-03", "locked")]
    assert months["items"][1]["lines"] == 2 and months["items"][1]["total"] == "800.00"  # township A only
    summary = client.get(f"/api/benefits/payrolls/{march.pk}?level=village", **bearer(token)).json()
    assert summary["by_programme"] == [{"key": "dibao", "name": "最低生活保障", "lines": 2, "total": "800.00"}]
    assert [(r["key"], r["total"]) for r in summary["by_region"]] == [(VILLAGE_A1, "800.00")]
    assert summary["by_kind"][0]["name"] == "正常发放"
    assert client.get(f"/api/benefits/payrolls/{foreign.pk}", **bearer(token)).status_code == 404
    totals = client.get("/api/benefits/totals?level=township", **bearer(token)).json()
    assert [(t["month"], t["region"], t["lines"], t["total"]) for t in totals["items"]] == [
        ("2026-03", TOWN_A, 2, "800.00")
    ]  # the April draft is not counted
    assert client.get("/api/benefits/totals?month_from=March", **bearer(token)).status_code == 400


def test_the_county_sees_the_whole_month(client, users, payroll):
    march, _, _ = payroll
    client.force_login(users["approver"])
    summary = client.get(f"/api/benefits/payrolls/{march.pk}").json()
    assert summary["total"] == "1500.00" and summary["lines"] == 3
    assert {r["key"]: r["total"] for r in summary["by_region"]} == {TOWN_A: "800.00", TOWN_B: "700.00"}
    assert Decimal(summary["total"]) == march.total
    client.force_login(users["clerk_a"])  # no 资金发放 duty
    assert client.get(f"/api/benefits/payrolls/{march.pk}").status_code == 403
