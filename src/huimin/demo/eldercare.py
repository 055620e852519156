"""The demo city's 养老机构, community facilities, a quarter's 双随机 draw with its inspections, and some 适老化改造
applications — all through the services of huimin.eldercare and huimin.supervision, as the county's 养老服务 staff
would have done it."""

import datetime

from django.utils import timezone
from stdnum.cn import uscc

from huimin.core import audit, regions
from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.eldercare import rules, services
from huimin.eldercare.models import Facility, Institution, Resident
from huimin.eldercare.registry_hooks import institution_population
from huimin.elderly.models import CategoryMark
from huimin.supervision import services as supervision

INSTITUTIONS = (  # name suffix, kind, nursing beds, general beds
    ("社会福利中心", Institution.Kind.PUBLIC, 80, 40),
    ("颐养院", Institution.Kind.PUBLIC_PRIVATE, 40, 40),
    ("康宁护理院", Institution.Kind.PRIVATE, 60, 10),
    ("夕阳红老年公寓", Institution.Kind.PRIVATE, 10, 50),
)
RESIDENTS = 3  # older people admitted to each institution
RETROFITS = 2  # 适老化 applications per county


def _uscc(kind: str, county: str, seq: int) -> str:
    base = ("12" if kind == Institution.Kind.PUBLIC else "52") + county[:6] + ("MB" if kind == "public" else "MJ")
    base += f"{seq:07d}"
    return base + uscc.calc_check_digit(base)


def load_eldercare(as_of: datetime.date) -> dict[str, int]:
    from huimin.elderly.services import register

    counts = {"institutions": 0, "residents": 0, "facilities": 0, "draws": 0, "retrofits": 0}
    day = min(as_of, timezone.localdate())
    line = BusinessLine.ELDERLY
    for approver in User.objects.with_role(Role.APPROVER, line).order_by("region_id"):
        county = approver.region_id
        towns = list(Region.objects.filter(parent_id=county, level=regions.TOWNSHIP).order_by("code")[:4])
        if not towns:
            continue
        with acting_as(actor_for(approver)):
            since = day - datetime.timedelta(days=400)  # older people then, so on every admission date too
            older = list(register(approver, since).filter(household__isnull=False).order_by("pk")[:200])
            homes = []
            for n, (suffix, kind, nursing, general) in enumerate(INSTITUTIONS):
                town = towns[n % len(towns)]
                home = services.register_institution(approver, {
                    "name": f"{town.name}{suffix}", "kind": kind, "uscc": _uscc(kind, county, n + 1),
                    "operator": f"{town.name}{'民政所' if kind == 'public' else '养老服务有限公司'}",
                    "address": f"{town.name}民生路 {n + 1} 号", "region": town.code,
                    "filed_on": day - datetime.timedelta(days=400 + 30 * n), "nursing_beds": nursing,
                    "general_beds": general,
                })  # fmt: skip
                homes.append(home)
                counts["institutions"] += 1
                hired = day - datetime.timedelta(days=300)
                services.add_staff(approver, home.pk, {"name": f"{town.name}护理员", "post": "carer",
                                   "qualification": "养老护理员四级", "hired_on": hired})  # fmt: skip
                if n < 2:
                    rated, until = day - datetime.timedelta(days=200), day + datetime.timedelta(days=900)
                    services.rate(approver, home.pk, stars=3 + n, rated_on=rated, valid_until=until,
                                  basis="县级养老机构等级评定")  # fmt: skip
            # the residents as the township clerks registered them over time (in bulk: the budget of the demo load);
            # each is an older person on the register of 400 days ago, at most the institution's beds
            admitted = [
                Resident(institution=homes[i % len(homes)], person=person, bed_type="general" if i % 3 == 0 else
                         "nursing", admitted_on=day - datetime.timedelta(days=10 + i))
                for i, person in enumerate(older[: RESIDENTS * len(homes)])
            ]  # fmt: skip
            Resident.objects.bulk_create(admitted)
            audit.record("eldercare.resident.admit", detail=f"演示：{len(admitted)} 名老年人入住养老机构",
                         region_code=county)  # fmt: skip
            counts["residents"] += len(admitted)
            for town in towns[:2]:
                for kind, label in ((Facility.Kind.DAY_CARE, "日间照料中心"), (Facility.Kind.MEAL_POINT, "老年助餐点")):
                    f = services.register_facility(approver, {
                        "kind": kind, "name": f"{town.name}{label}", "region": town.code, "address": f"{town.name}",
                        "operator": f"{town.name}社区", "status_since": day - datetime.timedelta(days=365),
                        "capacity": 30 if kind == Facility.Kind.DAY_CARE else 60,
                    })  # fmt: skip
                    last = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
                    services.record_use(approver, f.pk, month=last.strftime("%Y-%m"), visits=300 + 10 * len(label),
                                        meals=900 if kind == Facility.Kind.MEAL_POINT else 0)  # fmt: skip
                    counts["facilities"] += 1
            inspectors = supervision.eligible_inspectors(line, county)
            if len(inspectors) >= 2:
                quarter = (day.month - 1) // 3 + 1
                draw = supervision.draw(
                    approver, purpose="养老机构服务质量与安全检查", line=line, region=county,
                    period=f"{day.year}年第{quarter}季度", population=institution_population(county),
                    inspectors=inspectors, count=2, seed=int(county[:6]) * 100 + quarter,
                )  # fmt: skip
                supervision.publish(approver, draw.pk)
                counts["draws"] += 1
                planned = draw.inspections.order_by("pk").first()
                inspector = User.objects.get(pk=planned.inspector_id)
                with acting_as(actor_for(inspector)):
                    supervision.record_inspection(inspector, planned.pk, inspected_on=timezone.localdate(),
                                                  summary="消防设施完好；厨房留样记录不全")  # fmt: skip
                    supervision.add_finding(inspector, planned.pk, description="食品留样记录不全", severity="general")
                    supervision.add_risk(inspector, subject=(planned.subject_kind, planned.subject_id), line=line,
                                         category="food", level="general", description="食品留样不规范",
                                         identified_on=timezone.localdate())  # fmt: skip
            made = 0
            resident_ids = set(Resident.objects.values_list("person_id", flat=True))
            # the poor older families among them, found in two queries rather than one check per person
            poor = services._in_programmes({p.household_id for p in older}, set(rules.POOR_PROGRAMMES))
            marked = set(CategoryMark.objects.filter(person__in=older, status=CategoryMark.Status.CONFIRMED)
                         .values_list("person_id", flat=True))  # fmt: skip
            for person in older[::-1]:
                if made >= RETROFITS:
                    break
                if person.pk in resident_ids or (person.household_id not in poor and person.pk not in marked):
                    continue
                try:
                    services.apply_retrofit(approver, person_pk=person.pk, applied_on=day - datetime.timedelta(days=20))
                except services.BusinessRuleError:
                    continue  # the household applied already
                made += 1
                counts["retrofits"] += 1
    return counts
