"""Every URL × every role: the status each gets must follow the capability table and the user's scope."""

import datetime
import json

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huimin.core.models import AccountChangeRequest, RoleAssignment, User
from huimin.core.roles import SYSTEM_ROLES, BusinessLine, Role, capabilities_for, capabilities_of, has_capability
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.api.matrix_targets import api_targets
from tests.assistance.matrix_targets import assistance_targets
from tests.benefits.matrix_targets import benefits_targets
from tests.children.matrix_targets import CHILDREN_APPROVER, CHILDREN_CLERK, children_targets
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.eldercare.matrix_targets import eldercare_targets
from tests.elderly.matrix_targets import elderly_targets
from tests.elderly.visit_matrix_targets import visit_targets
from tests.eligibility.matrix_targets import eligibility_targets
from tests.funeral.matrix_targets import funeral_targets
from tests.homecare.matrix_targets import homecare_targets
from tests.marriage.matrix_targets import MARRIAGE_APPROVER, marriage_targets, marriage_user
from tests.monitoring.matrix_targets import monitoring_targets
from tests.orgs.matrix_targets import orgs_targets
from tests.places.matrix_targets import places_targets
from tests.relief.matrix_targets import relief_targets
from tests.security.matrix import (
    LINE_BOUND,
    MATRIX,
    NO_REGION_WRITES,
    NOT_REGIONAL_TARGETS,
    OTHER_CITY,
    PUBLIC,
    WRITE_CASES,
    Entry,
    outside_region,
)
from tests.stats.matrix_targets import stats_targets
from tests.verification.matrix_targets import verification_targets

IGNORED_PREFIXES = ("static/", "media/")


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            if str(pattern.pattern).startswith(IGNORED_PREFIXES):
                continue
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def test_every_url_is_in_the_matrix():
    missing = sorted(set(_url_names()) - set(MATRIX))
    assert not missing, f"URLs without an authorisation-matrix entry (tests/security/matrix.py): {missing}"


@pytest.fixture
def targets(users):
    """For each target kind: (url kwargs or query inside the caller's scope, the same outside it)."""
    a = Person.objects.create(
        name="甲", id_number=idnumbers.make("411702", datetime.date(1970, 1, 1), 11), region_id=VILLAGE_A1
    )
    b = Person.objects.create(
        name="乙", id_number=idnumbers.make("411702", datetime.date(1970, 1, 1), 13), region_id=VILLAGE_B1
    )
    from huimin.registry.models import DuplicateCandidate, ForeignDuplicate, Household, ImportJob

    ha = Household.objects.create(number="HA", region_id=VILLAGE_A1)
    hb = Household.objects.create(number="HB", region_id=VILLAGE_B1)
    from huimin.registry.models import BankAccountChange

    change_a, change_b = (
        BankAccountChange.objects.create(person=p, bank_account="6222020200112233445", requested_by=users["clerk_b"])
        for p in (a, b)
    )
    da = DuplicateCandidate.objects.create(person_a=a, person_b=a, reason="test")
    db_ = DuplicateCandidate.objects.create(person_a=b, person_b=b, reason="test")
    fa = ForeignDuplicate.objects.create(holder=a, region_id=VILLAGE_A1, name="甲", source="登记", attempted_by="x")
    fb = ForeignDuplicate.objects.create(holder=b, region_id=VILLAGE_B1, name="乙", source="登记", attempted_by="x")

    def job(user):
        return ImportJob.objects.create(
            created_by=user, region_id=user.region_id, original_name="t.xlsx", stored_path="/nonexistent.xlsx",
            status=ImportJob.Status.INVALID,
        )  # fmt: skip

    account_request = AccountChangeRequest.objects.create(
        target=users["auditor"],
        kind=AccountChangeRequest.Kind.DEACTIVATE,
        reason="矩阵",
        requested_by=users["security"],
    )
    other_city_user = User.objects.create(username="other_city", region_id=OTHER_CITY)
    RoleAssignment.objects.create(user=other_city_user, role=Role.CLERK, line=BusinessLine.ASSISTANCE)

    def api_client():
        from huimin.apiclients.models import ApiClient

        return ApiClient.objects.get_or_create(
            name="矩阵", defaults={"department": "测试", "token_prefix": "matrix", "token_hash": "0" * 64}
        )[0]

    return (
        {
            "person": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}),
            "person_event": ({"kwargs": {"pk": a.pk, "kind": "death"}}, {"kwargs": {"pk": b.pk, "kind": "death"}}),
            "household": ({"kwargs": {"pk": ha.pk}}, {"kwargs": {"pk": hb.pk}}),
            "household_event": ({"kwargs": {"pk": ha.pk, "kind": "close"}}, {"kwargs": {"pk": hb.pk, "kind": "close"}}),
            "duplicate": ({"kwargs": {"pk": da.pk}}, {"kwargs": {"pk": db_.pk}}),
            "bank_change": ({"kwargs": {"pk": change_a.pk}}, {"kwargs": {"pk": change_b.pk}}),
            "foreign_duplicate": ({"kwargs": {"pk": fa.pk}}, {"kwargs": {"pk": fb.pk}}),
            # an import job exists only for its uploader: another township's job is a 404
            "import_job": (lambda user: {"kwargs": {"pk": job(user).pk}}, {"kwargs": {"pk": job(users["clerk_b"]).pk}}),
            # every role in the matrix is placed in township A or above; township B is outside for township users
            "person_id_number": (
                {"kwargs": {"model_label": "registry.Person", "pk": a.pk, "field_name": "id_number"}},
                {"kwargs": {"model_label": "registry.Person", "pk": b.pk, "field_name": "id_number"}},
            ),
            "user": (
                {"kwargs": {"pk": users["clerk_a"].pk}},
                {"kwargs": {"pk": users["clerk_b"].pk}},
                {"kwargs": {"pk": other_city_user.pk}},  # outside the city-level system roles' region
            ),
            "user_assignment": (
                {"kwargs": {"pk": users["clerk_a"].pk, "assignment_pk": users["clerk_a"].role_assignments.get().pk}},
                {"kwargs": {"pk": users["clerk_b"].pk, "assignment_pk": users["clerk_b"].role_assignments.get().pk}},
                {"kwargs": {"pk": other_city_user.pk, "assignment_pk": other_city_user.role_assignments.get().pk}},
            ),
            # the security officer asks to disable the auditor: the sysadmin may confirm, the two others are refused
            "account_request": (
                {"kwargs": {"pk": account_request.pk}},
                {"kwargs": {"pk": account_request.pk}},
            ),
            # API writes that name their region in the body
            "api_household_create": (
                lambda user: {"data": {"region": VILLAGE_A1, "members": []}},
                lambda user: {"data": {"region": outside_region(user), "members": []}},
                lambda user: {"data": {"region": outside_region(user), "members": []}},
            ),
            "api_person_move": (
                {"kwargs": {"pk": a.pk}, "data": {"region": VILLAGE_A1}},
                lambda user: {"kwargs": {"pk": a.pk}, "data": {"region": outside_region(user)}},
                lambda user: {"kwargs": {"pk": a.pk}, "data": {"region": outside_region(user)}},
            ),
            "region_query": (lambda user: {"query": f"?code={user.region_id}"}, {"query": f"?code={TOWN_B}"}),
            "region_post": (lambda user: {"data": {"code": user.region_id}}, {"data": {"code": TOWN_B}}),
            "api_client": (
                lambda user: {"kwargs": {"pk": api_client().pk}},
                lambda user: {"kwargs": {"pk": api_client().pk}},
            ),
        }
        | assistance_targets(users)
        | verification_targets(users)
        | benefits_targets(users)
        | api_targets(users)
        | stats_targets(users)
        | monitoring_targets(users)
        | eligibility_targets(users)
        | elderly_targets(users)
        | marriage_targets(users)
        | orgs_targets(users)
        | eldercare_targets(users)
        | homecare_targets(users)
        | visit_targets(users)
        | funeral_targets(users)
        | places_targets(users)
        | children_targets(users)
        | relief_targets(users)
    )


ROLE_USERS = {
    Role.ASSISTANT: "assistant_a",
    Role.CLERK: "clerk_a",
    Role.REVIEWER: "reviewer_a",
    Role.APPROVER: "approver",
    Role.STATISTICIAN: "statistician",
    Role.SYSADMIN: "sysadmin",
    Role.SECURITY: "security",
    Role.AUDITOR: "auditor",
}


def role_capabilities(role) -> frozenset[str]:
    """What the matrix's user of ``role`` holds: the role on the 社会救助 line (a system role on none)."""
    return capabilities_for(role, "" if role in SYSTEM_ROLES else BusinessLine.ASSISTANCE)


def _call(client, name, entry, target=None, user=None):
    target = target(user) if callable(target) else (target or {})
    url = reverse(name, kwargs=target.get("kwargs", entry.kwargs)) + target.get("query", entry.query)
    data = {**entry.data, **target.get("data", {})}
    if entry.method in ("POST", "PATCH") and name.startswith("api:"):  # the API takes JSON bodies
        send = client.post if entry.method == "POST" else client.patch
        return send(url, json.dumps(data), content_type="application/json")
    return client.post(url, data) if entry.method == "POST" else client.get(url)


def _anonymous_failure(client, users, targets, name, entry) -> str | None:
    inside = targets[entry.target][0] if entry.target else None
    response = _call(client, name, entry, inside, users["clerk_a"])
    if name.startswith("api:"):  # the API answers 401 with a JSON body instead of redirecting
        if response.status_code == 401 and response.json()["code"] == "unauthenticated":
            return None
    elif response.status_code == 302 and response.url.startswith(reverse("login")):
        return None
    return f"anonymous reached {name}: {response.status_code}"


# a county 养老服务 审批人: the registry's common capabilities, none of the 社会救助 line's
ELDERLY_APPROVER = "approver_elderly"
# a township 残疾人福利 经办员 and the county's 残联审核人: the programme machinery's capabilities on another line
DISABILITY_CLERK = "clerk_disability"
FEDERATION_REVIEWER = "federation_reviewer"
# the county's 社会组织 审批人 (登记管理机关) and 初审人 (业务主管单位)
ORGS_APPROVER = "approver_orgs"
ORGS_REVIEWER = "reviewer_orgs"
# 殡葬管理: a township 经办员 (records, settlements, supervision), the county's 审核人 and 审批人
FUNERAL_CLERK = "clerk_funeral"
FUNERAL_REVIEWER = "reviewer_funeral"
FUNERAL_APPROVER = "approver_funeral"
# 区划地名: a township 经办员 (proposes names, keeps signs) and the county's 审批人 (names, rules, region changes)
PLACES_CLERK = "clerk_places"
PLACES_APPROVER = "approver_places"
# 流浪乞讨救助: a 救助站 经办员 in township A (its own station) and the county's 审批人
RELIEF_CLERK = "clerk_relief"
RELIEF_APPROVER = "approver_relief"


def _funeral_users(make_user) -> dict:
    line = BusinessLine.FUNERAL
    return {
        FUNERAL_CLERK: make_user(FUNERAL_CLERK, Role.CLERK, TOWN_A, line=line),
        FUNERAL_REVIEWER: make_user(FUNERAL_REVIEWER, Role.REVIEWER, COUNTY, line=line),
        FUNERAL_APPROVER: make_user(FUNERAL_APPROVER, Role.APPROVER, COUNTY, line=line),
    }


def _line_users(make_user, users) -> dict:
    line = BusinessLine.DISABILITY
    return {
        # the 儿童福利 staff the children targets made (a township 督导员 assigned to the township A case)
        CHILDREN_CLERK: users[CHILDREN_CLERK],
        CHILDREN_APPROVER: users[CHILDREN_APPROVER],
        ELDERLY_APPROVER: make_user(ELDERLY_APPROVER, Role.APPROVER, COUNTY, line=BusinessLine.ELDERLY),
        DISABILITY_CLERK: make_user(DISABILITY_CLERK, Role.CLERK, TOWN_A, line=line),
        FEDERATION_REVIEWER: make_user(FEDERATION_REVIEWER, Role.FEDERATION_REVIEWER, COUNTY, line=line),
        MARRIAGE_APPROVER: marriage_user(make_user),  # a county 婚姻登记处负责人
        ORGS_APPROVER: make_user(ORGS_APPROVER, Role.APPROVER, COUNTY, line=BusinessLine.ORGS),
        ORGS_REVIEWER: make_user(ORGS_REVIEWER, Role.REVIEWER, COUNTY, line=BusinessLine.ORGS),
        **_funeral_users(make_user),
        PLACES_CLERK: make_user(PLACES_CLERK, Role.CLERK, TOWN_A, line=BusinessLine.PLACES),
        PLACES_APPROVER: make_user(PLACES_APPROVER, Role.APPROVER, COUNTY, line=BusinessLine.PLACES),
        RELIEF_CLERK: make_user(RELIEF_CLERK, Role.CLERK, TOWN_A, line=BusinessLine.RELIEF),
        RELIEF_APPROVER: make_user(RELIEF_APPROVER, Role.APPROVER, COUNTY, line=BusinessLine.RELIEF),
    }


def _role_failure(client, users, targets, name, entry, role) -> str | None:
    user = users[ROLE_USERS.get(role, role)]
    client.force_login(user)
    allowed = entry.capability is None or entry.capability in capabilities_of(user)
    inside = targets[entry.target][0] if entry.target else None
    response = _call(client, name, entry, inside, user)
    if not allowed:
        return None if response.status_code == 403 else f"{role} should be refused {name}, got {response.status_code}"
    line = LINE_BOUND.get(entry.target)
    if line and entry.capability and not has_capability(user, entry.capability, line):
        # a case of a business line he holds no role on does not exist for him, as one outside his region
        return None if response.status_code == 404 else f"{role} reached {name} of another line: {response.status_code}"
    if response.status_code not in (200, 302, 400):
        return f"{role} should reach {name}, got {response.status_code}"
    if entry.target and user.region_id.startswith("411702001"):  # a township user: B is outside the subtree
        response = _call(client, name, entry, targets[entry.target][1], user)
        if response.status_code != 404:
            return f"{role} reached {name} outside their region: {response.status_code}"
    return None


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_what_the_capability_table_says(client, users, targets, make_user, name):
    """Anonymous callers are sent to log in; each role gets 403 or through, as its capabilities say, and a
    township user gets 404 for the same object in another township. Each caller's requests are rolled back,
    so what one role changes (a role assigned, an account disabled) never colours the next one's answer."""
    entry = MATRIX[name]
    line_users = _line_users(make_user, users)
    users = {**users, **line_users}
    staff = [*ROLE_USERS, *line_users]
    callers = ([None] if entry.capability != PUBLIC else []) + (staff if entry.capability != PUBLIC else [])
    failures = []
    for role in callers:
        with transaction.atomic():
            client.logout()
            if role is None:
                failures.append(_anonymous_failure(client, users, targets, name, entry))
            else:
                failures.append(_role_failure(client, users, targets, name, entry, role))
            transaction.set_rollback(True)
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


# --- writes outside one's region ------------------------------------------------------------------------------

UNWATCHED = {"core.AuditEntry", "core.AuditHead", "core.Region"}  # refusals are audited; regions are reference


def _fingerprint() -> dict[str, int]:
    """Every row of every Huimin table (but the audit chain and the region tree), hashed per table."""
    found = {}
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("huimin.") or label in UNWATCHED:
            continue
        found[label] = hash(tuple(sorted(repr(row) for row in model.objects.values_list())))
    return found


def _writes() -> list[str]:
    return sorted({n for n, e in MATRIX.items() if e.method == "POST" and e.target} | set(WRITE_CASES))


def test_every_write_has_an_out_of_region_case():
    """A POST without an object target must name its region in the body (WRITE_CASES) or say why it names none."""
    bare = {n for n, e in MATRIX.items() if e.method == "POST" and not e.target and e.capability != PUBLIC}
    missing = sorted(bare - set(WRITE_CASES) - set(NO_REGION_WRITES))
    assert not missing, f"writes without an out-of-region case (tests/security/matrix.py WRITE_CASES): {missing}"


@pytest.mark.parametrize("name", _writes())
def test_out_of_region_writes_are_404_and_change_nothing(client, users, targets, make_user, name):
    """Each role allowed to make a write makes it with a target outside its region: 404, and not one row of any
    table changes. A township caller's outside is the other township's object; a county or city caller's is the
    target kind's third element (another county's, another city's, or the city's own row)."""
    entry, case = MATRIX[name], WRITE_CASES.get(name)
    kind = case.target if case else entry.target
    if kind in NOT_REGIONAL_TARGETS:
        pytest.skip(NOT_REGIONAL_TARGETS[kind])
    capability = case.capability if case and case.capability else entry.capability
    call = Entry(capability, method=case.method if case else entry.method, target=kind, data=entry.data,
                 kwargs=entry.kwargs)  # fmt: skip
    pair = targets[kind]
    failures, tried = [], []
    line = BusinessLine.ELDERLY  # the 养老服务 line's staff: a county approver and a township clerk
    callers = (
        {role: users[username] for role, username in ROLE_USERS.items()}
        | _line_users(make_user, users)
        | {"clerk_elderly": make_user("clerk_elderly", Role.CLERK, TOWN_A, line=line)}
    )
    for role, user in callers.items():
        if capability is not None and capability not in capabilities_of(user):
            continue
        outside = pair[1] if user.region.level >= 4 else (pair[2] if len(pair) > 2 else None)
        if outside is None:
            continue
        tried.append(role)
        with transaction.atomic():
            client.force_login(user)
            before = _fingerprint()
            response = _call(client, name, call, outside, user)
            changed = sorted(label for label, digest in _fingerprint().items() if before.get(label) != digest)
            transaction.set_rollback(True)
        if response.status_code != 404:
            failures.append(f"{role} writing {name} outside their region got {response.status_code}")
        if changed:
            failures.append(f"{role} writing {name} outside their region changed {changed}")
    assert tried, f"no role allowed to write {name} has an outside target: give {kind} a third element"
    assert not failures, "\n".join(failures)
