"""A small generated city loaded into the test database, its departmental files ingested as snapshots."""

import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme
from huimin.core.models import User
from huimin.core.roles import Role
from huimin.demo import generator, loader
from huimin.registry.models import Person
from huimin.verification import services as verification
from huimin.verification.sources import SOURCES

AS_OF = generator.DEFAULT_AS_OF
PERSONS = 3000
DEMO_TO_PROGRAMME = {"dibao": "dibao", "tekun_scattered": "tekun_scattered", "tekun_concentrated": "tekun_central",
                     "dibao_edge": "edge", "expense_hardship": "expense"}  # fmt: skip


def enrol_generated_households_for_tests(households: list[dict]) -> int:
    """TEST HELPER until ``huimin demo load`` creates real enrolments: an approved application and a current
    enrolment (with its members and the household's standard) for every generated programme household."""
    programmes = {p.code: p for p in Programme.objects.all()}
    members = {}
    for pid, hid in Person.objects.values_list("id", "household_id"):
        members.setdefault(hid, []).append(pid)
    clerk = User.objects.filter(role=Role.CLERK).first()
    done = 0
    for row in households:
        code = DEMO_TO_PROGRAMME.get(row["programme"])
        if code is None:
            continue
        hid = row["household_id"]
        region = Person.objects.filter(household_id=hid).values_list("region_id", flat=True).first()
        app = Application.objects.create(
            number=f"T{hid}", programme=programmes[code], household_id=hid, applicant_id=members[hid][0],
            region_id=region, channel="window", reason="测试数据", stage="enrolled", stage_entered_on=AS_OF,
            created_by=clerk,
        )  # fmt: skip
        enr = Enrolment.objects.create(
            programme=programmes[code], household_id=hid, application=app, region_id=region,
            monthly_amount=row["monthly_amount"] or 0, basis={"standard": str(row["standard"])},
            start_month=datetime.date(2026, 1, 1),
        )  # fmt: skip
        EnrolmentMember.objects.bulk_create(
            [EnrolmentMember(enrolment=enr, person_id=p, added_on=datetime.date(2026, 1, 1)) for p in members[hid]]
        )
        done += 1
    return done


@pytest.fixture
def city(db, tmp_path):
    out = tmp_path / "city"
    generator.generate(out, PERSONS, 1, AS_OF)
    with override_settings(VAR_DIR=str(tmp_path / "var")):
        loader.load(PERSONS, 1, AS_OF)
        enrol_generated_households_for_tests(pq.read_table(out / "households.parquet").to_pylist())
        for code in SOURCES:
            path = Path(out / "departments" / f"{code}.parquet")
            verification.ingest_file(None, code, path.read_bytes(), path.name, AS_OF, channel="cli")
        yield {"dir": out, "truth": pq.read_table(out / "ground_truth.parquet").to_pylist(),
               "households": pq.read_table(out / "households.parquet").to_pylist()}  # fmt: skip


@pytest.fixture
def approver(db):
    return User.objects.filter(role=Role.APPROVER, region__code__startswith="4117").first() or None
