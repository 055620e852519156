"""Configuration writes stay inside the writer's subtree (issue 15, item 2): a county approver cannot set a 核对
threshold for another county or for the whole city — the write is a 404 and nothing is saved — and a feed a
county uploads is read only for that county's households."""

import datetime

import pytest
import time_machine

from huimin.core.access import NotInScope
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.verification import services
from huimin.verification.models import Snapshot, Threshold
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1
from tests.verification.factories import csv_bytes, make_household, valid_row

CITY = "411700000000"
FORM = {"programme": "dibao", "rule": "income_standard", "urban_rural": "", "value": "9999.00",
        "outcome": "not_eligible", "valid_from": "2026-01-01", "note": ""}  # fmt: skip


@pytest.mark.parametrize("region_code", [OTHER_COUNTY[:6], CITY[:4], "41"])
def test_a_county_cannot_add_a_threshold_for_another_county_or_the_city(users, login, region_code):
    client = login(users["approver"])  # 驿城区
    response = client.post("/verification/thresholds/", FORM | {"region_code": region_code})
    assert response.status_code == 404
    assert not Threshold.objects.exists()
    assert not AuditEntry.objects.filter(action="verification.threshold.add").exists()


def test_a_county_adds_a_threshold_for_its_own_subtree(users, login):
    client = login(users["approver"])
    response = client.post("/verification/thresholds/", FORM | {"region_code": COUNTY[:6]})
    assert response.status_code == 302
    threshold = Threshold.objects.get()
    assert threshold.region_id == COUNTY and threshold.region_prefix == "411702"
    assert AuditEntry.objects.get(action="verification.threshold.add").region_code == COUNTY


def test_the_service_refuses_a_wider_region_and_a_row_valid_everywhere_below_the_city(users, make_user):
    with pytest.raises(NotInScope):
        services.add_threshold(users["approver"], region_code=CITY, **_fields())
    city = make_user("approver_city", Role.APPROVER, CITY)
    services.add_threshold(city, region_code=CITY, **_fields())  # the city sets the city's
    assert Threshold.objects.get().region_id == CITY


def _fields():
    return {"programme": "dibao", "rule": "income_standard", "urban_rural": "", "value": 9999,
            "outcome": "not_eligible", "valid_from": datetime.date(2026, 1, 1)}  # fmt: skip


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_county_feed_is_read_only_for_that_county(users, make_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    as_of = datetime.date(2026, 10, 31)
    home, _ = make_household(VILLAGE_A1, [("张三", datetime.date(1970, 1, 1))])
    other = make_user("approver_xp", Role.APPROVER, OTHER_COUNTY)  # 西平县
    services.ingest_file(other, "wages", csv_bytes([valid_row("wages")]), "wages.csv", as_of)
    snapshot = Snapshot.objects.get()
    assert snapshot.region_id == OTHER_COUNTY
    assert services.current_snapshots(as_of, region_code=home.region_id)["wages"] == []
    assert services.current_snapshots(as_of, region_code=OTHER_COUNTY)["wages"] == [snapshot]
    # a department's feed (no uploader) holds everywhere
    services.ingest_file(None, "wages", csv_bytes([valid_row("wages")]), "wages.csv", as_of, channel="api")
    department = Snapshot.objects.get(region__isnull=True)
    assert services.current_snapshots(as_of, region_code=home.region_id)["wages"] == [department]


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_another_countys_thresholds_and_uploads_are_not_shown(users, login, make_user):
    other = make_user("approver_xp", Role.APPROVER, OTHER_COUNTY)
    services.add_threshold(other, region_code=OTHER_COUNTY, **_fields() | {"value": 4321})
    upload = services.ingest_file(
        other, "wages", csv_bytes([valid_row("wages")]), "xp.csv", datetime.date(2026, 10, 31)
    )
    client = login(users["approver"])
    assert "4321" not in client.get("/verification/thresholds/").content.decode()
    assert "xp.csv" not in client.get("/verification/sources/").content.decode()
    assert client.get(f"/verification/uploads/{upload.pk}/").status_code == 404
    assert "xp.csv" in login(other).get("/verification/sources/").content.decode()
