"""婚姻登记 API: the offices' days, the subsisting-marriage check (有无 and the 登记机关 only, never the spouse),
a certificate's validity by 字号, the officers' record search — each for staff by capability and region, and for
API clients by the operations and regions granted; every call audited."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from huimin.apiclients import services as clients
from huimin.core.context import acting_as, actor_for
from huimin.core.models import AuditEntry
from huimin.marriage import services
from huimin.marriage.models import Record
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A
from tests.marriage.conftest import man, woman

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def couple(office, clerk):
    groom, bride = man(D(1995, 3, 1), 1, "张伟"), woman(D(1996, 4, 2), 2, "李娜")
    with at(2026, 6, 1), acting_as(actor_for(clerk)):
        record = services.do_register_marriage(clerk, office, groom, bride, no_kinship_declared=True)
    return groom, bride, record


def _post(client, name, body, **headers):
    return client.post(reverse(f"api:{name}"), json.dumps(body), content_type="application/json", **headers)


_names = iter(range(1, 100))


def _token(users, operations, regions=()):
    return clients.issue(
        users["security"], name=f"婚姻登记接口{next(_names)}", department="市公安局",
        operations=operations, region_codes=list(regions), rate_limit=600,
    )[1]  # fmt: skip


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- the subsisting-marriage check ---------------------------------------------------------------------------


def test_check_answers_only_the_office_never_the_spouse(client, clerk, couple):
    groom, bride, record = couple
    client.force_login(clerk)
    response = _post(client, "check_subsisting", {"id_number": groom.id_number})
    assert response.status_code == 200
    assert response.json() == {"subsisting": True, "message": "存在有效婚姻登记记录（登记机关：驿城区婚姻登记处）"}
    body = response.content.decode()
    for secret in (bride.name, bride.id_number, bride.id_number[-6:], groom.name, record.number, "2026"):
        assert secret not in body
    entry = AuditEntry.objects.filter(action="marriage.subsisting.check").latest("seq")
    assert groom.id_number not in entry.detail and groom.id_number[-4:] in entry.detail and "：有" in entry.detail
    assert AuditEntry.objects.filter(action="api.call", detail__startswith="check_subsisting").exists()


def test_check_of_a_person_without_or_after_the_marriage(client, clerk, head, couple):
    groom, bride, record = couple
    client.force_login(clerk)
    stranger = man(D(1990, 1, 1), 9).id_number
    assert _post(client, "check_subsisting", {"id_number": stranger}).json() == {
        "subsisting": False,
        "message": "未发现有效婚姻登记记录",
    }
    with acting_as(actor_for(head)):
        services.do_judgment(head, record, Record.Status.VOID, "驿城区人民法院", "（2026）豫1702民初1号", D(2026, 7, 1))
    assert _post(client, "check_subsisting", {"id_number": bride.id_number}).json()["subsisting"] is False


def test_check_reads_every_region_whatever_the_callers(client, other_clerk, couple):
    """The law bars a second marriage wherever the first was registered: another county's officer gets it too."""
    groom, _, _ = couple
    client.force_login(other_clerk)
    assert _post(client, "check_subsisting", {"id_number": groom.id_number}).json()["subsisting"] is True


def test_check_of_a_malformed_number_is_a_rule_refusal(client, clerk):
    client.force_login(clerk)
    response = _post(client, "check_subsisting", {"id_number": "41170219950301001"})
    assert response.status_code == 400 and response.json()["code"] == "marriage.id_number"
    assert "身份证号" in response.json()["message"]


def test_check_needs_the_register_capability(client, make_user, regions, users):
    from huimin.core.roles import BusinessLine, Role

    statistician = make_user("m_stats", Role.STATISTICIAN, COUNTY, line=BusinessLine.MARRIAGE)
    for user in (statistician, users["clerk_a"]):  # a 婚姻登记 统计员 (view only); a 社会救助 经办员
        client.force_login(user)
        response = _post(client, "check_subsisting", {"id_number": man(D(1990, 1, 1), 9).id_number})
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


# --- certificates --------------------------------------------------------------------------------------------


def test_certificate_validity_only(client, clerk, head, couple):
    groom, bride, record = couple
    client.force_login(clerk)
    url = reverse("api:verify_certificate", kwargs={"number": record.number})
    response = client.get(url)
    assert response.json() == {"number": record.number, "valid": True, "message": "证件有效"}
    for secret in (groom.name, bride.name, groom.id_number, bride.id_number, "驿城区"):
        assert secret not in response.content.decode()
    with acting_as(actor_for(head)):
        services.do_judgment(head, record, Record.Status.ANNULLED, "驿城区人民法院", "（2026）民初2号", D(2026, 7, 1))
    assert client.get(url).json() == {"number": record.number, "valid": False, "message": "证件已失效"}
    unknown = client.get(reverse("api:verify_certificate", kwargs={"number": "J411702-2026-999999"})).json()
    assert unknown == {"number": "J411702-2026-999999", "valid": False, "message": "未查到该证件字号"}
    assert AuditEntry.objects.filter(action="marriage.certificate.verify").count() == 3


def test_a_reissued_certificate_verifies(client, clerk, head, couple):
    _, _, record = couple
    with acting_as(actor_for(clerk)):
        request = services.do_request(clerk, record, "reissue", "遗失")
    with at(2026, 6, 2), acting_as(actor_for(head)):
        request = services.do_decide(head, request, True)
    client.force_login(clerk)
    answer = client.get(reverse("api:verify_certificate", kwargs={"number": request.certificate_number})).json()
    assert request.certificate_number.startswith("BJ") and answer["valid"] is True


# --- record search -------------------------------------------------------------------------------------------


def test_search_inside_the_region_masks_the_numbers_and_is_audited(client, clerk, other_clerk, couple):
    groom, bride, record = couple
    client.force_login(clerk)
    for q in (groom.id_number, bride.id_number, record.number, "李娜"):
        page = _post(client, "search_marriage_records", {"q": q}).json()
        assert [r["number"] for r in page["items"]] == [record.number], q
    item = page["items"][0]
    assert item["male_id_number"] != groom.id_number and item["male_id_number"][-4:] == groom.id_number[-4:]
    assert groom.id_number not in json.dumps(page) and bride.id_number not in json.dumps(page)
    assert AuditEntry.objects.filter(action="marriage.records.search").count() == 4
    assert _post(client, "search_marriage_records", {"q": "王五"}).json()["count"] == 0
    client.force_login(other_clerk)  # another county: the record does not exist for him
    assert _post(client, "search_marriage_records", {"q": groom.id_number}).json()["count"] == 0


# --- offices' days -------------------------------------------------------------------------------------------


def test_slots_of_an_office_in_and_out_of_the_region(client, clerk, office, other_office):
    client.force_login(clerk)
    with at(2026, 5, 18):  # a Monday
        response = client.get(reverse("api:marriage_slots", kwargs={"pk": office.pk}) + "?days=7")
        outside = client.get(reverse("api:marriage_slots", kwargs={"pk": other_office.pk}))
    assert response.status_code == 200
    body = response.json()
    assert body["office"]["name"] == "驿城区婚姻登记处" and body["kinds"]["marriage"] == "结婚登记"
    assert [d["day"] for d in body["days"]][:2] == ["2026-05-18", "2026-05-19"] and len(body["days"]) == 7
    assert body["days"][0]["left"] == 3 and body["days"][5]["closed"] is True  # Saturday
    assert outside.status_code == 404 and outside.json()["code"] == "not_found"


def test_slots_start_no_earlier_than_today(client, clerk, office):
    client.force_login(clerk)
    with at(2026, 5, 18):
        days = client.get(reverse("api:marriage_slots", kwargs={"pk": office.pk}) + "?start=2026-05-01").json()
    assert days["days"][0]["day"] == "2026-05-18"


# --- API clients ---------------------------------------------------------------------------------------------


def test_a_client_granted_only_the_check_needs_no_region(client, users, couple):
    groom, _, _ = couple
    token = _token(users, ["check_subsisting"])
    response = _post(client, "check_subsisting", {"id_number": groom.id_number}, **_bearer(token))
    assert response.status_code == 200 and response.json()["subsisting"] is True
    entry = AuditEntry.objects.filter(action="marriage.subsisting.check").latest("seq")
    assert entry.actor.startswith("api:")
    refused = _post(client, "search_marriage_records", {"q": groom.id_number}, **_bearer(token))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert AuditEntry.objects.filter(action="api.refused", detail__startswith="search_marriage_records").exists()


def test_a_clients_regions_bound_the_search_and_the_offices(client, users, office, couple):
    groom, _, record = couple
    grant = ["search_marriage_records", "marriage_slots", "verify_certificate"]
    county = _token(users, grant, [COUNTY])
    found = _post(client, "search_marriage_records", {"q": groom.id_number}, **_bearer(county)).json()
    assert [r["number"] for r in found["items"]] == [record.number]
    assert client.get(reverse("api:marriage_slots", kwargs={"pk": office.pk}), **_bearer(county)).status_code == 200
    elsewhere = _token(users, grant, [OTHER_COUNTY])
    assert _post(client, "search_marriage_records", {"q": groom.id_number}, **_bearer(elsewhere)).json()["count"] == 0
    slots = client.get(reverse("api:marriage_slots", kwargs={"pk": office.pk}), **_bearer(elsewhere))
    assert slots.status_code == 404
    township = _token(users, grant, [TOWN_A])  # the county's office is above a township's subtree
    assert client.get(reverse("api:marriage_slots", kwargs={"pk": office.pk}), **_bearer(township)).status_code == 404
    # validity does not depend on the region: a certificate is verified wherever it is shown
    answer = client.get(reverse("api:verify_certificate", kwargs={"number": record.number}), **_bearer(elsewhere))
    assert answer.json()["valid"] is True


def test_the_operations_are_in_the_catalogue_with_their_capabilities():
    from huimin.apikit import operations

    ops = operations()
    assert ops["check_subsisting"].capability == "marriage.register" and not ops["check_subsisting"].regional
    assert ops["verify_certificate"].capability == "marriage.view" and not ops["verify_certificate"].regional
    assert ops["search_marriage_records"].regional and ops["marriage_slots"].regional
    assert all(ops[n].clients for n in ("check_subsisting", "verify_certificate", "search_marriage_records"))
