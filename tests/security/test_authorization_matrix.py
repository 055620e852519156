"""Every URL × every role: the status each gets must follow the capability table and the user's scope."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huimin.core.roles import CAPABILITIES, Role
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.assistance.matrix_targets import assistance_targets
from tests.conftest import TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.security.matrix import MATRIX, PUBLIC
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
    from huimin.registry.models import DuplicateCandidate, Household, ImportJob

    ha = Household.objects.create(number="HA", region_id=VILLAGE_A1)
    hb = Household.objects.create(number="HB", region_id=VILLAGE_B1)
    da = DuplicateCandidate.objects.create(person_a=a, person_b=a, reason="test")
    db_ = DuplicateCandidate.objects.create(person_a=b, person_b=b, reason="test")

    def job(user):
        return ImportJob.objects.create(
            created_by=user, region_id=user.region_id, original_name="t.xlsx", stored_path="/nonexistent.xlsx",
            status=ImportJob.Status.INVALID,
        )  # fmt: skip

    return (
        {
            "person": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}),
            "person_event": ({"kwargs": {"pk": a.pk, "kind": "death"}}, {"kwargs": {"pk": b.pk, "kind": "death"}}),
            "household": ({"kwargs": {"pk": ha.pk}}, {"kwargs": {"pk": hb.pk}}),
            "household_event": ({"kwargs": {"pk": ha.pk, "kind": "close"}}, {"kwargs": {"pk": hb.pk, "kind": "close"}}),
            "duplicate": ({"kwargs": {"pk": da.pk}}, {"kwargs": {"pk": db_.pk}}),
            # an import job exists only for its uploader: another township's job is a 404
            "import_job": (lambda user: {"kwargs": {"pk": job(user).pk}}, {"kwargs": {"pk": job(users["clerk_b"]).pk}}),
            # every role in the matrix is placed in township A or above; township B is outside for township users
            "person_id_number": (
                {"kwargs": {"model_label": "registry.Person", "pk": a.pk, "field_name": "id_number"}},
                {"kwargs": {"model_label": "registry.Person", "pk": b.pk, "field_name": "id_number"}},
            ),
            "user": ({"kwargs": {"pk": users["clerk_a"].pk}}, {"kwargs": {"pk": users["clerk_b"].pk}}),
            "region_query": (lambda user: {"query": f"?code={user.region_id}"}, {"query": f"?code={TOWN_B}"}),
            "region_post": (lambda user: {"data": {"code": user.region_id}}, {"data": {"code": TOWN_B}}),
        }
        | assistance_targets(users)
        | verification_targets(users)
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


def _call(client, name, entry, target=None, user=None):
    target = target(user) if callable(target) else (target or {})
    url = reverse(name, kwargs=target.get("kwargs", entry.kwargs)) + target.get("query", entry.query)
    data = {**entry.data, **target.get("data", {})}
    return client.post(url, data) if entry.method == "POST" else client.get(url)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_users_are_sent_to_login(client, users, targets, name):
    entry = MATRIX[name]
    if entry.capability == PUBLIC:
        return
    inside = targets[entry.target][0] if entry.target else None
    response = _call(client, name, entry, inside, users["clerk_a"])
    if name.startswith("api:"):  # the API answers 401 with a JSON body instead of redirecting
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated", name
        return
    assert response.status_code == 302 and response.url.startswith(reverse("login")), name


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("name", sorted(n for n, e in MATRIX.items() if e.capability != PUBLIC))
def test_each_role_gets_what_the_capability_table_says(client, users, targets, role, name):
    entry = MATRIX[name]
    user = users[ROLE_USERS[role]]
    client.force_login(user)
    allowed = entry.capability is None or entry.capability in CAPABILITIES[role]
    inside = targets[entry.target][0] if entry.target else None
    response = _call(client, name, entry, inside, user)
    if not allowed:
        assert response.status_code == 403, f"{role} should be refused {name}, got {response.status_code}"
        return
    assert response.status_code in (200, 302, 400), f"{role} should reach {name}, got {response.status_code}"
    if entry.target and user.region_id.startswith("411702001"):  # a township user: B is outside the subtree
        outside = targets[entry.target][1]
        response = _call(client, name, entry, outside)
        assert response.status_code == 404, f"{role} reached {name} outside their region: {response.status_code}"
