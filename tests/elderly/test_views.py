"""The 养老服务 pages: the register (filters, pagination, masked IDs, export), a person's page, the assessment
form (a fieldset per domain, every field labelled; a refusal shown, nothing written), the household panel and
the menu."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from huimin.core.models import AuditEntry
from huimin.elderly import services
from huimin.elderly.models import Assessment, CategoryMark, Item
from tests.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.elderly.conftest import make_person
from tests.elderly.helpers import scores_for_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(staff):
    a1 = make_person(VILLAGE_A1, datetime.date(1940, 1, 1), name="甲")  # 86, alone
    a2 = make_person(VILLAGE_A2, datetime.date(1960, 1, 1), name="乙")  # 66, alone
    b1 = make_person(VILLAGE_B1, datetime.date(1950, 1, 1), name="丙")
    services.do_derive(staff["approver"])
    return a1, a2, b1


def test_register_filters_and_masks(login, staff, people):
    a1, a2, b1 = people
    client = login(staff["clerk"])
    page = client.get(reverse("elderly:register")).content.decode()
    assert a1.name in page and a2.name in page and b1.name not in page
    assert a1.id_number not in page and a1.id_number[:4] + "*" in page
    by_age = client.get(reverse("elderly:register") + "?age=80-89").content.decode()
    assert a1.name in by_age and a2.name not in by_age
    by_village = client.get(reverse("elderly:register") + f"?region={VILLAGE_A2}").content.decode()
    assert a2.name in by_village and a1.name not in by_village
    by_category = client.get(reverse("elderly:register") + "?category=advanced_age").content.decode()
    assert a1.name in by_category and a2.name not in by_category
    assert (
        a1.name
        not in client.get(reverse("elderly:register") + "?category=advanced_age&status=confirmed").content.decode()
    )
    outside = client.get(reverse("elderly:register") + f"?region={VILLAGE_B1}").content.decode()
    assert b1.name not in outside


def test_register_paginates(login, staff):
    for _ in range(31):
        make_person(VILLAGE_A1, datetime.date(1950, 1, 1))
    client = login(staff["clerk"])
    assert "第 1 / 2 页，共 31 条" in client.get(reverse("elderly:register")).content.decode()
    assert "第 2 / 2 页" in client.get(reverse("elderly:register") + "?page=2").content.decode()


def test_export_is_audited_and_masked(login, staff, people):
    a1, *_ = people
    response = login(staff["clerk"]).get(reverse("elderly:register") + "?export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "身份证号") and len(rows) == 3
    assert a1.id_number not in str(rows)
    assert AuditEntry.objects.filter(action="elderly.export.register", detail="2 人").exists()


def test_confirm_on_the_person_page(login, staff, people):
    a1, *_ = people
    client = login(staff["clerk"])
    page = client.get(reverse("elderly:person", args=[a1.pk])).content.decode()
    assert "独居" in page and "待确认" in page and 'for="reject-note-' in page
    mark = CategoryMark.objects.get(person=a1, category__code="living_alone")
    client.post(reverse("elderly:mark_decide", args=[mark.pk, "confirm"]))
    mark.refresh_from_db()
    assert mark.status == "confirmed"
    response = client.post(reverse("elderly:mark_decide", args=[mark.pk, "reject"]), {"note": ""}, follow=True)
    assert "否定一项类别须写明理由" in response.content.decode()
    client.post(reverse("elderly:mark_add", args=[a1.pk]), {"category": "family_planning", "basis": "计生证明",
                                                            "source_date": "2026-11-01"})  # fmt: skip
    assert CategoryMark.objects.get(person=a1, category__code="family_planning").status == "confirmed"


def test_assessment_form_has_a_fieldset_per_domain_and_labels(login, staff, people):
    a1, *_ = people
    client = login(staff["clerk"])
    page = client.get(reverse("elderly:assess", args=[a1.pk])).content.decode()
    assert page.count("<fieldset") == 5 and page.count("<legend") == 5
    for item in Item.objects.all():
        assert f'for="item_{item.code}"' in page and f'id="item_{item.code}"' in page


def test_assessment_post_and_refusal(login, staff, people):
    a1, *_ = people
    client = login(staff["clerk"])
    data = {f"item_{k}": v for k, v in scores_for_total(66).items()}
    incomplete = {**data, "item_memory": "", "assessed_on": "2026-11-10"}
    response = client.post(reverse("elderly:assess", args=[a1.pk]), incomplete)
    assert response.status_code == 400 and "精神状态「记忆」（B.3.4）" in response.content.decode()
    assert not Assessment.objects.exists()
    response = client.post(reverse("elderly:assess", args=[a1.pk]), {**data, "assessed_on": "2026-11-10"},
                           follow=True)  # fmt: skip
    assert "总分 66，轻度失能" in response.content.decode()
    a = Assessment.objects.get()
    assert (a.assessor, a.next_due) == (staff["clerk"], datetime.date(2027, 11, 10))
    person_page = client.get(reverse("elderly:person", args=[a1.pk])).content.decode()
    assert "轻度失能" in person_page and "2027-11-10" in person_page


def test_household_panel_and_menu(login, staff, people):
    a1, *_ = people
    client = login(staff["clerk"])
    household = client.get(reverse("registry:household", args=[a1.household_id])).content.decode()
    assert reverse("elderly:household_panel", args=[a1.household_id]) in household
    panel = client.get(reverse("elderly:household_panel", args=[a1.household_id])).content.decode()
    assert a1.name in panel and "独居（待确认）" in panel
    assert reverse("elderly:register") in client.get(reverse("home")).content.decode()
    other = login(staff["assistance_clerk"])
    assert reverse("elderly:register") not in other.get(reverse("home")).content.decode()
    assert other.get(reverse("elderly:register")).status_code == 403
