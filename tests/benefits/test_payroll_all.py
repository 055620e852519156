"""One monthly payroll for every allowance: 低保, 特困 and the two disability subsidies (and any allowance added
later as data) in one county month, each line tagged by programme and fund, per-programme totals, both bank file
formats, the portal and the 资金发放 report."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huimin.assistance.models import Programme
from huimin.benefits import bank, funds, portal, services
from huimin.benefits.models import BankBatch, Payment, PayrollLine, ProgrammeFund
from huimin.core.access import NotInScope
from huimin.core.models import AuditEntry, Region
from huimin.core.services import ServiceError
from tests.benefits.conftest import enrol_person, lock_month
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1
from tests.portal.conftest import sms  # noqa: F401 - the portal's SMS fixture, for the resident's page

pytestmark = pytest.mark.django_db

MAR, APR = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
COLUMNS = [{"field": "account", "header": "账号"}, {"field": "name", "header": "户名"},
           {"field": "amount", "header": "金额"}, {"field": "reference", "header": "流水号"},
           {"field": "programme", "header": "项目"}]  # fmt: skip
NAMES = {"dibao": "最低生活保障", "disability_living": "困难残疾人生活补贴", "severe_care": "重度残疾人护理补贴"}


@pytest.fixture
def mixed(users, enrol, subsidies):
    """A 低保 household whose head also receives both subsidies, another 低保 household, and a person with only
    the 护理补贴 (in a household enrolled in nothing else)."""
    both = enrol(amount="600.00", members=2, account="6222020200112233401")
    head = both.persons[0]
    living = enrol_person(users, head, programme="disability_living", amount="90.00")
    care = enrol_person(users, head, programme="severe_care", amount="110.00")
    plain = enrol(amount="450.00", account="6222020200112233402")
    alone = enrol(amount="300.00", account="6222020200112233403")
    only_care = enrol_person(users, alone.persons[0], programme="severe_care", amount="110.00")
    return {"both": both, "head": head, "living": living, "care": care, "plain": plain, "alone": alone,
            "only_care": only_care}  # fmt: skip


def _build(users, month=MAR):
    return services.build(users["approver"], region_code=COUNTY, month=month)


def _fund(code):
    return ProgrammeFund.objects.get(programme__code=code, region=None)


def test_one_line_per_allowance_each_tagged_with_its_programme_and_fund(users, mixed):
    payroll = _build(users)
    lines = PayrollLine.objects.filter(payroll=payroll, payee=mixed["head"]).order_by("programme_code")
    assert [(ln.programme_code, ln.amount, ln.fund.fund_name) for ln in lines] == [
        ("dibao", Decimal("600.00"), "困难群众救助补助资金"),
        ("disability_living", Decimal("90.00"), "残疾人两项补贴资金"),
        ("severe_care", Decimal("110.00"), "残疾人两项补贴资金"),
    ]
    assert {ln.enrolment_id for ln in lines} == {mixed["both"].pk, mixed["living"].pk, mixed["care"].pk}
    assert payroll.line_count == 6 and payroll.total == Decimal("1660.00")


def test_per_programme_totals_are_kept_with_the_month_and_shown(users, mixed):
    payroll = _build(users)
    totals = {r["programme"]: (r["fund"], r["count"], r["total"]) for r in funds.month_totals(payroll)}
    assert totals == {
        "最低生活保障": ("困难群众救助补助资金", 3, Decimal("1350.00")),
        "困难残疾人生活补贴": ("残疾人两项补贴资金", 1, Decimal("90.00")),
        "重度残疾人护理补贴": ("残疾人两项补贴资金", 2, Decimal("220.00")),
    }
    assert sum(t[2] for t in totals.values()) == payroll.total
    stored = {(t["programme"], t["kind"]): (t["count"], t["cents"]) for t in payroll.programme_totals}
    assert stored == {("dibao", "regular"): (3, 135000), ("disability_living", "regular"): (1, 9000),
                      ("severe_care", "regular"): (2, 22000)}  # fmt: skip


def test_a_subsidy_starting_in_the_month_built_is_paid_one_starting_the_month_after_is_not_yet(users, enrol, subsidies):
    person = enrol(amount="500.00").persons[0]
    now = enrol_person(users, person, programme="disability_living", amount="90.00", start=MAR)
    later = enrol_person(users, person, programme="severe_care", amount="110.00", start=APR)
    march = _build(users, MAR)
    assert set(PayrollLine.objects.filter(payroll=march).values_list("enrolment_id", flat=True)) >= {now.pk}
    assert not PayrollLine.objects.filter(payroll=march, enrolment=later).exists()
    lock_month(users, march)
    april = _build(users, APR)
    paid = dict(PayrollLine.objects.filter(payroll=april, payee=person).values_list("programme_code", "amount"))
    assert paid == {"dibao": Decimal("500.00"), "disability_living": Decimal("90.00"),
                    "severe_care": Decimal("110.00")}  # fmt: skip
    # nothing paid twice: March's subsidy is not paid again in April's arrears
    assert not PayrollLine.objects.filter(payroll=april, enrolment=now, service_month=MAR).exists()


def test_an_allowance_added_later_plugs_in_as_data(users, enrol, login):
    """A new allowance (百岁老人长寿补贴): a programme and a 发放项目与资金来源 row, no code. Without the row its
    enrolments are left out and the month page says so, naming the page and who configures it."""
    aged = Programme.objects.create(
        code="centenarian_bonus", name="百岁老人长寿补贴", kind="aged", scope="person", sort=70
    )
    person = enrol(amount="400.00").persons[0]
    enrolment = enrol_person(users, person, programme="centenarian_bonus", amount="100.00")
    payroll = _build(users)
    assert not PayrollLine.objects.filter(payroll=payroll, enrolment=enrolment).exists()
    page = login(users["approver"]).get(reverse("benefits:payroll_detail", args=[payroll.pk])).content.decode()
    assert "百岁老人长寿补贴（1 条在保记录）" in page and "发放项目与资金来源" in page and "审批人员" in page

    funds.add_fund(users["approver"], programme_code=aged.code, region_code=COUNTY, fund_name="长寿补贴资金",
                   effective_from=datetime.date(2026, 1, 1), shares={"county_share": "100"})  # fmt: skip
    payroll = _build(users)
    line = PayrollLine.objects.get(payroll=payroll, enrolment=enrolment)
    assert line.amount == Decimal("100.00") and line.fund.fund_name == "长寿补贴资金"
    assert AuditEntry.objects.filter(action="benefits.fund.add").count() == 1


def test_the_fund_row_in_force_is_the_most_specific_then_the_latest(users, mixed):
    county_row = funds.add_fund(
        users["approver"], programme_code="dibao", region_code=COUNTY, fund_name="困难群众救助补助资金（县级配套）",
        effective_from=APR, shares={"central_share": "60", "province_share": "20", "city_share": "10",
                                    "county_share": "10"},
    )  # fmt: skip
    march = _build(users, MAR)  # the county's row is not in force yet: the national one
    assert set(PayrollLine.objects.filter(payroll=march, programme_code="dibao").values_list("fund", flat=True)) == {
        _fund("dibao").pk
    }
    lock_month(users, march)
    april = _build(users, APR)
    assert set(PayrollLine.objects.filter(payroll=april, programme_code="dibao").values_list("fund", flat=True)) == {
        county_row.pk
    }
    dibao = next(r for r in funds.month_totals(april) if r["code"] == "dibao")
    assert dibao["shares"] == [("中央财政", Decimal("60.00"), Decimal("810.00")),
                               ("省级财政", Decimal("20.00"), Decimal("270.00")),
                               ("市级财政", Decimal("10.00"), Decimal("135.00")),
                               ("县级财政", Decimal("10.00"), Decimal("135.00"))]  # fmt: skip


def test_a_township_row_tags_only_that_townships_lines(users, enrol, subsidies):
    elsewhere = enrol(amount="300.00", region="411702002001")
    here = enrol(amount="300.00", region=VILLAGE_A1)
    town = funds.add_fund(users["approver"], programme_code="dibao", region_code="411702001000",
                          fund_name="乡镇配套资金", effective_from=datetime.date(2026, 1, 1))  # fmt: skip
    payroll = _build(users)
    tags = dict(PayrollLine.objects.filter(payroll=payroll).values_list("enrolment_id", "fund_id"))
    assert tags == {here.pk: town.pk, elsewhere.pk: _fund("dibao").pk}


def test_fund_rows_refuse_bad_input_and_write_nothing(users, subsidies):
    def add(**kw):
        args = {"programme_code": "severe_care", "region_code": COUNTY, "fund_name": "资金",
                "effective_from": datetime.date(2026, 1, 1)} | kw  # fmt: skip
        return funds.add_fund(users["approver"], **args)

    before = ProgrammeFund.objects.count()
    with pytest.raises(ServiceError, match="合计须为 100%，现为 90"):
        add(shares={"central_share": "50", "county_share": "40"})
    with pytest.raises(ServiceError, match="0 至 100"):
        add(shares={"central_share": "abc"})
    with pytest.raises(ServiceError, match="一次性救助，不按月发放"):
        add(programme_code="temp_urgent")
    with pytest.raises(ServiceError, match="请选择救助项目"):
        add(programme_code="nonexistent")
    with pytest.raises(ServiceError, match="请填写资金来源"):
        add(fund_name="  ")
    with pytest.raises(ServiceError, match="失效日期不能早于生效日期"):
        add(effective_to=datetime.date(2025, 1, 1))
    with pytest.raises(NotInScope):
        add(region_code=OTHER_COUNTY)
    assert ProgrammeFund.objects.count() == before
    assert add(shares={"central_share": "50", "county_share": "50"}).shares() == [
        ("中央财政", Decimal("50.00")), ("县级财政", Decimal("50.00"))
    ]  # fmt: skip


# --- bank files: combined or one per programme ---------------------------------------------------------------------


def _template(users, split):
    name = "分项目" if split else "合并"
    return bank.create_template(users["approver"], name=name, bank_name="邮储银行", region_code=COUNTY,
                                format="csv", columns=COLUMNS, split_by_programme=split)  # fmt: skip


def _rows(content: bytes):
    return list(csv.reader(io.StringIO(content.decode())))[1:]


def test_combined_bank_file_pays_every_programme_in_one_batch(users, mixed):
    payroll = lock_month(users, _build(users))
    name, content, batches = bank.export_files(users["approver"], payroll, _template(users, split=False))
    rows = _rows(content)
    assert name.endswith(".csv") and len(batches) == 1 and batches[0].programme_code == ""
    assert len(rows) == 6 and batches[0].count == 6 and batches[0].total == Decimal("1660.00")
    head = sorted((r[4], r[2]) for r in rows if r[0] == "6222020200112233401")
    assert head == [("困难残疾人生活补贴", "90.00"), ("最低生活保障", "600.00"), ("重度残疾人护理补贴", "110.00")]
    assert len({r[3] for r in rows}) == 6  # a reference per line
    assert Payment.objects.filter(batch=batches[0]).count() == 6


def test_split_bank_files_one_file_and_batch_per_programme_then_a_retry_per_programme(users, mixed):
    payroll = lock_month(users, _build(users))
    template = _template(users, split=True)
    name, content, batches = bank.export_files(users["approver"], payroll, template)
    assert name.endswith("分项目.zip")
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {n.split("-")[3]: _rows(archive.read(n)) for n in archive.namelist()}
    assert set(files) == {"dibao", "disability_living", "severe_care"}
    for code, rows in files.items():
        assert {r[4] for r in rows} == {NAMES[code]}  # only its own programme's lines
    assert sorted(r[2] for r in files["severe_care"]) == ["110.00", "110.00"]
    assert [r[2] for r in files["disability_living"]] == ["90.00"]
    by_code = {b.programme_code: b for b in batches}
    assert {c: (b.count, b.total) for c, b in by_code.items()} == {
        "dibao": (3, Decimal("1350.00")), "disability_living": (1, Decimal("90.00")),
        "severe_care": (2, Decimal("220.00"))}  # fmt: skip
    for code, batch in by_code.items():
        assert set(Payment.objects.filter(batch=batch).values_list("line__programme_code", flat=True)) == {code}
    assert AuditEntry.objects.filter(action="benefits.bank.export").count() == 3
    with pytest.raises(ServiceError, match="没有尚未报盘"):  # every line sent once
        bank.export_files(users["approver"], payroll, template)
    # the 护理补贴 bank refuses one payment: the retry is a 护理补贴 file and batch only
    care = by_code["severe_care"]
    refs = list(Payment.objects.filter(batch=care).order_by("id").values_list("reference", flat=True))
    answer = f"流水号,结果,原因\r\n{refs[0]},失败,账户冻结\r\n{refs[1]},成功,\r\n"
    bank.import_return(users["approver"], care, "r.csv", answer.encode())
    _, content, retry = bank.export_files(users["approver"], payroll, template, retry=True)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert [b.programme_code for b in retry] == ["severe_care"] and retry[0].is_retry and retry[0].count == 1
    assert len(archive.namelist()) == 1 and [r[2] for r in _rows(archive.read(archive.namelist()[0]))] == ["110.00"]


def test_a_refused_split_export_writes_no_batch(users, mixed):
    mixed["alone"].persons[0].__class__.objects.filter(pk=mixed["alone"].persons[0].pk).update(bank_account="")
    payroll = _build(users)  # the line carries the account as built: none
    payroll = lock_month(users, payroll)
    with pytest.raises(ServiceError, match="没有银行账号"):
        bank.export_files(users["approver"], payroll, _template(users, split=True))
    assert not BankBatch.objects.exists() and not Payment.objects.exists()


# --- the portal ----------------------------------------------------------------------------------------------------


def test_the_portal_shows_each_allowance_by_name(users, mixed, client, sms):  # noqa: F811
    from tests.portal.test_portal import verify

    payroll = lock_month(users, _build(users))
    bank.export_files(users["approver"], payroll, _template(users, split=True))
    rows = portal.payments_for(mixed["head"])
    assert sorted((r["programme"], r["amount"]) for r in rows) == [
        ("困难残疾人生活补贴", Decimal("90.00")), ("最低生活保障", Decimal("600.00")),
        ("重度残疾人护理补贴", Decimal("110.00"))]  # fmt: skip
    head = mixed["head"]
    verify(client, sms, head.name, head.id_number, "13900139000")
    page = client.get("/portal/me/").content.decode()
    for label, amount in (
        ("最低生活保障", "600.00"),
        ("困难残疾人生活补贴", "90.00"),
        ("重度残疾人护理补贴", "110.00"),
    ):
        assert label in page and amount in page
    assert "450.00" not in page  # another household's


# --- the pages -----------------------------------------------------------------------------------------------------


def test_month_page_and_export_show_the_totals_and_which_bank_format_is_in_force(users, mixed, login):
    payroll = _build(users)
    _template(users, split=True)
    client = login(users["approver"])
    page = client.get(reverse("benefits:payroll_detail", args=[payroll.pk])).content.decode()
    assert "分项目合计" in page and "重度残疾人护理补贴" in page and "残疾人两项补贴资金" in page
    assert "220.00" in page and "1,660.00" in page
    filtered = client.get(reverse("benefits:payroll_detail", args=[payroll.pk]), {"programme": "severe_care"})
    assert len(filtered.context["page"].object_list) == 2
    workbook = load_workbook(io.BytesIO(client.get(reverse("benefits:payroll_lines_export", args=[payroll.pk]))
                                        .content))  # fmt: skip
    lines = list(workbook["发放明细"].iter_rows(values_only=True))
    assert lines[0][7:9] == ("救助项目", "资金来源") and {r[7] for r in lines[1:]} == set(NAMES.values())
    totals = list(workbook["分项目合计"].iter_rows(values_only=True))
    assert totals[1][:4] == ("最低生活保障", "困难群众救助补助资金", 3, 1350)
    assert totals[-1][:4] == ("合计", None, 6, 1660)
    lock_month(users, payroll)
    page = client.get(reverse("benefits:payroll_detail", args=[payroll.pk])).content.decode()
    assert "分项目——按项目分别报盘" in page and "代发模板" in page and "办理代发" in page


def test_the_funds_page_lists_and_adds_rows(users, subsidies, login):
    client = login(users["approver"])
    page = client.get(reverse("benefits:funds")).content.decode()
    assert "重度残疾人护理补贴" in page and "残疾人两项补贴资金" in page and "全国" in page
    form = {"programme": "severe_care", "region": COUNTY, "fund_name": "县两项补贴", "effective_from": "2026-01-01",
            "central_share": "30", "county_share": "60"}  # fmt: skip
    r = client.post(reverse("benefits:fund_add"), form)
    assert r.status_code == 302 and not ProgrammeFund.objects.filter(fund_name="县两项补贴").exists()
    assert "合计须为 100%" in client.get(reverse("benefits:funds")).content.decode()


# --- the 资金发放 report (statistics) ------------------------------------------------------------------------------


def test_the_disbursement_report_by_programme_and_fund_for_a_range(users, mixed, login):
    from huimin.stats import disbursement

    funds.add_fund(
        users["approver"],
        programme_code="severe_care",
        region_code=COUNTY,
        fund_name="残疾人两项补贴资金",
        effective_from=datetime.date(2026, 1, 1),
        shares={"province_share": "50", "county_share": "50"},
    )
    march = lock_month(users, _build(users, MAR))
    april = _build(users, APR)  # a draft: not counted
    region = march.region
    data = disbursement.report(region, MAR, MAR)
    rows = {(r["programme"], r["fund"]): (r["count"], r["total"], r["levels"]) for r in data["rows"]}
    assert rows[("重度残疾人护理补贴", "残疾人两项补贴资金")] == (
        2, Decimal("220.00"), {"中央财政": None, "省级财政": Decimal("110.00"), "市级财政": None,
                               "县级财政": Decimal("110.00")})  # fmt: skip
    assert rows[("最低生活保障", "困难群众救助补助资金")][:2] == (3, Decimal("1350.00"))
    assert data["total"] == Decimal("1660.00") and data["count"] == 6
    assert disbursement.report(region, APR, APR)["rows"] == []  # April is not locked
    lock_month(users, april)
    assert disbursement.report(region, MAR, APR)["total"] == Decimal("3320.00")
    assert disbursement.report(region, APR, APR)["total"] == Decimal("1660.00")

    client = login(users["approver"])
    page = client.get(reverse("stats:funds"), {"from": "2026-03", "to": "2026-04"}).content.decode()
    assert "重度残疾人护理补贴" in page and "3,320.00" in page and "2026年03月至2026年04月" in page
    workbook = load_workbook(io.BytesIO(client.get(reverse("stats:funds_xlsx"), {"from": "2026-03", "to": "2026-03"})
                                        .content))  # fmt: skip
    cells = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    assert cells[0][0] == "资金发放统计表" and "统计期：2026年03月" in cells[2][0]
    header = cells[3]
    care = next(r for r in cells if r[2] == "重度残疾人护理补贴" and r[0] != "小计")
    assert care[header.index("合计（元）")] == 220 and care[header.index("省级财政（元）")] == 110
    assert cells[-1][0] == "合计" and cells[-1][header.index("合计（元）")] == 1660
    bad = client.get(reverse("stats:funds"), {"from": "2026-05", "to": "2026-03"}, follow=True).content.decode()
    assert "起始月份不能晚于截止月份" in bad


def test_a_townships_disbursement_counts_its_own_lines_and_none_of_the_next_townships(users, enrol):
    """A township's payroll lines are read as the range of its codes (core.scope.subtree): 411702009's ends where
    411702010's begins (41170201), so the lines of the neighbour whose code is the next number stay out of it."""
    from huimin.stats import disbursement

    county = Region.objects.get(code=COUNTY)
    for town in ("411702009", "411702010"):
        Region.objects.create(code=f"{town}000", name=f"{town[6:]}镇", level=4, parent=county)
        Region.objects.create(code=f"{town}001", name=f"{town[6:]}村", level=5, parent_id=f"{town}000")
    enrol(amount="410.00", region="411702009001", account="6222020200112233411")
    enrol(amount="520.00", region="411702010001", account="6222020200112233412")
    enrol(amount="630.00", account="6222020200112233413")  # township 411702001
    lock_month(users, _build(users, MAR))

    def paid(code):
        data = disbursement.report(Region.objects.get(code=code), MAR, MAR)
        return data["count"], data["total"]

    assert paid("411702009000") == (1, Decimal("410.00"))
    assert paid("411702010000") == (1, Decimal("520.00"))
    assert paid(COUNTY) == (3, Decimal("1560.00"))


def test_the_old_report_address_leads_to_the_statistics(users, login):
    r = login(users["approver"]).get(reverse("benefits:report"), {"from": "2026-03"})
    assert r.status_code == 302 and r.url == reverse("stats:funds") + "?from=2026-03"


def test_the_recoveries_of_a_township_are_its_own_not_its_numeric_neighbours(users, login, enrol):
    """A township whose code ends in 0 (411702010) is not a prefix of its neighbours' (411702011): the list of
    recoveries filtered by it holds its own only."""
    from huimin.benefits.models import Recovery

    county = Region.objects.get(code=COUNTY)
    for town, village in (("411702010000", "411702010001"), ("411702011000", "411702011001")):
        parent = Region.objects.create(code=town, name=f"镇{town[6:9]}", level=4, parent=county)
        Region.objects.create(code=village, name=f"村{town[6:9]}", level=5, parent=parent, urban_rural_code="220")
        enrolment = enrol(region=village)
        Recovery.objects.create(enrolment=enrolment, region_id=village, programme_code="dibao",
                                payee=enrolment.persons[0], reason="death", from_month=datetime.date(2026, 3, 1),
                                total="500.00")  # fmt: skip
    approver = login(users["approver"])
    own = approver.get(reverse("benefits:recoveries"), {"region": "411702010000"}).content.decode()
    assert "村010" in own and "村011" not in own
    both = approver.get(reverse("benefits:recoveries"), {"region": "4117020"}).content.decode()
    assert "村010" in both and "村011" in both  # a prefix as typed
