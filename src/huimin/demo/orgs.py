"""The demo city's 社会组织: about forty organisations registered by each county's 民政局, two years of annual
reports (most decided, some returned, some never filed and so on the 活动异常名录), one organisation moved to the
严重违法失信名单 after two years, a charity with donations, a volunteer team with confirmed hours, and 社工站 in
most townships. Rows are bulk-inserted (the rules that create them are the services'; the demo writes their
results), except the decisions that the pages show as history, which keep their dates."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum.cn import uscc

from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role

PER_COUNTY = 40
# the documented 年报填报密码 of each county's first organisation (demo only; shown by ``huimin demo logins``)
DEMO_ORG_PASSWORD = "DEMO-2026-ORGS"  # noqa: S105
KINDS = [("social_group", "协会", 0.55), ("service_org", "服务中心", 0.35), ("foundation", "基金会", 0.10)]
TOPICS = [
    "养老",
    "助残",
    "慈善",
    "教育",
    "文化",
    "体育",
    "农业技术",
    "社会工作",
    "志愿服务",
    "青少年发展",
    "商会",
    "医疗卫生",
    "环境保护",
    "社区服务",
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林"


KIND_DIGIT = {"social_group": "1", "service_org": "2", "foundation": "3"}  # 51 社会团体, 52 民办非企业单位, 53 基金会


def credit_code(county6: str, n: int, kind: str) -> str:
    body = f"5{KIND_DIGIT[kind]}{county6}MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


def _dt(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def load_orgs(as_of: datetime.date, seed: int = 1) -> dict[str, int]:
    from huimin.orgs import defaults, rules
    from huimin.orgs.models import (
        Activity,
        AnnualReport,
        CreditEntry,
        CreditRule,
        Donation,
        Organisation,
        ServiceHours,
        SocialWorkStation,
        Volunteer,
    )
    from huimin.registry.models import Person

    defaults.ensure()  # the credit-list reasons (a database emptied after migrate has lost them)
    rng = random.Random(seed)
    approvers = {u.region_id: u for u in User.objects.with_role(Role.APPROVER, BusinessLine.ORGS)}
    reviewers = {u.region_id: u for u in User.objects.with_role(Role.REVIEWER, BusinessLine.ORGS)}
    if not approvers:
        return {}
    password = make_password(DEMO_ORG_PASSWORD)
    orgs, n = [], 0
    for county in sorted(approvers):
        villages = list(Region.objects.filter(code__startswith=county[:6], level=5).values_list("code", flat=True))
        if not villages:
            continue
        name = Region.objects.get(code=county).name
        for i in range(PER_COUNTY):
            n += 1
            kind, suffix, _ = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
            registered = datetime.date(rng.randint(2008, as_of.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            orgs.append(
                Organisation(
                    name=f"{name}{rng.choice(TOPICS)}{suffix}" + ("" if i < len(TOPICS) else f"（{i}）"),
                    kind=kind,
                    credit_code=credit_code(county[:6], n, kind),
                    authority_id=county,
                    region_id=rng.choice(villages),
                    supervisor="" if kind != "foundation" and i % 3 else f"{name}民政局",
                    legal_rep=rng.choice(SURNAMES) + rng.choice("建国华明秀英伟强丽军"),
                    domicile=f"{name}人民路{i + 1}号",
                    capital=Decimal(200 if kind == "foundation" else rng.choice((3, 5, 10, 20))),
                    scope=f"{rng.choice(TOPICS)}领域的交流、培训与公益服务",
                    registered_on=registered,
                    is_charity=kind == "foundation" or i == 1,
                    charity_on=registered if kind == "foundation" or i == 1 else None,
                    fundraising=i == 1,
                    portal_password=password if i == 0 else "",
                )
            )
    Organisation.objects.bulk_create(orgs, batch_size=500)
    orgs = list(Organisation.objects.order_by("pk"))

    # two years of annual reports: the year before last all but a few decided; last year's still arriving
    rules_by_code = {r.code: r for r in CreditRule.objects.all()}
    reports, credit = [], []
    last, before = as_of.year - 1, as_of.year - 2
    deadline_passed = rules.overdue(last, as_of)
    for k, org in enumerate(orgs):
        approver, reviewer = approvers[org.authority_id], reviewers.get(org.authority_id)
        for year in (before, last):
            if org.registered_on.year > year:
                continue
            # each county's first organisation has not filed last year's report yet: its demo password lets one file it
            first = org.portal_password != ""
            missing = (k % 17 == 5) if year == before else (k % 9 == 4 or first)
            if missing:
                if rules.overdue(year, as_of) and not any(c.org is org for c in credit):
                    decided = rules.report_deadline(year) + datetime.timedelta(days=20)
                    credit.append(
                        CreditEntry(
                            org=org,
                            rule=rules_by_code["not_filed"],
                            list="abnormal",
                            decided_on=decided,
                            entered_on=decided,
                            entered_by=approver.username,
                            due_by=rules.entry_due(decided, 5),
                            note=f"未报送 {year} 年度工作报告",
                            report_year=year,
                        )
                    )
                continue
            income = Decimal(rng.randint(20, 900) * 1000)
            data = {
                "income": str(income),
                "expenditure": str(income * Decimal("0.85")),
                "net_assets": str(Decimal(rng.randint(10, 500) * 1000)),
                "staff": str(rng.randint(1, 12)),
                "activities": "年度会员大会、培训 3 次、公益活动 5 次",
            }
            if org.is_charity:
                data |= {
                    "charity_spending": str(income * Decimal("0.72")),
                    "admin_costs": str(income * Decimal("0.06")),
                    "base": str(income),
                }
            filed = datetime.date(year + 1, rng.randint(3, 5), rng.randint(1, 28))
            report = AnnualReport(org=org, year=year, data=data, filed_at=_dt(filed))
            if year == last and k % 8 == 3:
                report.status, report.precheck_by, report.precheck_at = "returned", reviewer, _dt(filed)
                report.precheck_note = "年末净资产与审计报告不一致，请核对后重新报送"
            elif year == before or k % 4:
                report.status, report.precheck_by, report.precheck_at = "prechecked", reviewer, _dt(filed)
                if year == before or k % 3:
                    report.status, report.result = "decided", "qualified" if k % 11 else "basic"
                    report.decided_by, report.decided_at = approver, _dt(filed + datetime.timedelta(days=20))
                    report.decision_note = "" if k % 11 else "财务制度不够健全，限期整改"
            reports.append(report)
    AnnualReport.objects.bulk_create(reports, batch_size=500)
    if not deadline_passed:
        credit = [c for c in credit if c.report_year != last]
    # one organisation unreachable at its domicile since more than two years: moved to the serious list
    moved_org = orgs[7]
    entered = as_of.replace(year=as_of.year - 2) - datetime.timedelta(days=40)
    old = CreditEntry(
        org=moved_org,
        rule=rules_by_code["unreachable"],
        list="abnormal",
        decided_on=entered,
        entered_on=entered,
        entered_by="demo",
        due_by=rules.entry_due(entered, 5),
        exited_on=rules.move_date(entered, 2),
        exited_by="系统",
        exit_reason="列入活动异常名录满2年未移出，转入严重违法失信名单",
    )
    CreditEntry.objects.bulk_create(credit + [old])
    moved_on = rules.move_date(entered, 2)
    CreditEntry.objects.create(
        org=moved_org,
        rule=rules_by_code["from_abnormal"],
        list="serious",
        decided_on=moved_on,
        entered_on=moved_on,
        entered_by="系统",
        due_by=rules.entry_due(moved_on, 5),
        note="由活动异常名录转入（通过登记的住所无法与社会组织取得联系）",
        moved_from=old,
    )

    # a charity's donations and a volunteer team with confirmed hours, in the first county
    first_county = sorted(approvers)[0]
    county_orgs = [o for o in orgs if o.authority_id == first_county]
    charity, team = county_orgs[1], county_orgs[2]
    Donation.objects.bulk_create(
        [
            Donation(
                org=charity,
                donor=rng.choice(["爱心企业", "个人捐赠者", "某商会"]) + f"{d + 1}",
                amount=Decimal(rng.choice((200, 500, 1000, 5000, 20000))),
                purpose=rng.choice(["助学", "助老", "助残"]),
                received_on=as_of - datetime.timedelta(days=7 * d),
                channel="online" if d % 2 else "offline",
                recorded_by="demo",
            )
            for d in range(24)
        ]
    )
    people = list(
        Person.objects.filter(
            region__code__startswith=first_county[:6],
            is_deceased=False,
            birth_date__lte=as_of.replace(year=as_of.year - 18),
            birth_date__gte=as_of.replace(year=as_of.year - 60),
        ).order_by("pk")[:20]
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                name=p.name,
                id_number=p.id_number,
                region_id=p.region_id,
                person=p,
                org=team,
                registered_on=as_of - datetime.timedelta(days=300),
            )
            for p in people
        ]
    )
    clerk = User.objects.with_role(Role.CLERK, BusinessLine.ORGS).filter(region_id=first_county).first()
    activities = (
        Activity.objects.bulk_create(
            [
                Activity(
                    org=team,
                    title=title,
                    held_on=as_of - datetime.timedelta(days=30 * m),
                    region_id=people[0].region_id,
                )
                for m, title in enumerate(["重阳节敬老院探访", "社区环境清洁", "留守儿童课业辅导"])
            ]
        )
        if people
        else []
    )
    hours = [
        ServiceHours(
            activity=a,
            volunteer=v,
            hours=Decimal(rng.choice(("2.0", "3.5", "4.0"))),
            recorded_by=clerk.username if clerk else "demo",
            confirmed_by=approvers[first_county].username if m else "",
            confirmed_at=_dt(a.held_on) if m else None,
        )
        for m, a in enumerate(activities)
        for v in volunteers[: 8 + 4 * m]
    ]
    ServiceHours.objects.bulk_create(hours)

    towns = Region.objects.filter(level=4, code__startswith="4117").order_by("code")
    stations = [
        SocialWorkStation(
            region=t,
            name=f"{t.name}社会工作服务站",
            social_workers=rng.randint(1, 4),
            services="困难群众走访、心理疏导、政策宣传",
            opened_on=datetime.date(2022, rng.randint(1, 12), 1),
        )
        for k, t in enumerate(towns)
        if k % 5  # four in five townships have theirs
    ]
    SocialWorkStation.objects.bulk_create(stations)
    draws = load_spot_checks()
    return {
        "spot_check_draws": draws,
        "organisations": len(orgs),
        "reports": len(reports),
        "credit": len(credit) + 2,
        "volunteers": len(volunteers),
        "stations": len(stations),
    }


def load_spot_checks() -> int:
    """Each county's yearly 双随机 spot check of its organisations (4%, rounded up), drawn and published by its
    approver through huimin.supervision, with two inspections recorded: one joint with the 市场监管局, one that
    found a problem to rectify."""
    from huimin.core.context import acting_as, actor_for
    from huimin.orgs import rules
    from huimin.orgs.supervision_hooks import organisation_population
    from huimin.supervision import services as supervision

    line = BusinessLine.ORGS
    day = timezone.localdate()  # the draw is made and published today: its inspections cannot be earlier
    made = 0
    for approver in User.objects.with_role(Role.APPROVER, line).order_by("region_id"):
        county = approver.region_id
        population = organisation_population(county)
        inspectors = supervision.eligible_inspectors(line, county)
        if not population or len(inspectors) < 2:
            continue
        with acting_as(actor_for(approver)):
            draw = supervision.draw(
                approver, purpose="社会组织年度双随机抽查（章程执行、财务管理、活动开展）", line=line, region=county,
                period=f"{day.year}年度", population=population, inspectors=inspectors,
                ratio=rules.SPOT_CHECK_TARGET, seed=int(county[:6]) * 10000 + day.year,
            )  # fmt: skip
            supervision.publish(approver, draw.pk)
        made += 1
        for n, planned in enumerate(draw.inspections.order_by("pk")[:2]):
            inspector = User.objects.get(pk=planned.inspector_id)
            with acting_as(actor_for(inspector)):
                supervision.record_inspection(
                    inspector, planned.pk, inspected_on=day, joint_with="" if n else "市场监管局",
                    summary="章程执行、财务管理和活动开展情况良好" if not n else "理事会未按章程按期换届",
                )  # fmt: skip
                if n:
                    supervision.add_finding(inspector, planned.pk, description="理事会未按章程按期换届",
                                            severity="general")  # fmt: skip
    return made
