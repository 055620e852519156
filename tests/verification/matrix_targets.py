"""Objects inside and outside township A that the authorisation matrix (tests/security) opens 核对 pages with."""

import datetime
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import override_settings

from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from huimin.verification import services
from huimin.verification.models import AssistRequest, Authorisation, BatchRun, Report, Threshold, Upload
from tests.conftest import VILLAGE_A1, VILLAGE_B1
from tests.security.matrix import OTHER_CITY, outside_region

AS_OF = datetime.date(2026, 6, 30)
THRESHOLD = {"programme": "dibao", "rule": "income_standard", "urban_rural": "", "value": "9999.00",
             "outcome": "not_eligible", "valid_from": "2026-01-01", "note": ""}  # fmt: skip
BATCH = {"programme": "dibao", "as_of": AS_OF.isoformat(), "backend": "duckdb"}


def _region_form(base: dict, field: str, *, prefix: bool = True):
    """(inside, outside, outside for county and city callers) of a form that names its region in ``field``."""

    def code(region_code: str) -> str:
        return region_code.rstrip("0") if prefix else region_code

    inside = lambda user: {"data": base | {field: code(user.region_id)}}  # noqa: E731
    outside = lambda user: {"data": base | {field: code(outside_region(user))}}  # noqa: E731
    return inside, outside, outside


def _household(region_code: str, seq: int):
    household = Household.objects.create(number=f"VX{seq}", region_id=region_code)
    person = Person.objects.create(
        name=f"核对{seq}", id_number=idnumbers.make("411702", datetime.date(1980, 1, 1), 700 + seq),
        birth_date=datetime.date(1980, 1, 1), region_id=region_code, household=household,
    )  # fmt: skip
    household.head = person
    household.save()
    auth = Authorisation.objects.create(household=household, person=person, signed_on=datetime.date(2026, 1, 1),
                                        scan=ContentFile(b"%PDF-1.4", name="scan.pdf"))  # fmt: skip
    report = Report.objects.create(household=household, region_id=region_code, programme="dibao", as_of=AS_OF,
                                   conclusion="eligible", reasons=[], figures={"members": 1}, members=[])  # fmt: skip
    req = AssistRequest.objects.create(household=household, region_id=region_code, programme="dibao", as_of=AS_OF,
                                       target="郑州市")  # fmt: skip
    return household, auth, report, req


def verification_targets(users):
    var = Path(tempfile.mkdtemp(prefix="huimin-matrix-"))
    a = _household(VILLAGE_A1, 1)
    b = _household(VILLAGE_B1, 2)
    with override_settings(VAR_DIR=var):  # the batch's result file
        Threshold.objects.create(programme="dibao", rule="income_standard", value=1,
                                 valid_from=datetime.date(2020, 1, 1))  # fmt: skip
        run = services.run_batch(users["approver"], "dibao", AS_OF, "411702")
    far = BatchRun.objects.create(programme="dibao", as_of=AS_OF, region_id=OTHER_CITY, status="interrupted",
                                  snapshot_root=str(var / "county-batch"), counties_total=2)  # fmt: skip
    report_file = var / "errors.csv"
    report_file.write_text("行号,列,值,错误\n")
    upload = Upload.objects.create(source="wages", filename="w.csv", channel="web", status="rejected",
                                   error_report=str(report_file))  # fmt: skip

    def pair(index):
        return ({"kwargs": {"pk": a[index].pk}}, {"kwargs": {"pk": b[index].pk}})

    return {
        "verification_household": pair(0),
        "verification_authorisation": pair(1),
        "verification_report": pair(2),
        "verification_assist": pair(3),
        # county-level only; the third: an interrupted county-by-county run of another city (its resume is a 404)
        "verification_batch": ({"kwargs": {"pk": run.pk}}, {"kwargs": {"pk": run.pk}}, {"kwargs": {"pk": far.pk}}),
        "verification_upload": ({"kwargs": {"pk": upload.pk}}, {"kwargs": {"pk": upload.pk}}),  # county-level only
        "verification_threshold_form": _region_form(THRESHOLD, "region_code"),
        "verification_batch_form": _region_form(BATCH, "region_prefix"),
    }
