"""Warning rules and feeds stay inside their region (issue 15, item 2): a county cannot switch off the city's rule
(404, nothing changed), a rule of a county warns only there, and a feed a county uploads raises no warning in
another county."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from huimin.core.access import NotInScope
from huimin.core.roles import Role
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun, Warning, WarningRule
from huimin.verification import services as verification
from tests.benefits.conftest import make_enrolment
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1
from tests.verification.factories import csv_bytes

CITY = "411700000000"
AS_OF = datetime.date(2026, 10, 31)
PINNED = time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)


def _edit(rule: WarningRule, **changes) -> dict:
    data = {name: ",".join(v) if isinstance(v, list) else v for name, v in rule.params.items()}
    return data | {"severity": rule.severity, "deadline_days": rule.deadline_days} | changes


def test_a_county_cannot_disable_the_city_wide_rule(users, login):
    rule = WarningRule.objects.get(code="death_of_recipient")
    assert rule.region_id is None and rule.is_active
    client = login(users["approver"])  # 驿城区
    page = client.get(reverse("monitoring:rule_edit", args=[rule.pk])).content.decode()
    assert "保存规则" not in page and "全市适用" in page
    response = client.post(reverse("monitoring:rule_edit", args=[rule.pk]), _edit(rule))  # is_active left off
    assert response.status_code == 404
    rule.refresh_from_db()
    assert rule.is_active and rule.updated_by == ""
    with pytest.raises(NotInScope):
        services.update_rule(users["approver"], rule, params=rule.params, is_active=False, severity=rule.severity,
                             deadline_days=rule.deadline_days)  # fmt: skip


def test_the_city_changes_the_city_wide_rule_and_a_county_its_own(users, login, make_user):
    rule = WarningRule.objects.get(code="death_of_recipient")
    city = make_user("approver_city", Role.APPROVER, CITY)
    response = login(city).post(reverse("monitoring:rule_edit", args=[rule.pk]), _edit(rule))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule.updated_by == "approver_city"
    own = WarningRule.objects.create(code="county_death", name="本县死亡", description="", kind="death",
                                     sources=["deaths"], direction="exit", params={"categories": ["dibao"]},
                                     region_id=COUNTY)  # fmt: skip
    services.update_rule(users["approver"], own, params=own.params, is_active=False, severity="high",
                         deadline_days=5)  # fmt: skip
    own.refresh_from_db()
    assert not own.is_active
    # another county's own rule does not exist for 驿城区
    theirs = WarningRule.objects.create(code="xiping_death", name="西平死亡", description="", kind="death",
                                        sources=["deaths"], direction="exit", params={"categories": ["dibao"]},
                                        region_id=OTHER_COUNTY)  # fmt: skip
    client = login(users["approver"])
    assert client.get(reverse("monitoring:rule_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("monitoring:rule_edit", args=[theirs.pk]), _edit(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def _death_feed(person) -> bytes:
    return csv_bytes([{"id_number": person.id_number, "death_date": "2026-10-01", "reporter": "火化"}])


@PINNED
def test_a_county_feed_raises_no_warning_in_another_county(users, make_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    recipient = make_enrolment(users, region=VILLAGE_A1).persons[0]  # a 低保 recipient of 驿城区
    xiping = make_user("approver_xp", Role.APPROVER, OTHER_COUNTY)  # 西平县
    city = make_user("approver_city", Role.APPROVER, CITY)
    verification.ingest_file(xiping, "deaths", _death_feed(recipient), "deaths.csv", AS_OF)
    services.run(city, MonitoringRun.Kind.FULL, AS_OF)
    assert not Warning.objects.filter(person=recipient).exists()
    # the county's own upload warns in the county
    verification.ingest_file(users["approver"], "deaths", _death_feed(recipient), "deaths.csv", AS_OF)
    services.run(city, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    assert Warning.objects.get(person=recipient).rule.code == "death_of_recipient"


@PINNED
def test_a_county_rule_warns_only_in_its_county(users, make_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    WarningRule.objects.update(is_active=False)
    WarningRule.objects.create(code="xiping_death", name="西平死亡", description="", kind="death", sources=["deaths"],
                               direction="exit", params={"categories": ["dibao"]}, region_id=OTHER_COUNTY)  # fmt: skip
    recipient = make_enrolment(users, region=VILLAGE_A1).persons[0]
    verification.ingest_file(None, "deaths", _death_feed(recipient), "deaths.csv", AS_OF, channel="api")
    services.run(make_user("approver_city", Role.APPROVER, CITY), MonitoringRun.Kind.FULL, AS_OF)
    assert not Warning.objects.exists()
