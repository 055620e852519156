"""Every API operation × API client tokens: a token reaches exactly the operations it was granted, inside its
regions; operations kept for staff cannot be granted at all. (Staff roles × operations: the URL matrix.)"""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from huimin.apiclients import services
from huimin.apikit import operations
from huimin.core.services import ServiceError
from tests.conftest import TOWN_A
from tests.security.matrix import MATRIX
from tests.security.test_authorization_matrix import targets  # noqa: F401 - the fixture

OPERATIONS = operations()
READS = [name for name, info in OPERATIONS.items() if info.clients and info.methods == ("GET",)]


def test_every_api_operation_is_in_the_matrix():
    missing = sorted(f"api:{name}" for name in OPERATIONS if f"api:{name}" not in MATRIX)
    assert not missing, f"API operations without an authorisation-matrix entry: {missing}"


def _issue(users, name, grant):
    return services.issue(
        users["security"], name=name, department="测试部门", operations=grant, region_codes=[TOWN_A], rate_limit=6000
    )[1]


def _call(client, name, target, token):
    target = target(None) if callable(target) else (target or {})
    url = reverse(f"api:{name}", kwargs=target.get("kwargs", {}))
    method = OPERATIONS[name].methods[0].lower()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, json.dumps({}), content_type="application/json", **headers)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_tokens_reach_only_granted_operations(client, users, targets, name):  # noqa: F811
    cache.clear()
    info, entry = OPERATIONS[name], MATRIX[f"api:{name}"]
    inside, outside = targets[entry.target][:2] if entry.target else ({"kwargs": entry.kwargs}, None)
    others = [n for n, i in OPERATIONS.items() if i.clients and n != name]
    refused = _call(client, name, inside, _issue(users, "其他接口", others))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden", name
    if not info.clients:
        with pytest.raises(ServiceError):
            _issue(users, "职员专用", [name])
        return
    token = _issue(users, "本接口", sorted({name, *READS}))  # a write finds its object through the read grant
    response = _call(client, name, inside, token)
    assert response.status_code in (200, 201, 400), f"{name}: {response.status_code} {response.content[:200]}"
    if outside is not None:
        assert _call(client, name, outside, token).status_code == 404, name
