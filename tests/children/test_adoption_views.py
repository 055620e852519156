"""The 收养 and 家庭寄养 pages by posts (the browser walks are tests/e2e/test_day_adoption.py): bad input gets a
Chinese message and writes nothing; the lists show what the user may see."""

import datetime

import pytest
from django.urls import reverse

from huimin.children.models import Adoption, FamilyAssessmentItem, FosterFamily
from tests.children.conftest import make_person
from tests.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db


def test_the_application_form_refuses_bad_input_and_keeps_it(client, staff):
    child = make_person(VILLAGE_A1, datetime.date(2022, 1, 1))
    adopter = make_person(VILLAGE_A1, datetime.date(1985, 1, 1))
    client.force_login(staff["supervisor"])
    assert client.get(reverse("children:adoption_apply")).status_code == 200
    form = {"child_id_number": child.id_number, "adopter_id_number": adopter.id_number, "situation": "hardship",
            "sender": "parents", "sender_name": "", "existing_children": "0"}  # fmt: skip
    bad = client.post(reverse("children:adoption_apply"), form)
    assert bad.status_code == 400 and "请填写送养人名称" in bad.content.decode()
    assert child.id_number in bad.content.decode() and not Adoption.objects.exists()
    unknown = client.post(reverse("children:adoption_apply"), form | {"adopter_id_number": "411702198501019999"})
    assert unknown.status_code == 400 and "未找到该身份证号的人员" in unknown.content.decode()
    ok = client.post(reverse("children:adoption_apply"), form | {"sender_name": "生父母"})
    adoption = Adoption.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("children:adoption", args=[adoption.pk])
    page = client.get(ok.url)
    assert page.status_code == 200 and "收养评估" in page.content.decode()
    # an assessment with an item left unanswered: the item is named, nothing changes
    items = {f"item_{i.code}": "1" for i in FamilyAssessmentItem.objects.filter(kind="adoption")}
    items.pop("item_motive")
    client.post(reverse("children:adoption_act", args=[adoption.pk, "assess"]),
                items | {"home_visit_on": "2026-11-19", "home_visit_note": "好", "police_clear": "1",
                         "health_clear": "1"})  # fmt: skip
    adoption.refresh_from_db()
    assert adoption.status == "applied"
    assert "收养动机" in client.get(reverse("children:adoption", args=[adoption.pk])).content.decode()
    assert client.post(reverse("children:adoption_act", args=[adoption.pk, "nonsense"])).status_code == 404
    listing = client.get(reverse("children:adoptions"))
    assert adoption.number in listing.content.decode()


def test_the_foster_pages(client, staff):
    carer = make_person(VILLAGE_A1, datetime.date(1999, 1, 1))  # 27: too young
    client.force_login(staff["county"])
    bad = client.post(reverse("children:foster_apply"), {"id_number": carer.id_number, "address": "一村"})
    assert bad.status_code == 400 and "第八条" in bad.content.decode() and not FosterFamily.objects.exists()
    carer = make_person(VILLAGE_A1, datetime.date(1980, 1, 1))
    ok = client.post(reverse("children:foster_apply"), {"id_number": carer.id_number, "address": "一村"})
    family = FosterFamily.objects.get()
    assert ok.url == reverse("children:foster_family", args=[family.pk])
    assert client.get(ok.url).status_code == 200 and client.get(reverse("children:foster")).status_code == 200
    client.post(reverse("children:foster_family_act", args=[family.pk, "assess"]), {"home_visit_note": "好"})
    family.refresh_from_db()
    assert family.status == "applied"  # no answers: refused
    client.force_login(staff["director"])  # a 儿童主任 neither registers nor assesses families
    assert client.get(reverse("children:foster")).status_code == 403


def test_an_adopter_without_a_birth_date_is_named_on_the_page_not_a_server_error(client, staff):
    from huimin.children import adoption as svc

    child = make_person(VILLAGE_A1, datetime.date(2022, 1, 1))
    adopter = make_person(VILLAGE_A1, datetime.date(1980, 1, 1), name="无生日")
    adopter.birth_date = None  # the registry record has no birth date
    adopter.save(update_fields=["birth_date"])
    adoption = svc.apply(staff["county"], child, adopter, situation="hardship", sender="parents", sender_name="x")
    answers = {i.code: {"pass": "1"} for i in FamilyAssessmentItem.objects.filter(kind="adoption")}
    svc.assess(staff["county"], adoption, answers, home_visit_on=datetime.date(2026, 11, 19), home_visit_note="好",
               police_clear=True, police_reference="", health_clear=True, health_reference="")  # fmt: skip
    client.force_login(staff["county"])
    page = client.get(reverse("children:adoption", args=[adoption.pk]))
    assert page.status_code == 200 and "出生日期未登记" in page.content.decode()
    dead = make_person(VILLAGE_A1, datetime.date(1980, 1, 1), is_deceased=True)
    other = make_person(VILLAGE_A1, datetime.date(2021, 1, 1))
    with pytest.raises(svc.BusinessRuleError, match="已死亡"):
        svc.apply(staff["county"], other, dead, situation="hardship", sender="parents", sender_name="x")
