"""Objects inside and outside township A that the authorisation matrix (tests/security) opens assistance pages
with."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from huimin.assistance.models import (
    Application,
    ApplicationDocument,
    Delegation,
    Enrolment,
    Objection,
    Programme,
    Stage,
)
from huimin.registry import idnumbers
from huimin.registry.models import Household, Membership, Person
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.security.matrix import outside_region

OVERLAP = {"form": "add", "code": "care_grade", "max_grade": "2", "effective_from": "2099-01-01", "basis": "矩阵"}
VISIT = {"visit_date": "2026-01-06", "visitors": "甲、乙", "findings": "矩阵"}
POLICY = {"form": "policy", "key": "grace_months", "value": "3", "effective_from": "2026-01-01"}


def _case(users, region_code: str, seq: int):
    household = Household.objects.create(number=f"MX{seq}", region_id=region_code)
    person = Person.objects.create(
        name=f"矩阵{seq}", id_number=idnumbers.make("411702", datetime.date(1980, 1, 1), 500 + seq),
        region_id=region_code, household=household,
    )  # fmt: skip
    Membership.objects.create(household=household, person=person, relation="01", started_on=datetime.date(2020, 1, 1))
    today = timezone.localdate()
    app = Application.objects.create(
        number=f"MX-APP-{seq}", programme=Programme.objects.get(code="dibao"), household=household, applicant=person,
        region_id=region_code, channel="window", reason="矩阵", stage=Stage.PUBLICITY, stage_entered_on=today,
        publicity_start=today, publicity_end=today, created_by=users["clerk_a"],
    )  # fmt: skip
    objection = Objection.objects.create(application=app, content="矩阵异议")
    document = ApplicationDocument.objects.create(
        application=app, code="application", file=ContentFile(b"%PDF-1.4 matrix", name="m.pdf"), uploaded_by="t"
    )
    enrolment = Enrolment.objects.create(
        programme=app.programme, household=household, application=app, region_id=region_code,
        monthly_amount="100.00", basis={"standard": "x"}, start_month=today.replace(day=1),
    )  # fmt: skip
    return household, app, objection, enrolment, document


def assistance_targets(users) -> dict:
    h_in, a_in, o_in, e_in, d_in = _case(users, VILLAGE_A1, 1)
    h_out, a_out, o_out, e_out, d_out = _case(users, VILLAGE_B1, 2)
    delegation = Delegation.objects.create(
        programme=Programme.objects.get(code="dibao"), county_id=COUNTY, effective_from=timezone.localdate()
    )
    theirs = Delegation.objects.create(
        programme=Programme.objects.get(code="dibao"), county_id=OTHER_COUNTY, effective_from=timezone.localdate()
    )
    return {
        "assistance_application": ({"kwargs": {"pk": a_in.pk}}, {"kwargs": {"pk": a_out.pk}}),
        "assistance_application_act": (
            {"kwargs": {"pk": a_in.pk, "action": "review"}},
            {"kwargs": {"pk": a_out.pk, "action": "review"}},
        ),
        "assistance_application_pdf": (
            {"kwargs": {"pk": a_in.pk, "form": "application"}},
            {"kwargs": {"pk": a_out.pk, "form": "application"}},
        ),
        "assistance_application_file": (
            {"kwargs": {"pk": a_in.pk, "kind": "document", "file_pk": d_in.pk}},
            {"kwargs": {"pk": a_out.pk, "kind": "document", "file_pk": d_out.pk}},
        ),
        "assistance_objection": (
            {"kwargs": {"pk": a_in.pk, "objection_pk": o_in.pk}},
            {"kwargs": {"pk": a_out.pk, "objection_pk": o_out.pk}},
        ),
        "assistance_enrolment": ({"kwargs": {"pk": e_in.pk}}, {"kwargs": {"pk": e_out.pk}}),
        "assistance_enrolment_act": (
            {"kwargs": {"pk": e_in.pk, "action": "suspend"}},
            {"kwargs": {"pk": e_out.pk, "action": "suspend"}},
        ),
        "assistance_household": ({"kwargs": {"pk": h_in.pk}}, {"kwargs": {"pk": h_out.pk}}),
        "assistance_visit_form": (
            {"data": VISIT | {"application": a_in.pk}},
            {"data": VISIT | {"application": a_out.pk}},
        ),
        # 申请救助 from the household page: the form opens with the household chosen (404 outside the region)
        "assistance_apply_household": ({"query": f"?household_id={h_in.pk}"}, {"query": f"?household_id={h_out.pk}"}),
        "assistance_delegation": (
            {"kwargs": {"pk": delegation.pk}},
            {"kwargs": {"pk": delegation.pk}},
            {"kwargs": {"pk": theirs.pk}},
        ),
        "assistance_policy_form": (
            lambda user: {"data": POLICY | {"region": user.region_id}},
            lambda user: {"data": POLICY | {"region": outside_region(user)}},
            lambda user: {"data": POLICY | {"region": outside_region(user)}},
        ),
        "assistance_overlap_form": (
            lambda user: {"data": OVERLAP | {"region": user.region_id}},
            lambda user: {"data": OVERLAP | {"region": outside_region(user)}},
            lambda user: {"data": OVERLAP | {"region": outside_region(user)}},
        ),
    }
