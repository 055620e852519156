"""申请救助 from the household page: the registry shows the action an app registers (it imports no business app);
the form opens with the household chosen (户主 and masked ID number, never a 户编号 typed in), or chooses it by a
search by name, ID number or its last six characters inside the actor's region."""

import re

from django.urls import reverse

from huimin.assistance.models import Application, Programme, Stage
from huimin.core import masking
from huimin.registry import panels
from tests.assistance.conftest import apply, docs_for
from tests.clock import at
from tests.conftest import VILLAGE_B1

CREATE = reverse("assistance:application_create")


def _household_page(client, household) -> str:
    return client.get(reverse("registry:household", args=[household.pk])).content.decode()


def _action_link(page: str) -> str:
    match = re.search(r'<a class="btn[^"]*" href="([^"]+)">申请救助</a>', page)
    return match.group(1).replace("&amp;", "&") if match else ""


def test_the_household_page_offers_申请救助_to_who_may_apply(users, login, make_household):
    household, _ = make_household()
    for name in ("clerk_a", "assistant_a"):
        link = _action_link(_household_page(login(users[name]), household))
        assert link == f"{CREATE}?household_id={household.pk}", name
    for name in ("reviewer_a", "approver", "statistician"):  # no assistance.apply
        assert "申请救助" not in _household_page(login(users[name]), household), name
    household.is_active = False
    household.save()
    assert "申请救助" not in _household_page(login(users["clerk_a"]), household)


def test_the_action_is_a_registered_hook():
    assert ("申请救助", "assistance:application_create", "assistance.apply") in [
        (a.label, a.url_name, a.capability) for a in panels._ACTIONS
    ]


def test_the_link_opens_the_form_with_the_household_chosen_and_applies(users, login, make_household):
    household, people = make_household(names=("欧阳明", "李四"))
    with at(2026, 11, 23):  # the login too: a session opened on another day would have expired
        client = login(users["clerk_a"])
        form = client.get(_action_link(_household_page(client, household)))
        page = form.content.decode()
        assert form.context["household"] == household
        assert "户主 <strong>欧阳明</strong>" in page and masking.mask("id_number", people[0].id_number) in page
        assert people[0].id_number not in page and f'name="household_id" value="{household.pk}"' in page
        assert '<label class="form-label small" for="programme">救助项目</label>' in page
        assert f'<option value="{people[0].pk}" selected>' in page  # the 户主 is the default applicant
        dibao = Programme.objects.get(code="dibao")
        response = client.post(CREATE, {
            "household_id": household.pk, "programme": dibao.pk, "applicant": people[0].pk, "channel": "window",
            "reason": "因病致贫", "documents": docs_for("dibao"),
        })  # fmt: skip
    app = Application.objects.get(household=household)
    assert response.status_code == 302 and response.url == reverse("assistance:application_detail", args=[app.pk])
    assert (app.programme, app.applicant, app.stage) == (dibao, people[0], Stage.ACCEPT)


def test_an_open_application_of_the_same_programme_is_refused_clearly(users, login, make_household):
    household, people = make_household()
    apply(users, household, people)
    client = login(users["clerk_a"])
    response = client.post(CREATE, {
        "household_id": household.pk, "programme": Programme.objects.get(code="dibao").pk,
        "applicant": people[0].pk, "channel": "window", "reason": "再次申请",
    }, follow=True)  # fmt: skip
    assert "该家庭已有一件“最低生活保障”申请正在办理，不能重复申请" in response.content.decode()
    assert Application.objects.filter(household=household).count() == 1


def test_a_household_outside_the_region_is_not_found(users, login, make_household):
    theirs, people = make_household(VILLAGE_B1)
    client = login(users["clerk_a"])
    assert client.get(CREATE, {"household_id": theirs.pk}).status_code == 404
    assert client.get(CREATE, {"household_id": "x1"}).status_code == 404
    response = client.post(CREATE, {
        "household_id": theirs.pk, "programme": Programme.objects.get(code="dibao").pk,
        "applicant": people[0].pk, "channel": "window", "reason": "越权",
    })  # fmt: skip
    assert response.status_code == 404 and not Application.objects.exists()
    assert "申请救助" not in client.get(reverse("registry:household", args=[theirs.pk])).content.decode()


def test_without_a_household_the_form_chooses_it_by_a_search_in_scope(users, login, make_household):
    mine, my_people = make_household(names=("欧阳明", "李四"))
    theirs, their_people = make_household(VILLAGE_B1, names=("欧阳红", "王五"))
    client = login(users["clerk_a"])
    page = client.get(CREATE).content.decode()
    assert 'name="find"' in page and 'name="household"' not in page  # no 户编号 box to type into
    for q in ("欧阳", my_people[1].id_number, my_people[1].id_number[-6:]):
        response = client.post(CREATE, {"find": q})
        found = [h for h, _ in response.context["found"]]
        assert found == [mine], q
        body = response.content.decode()
        assert f"{CREATE}?household_id={mine.pk}" in body and masking.mask("id_number", my_people[0].id_number) in body
        assert "欧阳红" not in body and my_people[1].id_number not in body
    assert not Application.objects.exists()
    nothing = client.post(CREATE, {"find": their_people[0].id_number[-6:]}).content.decode()
    assert "您的管辖范围内没有找到符合条件的在册家庭" in nothing
