"""The demo city's 探访关爱: a visitor for every village (the village's 协理员 where it has an account, a 村干部
otherwise), every older person assigned to his village's visitor, and the visits of the last months — most in
time, some late, so the townships' overdue lists and the county's 月探访率 have something to show. The visits are
bulk-inserted (the demo's budget); a few recent ones go through huimin.elderly.visits like a visitor's phone, one
with a referral to 临时救助."""

import datetime

from django.utils import timezone

from huimin.core import regions
from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.elderly import rules, services, visits
from huimin.elderly.models import Visit, VisitAssignment, Visitor
from huimin.registry.models import Person

LATE_ONE_IN = 7  # about one older person in seven is behind with his visits
THROUGH_SERVICES = 5


def load_visits(as_of: datetime.date) -> dict[str, int]:
    """The visits lead up to today (not the demo's as_of): the overdue list is today's."""
    day = timezone.localdate()
    age = services.register_age()
    people = list(Person.objects.filter(rules.elderly_q(day, age)).values_list("pk", "region_id").order_by("pk"))
    villages = sorted({v for _, v in people})
    assistants = {u.region_id: u for u in User.objects.with_role(Role.ASSISTANT, BusinessLine.ELDERLY)}
    clerks = {u.region_id: u for u in User.objects.with_role(Role.CLERK, BusinessLine.ELDERLY)}
    names = dict(Region.objects.filter(code__in=villages).values_list("code", "name"))
    visitor_of = {}
    for code in villages:
        township = regions.ancestor_code(code, regions.TOWNSHIP)
        user = assistants.get(code)
        v = Visitor.objects.create(
            name=f"{names.get(code, code)}{'协理员' if user else '村干部'}", township_id=township, user=user,
            kind=Visitor.Kind.ASSISTANT if user else Visitor.Kind.CADRE,
        )  # fmt: skip
        v.villages.set([code])
        visitor_of[code] = (v, user or clerks.get(township))
    since = day - datetime.timedelta(days=200)
    VisitAssignment.objects.bulk_create(
        [VisitAssignment(person_id=pk, visitor=visitor_of[v][0], since=since) for pk, v in people]
    )
    schedule = {d.person_id: d for d in visits.schedule("", day, age)}
    rows = []
    for pk, village in people:
        visitor, recorder = visitor_of[village]
        if recorder is None:
            continue
        period = schedule[pk].period_days if pk in schedule and schedule[pk].period_days else 90
        late = pk % LATE_ONE_IN == 0
        # the last visit: well inside the period, or — for the late ones — a period and a half ago
        back = int(period * 1.5) + pk % 5 if late else pk % max(1, period - 2)
        last = day - datetime.timedelta(days=back)
        for visited_on in (last - datetime.timedelta(days=period), last):
            rows.append(Visit(person_id=pk, region_id=village, visitor=visitor, visited_on=visited_on,
                              seen_in_person=pk % 11 != 0, living="good" if pk % 4 else "fair",
                              health="fair" if pk % 3 == 0 else "good", recorded_by=recorder,
                              note="" if pk % 11 else "外出就医，电话联系本人"))  # fmt: skip
    Visit.objects.bulk_create(rows, batch_size=1000)
    recorded = 0
    for pk, village in people:
        visitor, user = visitor_of[village]
        if recorded >= THROUGH_SERVICES or user is None or visitor.user_id is None:
            continue
        with acting_as(actor_for(user)):
            visit = visits.do_visit(user, {
                "person": pk, "visited_on": day, "seen_in_person": True, "living": "poor", "health": "fair",
                "needs": "冬季取暖困难，需要临时救助" if recorded == 0 else "",
            })  # fmt: skip
            if recorded == 0:
                visits.do_refer(user, visit, "assistance", "冬季取暖困难，需要临时救助")
        recorded += 1
    return {"visitors": len(visitor_of), "assigned": len(people), "visits": len(rows) + recorded}
