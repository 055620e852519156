"""Migration verification 0006 turns each 核对收入标准 row (元, a copy of the 低保标准) into the multiple of the
低保标准 it stood for, and keeps the old figure in the note where no 低保标准 is set."""

import importlib
from decimal import Decimal

from django.apps import apps

from huimin.verification.models import Threshold
from tests.verification.factories import D, dibao_standard, threshold

migration = importlib.import_module("huimin.verification.migrations.0007_income_standard_from_dibao")


def test_each_copy_becomes_the_multiple_it_stood_for(regions):
    dibao_standard("600.00")
    dibao_standard("8400.00", "411702001000", area="urban", period="year")  # 700 元 a month in the township
    everywhere = threshold("income_standard", "900.00", programme="edge")
    township = threshold("income_standard", "700.00", prefix="411702001", urban_rural="urban")
    other_kind = threshold("vehicle_count", 1)
    migration.to_multiples(apps, None)
    assert Threshold.objects.get(pk=everywhere.pk).value == Decimal("1.50")
    assert Threshold.objects.get(pk=township.pk).value == Decimal("1.00")
    assert Threshold.objects.get(pk=other_kind.pk).value == 1


def test_without_a_dibao_standard_a_row_becomes_one_times_and_keeps_its_figure(db):
    row = threshold("income_standard", "620.00", valid_from=D(2021, 1, 1))
    migration.to_multiples(apps, None)
    row.refresh_from_db()
    assert row.value == 1 and "620.00 元" in row.note
