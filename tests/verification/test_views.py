"""The pages of 核对, driven through the test client: upload, freshness, thresholds, household, check, 协查, stats."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from huimin.verification.models import AssistRequest, Authorisation, Report, Snapshot, Threshold, Upload
from tests.conftest import VILLAGE_A1
from tests.verification.factories import (
    AS_OF,
    IMMEDIATE,
    D,
    csv_bytes,
    make_household,
    standard_thresholds,
    valid_row,
)


def test_upload_page_rejects_a_bad_file_whole_and_offers_the_error_report(users, login):
    client = login(users["approver"])
    assert "数据新鲜度" in client.get("/verification/sources/").content.decode()
    bad = csv_bytes([valid_row("vehicles"), valid_row("vehicles") | {"value": "-1"}])
    response = client.post(
        "/verification/sources/",
        {"source": "vehicles", "as_of": AS_OF.isoformat(), "file": SimpleUploadedFile("v.csv", bad)},
        follow=True,
    )
    page = response.content.decode()
    assert "已拒收" in page and "金额不能为负数" in page and "未导入任何数据" in page
    upload = Upload.objects.get()
    errors = client.get(f"/verification/uploads/{upload.pk}/errors.csv")
    assert "金额不能为负数" in b"".join(errors.streaming_content).decode("utf-8-sig")
    response = client.post(
        "/verification/sources/",
        {
            "source": "vehicles",
            "as_of": AS_OF.isoformat(),
            "file": SimpleUploadedFile("v.csv", bad),
            "valid_only": "on",
        },
        follow=True,
    )
    assert "仅导入有效行" in response.content.decode()
    freshness = client.get("/verification/sources/").content.decode()
    assert "2026年6月30日" in freshness
    assert Snapshot.objects.get().row_count == 1


def test_clerks_cannot_reach_the_data_pages(users, login):
    assert login(users["clerk_a"]).get("/verification/sources/").status_code == 403


def test_threshold_form_saves_a_row_and_refuses_a_fractional_count(users, login):
    client = login(users["approver"])
    base = {
        "programme": "dibao",
        "region_code": "411702",
        "urban_rural": "",
        "outcome": "not_eligible",
        "valid_from": "2026-01-01",
    }
    client.post("/verification/thresholds/", base | {"rule": "income_standard", "value": "1.50"})  # × 低保标准
    assert Threshold.objects.get().value == Decimal("1.5")
    page = client.post("/verification/thresholds/", base | {"rule": "vehicle_count", "value": "1.5"})
    assert "该规则的数值应为整数" in page.content.decode()
    assert Threshold.objects.count() == 1


def test_household_page_records_authorisations_runs_a_check_and_a_cross_region_request(users, login):
    standard_thresholds()
    hh, (father, mother) = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("李秀英", D(1972, 8, 9))])
    client = login(users["clerk_a"])
    page = client.get(f"/verification/households/{hh.pk}/").content.decode()
    assert "张建国" in page and "尚需登记" in page
    response = client.post(
        f"/verification/households/{hh.pk}/check/", {"programme": "dibao", "as_of": AS_OF.isoformat()}, follow=True
    )
    assert "尚未签署核对授权书" in response.content.decode() and Report.objects.count() == 0
    for p in (father, mother):
        client.post(
            f"/verification/households/{hh.pk}/authorisations/",
            {"person": p.pk, "signed_on": "2026-06-01", "scan": SimpleUploadedFile("s.pdf", b"%PDF")},
        )
    assert Authorisation.objects.count() == 2
    response = client.post(
        f"/verification/households/{hh.pk}/check/", {"programme": "dibao", "as_of": AS_OF.isoformat()}, follow=True
    )
    assert "居民家庭经济状况核对报告" in response.content.decode() and "符合" in response.content.decode()

    client.post(
        f"/verification/households/{hh.pk}/assist/",
        {"programme": "dibao", "as_of": AS_OF.isoformat(), "target": "郑州市"},
    )
    req = AssistRequest.objects.get()
    sheet = load_workbook(io.BytesIO(client.get(f"/verification/assist/{req.pk}/request.xlsx").content)).active
    assert [row[4].value for row in sheet.iter_rows(min_row=2)] == [father.id_number, mother.id_number]
    answer = csv_bytes(
        [
            {
                "id_number": father.id_number,
                "institution": "郑州某银行",
                "product": "存款",
                "balance": "900000.00",
                "as_of": "2026-06-01",
            }
        ]
    )
    response = client.post(
        f"/verification/assist/{req.pk}/answer/",
        {"source": "deposits", "as_of": "2026-06-20", "file": SimpleUploadedFile("a.csv", answer)},
        follow=True,
    )
    page = response.content.decode()
    assert "不符合" in page and "郑州某银行" in page and "协查回复" in page
    req.refresh_from_db()
    assert req.status == AssistRequest.Status.ANSWERED
    stranger = csv_bytes([valid_row("deposits")])
    response = client.post(
        f"/verification/assist/{req.pk}/answer/",
        {"source": "deposits", "as_of": "2026-06-20", "file": SimpleUploadedFile("b.csv", stranger)},
        follow=True,
    )
    assert "不属于本户成员" in response.content.decode()
    stats = login(users["approver"]).get("/verification/stats/").content.decode()
    assert "共完成核对 2 次" in stats and "人均金融资产上限" in stats


def test_batch_page_starts_a_run(users, login, settings):
    settings.TASKS = IMMEDIATE  # queued for the task worker, run at once (tests/verification/test_batch_queue.py)
    standard_thresholds()
    make_household(VILLAGE_A1, [("王一", D(1960, 1, 1))])
    client = login(users["approver"])
    response = client.post(
        "/verification/batches/",
        {"programme": "dibao", "as_of": AS_OF.isoformat(), "region_prefix": "", "backend": "duckdb"},
        follow=True,
    )
    assert "需入户核实 0 户" in response.content.decode() and "符合 1 户" in response.content.decode()
    outside = client.post(
        "/verification/batches/",
        {"programme": "dibao", "as_of": AS_OF.isoformat(), "region_prefix": "4401", "backend": "duckdb"},
    )
    assert outside.status_code == 404  # outside one's region: as if it did not exist, like every other write


def test_the_check_form_opens_with_todays_date_and_the_programmes_by_their_chinese_names(users, login):
    """A type="date" input takes only YYYY-MM-DD (a localised 2026/11/20 would arrive empty), and 救助项目 is a
    choice of the programmes by name, not a code typed in."""
    hh, _ = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1))])
    page = login(users["clerk_a"]).get(f"/verification/households/{hh.pk}/?programme=temp_urgent").content.decode()
    assert 'name="as_of" value="2026-11-20"' in page and "2026/11/20" not in page
    assert '<select name="programme"' in page and ">最低生活保障</option>" in page
    assert '<option value="temp_urgent" selected>' in page
