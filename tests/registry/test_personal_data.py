"""Personal data around the masking (issue 15, item 4): the edit form, 残疾人证号, ID searches, cross-region
duplicates, the 台账 import file."""

import datetime
import io
import json
import os
import stat
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from huimin.core import crypto
from huimin.core.models import AuditEntry, Region
from huimin.core.services import ServiceError
from huimin.registry import codes, dedup, excel, imports, services
from huimin.registry.models import ForeignDuplicate, ImportJob, Person
from huimin.registry.services import MemberInput
from tests.registry.conftest import TODAY, VILLAGE_A1, VILLAGE_B1, id_for, row, xlsx

pytestmark = pytest.mark.django_db
B = datetime.date(1958, 4, 4)
PHONE = "13712345678"
ACCOUNT = "6222020200112233445"


@pytest.fixture
def zhang(household_of):
    household = household_of(VILLAGE_A1, [("张三", B, 11, codes.HEAD)])
    person = household.head
    person.phone, person.bank_account, person.bank_name = PHONE, ACCOUNT, "农业银行"
    person.disability_category, person.disability_grade = "4", 2
    person.disability_cert_no = id_for(B, 11) + "42"
    person.save()
    return person


def edit_data(person, **changes) -> dict:
    data = {"name": person.name, "sex": person.sex, "ethnicity": "01", "marital_status": "90",
            "labour_ability": "able", "health": "healthy", "region": person.region_id, "bank_name": "农业银行",
            "disability_category": "4", "disability_grade": "2"}  # fmt: skip
    data.update(changes)
    return data


# --- the edit form ---------------------------------------------------------------------------------------------


def test_edit_form_shows_protected_values_masked_and_never_prefills_them(zhang, users, login):
    reveals = AuditEntry.objects.filter(action="pii.reveal").count()
    for role in ("assistant_a", "clerk_a"):  # an assistant may not unmask; a clerk unmasks only through 查看
        page = login(users[role]).get(f"/registry/persons/{zhang.pk}/edit/").content.decode()
        for secret in (zhang.id_number, PHONE, ACCOUNT, zhang.disability_cert_no):
            assert secret not in page, (role, secret)
        assert "4117**********" + zhang.id_number[-4:] in page and "137****5678" in page
    assert AuditEntry.objects.filter(action="pii.reveal").count() == reveals


def test_edit_form_keeps_protected_values_left_blank_and_replaces_those_typed_in(zhang, users, login):
    client = login(users["assistant_a"])
    response = client.post(f"/registry/persons/{zhang.pk}/edit/", edit_data(zhang, ethnicity="03"))
    assert response.status_code == 302, response.content.decode()[:2000]
    zhang.refresh_from_db()
    assert zhang.ethnicity == "03"
    assert (zhang.id_number, zhang.phone, zhang.bank_account) == (id_for(B, 11), PHONE, ACCOUNT)
    assert zhang.disability_cert_no == id_for(B, 11) + "42"
    response = client.post(f"/registry/persons/{zhang.pk}/edit/", edit_data(zhang, phone="13900001111"))
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.phone == "13900001111" and zhang.bank_account == ACCOUNT


# --- 残疾人证号 ---------------------------------------------------------------------------------------------------


def test_disability_certificate_number_is_encrypted_indexed_masked_and_kept_out_of_the_audit(zhang, users, login):
    cert = id_for(B, 11) + "42"
    with connection.cursor() as cursor:
        cursor.execute("SELECT disability_cert_no FROM registry_person WHERE id = %s", [zhang.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and cert not in stored
    assert Person.objects.filter(**Person.lookup("disability_cert_no", cert)).get() == zhang
    page = login(users["assistant_a"]).get(f"/registry/persons/{zhang.pk}/").content.decode()
    assert cert not in page and "4117**************42" in page
    revealed = login(users["clerk_a"]).post(f"/pii/registry.Person/{zhang.pk}/disability_cert_no/")
    assert cert in revealed.content.decode()  # the audited 查看, as for an ID number
    assert AuditEntry.objects.filter(action="pii.reveal", object_id=str(zhang.pk)).exists()
    services.update_person(users["clerk_a"], zhang, {"disability_cert_no": id_for(B, 11) + "41"})
    entry = AuditEntry.objects.filter(action="registry.person.update").latest("seq")
    text = json.dumps([entry.before, entry.after])
    assert id_for(B, 11) not in text and entry.after["has_disability_cert_no"] is True


def test_migration_encrypts_certificate_numbers_stored_in_clear(zhang):
    cert = id_for(B, 11) + "42"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET disability_cert_no = %s, disability_cert_no_bidx = '' WHERE id = %s",
            [cert, zhang.pk],
        )
    migration = import_module("huimin.registry.migrations.0005_protect_disability_cert_no")
    migration.encrypt_in_place(None, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT disability_cert_no, disability_cert_no_bidx FROM registry_person WHERE id = %s",
                       [zhang.pk])  # fmt: skip
        stored, index = cursor.fetchone()
    assert stored.startswith("v1:") and index == crypto.blind_index("disability_cert_no", cert)
    assert Person.objects.get(pk=zhang.pk).disability_cert_no == cert


# --- ID searches ------------------------------------------------------------------------------------------------


def test_an_id_search_posts_and_the_number_never_stands_in_a_url(zhang, users, login):
    client = login(users["clerk_a"])
    for path in ("/registry/persons/", "/registry/households/"):
        response = client.post(path, {"q": zhang.id_number, "status": ""})
        assert response.status_code == 302 and zhang.id_number not in response.url and "idx=" in response.url
        page = client.get(response.url).content.decode()
        assert "张三" in page and zhang.id_number not in page
        refused = client.get(f"{path}?q={zhang.id_number}").content.decode()
        assert "身份证号不能放在网址中查询" in refused
    assert client.get(f"/api/registry/persons?q={zhang.id_number}").status_code == 400
    assert client.get(f"/api/registry/households?q={zhang.id_number}").status_code == 400
    body = json.dumps({"q": zhang.id_number})
    found = client.post("/api/registry/persons/search", body, content_type="application/json").json()
    assert [p["name"] for p in found["items"]] == ["张三"]
    found = client.post("/api/registry/households/search", body, content_type="application/json").json()
    assert found["count"] == 1


def test_export_asks_for_full_values_and_refuses_them_to_a_role_that_may_not_unmask(zhang, users, login):
    client = login(users["clerk_a"])
    page = client.get("/registry/persons/").content.decode()
    assert "导出完整身份证号等敏感信息" in page
    masked = load_workbook(io.BytesIO(client.get("/registry/persons/?export=xlsx").content)).active
    assert zhang.id_number not in [v for row in masked.values for v in row]
    full = load_workbook(io.BytesIO(client.get("/registry/persons/?export=xlsx&full=1").content)).active
    assert zhang.id_number in [v for row in full.values for v in row]
    statistician = login(users["statistician"])
    assert "导出完整身份证号等敏感信息" not in statistician.get("/registry/persons/").content.decode()
    assert statistician.get("/registry/persons/?export=xlsx&full=1").status_code == 403


# --- cross-region duplicates --------------------------------------------------------------------------------------


def test_a_number_registered_elsewhere_says_only_that_and_goes_to_the_county(zhang, users, login):
    region_b = Region.objects.get(code=VILLAGE_B1)
    member = MemberInput(relation=codes.HEAD, data={"name": "冒名", "id_number": zhang.id_number})
    with pytest.raises(ServiceError) as refused:
        services.register_household(users["clerk_b"], region=region_b, members=[member], on=TODAY)
    assert str(refused.value) == "该身份证号已在其他地区登记，请联系上级民政部门"
    case = ForeignDuplicate.objects.get()  # kept although the registration rolled back
    assert (case.holder, case.region_id, case.name, case.attempted_by) == (zhang, VILLAGE_B1, "冒名", "clerk_b")
    # the county sees it; the holder's township sees who holds it; the other township learns nothing more
    county = login(users["approver"]).get("/registry/duplicates/").content.decode()
    assert "冒名" in county and "跨地区重复登记" in county
    assert "张三" in login(users["clerk_a"]).get("/registry/duplicates/").content.decode()
    theirs = login(users["clerk_b"]).get("/registry/duplicates/").content.decode()
    assert "冒名" in theirs and "张三" not in theirs and "其他地区" in theirs
    # the page and the API say the same; a second attempt is the same open case
    client = login(users["clerk_b"])
    payload = {"region": VILLAGE_B1, "members": [{"relation": "01", "person": {"name": "冒名", "id_number":
                                                                                zhang.id_number}}]}  # fmt: skip
    answer = client.post("/api/registry/households", json.dumps(payload), content_type="application/json").json()
    assert answer["message"] == dedup.REGISTERED_ELSEWHERE and "张三" not in json.dumps(answer, ensure_ascii=False)
    assert ForeignDuplicate.objects.count() == 1
    # a township cannot close it away; the county records how it was resolved
    login(users["clerk_b"]).post(f"/registry/duplicates/elsewhere/{case.pk}/close/", {"note": "不是我们的人"})
    assert ForeignDuplicate.objects.get().status == ForeignDuplicate.Status.OPEN
    county = login(users["approver"])
    county.post(f"/registry/duplicates/elsewhere/{case.pk}/close/", {"note": "已核实：冒用他人身份证号"})
    case.refresh_from_db()
    assert (case.status, case.decided_by) == (ForeignDuplicate.Status.CLOSED, "approver")
    assert "冒名" not in county.get("/registry/duplicates/").content.decode()
    assert AuditEntry.objects.filter(action="registry.duplicate.elsewhere_close").exists()


def test_a_number_registered_in_ones_own_region_still_names_the_holder(zhang, users):
    region = Region.objects.get(code=VILLAGE_A1)
    member = MemberInput(relation=codes.HEAD, data={"name": "张三", "id_number": zhang.id_number})
    with pytest.raises(ServiceError, match="该身份证号已登记：张三"):
        services.register_household(users["clerk_a"], region=region, members=[member], on=TODAY)
    assert not ForeignDuplicate.objects.exists()


def test_the_import_check_does_not_name_a_holder_elsewhere_and_routes_the_row(zhang, users, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = io.BytesIO(xlsx([row(household_number="X1", relation="户主", name="冒名", id_number=zhang.id_number,
                                  region=VILLAGE_B1)]))  # fmt: skip
    upload.name, upload.size = "t.xlsx", len(upload.getvalue())
    upload.chunks = lambda: [upload.getvalue()]
    job = imports.dry_run(users["clerk_b"], upload)
    messages = [m for _, _, m in job.errors]
    assert messages == ["该身份证号已在其他地区登记，请联系上级民政部门"]
    assert ForeignDuplicate.objects.get().source == "台账导入"


# --- the 台账 file ------------------------------------------------------------------------------------------------


def _upload(content: bytes):
    upload = io.BytesIO(content)
    upload.name, upload.size = "台账.xlsx", len(content)
    upload.chunks = lambda: [content]
    return upload


def test_an_import_file_is_private_and_deleted_when_the_import_is_over(
    users, regions, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    good = _upload(xlsx([row(household_number="P1", relation="户主", name="周一", id_number=id_for(B, 91),
                             region=VILLAGE_A1, phone=PHONE)]))  # fmt: skip
    job = imports.dry_run(users["clerk_a"], good)
    path = Path(job.stored_path)
    assert job.status == ImportJob.Status.CHECKED and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    imports.request_commit(users["clerk_a"], job)
    with django_capture_on_commit_callbacks(execute=True):
        imports.commit_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and not path.exists()
    assert not list((tmp_path / "imports").iterdir())


def test_a_refused_import_keeps_an_error_report_without_protected_columns(users, regions, tmp_path, settings, login):
    settings.MEDIA_ROOT = str(tmp_path)
    bad = _upload(xlsx([row(household_number="P1", relation="户主", name="", id_number=id_for(B, 92),
                            region=VILLAGE_A1, phone=PHONE, bank_account=ACCOUNT)]))  # fmt: skip
    job = imports.dry_run(users["clerk_a"], bad)
    assert job.status == ImportJob.Status.INVALID and not Path(job.stored_path).exists()
    response = login(users["clerk_a"]).get(f"/registry/import/{job.pk}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    cells = [str(v) for r in rows for v in r if v is not None]
    assert "姓名：姓名不能为空" in "".join(cells)
    for protected in (id_for(B, 92), PHONE, ACCOUNT, "身份证号", "联系电话", "银行账号", "残疾人证号"):
        assert protected not in rows[0] and protected not in cells, protected
    assert {"身份证号", "联系电话", "银行账号", "残疾人证号"} == excel.PROTECTED_HEADERS


def test_an_upload_left_unconfirmed_expires_and_its_file_goes(users, regions, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.HUIMIN_IMPORT_KEEP_HOURS = 24
    content = xlsx([row(household_number="P1", relation="户主", name="周一", id_number=id_for(B, 93),
                        region=VILLAGE_A1)])  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        job = imports.dry_run(users["clerk_a"], _upload(content))
    assert job.status == ImportJob.Status.CHECKED and Path(job.stored_path).exists()
    later = time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=datetime.UTC), tick=False)
    with later, pytest.raises(ServiceError, match="已过期未确认"):
        imports.request_commit(users["clerk_a"], job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.EXPIRED and not Path(job.stored_path).exists()
