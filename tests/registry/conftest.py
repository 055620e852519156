import datetime
import io

import pytest
from openpyxl import Workbook

from huimin.core.models import Region
from huimin.registry import codes, excel, idnumbers, services
from huimin.registry.services import MemberInput
from tests.clock import at
from tests.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _registry_clock():
    """Registry events are dated and checked against today: every registry test runs on TODAY (Beijing time)."""
    with at(2026, 11, 20):
        yield


def id_for(birth: datetime.date, seq: int, region6: str = "411702") -> str:
    return idnumbers.make(region6, birth, seq)


@pytest.fixture
def household_of(users):
    """household_of(village, [(name, birth, seq or None, relation), …]) registers a household as clerk_a/b."""

    def make(village_code=VILLAGE_A1, members=None, actor=None, number=""):
        actor = actor or (users["clerk_b"] if village_code == VILLAGE_B1 else users["clerk_a"])
        region = Region.objects.get(code=village_code)
        members = members or [("张三", datetime.date(1970, 3, 1), 11, codes.HEAD)]
        inputs = []
        for name, birth, seq, relation in members:
            data = {"name": name, "birth_date": birth}
            if seq is None:
                data["no_id_reason"] = "婴儿未办证"
            else:
                data["id_number"] = id_for(birth, seq)
            inputs.append(MemberInput(relation=relation, data=data))
        return services.register_household(actor, region=region, members=inputs, on=TODAY, number=number)

    return make


def xlsx(rows: list[list], headers: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(headers or [c.header for c in excel.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    """A template row from column keys."""
    return [values.get(c.key, "") for c in excel.COLUMNS]


__all__ = ["VILLAGE_A1", "VILLAGE_A2", "VILLAGE_B1", "id_for", "row", "xlsx"]
