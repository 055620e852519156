import pytest

from tests.conftest import TOWN_A


@pytest.fixture
def issue(users):
    """issue(operations, regions=[TOWN_A], rate=60, sources=()) → a bearer token of a new API client."""
    from huimin.apiclients import services

    counter = iter(range(1, 1000))

    def do(operations, regions=(TOWN_A,), rate=60, sources=()):
        _client, token = services.issue(
            users["security"], name=f"客户端{next(counter)}", department="市人社局", operations=operations,
            region_codes=list(regions), rate_limit=rate, sources=sources,
        )  # fmt: skip
        return token

    return do


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
