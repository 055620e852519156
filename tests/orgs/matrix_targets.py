"""Objects of a 驿城区 organisation and of one in another county that the authorisation matrix (tests/security)
opens the 社会组织 pages and operations with. An organisation belongs to its registration authority's county, so
the in-scope target also stands for "another township" (no township officer holds a 社会组织 role)."""

import datetime

from huimin.orgs.models import Activity, AnnualReport, CreditEntry, CreditRule, Filing, Volunteer
from huimin.registry import idnumbers
from tests.conftest import OTHER_COUNTY, VILLAGE_A1
from tests.orgs.conftest import make_org


def _objects(authority, users, n):
    org = make_org(authority)
    filing = Filing.objects.create(type="cancel", org=org, authority_id=authority, submitted_by=users["clerk_b"])
    report = AnnualReport.objects.create(
        org=org, year=2025, data={}, filed_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    )
    entry = CreditEntry.objects.create(
        org=org,
        rule=CreditRule.objects.get(code="unreachable"),
        list="abnormal",
        decided_on=datetime.date(2026, 1, 5),
        entered_on=datetime.date(2026, 1, 6),
        entered_by="x",
        due_by=datetime.date(2026, 1, 12),
    )
    region = VILLAGE_A1 if authority != OTHER_COUNTY else "411721001001"
    from huimin.core.models import Region

    Region.objects.get_or_create(code=region, defaults={"name": "外县某村", "level": 5, "parent_id": authority})
    activity = Activity.objects.create(org=org, title="探访", held_on=datetime.date(2026, 6, 1), region_id=region)
    volunteer = Volunteer.objects.create(
        name="志愿者",
        id_number=idnumbers.make("411702", datetime.date(1990, 1, 1), n),
        region_id=region,
        org=org,
        registered_on=datetime.date(2026, 1, 1),
    )
    return org, filing, report, entry, activity, volunteer


def orgs_targets(users) -> dict:
    from tests.conftest import COUNTY

    a = _objects(COUNTY, users, 41)
    c = _objects(OTHER_COUNTY, users, 43)

    def three(make):
        return (make(a), make(a), make(c))

    return {
        "orgs_org": three(lambda o: {"kwargs": {"pk": o[0].pk}}),
        "orgs_org_filing": three(
            lambda o: {"kwargs": {"pk": o[0].pk, "type_": "change"}, "data": {"legal_rep": "新代表"}}
        ),
        "orgs_org_act": three(
            lambda o: {
                "kwargs": {"pk": o[0].pk, "action": "grading"},
                "data": {"grade": "3", "decided_on": "2026-01-05"},
            }
        ),
        "orgs_filing": three(lambda o: {"kwargs": {"pk": o[1].pk}}),
        "orgs_filing_decide": three(lambda o: {"kwargs": {"pk": o[1].pk}, "data": {"decision": "approve"}}),
        "orgs_report": three(lambda o: {"kwargs": {"pk": o[2].pk}}),
        "orgs_report_precheck": three(lambda o: {"kwargs": {"pk": o[2].pk}, "data": {"decision": "pass"}}),
        "orgs_report_decide": three(lambda o: {"kwargs": {"pk": o[2].pk}, "data": {"result": "qualified"}}),
        "orgs_credit": three(lambda o: {"kwargs": {"pk": o[3].pk}, "data": {"reason": "已恢复联系"}}),
        "orgs_activity": three(lambda o: {"kwargs": {"pk": o[4].pk}}),
        "orgs_activity_act": three(
            lambda o: {"kwargs": {"pk": o[4].pk, "action": "hours"}, "data": {"volunteer": o[5].pk, "hours": "2"}}
        ),
        "orgs_volunteer": three(lambda o: {"kwargs": {"pk": o[5].pk}}),
    }
