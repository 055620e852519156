"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 儿童福利 pages and operations with, and the 儿童福利 staff who call them: a township A
督导员 (clerk) assigned to the township A case, and the county children's office (approver)."""

import datetime

from huimin.children.models import Assignment, Case, Category, RegisterEntry
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


def children_targets(users) -> dict:
    users[CHILDREN_CLERK] = clerk = _user(CHILDREN_CLERK, Role.CLERK, TOWN_A)
    users[CHILDREN_APPROVER] = _user(CHILDREN_APPROVER, Role.APPROVER, COUNTY)
    clerk_b = _user("clerk_children_b", Role.CLERK, TOWN_B)
    a = _child(VILLAGE_A1, 1, clerk, clerk)
    b = _child(VILLAGE_B1, 2, clerk_b, clerk_b)
    c = _child(OTHER_COUNTY, 3, clerk_b, clerk_b)
    visit = {"visited_on": "2026-01-10", "note": "矩阵走访"}
    act = {"kind": "warning", "note": "矩阵"}
    return {
        "children_entry": tuple({"kwargs": {"pk": e.pk}} for e, _ in (a, b, c)),
        "children_entry_visit": tuple({"kwargs": {"pk": e.pk}, "data": visit} for e, _ in (a, b, c)),
        "children_case": tuple({"kwargs": {"pk": k.pk}} for _, k in (a, b, c)),
        "children_case_act": tuple({"kwargs": {"pk": k.pk, "action": "intervene"}, "data": act} for _, k in (a, b, c)),
    }
