"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 儿童福利 pages and operations with, and the 儿童福利 staff who call them: a township A
督导员 (clerk) assigned to the township A case, and the county children's office (approver)."""

import datetime

from huimin.children.models import (
    Adoption,
    Assignment,
    Case,
    Category,
    FosterFamily,
    FosterPlacement,
    ReceivedReport,
    RegisterEntry,
)
from huimin.core.models import Region, RoleAssignment, User
from huimin.core.roles import BusinessLine, Role
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1

CHILDREN_CLERK = "clerk_children"
CHILDREN_APPROVER = "approver_children"


def _user(username, role, region_code):
    user = User.objects.create(username=username, full_name=username, region=Region.objects.get(code=region_code),
                               must_change_password=False)  # fmt: skip
    RoleAssignment.objects.create(user=user, role=role, line=BusinessLine.CHILDREN)
    return user


def _child(region_code, seq, director, supervisor):
    born = datetime.date(2015, 1, 1)
    household = Household.objects.create(number=f"CHM{seq:03d}", region_id=region_code)
    person = Person.objects.create(name=f"儿童{seq}", id_number=idnumbers.make("411702", born, 950 + seq),
                                   birth_date=born, region_id=region_code, household=household)  # fmt: skip
    entry = RegisterEntry.objects.create(person=person, household=household, category=Category.objects.get(
        code="orphan"), region_id=region_code, director=director, entered_on=datetime.date(2026, 1, 1),
        next_visit_due=datetime.date(2026, 2, 1), created_by="matrix")  # fmt: skip
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    case = Case.objects.create(number=f"ETM{seq}", child=person, region_id=region_code, source="school",
                               concern="矩阵", reported_at=at, emergency_due=at, created_by="matrix")  # fmt: skip
    Assignment.objects.create(case=case, user=supervisor, role=Assignment.Role.SUPERVISOR)
    return entry, case


def _adoptions(region_code, seq, child):
    """An adoption received (in progress) and one registered (sealed), and an approved foster family with a child."""
    born = datetime.date(1985, 1, 1)
    adopter = Person.objects.create(name=f"收养人{seq}", id_number=idnumbers.make("411702", born, 960 + seq),
                                    birth_date=born, region_id=region_code)  # fmt: skip
    other = Person.objects.create(name=f"被收养人{seq}", id_number=idnumbers.make("411702", datetime.date(2020, 1, 1),
                                  970 + seq), birth_date=datetime.date(2020, 1, 1), region_id=region_code)  # fmt: skip
    common = dict(region_id=region_code, situation="hardship", sender="parents", sender_name="生父母", adopter=adopter,
                  applied_on=datetime.date(2026, 1, 5), created_by="matrix")  # fmt: skip
    received = Adoption.objects.create(number=f"SYM{seq}", child=child, **common)
    sealed = Adoption.objects.create(number=f"SYM{seq}R", child=other, status="registered",
                                     certificate_number=f"收字M{seq}", registered_on=datetime.date(2026, 2, 1),
                                     **common)  # fmt: skip
    family = FosterFamily.objects.create(carer=adopter, region_id=region_code, address="矩阵", status="approved",
                                         applied_on=datetime.date(2026, 1, 1), created_by="matrix")  # fmt: skip
    placement = FosterPlacement.objects.create(
        family=family,
        child=child,
        institution="福利院",
        agreement_number=f"JYM{seq}",
        started_on=datetime.date(2026, 1, 1),
        term_ends_on=datetime.date(2026, 12, 31),
        next_visit_due=datetime.date(2026, 2, 1),
        created_by="matrix",
    )
    return received, sealed, family, placement


def _received(region_code, seq):
    """A 发现报告 from the portal waiting to be identified."""
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    return ReceivedReport.objects.create(number=f"BGM{seq}", source="portal", channel="网上报告（群众）",
                                         region_id=region_code, child_age=8, concern="矩阵", anonymous=True,
                                         received_at=at)  # fmt: skip


def _report_api(region_code):
    return {"data": {"village": region_code, "concern": "矩阵", "child_age": 8, "source": "school"}}


def children_targets(users) -> dict:
    users[CHILDREN_CLERK] = clerk = _user(CHILDREN_CLERK, Role.CLERK, TOWN_A)
    users[CHILDREN_APPROVER] = _user(CHILDREN_APPROVER, Role.APPROVER, COUNTY)
    clerk_b = _user("clerk_children_b", Role.CLERK, TOWN_B)
    a = _child(VILLAGE_A1, 1, clerk, clerk)
    b = _child(VILLAGE_B1, 2, clerk_b, clerk_b)
    c = _child(OTHER_COUNTY, 3, clerk_b, clerk_b)
    adoptions = [_adoptions(e.region_id, n, e.person) for n, (e, _) in enumerate((a, b, c), start=1)]
    received = [_received(code, n) for n, code in enumerate((VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY), start=1)]
    visit = {"visited_on": "2026-01-10", "note": "矩阵走访"}
    act = {"kind": "warning", "note": "矩阵"}
    return {
        "children_entry": tuple({"kwargs": {"pk": e.pk}} for e, _ in (a, b, c)),
        "children_entry_visit": tuple({"kwargs": {"pk": e.pk}, "data": visit} for e, _ in (a, b, c)),
        "children_visit_form": tuple({"data": visit | {"entry": e.pk}} for e, _ in (a, b, c)),
        "children_case": tuple({"kwargs": {"pk": k.pk}} for _, k in (a, b, c)),
        "children_case_act": tuple({"kwargs": {"pk": k.pk, "action": "intervene"}, "data": act} for _, k in (a, b, c)),
        "children_received_report": tuple({"kwargs": {"pk": r.pk}} for r in received),
        # 办结 without a reason: refused inside (a message), 404 outside
        "children_received_report_act": tuple({"kwargs": {"pk": r.pk, "action": "close"}} for r in received),
        "children_report_api": (_report_api(VILLAGE_A1), _report_api(VILLAGE_B1), _report_api(OTHER_COUNTY)),
        "children_adoption": tuple({"kwargs": {"pk": r.pk}} for r, *_ in adoptions),
        # 登记审查 of an application not yet assessed: refused inside (a message), 404 outside
        "children_adoption_act": tuple({"kwargs": {"pk": r.pk, "action": "submit"}} for r, *_ in adoptions),
        "children_adoption_certificate": tuple({"kwargs": {"pk": s.pk}} for _, s, *_ in adoptions),
        "children_foster_family": tuple({"kwargs": {"pk": f.pk}} for *_, f, _ in adoptions),
        # an assessment with no answers: refused inside, 404 outside
        "children_foster_family_act": tuple({"kwargs": {"pk": f.pk, "action": "assess"}} for *_, f, _ in adoptions),
        "children_foster_placement_act": tuple(
            {"kwargs": {"pk": p.pk, "action": "visit"}, "data": visit} for *_, p in adoptions
        ),  # fmt: skip
    }
