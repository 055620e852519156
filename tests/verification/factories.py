"""Building households, departmental files and thresholds for the 核对 tests."""

import csv
import datetime
import io
from decimal import Decimal

from huimin.benefits.models import Standard
from huimin.core.models import Region
from huimin.engine.sources import CHOICES, DATE, DECIMAL, INT, MONEY, MONTH, SOURCES
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from huimin.verification import services
from huimin.verification.models import Authorisation, Threshold

AS_OF = datetime.date(2026, 6, 30)
D = datetime.date
# the task backend that runs a queued task at once, in the request (the demo without a worker)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def valid_value(source_code: str, column) -> str:
    if column.name == "id_number":
        return idnumbers.make("411702", D(1980, 5, 1), 11)
    choices = CHOICES.get((source_code, column.name))
    if choices:
        return choices[0]
    return {DATE: "2026-01-15", MONTH: "2026-01", MONEY: "1234.50", INT: "2", DECIMAL: "88.50"}.get(column.type, "某值")


def valid_row(source_code: str) -> dict:
    return {c.name: valid_value(source_code, c) for c in SOURCES[source_code].columns}


def csv_bytes(rows: list[dict], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    header = header or list(rows[0])
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode()


_seq = iter(range(1, 999))


def make_household(region_code: str, members: list[tuple[str, datetime.date]], number: str | None = None):
    region = Region.objects.get(code=region_code)
    hh = Household.objects.create(number=number or f"H{next(_seq):05d}", region=region)
    persons = []
    for name, birth in members:
        p = Person.objects.create(
            name=name,
            id_number=idnumbers.make("411702", birth, next(_seq)),
            birth_date=birth,
            region=region,
            household=hh,
        )
        persons.append(p)
    hh.head = persons[0]
    hh.save()
    return hh, persons


def authorise_all(household, actor=None):
    from django.core.files.base import ContentFile

    for p in services.living_members(household):
        Authorisation.objects.create(
            household=household,
            person=p,
            signed_on=D(2026, 1, 1),
            scan=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
            recorded_by=actor,
        )


def threshold(
    rule: str,
    value,
    programme="dibao",
    prefix="",
    urban_rural="",
    outcome="not_eligible",
    valid_from=None,
    valid_to=None,
):
    return Threshold.objects.create(
        programme=programme,
        rule=rule,
        region_id=prefix.ljust(12, "0") if prefix else None,
        urban_rural=urban_rural,
        value=Decimal(str(value)),
        outcome=outcome,
        valid_from=valid_from or D(2020, 1, 1),
        valid_to=valid_to,
    )


CITY = "411700000000"


def dibao_standard(value, region_code=CITY, area="all", effective_from=None, period="month"):
    """A 低保标准 of the benefits app: the figure the 核对收入标准 is derived from."""
    return Standard.objects.create(
        kind="dibao", region_id=region_code, area=area, period=period, value=Decimal(str(value)),
        effective_from=effective_from or D(2020, 1, 1),
    )  # fmt: skip


def standard_thresholds():
    """A plausible set: 核对收入标准 1 × the 低保标准 of 600 元, deposits ≤ 24 months, one car ≤ 50,000 元, one
    dwelling, no company."""
    dibao_standard("600.00")
    threshold("income_standard", 1)
    threshold("deposit_months", 24)
    threshold("vehicle_count", 1)
    threshold("vehicle_value", "50000.00")
    threshold("dwelling_count", 1)
    threshold("company_count", 0, outcome="needs_visit")
    threshold("medical_self_paid", "20000.00", outcome="needs_visit")


def load(actor, source: str, rows: list[dict], as_of=AS_OF, **kw):
    base = {c.name: "" for c in SOURCES[source].columns}
    full = [base | r for r in rows]
    return services.ingest_file(actor, source, csv_bytes(full), f"{source}.csv", as_of, **kw)
