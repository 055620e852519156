import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from huimin.assistance import services
from huimin.assistance.models import Application, Stage
from huimin.core.models import AuditEntry
from huimin.core.spreadsheets import safe_cell
from tests.assistance.conftest import apply, approve, end_publicity, walk
from tests.clock import at


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_public_board_masks_names_and_takes_objections(client, users, make_household):
    household, people = make_household(names=("张三丰", "李四"))
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    page = client.get(reverse("assistance:public_publicity")).content.decode()
    assert "张*丰" in page and "张三丰" not in page
    assert people[0].id_number not in page and people[0].id_number[-4:] in page
    url = reverse("assistance:public_objection", args=[app.public_token])
    response = client.post(url, {"content": ""})
    assert response.status_code == 400 and "请填写异议内容" in response.content.decode()
    assert not app.objections.exists()
    response = client.post(url, {"content": "该户在城区有门面房出租"})
    assert "您的异议已收到" in response.content.decode()
    assert app.objections.get().content == "该户在城区有门面房出租"


def test_public_objections_are_limited_in_size_and_per_address(client, users, make_household, settings):
    settings.HUIMIN_OBJECTIONS_PER_IP_PER_HOUR = 4  # refused attempts count too
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    url = reverse("assistance:public_objection", args=[app.public_token])
    response = client.post(url, {"content": "有" * (services.OBJECTION_MAX_CHARS + 1)})
    assert response.status_code == 400 and "异议内容过长，请控制在 2000 字以内" in response.content.decode()
    response = client.post(url, {"content": "该户有车", "contact": "1" * 51})
    assert response.status_code == 400 and "联系方式过长" in response.content.decode()
    assert not app.objections.exists()
    huge = client.post(url, {"content": "有" * 30_000})  # larger than the form sends; refused before it is read
    assert huge.status_code == 400 and "提交的内容过多" in huge.content.decode()
    for text in ("该户有一辆轿车", "该户在城区有门面房"):
        assert "您的异议已收到" in client.post(url, {"content": text, "submitter": "村民"}).content.decode()
    for _ in range(2):
        response = client.post(url, {"content": "第三条异议"})
        assert response.status_code == 429 and services.OBJECTION_RATE_MESSAGE in response.content.decode()
    assert sorted(app.objections.values_list("content", flat=True)) == ["该户在城区有门面房", "该户有一辆轿车"]
    assert AuditEntry.objects.filter(action="assistance.objection.submit").count() == 2
    throttled = AuditEntry.objects.filter(action="assistance.objection.throttled")
    assert throttled.count() == 1 and throttled.get().ip == "127.0.0.1"  # the first refusal of the hour
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert "您的异议已收到" in other.post(url, {"content": "第三条异议"}).content.decode()


def test_flow_through_pages_and_bad_input_message(login, users, make_household):
    household, people = make_household()
    client = login(users["clerk_a"])
    response = client.post(
        reverse("assistance:application_create"),
        {"household": household.number, "programme": 1, "applicant": people[0].pk, "channel": "window", "reason": ""},
        follow=True,
    )
    assert "请填写申请理由" in response.content.decode()
    assert not Application.objects.exists()
    app = apply(users, household, people, documents=["application"])
    response = client.post(reverse("assistance:application_act", args=[app.pk, "accept"]), follow=True)
    assert "申请材料不齐，不能受理" in response.content.decode()
    assert Application.objects.get(pk=app.pk).stage == Stage.ACCEPT


def test_other_township_gets_404(login, users, make_household):
    household, people = make_household()
    app = apply(users, household, people)
    client = login(users["clerk_b"])
    assert client.get(reverse("assistance:application_detail", args=[app.pk])).status_code == 404
    assert client.get(reverse("assistance:household", args=[household.pk])).status_code == 404
    assert client.post(reverse("assistance:application_act", args=[app.pk, "accept"])).status_code == 404
    assert Application.objects.get(pk=app.pk).stage == Stage.ACCEPT


def test_approval_form_pdf_contains_the_applicant(login, users, make_household):
    household, people = make_household(names=("欧阳明", "李四"))
    app = approve(users["approver"], end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY)))
    client = login(users["approver"])
    for form in ("application", "visit", "approval", "decision"):
        response = client.get(reverse("assistance:application_pdf", args=[app.pk, form]))
        assert response["Content-Type"] == "application/pdf", form
        text = pdf_text(response.content)
        assert "欧阳明" in text, form
    assert "630.00" in pdf_text(client.get(reverse("assistance:application_pdf", args=[app.pk, "approval"])).content)


def test_refusal_notice_pdf(login, users, make_household):
    household, people = make_household()
    app = services.not_accept(users["clerk_a"], apply(users, household, people), "申请人不属于本乡镇常住人口")
    text = pdf_text(
        login(users["clerk_a"]).get(reverse("assistance:application_pdf", args=[app.pk, "decision"])).content
    )
    assert "不予受理通知书" in text and "常住人口" in text


def test_lists_and_excel_export_neutralise_formulas(login, users, make_household):
    household, people = make_household(names=("=HYPERLINK(1)", "李四"))
    apply(users, household, people)
    client = login(users["clerk_a"])
    for name in ("applications", "deadlines", "publicity", "enrolments", "reviews_due", "relatives", "delegations"):
        assert client.get(reverse(f"assistance:{name}")).status_code == 200, name
    response = client.get(reverse("assistance:applications") + "?stage=open&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "申请编号" and rows[1][2] == "'=HYPERLINK(1)"
    assert safe_cell("+1") == "'+1" and safe_cell("@x") == "'@x" and safe_cell("-") == "'-" and safe_cell(5) == 5


def test_export_needs_the_export_capability(login, users):
    client = login(users["assistant_a"])  # 协理员 may view but not export
    assert client.get(reverse("assistance:applications") + "?export=xlsx").status_code == 404


@at(2026, 11, 23)
def test_deadline_list_shows_overdue_per_township(login, users, make_household):
    import datetime

    household, people = make_household()
    app = apply(users, household, people)
    Application.objects.filter(pk=app.pk).update(stage_due_on=datetime.date(2026, 11, 2))
    page = login(users["approver"]).get(reverse("assistance:deadlines") + "?kind=overdue").content.decode()
    assert app.number in page and "顺河街道" in page and "超期" in page


def test_household_panel_lists_the_enrolment(login, users, make_household):
    household, people = make_household()
    approve(users["approver"], end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY)))
    page = login(users["clerk_a"]).get(reverse("assistance:household_panel", args=[household.pk])).content.decode()
    assert "最低生活保障" in page and "630.00 元" in page and "在保" in page


@pytest.mark.parametrize("user", ["clerk_a", "approver"])
def test_near_relative_page_declares(login, users, make_household, user):
    household, people = make_household()
    client = login(users[user])
    response = client.post(reverse("assistance:relatives"), {"id_number": people[0].id_number, "relation": "父亲"})
    assert response.status_code == 302
    page = client.get(reverse("assistance:relatives")).content.decode()
    assert people[0].name in page


@at(2026, 11, 23)
def test_visit_photos_are_uploaded_and_served_only_in_scope(login, users, make_household, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.VISIT)
    client = login(users["clerk_a"])
    url = reverse("assistance:application_act", args=[app.pk, "record_visit"])
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    form = {"visit_date": "2026-11-23", "visitors": "王五、赵六", "findings": "家徒四壁"}
    page = client.post(url, {**form, "photos": [bad]}, follow=True).content.decode()
    assert "只能上传 PDF、JPG 或 PNG 文件" in page and not app.visits.exists()
    photo = SimpleUploadedFile("room.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png")
    client.post(url, {**form, "photos": [photo]})
    visit = app.visits.get()
    photo_url = reverse("assistance:application_file", args=[app.pk, "photo", visit.photos.get().pk])
    response = client.get(photo_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert login(users["clerk_b"]).get(photo_url).status_code == 404
