import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from huimin.core.models import AuditEntry
from huimin.registry import codes
from huimin.registry.models import Household, ImportJob, Person
from tests.registry.conftest import TODAY, VILLAGE_A1, VILLAGE_B1, id_for, row, xlsx

pytestmark = pytest.mark.django_db
B = datetime.date(1958, 4, 4)


@pytest.fixture
def two_towns(household_of):
    mine = household_of(VILLAGE_A1, [("张三", B, 11, codes.HEAD), ("张小", datetime.date(1990, 2, 2), 22, "10")])
    theirs = household_of(VILLAGE_B1, [("孙七", B, 33, codes.HEAD)])
    return mine, theirs


def test_person_of_another_township_is_404_on_page_and_api(two_towns, users, login):
    mine, theirs = two_towns
    client = login(users["clerk_a"])
    assert client.get(f"/registry/persons/{mine.head_id}/").status_code == 200
    assert client.get(f"/registry/persons/{theirs.head_id}/").status_code == 404
    assert client.get(f"/registry/households/{theirs.pk}/").status_code == 404
    response = client.get(f"/api/registry/persons/{theirs.head_id}")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在或不在您的管辖范围内"}
    assert client.get(f"/api/registry/households/{theirs.pk}").status_code == 404
    names = [p["name"] for p in client.get("/api/registry/persons").json()["items"]]
    assert sorted(names) == ["张三", "张小"]


def test_pinyin_initials_find_the_person_and_the_household(two_towns, users, login):
    client = login(users["clerk_a"])
    page = client.get("/registry/persons/?q=zs").content.decode()
    assert "张三" in page and "孙七" not in page
    assert "张三" in client.get("/registry/households/?q=zs").content.decode()
    data = client.get("/api/registry/persons?q=zhangx").json()
    assert [p["name"] for p in data["items"]] == ["张小"]
    data = client.post(
        "/api/registry/persons/search", json.dumps({"q": id_for(B, 11)}), content_type="application/json"
    ).json()
    assert [p["name"] for p in data["items"]] == ["张三"]
    assert data["items"][0]["id_number"].startswith("4117****")


def test_pages_render_for_a_clerk(two_towns, users, login):
    mine, _ = two_towns
    client = login(users["clerk_a"])
    for url in [
        "/registry/persons/",
        "/registry/households/",
        "/registry/households/new/",
        "/registry/duplicates/",
        "/registry/import/",
        f"/registry/households/{mine.pk}/",
        f"/registry/persons/{mine.head_id}/edit/",
    ]:
        assert client.get(url).status_code == 200, url
    for kind in ["birth", "move_in", "new_member", "head_change", "split", "merge", "close"]:
        assert client.get(f"/registry/households/{mine.pk}/event/{kind}/").status_code == 200, kind
    page = client.get(f"/registry/households/{mine.pk}/").content.decode()
    assert "张小" in page and "登记" in page  # members and the timeline


def test_register_household_through_the_page(users, login, regions):
    client = login(users["clerk_a"])
    data = {"region": VILLAGE_A1, "number": "", "address": "一号", "household_type": "family", "on": "2026-01-05",
            "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "20"}  # fmt: skip
    for i, (name, seq, relation) in enumerate([("刘一", 11, "01"), ("刘二", 12, "02")]):
        data.update({f"m-{i}-name": name, f"m-{i}-id_number": id_for(B, seq), f"m-{i}-relation": relation,
                     f"m-{i}-sex": "0", f"m-{i}-ethnicity": "01", f"m-{i}-marital_status": "90",
                     f"m-{i}-labour_ability": "able", f"m-{i}-health": "healthy"})  # fmt: skip
    response = client.post("/registry/households/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    household = Household.objects.get()
    assert household.head.name == "刘一" and household.memberships.count() == 2


def test_death_through_the_page_and_bad_date_is_refused(two_towns, users, login):
    mine, _ = two_towns
    client = login(users["clerk_a"])
    son = Person.objects.get(name="张小")
    response = client.post(f"/registry/persons/{son.pk}/event/death/", {"on": "2999-01-01"})
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    response = client.post(f"/registry/persons/{son.pk}/event/death/", {"on": TODAY.isoformat()})
    assert response.status_code == 302
    son.refresh_from_db()
    assert son.is_deceased


def test_api_create_and_update_with_chinese_errors(users, login, regions):
    client = login(users["clerk_a"])
    payload = {
        "region": VILLAGE_A1,
        "members": [{"relation": "01", "person": {"name": "钱九", "id_number": id_for(B, 77)}}],
    }
    response = client.post("/api/registry/households", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["members"][0]["person"]["sex"] == "1"
    again = client.post("/api/registry/households", json.dumps(payload), content_type="application/json")
    assert again.status_code == 400 and again.json()["message"].startswith("该身份证号已登记")
    bad = {
        "region": VILLAGE_A1,
        "members": [{"relation": "01", "person": {"name": "错", "id_number": "411702195804040000"}}],
    }
    response = client.post("/api/registry/households", json.dumps(bad), content_type="application/json")
    assert response.json()["code"] == "refused" and "校验位错误" in response.json()["message"]
    out = {"region": VILLAGE_B1, "members": payload["members"]}
    assert client.post("/api/registry/households", json.dumps(out), content_type="application/json").status_code == 404
    pk = body["members"][0]["person"]["id"]
    response = client.patch(
        f"/api/registry/persons/{pk}", json.dumps({"health": "chronic"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["health"] == "chronic"
    assert AuditEntry.objects.filter(action="registry.person.update").exists()


def test_api_needs_login_and_csrf(users, client, regions):
    assert client.get("/api/registry/persons").json()["code"] == "unauthenticated"
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["clerk_a"])
    response = strict.post("/api/registry/households", "{}", content_type="application/json")
    assert response.status_code in (401, 403)


def test_export_from_the_list_is_masked_for_an_assistant(two_towns, users, login):
    client = login(users["assistant_a"])
    response = client.get("/registry/persons/?export=xlsx")
    assert response.status_code == 403  # an assistant has no export right
    client = login(users["reviewer_a"])
    sheet = load_workbook(io.BytesIO(client.get("/registry/persons/?export=xlsx&q=zs&full=1").content)).active
    assert list(sheet.values)[1][1] == id_for(B, 11)  # the reviewer may unmask, and asked to


def test_import_flow_through_the_pages(users, login, regions, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = login(users["clerk_a"])
    content = xlsx(
        [row(household_number="P1", relation="户主", name="周一", id_number=id_for(B, 91), region=VILLAGE_A1)]
    )
    upload = io.BytesIO(content)
    upload.name = "t.xlsx"
    response = client.post("/registry/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "checked"
    assert Person.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registry/import/{job.pk}/")
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Person.objects.get().name == "周一"
    bad = io.BytesIO(b"\xd0\xcf\x11\xe0" + bytes(100))
    bad.name = "old.xls"
    client.post("/registry/import/", {"file": bad})
    job = ImportJob.objects.order_by("-id").first()
    assert job.status == "invalid" and "另存为” .xlsx" in job.errors[0][2]
    assert client.get(f"/registry/import/{job.pk}/errors.xlsx").status_code == 200
    other = login(users["clerk_b"])
    assert other.get(f"/registry/import/{job.pk}/").status_code == 404


def test_a_queued_import_says_how_long_it_waited_and_that_no_worker_runs(
    users, login, regions, django_capture_on_commit_callbacks
):
    client = login(users["clerk_a"])
    upload = io.BytesIO(
        xlsx([row(household_number="Q1", relation="户主", name="吴一", id_number=id_for(B, 92), region=VILLAGE_A1)])
    )
    upload.name = "q.xlsx"
    client.post("/registry/import/", {"file": upload})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registry/import/{job.pk}/")  # queued for the worker, which no test process runs
    job.refresh_from_db()
    assert job.status == "queued"
    page = client.get(f"/registry/import/{job.pk}/").content.decode()
    assert 'data-testid="queue-waited">已等待不到 1 分钟' in page
    assert "后台任务进程目前没有运行" in page and "huimin db_worker" not in page


def test_edit_person_through_the_page(two_towns, users, login):
    mine, _ = two_towns
    client = login(users["clerk_a"])
    person = mine.head
    data = {"name": "张三", "id_number": person.id_number, "sex": "0", "ethnicity": "03", "marital_status": "20",
            "labour_ability": "partial", "health": "healthy", "region": VILLAGE_A1, "phone": "13700000000",
            "special_statuses": ["living_alone"]}  # fmt: skip
    response = client.post(f"/registry/persons/{person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (
        person.ethnicity == "03" and person.labour_ability == "partial" and person.special_statuses == ["living_alone"]
    )
    data["region"] = VILLAGE_B1
    response = client.post(f"/registry/persons/{person.pk}/edit/", data)
    assert "区划不存在或不在您的管辖范围内" in response.content.decode()


def test_merge_duplicates_through_the_page(household_of, users, login):
    household_of(VILLAGE_A1, [("王芳", B, None, codes.HEAD)])
    household_of(VILLAGE_A1, [("汪芳", B, 88, codes.HEAD)])
    from huimin.registry.models import DuplicateCandidate

    candidate = DuplicateCandidate.objects.get()
    assert (
        login(users["assistant_a"]).post(f"/registry/duplicates/{candidate.pk}/", {"action": "keep_a"}).status_code
        == 403
    )
    client = login(users["clerk_b"])  # another township: the pair does not exist for them
    assert client.post(f"/registry/duplicates/{candidate.pk}/", {"action": "keep_a"}).status_code == 404
    client = login(users["clerk_a"])
    assert "汪芳" in client.get("/registry/duplicates/").content.decode()
    client.post(f"/registry/duplicates/{candidate.pk}/", {"action": "keep_a"})
    candidate.refresh_from_db()
    candidate.person_b.refresh_from_db()
    assert candidate.status == "merged" and candidate.person_b.merged_into_id == candidate.person_a_id
    second = Household.objects.get(number__endswith="0002")
    assert not second.is_active and second.closed_reason.startswith("重复登记")  # the one-person duplicate household


def test_openapi_schema_is_published(users, login):
    client = login(users["clerk_a"])
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "惠民 API"
    assert "/api/registry/persons" in schema["paths"] and "/api/registry/households" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_head_change_and_split_through_the_pages(two_towns, users, login):
    mine, _ = two_towns
    client = login(users["clerk_a"])
    son = Person.objects.get(name="张小")
    today = TODAY.isoformat()
    url = f"/registry/households/{mine.pk}/event/"
    response = client.post(
        url + "head_change/", {"on": today, "new_head": son.pk, "old_head_relation": "40", "note": "父亲年迈"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.head == son
    response = client.post(url + "split/", {"on": today, "number": "NEW1", f"rel_{son.pk}": "01"})
    assert "原户主不能分出" in response.content.decode()
    father = Person.objects.get(name="张三")
    response = client.post(url + "split/", {"on": today, "number": "NEW1", f"rel_{father.pk}": "01", "note": "分家"})
    assert response.status_code == 302
    new = Household.objects.get(number="NEW1")
    assert new.head == father
    timeline = client.get(f"/registry/persons/{father.pk}/").content.decode()
    assert "分家" in timeline and "登记" in timeline  # the household's events appear on the member's page


def test_other_apps_add_household_panels(two_towns, users, login, monkeypatch):
    from huimin.registry import panels

    mine, _ = two_towns
    monkeypatch.setattr(panels, "_PANELS", [])
    panels.register_fragment("测试面板", "registry:person", capability="data.export")
    panels.register("隐藏面板", "registry/_timeline.html", lambda request, household: None)
    page = login(users["clerk_a"]).get(f"/registry/households/{mine.pk}/").content.decode()
    assert f'hx-get="/registry/persons/{mine.pk}/"' in page and "隐藏面板" not in page
    page = login(users["assistant_a"]).get(f"/registry/households/{mine.pk}/").content.decode()
    assert "测试面板" not in page  # the assistant lacks the panel's capability
