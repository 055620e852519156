"""The 社会组织 pages as their users meet them: an organisation signs in with the password its authority issued and
files its report; staff pages list, filter, export; the public credit page; a volunteer's certificate."""

import datetime
import re

from django.urls import reverse

from huimin.orgs import services
from huimin.orgs.models import AnnualReport, CreditEntry
from huimin.registry import idnumbers
from tests.conftest import VILLAGE_A1
from tests.orgs.conftest import make_org

FIGURES = {"income": "120000", "expenditure": "100000", "net_assets": "50000", "staff": "3", "activities": "年会"}


def test_an_organisation_files_its_report_with_the_issued_password(client, staff, org):
    client.force_login(staff["clerk"])
    page = client.post(reverse("orgs:portal_password", args=[org.pk]), follow=True).content.decode()
    password = re.search(r"新的年报填报密码：([0-9A-F-]{14})", page).group(1)
    client.logout()
    wrong = client.post(reverse("orgs:portal_login"), {"credit_code": org.credit_code, "password": "0000-0000-0000"})
    assert wrong.status_code == 400 and "统一社会信用代码或年报填报密码不正确" in wrong.content.decode()
    assert client.get(reverse("orgs:portal_home")).url == reverse("orgs:portal_login")
    ok = client.post(reverse("orgs:portal_login"), {"credit_code": org.credit_code.lower(), "password": password})
    assert ok.url == reverse("orgs:portal_home")
    home = client.get(reverse("orgs:portal_home")).content.decode()
    assert "2025" in home and "填报" in home
    refused = client.post(reverse("orgs:portal_report", args=[2025]), FIGURES | {"income": "一万"})
    assert "年度总收入（元）须为数字" in refused.content.decode() and not AnnualReport.objects.exists()
    client.post(reverse("orgs:portal_report", args=[2025]), FIGURES)
    report = AnnualReport.objects.get(org=org, year=2025)
    assert report.status == "filed" and report.data["income"] == "120000.00"
    assert "已报送，待初审" in client.get(reverse("orgs:portal_home")).content.decode()


def test_staff_pages_list_filter_and_export(client, staff, org):
    make_org(name="驿城区慈善总会", is_charity=True, charity_on=datetime.date(2021, 1, 1))
    client.force_login(staff["approver"])
    listing = client.get(reverse("orgs:list"), {"charity": "1"}).content.decode()
    assert "驿城区慈善总会" in listing and org.name not in listing
    export = client.get(reverse("orgs:list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    for name in ("orgs:filings", "orgs:reports", "orgs:non_filers", "orgs:credit", "orgs:activities", "orgs:stations",
                 "orgs:stats", "orgs:filing_new"):  # fmt: skip
        assert client.get(reverse(name)).status_code == 200, name
    stats = client.get(reverse("orgs:stats"), {"year": "2025"}).content.decode()
    assert "未达标" in stats  # neither organisation has filed its 2025 report


def test_the_public_credit_page_lists_the_serious_list_without_login(client, staff, org):
    services.enter_credit(staff["approver"], org.pk, "serious_penalty", "2026-07-10", "驿民罚〔2026〕3号")
    page = client.get(reverse("orgs:public_credit")).content.decode()
    assert org.name in page and org.credit_code in page and "受到限期停止活动" in page
    assert org.name not in client.get(reverse("orgs:public_credit"), {"list": "abnormal"}).content.decode()
    assert CreditEntry.objects.count() == 1


def test_a_volunteers_certificate_counts_confirmed_hours_only(client, staff, org):
    v = services.register_volunteer(
        staff["clerk"], org.pk, "赵六", idnumbers.make("411702", datetime.date(1990, 1, 1), 21), "", VILLAGE_A1
    )
    a = services.add_activity(staff["clerk"], org.pk, "敬老院探访", "2026-07-12", VILLAGE_A1)
    services.record_hours(staff["clerk"], a.pk, v.pk, "3.5")
    client.force_login(staff["approver"])
    response = client.get(reverse("orgs:volunteer_certificate", args=[v.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    services.confirm_hours(staff["clerk2"], a.pk)
    assert services.confirmed_hours(v) == 3.5
