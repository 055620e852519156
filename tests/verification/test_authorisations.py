"""核对授权书: one record per person, entered once (its scan uploaded or taken from an application's documents),
reused by every later 核对 of any household he belongs to while it is in force; the 核对 request lists who is
covered and who still needs one."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huimin.assistance import services as assistance
from huimin.assistance.models import Programme
from huimin.core.access import BusinessRuleError
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.registry.models import Membership
from huimin.verification import services
from huimin.verification.error_codes import VerificationErrorCode
from huimin.verification.models import Authorisation, Report
from tests.clock import at
from tests.conftest import VILLAGE_A1
from tests.verification.factories import D, make_household, standard_thresholds


def _scan(name="a.pdf"):
    return ContentFile(b"%PDF-1.4 scan", name=name)


@pytest.fixture
def family(users):
    standard_thresholds()
    return make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("张小明", D(2012, 1, 1))])


def test_an_authorisation_valid_on_its_last_day_counts_and_not_the_day_after(users, family):
    hh, (father, _child) = family
    services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan(), valid_until=D(2026, 11, 20))
    assert services.check_household(users["clerk_a"], hh, "dibao", D(2026, 11, 20)).pk  # its last day
    with at(2026, 11, 21):
        with pytest.raises(ServiceError, match="尚未签署核对授权书.*：张建国$"):
            services.check_household(users["clerk_a"], hh, "dibao", D(2026, 11, 21))
        assert services.missing_authorisations(hh, D(2026, 11, 21)) == [father]
        # expired, a new one may be entered
        services.record_authorisation(users["clerk_a"], hh, father, D(2026, 11, 21), _scan("b.pdf"))
        assert services.check_household(users["clerk_a"], hh, "dibao", D(2026, 11, 21)).pk
    assert Report.objects.count() == 2


def test_it_is_entered_once_and_reused_by_later_checks_and_another_household(users, family):
    hh, (father, _child) = family
    auth = services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan())
    with pytest.raises(BusinessRuleError, match="张建国 已有在有效期内的核对授权书.*无需重复登记") as refused:
        services.record_authorisation(users["clerk_a"], hh, father, D(2026, 11, 1), _scan("b.pdf"))
    assert refused.value.code == VerificationErrorCode.AUTHORISATION_EXISTS
    services.check_household(users["clerk_a"], hh, "dibao", D(2026, 10, 1))
    services.check_household(users["clerk_a"], hh, "dibao", D(2026, 11, 20))  # a later 核对: no new authorisation
    # he moves into another household (e.g. after a split): its 核对 reuses his authorisation
    other, _ = make_household(VILLAGE_A1, [("李秀英", D(1972, 8, 9))])
    father.household = other
    father.save()
    services.record_authorisation(users["clerk_a"], other, other.head, D(2026, 6, 1), _scan("c.pdf"))
    rows = services.authorisation_rows(other, D(2026, 11, 20))
    assert [(r["person"].name, r["authorisation"]) for r in rows if r["person"] == father] == [("张建国", auth)]
    assert services.check_household(users["clerk_a"], other, "dibao", D(2026, 11, 20)).pk
    assert Authorisation.objects.filter(person=father).count() == 1


def test_an_authorisation_signed_after_the_check_date_or_revoked_does_not_count(users, family):
    hh, (father, _child) = family
    auth = services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan())
    assert services.missing_authorisations(hh, D(2026, 5, 31)) == [father]
    assert services.missing_authorisations(hh, D(2026, 6, 1)) == []
    Authorisation.objects.filter(pk=auth.pk).update(revoked=True)
    assert services.missing_authorisations(hh, D(2026, 6, 1)) == [father]


def test_bad_dates_are_refused_and_nothing_is_written(users, family):
    hh, (father, _child) = family
    with pytest.raises(ServiceError, match="有效期不能早于今天"):
        services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan(), valid_until=D(2026, 11, 19))
    with pytest.raises(ServiceError, match="请上传签字的授权书扫描件，或选择申请时已上传的授权书"):
        services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1))
    assert not Authorisation.objects.exists()


def _application_with_authorisation_scan(users, hh, person):
    Membership.objects.create(household=hh, person=person, relation="01", started_on=D(2020, 1, 1))
    app = assistance.create_application(
        users["clerk_a"], programme=Programme.objects.get(code="dibao"), household=hh, applicant=person,
        channel="window", reason="因病致贫", documents=["application", "identity", "authorization"],
    )  # fmt: skip
    return app, assistance.attach_document(
        users["clerk_a"], app, "authorization", SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 signed", "application/pdf")
    )


def test_the_scan_an_application_holds_becomes_the_persons_authorisation(users, family, login):
    hh, (father, _child) = family
    app, doc = _application_with_authorisation_scan(users, hh, father)
    client = login(users["clerk_a"])
    page = client.get(reverse("verification:household", args=[hh.pk])).content.decode()
    assert f"申请 {app.number} 的申请材料" in page and "尚需登记授权书，登记后才能核对：张建国" in page
    detail = client.get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert '张建国<span class="text-danger">（尚需登记授权书）' in detail and "申请时已交授权书" in detail
    client.post(
        reverse("verification:authorisation_add", args=[hh.pk]),
        {"person": father.pk, "signed_on": "2026-11-02", "document": str(doc.pk)},
    )
    auth = Authorisation.objects.get(person=father)
    assert auth.scan.read() == b"%PDF-1.4 signed" and auth.source.startswith(f"申请 {app.number}")
    assert AuditEntry.objects.filter(action="verification.authorisation").latest("seq").after["source"] == auth.source
    page = client.get(reverse("verification:household", args=[hh.pk])).content.decode()
    assert "授权书在有效期内：张建国" in page and "撤回前长期有效" in page
    detail = client.get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert "张建国（2026-11-02 签署，撤回前长期有效）" in detail


def test_the_api_lists_who_is_covered_and_who_still_needs_one(users, family, login):
    hh, (father, child) = family
    client = login(users["clerk_a"])
    url = f"/api/verification/households/{hh.pk}/authorisations"
    rows = {r["name"]: r for r in client.get(url).json()}
    assert rows["张建国"]["adult"] and not rows["张建国"]["covered"] and rows["张小明"]["covered"]
    services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan(), valid_until=D(2026, 12, 31))
    rows = {r["name"]: r for r in client.get(url).json()}
    assert rows["张建国"]["covered"] and rows["张建国"]["valid_until"] == "2026-12-31"
    assert {r["name"]: r["covered"] for r in client.get(url, {"as_of": "2027-01-01"}).json()}["张建国"] is False


def test_a_revoked_authorisation_no_longer_counts_and_the_reason_is_audited(users, family, login):
    hh, (father, _child) = family
    auth = services.record_authorisation(users["clerk_a"], hh, father, D(2026, 6, 1), _scan())
    client = login(users["clerk_a"])
    page = client.post(reverse("verification:authorisation_revoke", args=[auth.pk]), {"reason": ""}, follow=True)
    assert "请填写撤回原因" in page.content.decode() and services.missing_authorisations(hh, D(2026, 11, 20)) == []
    client.post(reverse("verification:authorisation_revoke", args=[auth.pk]), {"reason": "本人书面撤回授权"})
    assert services.missing_authorisations(hh, D(2026, 11, 20)) == [father]
    entry = AuditEntry.objects.filter(action="verification.authorisation.revoke").get()
    assert entry.detail == "本人书面撤回授权"
    with pytest.raises(ServiceError, match="尚未签署核对授权书"):
        services.check_household(users["clerk_a"], hh, "dibao", D(2026, 11, 20))
