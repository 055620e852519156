"""The demo city's 区划地名, for its first county: the county seat's roads and streets (two renamed, with their former
names), 小区, a bridge, the natural villages of a few villages, their 地名标志 in every condition, the addresses of
the seat's first households linked to its roads, one proposal approved (history) and one 待审批 — the county's
区划地名经办员 ``dm<county6>`` proposed them, its 审批人 ``dp<county6>`` decided. Rows are bulk-inserted; the pinyin
is the rules' (``places.rules.standard_pinyin``). No 行政区划 change is made: the demo city's regions stay as
generated (the merge is shown by tests/places/test_merge.py)."""

import datetime
import random

from django.utils import timezone

from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.places.models import AddressLink, NameHistory, PlaceName, Proposal, Sign
from huimin.places.rules import standard_pinyin
from huimin.registry.models import Household

ROADS = ["人民路", "解放路", "建设路", "文化路", "健康路", "胜利街", "中华路", "光明路", "团结路", "育才路",
         "新华街", "和平路", "朝阳路", "兴业路", "长安街", "顺河路"]  # fmt: skip
RENAMED = {"中华路": ("老城东街", "1998-06-01"), "顺河路": ("河沿街", "2005-09-01")}  # current → (former, since)
COMMUNITIES = ["幸福里小区", "阳光花园", "锦绣家园", "书香苑"]
BRIDGES = ["跃进桥", "通济桥"]
HAMLETS = ["东庄", "西庄", "后营", "前湾", "李寨", "孙屯"]
LINKED_HOUSEHOLDS = 24
CONDITIONS = ["good"] * 7 + ["worn", "damaged", "missing"]


def _county() -> Region | None:
    approver = User.objects.with_role(Role.APPROVER, BusinessLine.PLACES).order_by("region_id").first()
    return approver.region if approver else None


def load_places(as_of: datetime.date, seed: int = 1) -> dict[str, int]:
    county = _county()
    if county is None:
        return {}
    rng = random.Random(seed)
    c6 = county.code[:6]
    clerk = User.objects.get(username=f"dm{c6}")
    approver = User.objects.get(username=f"dp{c6}")
    towns = list(Region.objects.filter(parent=county, level=4).order_by("code"))
    seat = next((t for t in towns if t.name == "城关镇"), towns[0])
    seat_villages = list(Region.objects.filter(parent=seat, level=5).order_by("code")) or [seat]
    doc = f"{county.name[:2]}政地名〔2012〕{c6[4:6]}号"
    approved = datetime.date(2012, 4, 20)
    rows: list[PlaceName] = []

    def place(name, kind, region, **extra):
        rows.append(PlaceName(name=name, pinyin=standard_pinyin(name), kind=kind, region=region, county_code=c6,
                              latitude=round(32.95 + rng.random() / 20, 6),
                              longitude=round(114.0 + rng.random() / 20, 6),
                              document=extra.pop("document", doc), approved_on=extra.pop("approved_on", approved),
                              **extra))  # fmt: skip

    for i, road in enumerate(ROADS):
        kind = "street" if road.endswith("街") else "road"
        renamed = road in RENAMED
        place(road, kind, seat_villages[i % len(seat_villages)], meaning="以寓意命名" if not renamed else "更名",
              document=f"{county.name[:2]}政地名〔2018〕{i + 1}号" if renamed else doc,
              approved_on=datetime.date(2018, 3, 1) if renamed else approved)  # fmt: skip
    for i, name in enumerate(COMMUNITIES):
        place(name, "community", seat_villages[i % len(seat_villages)])
    for i, name in enumerate(BRIDGES):
        place(name, "bridge", seat_villages[-1 - i % len(seat_villages)])
    for town in towns[1:4]:
        village = Region.objects.filter(parent=town, level=5).order_by("code").first()
        if village is None:
            continue
        for hamlet in rng.sample(HAMLETS, 3):
            place(f"{village.name[:2]}{hamlet}", "natural_village", village, meaning="以姓氏或方位得名")
    PlaceName.objects.bulk_create(rows)
    by_name = {p.name: p for p in PlaceName.objects.filter(county_code=c6)}

    NameHistory.objects.bulk_create(
        NameHistory(place=by_name[now], name=former, pinyin=standard_pinyin(former),
                    used_from=datetime.date.fromisoformat(since), used_until=datetime.date(2018, 3, 1),
                    document=by_name[now].document, reason="道路拓宽改造后统一命名")
        for now, (former, since) in RENAMED.items()
    )  # fmt: skip

    signs = []
    checked = as_of - datetime.timedelta(days=40)
    for name in ROADS:
        p = by_name[name]
        for end in ("东口", "西口"):
            condition = rng.choice(CONDITIONS)
            signs.append(Sign(place=p, kind="road", location=f"{name}{end}", text=p.name, condition=condition,
                              installed_on=datetime.date(2018, 5, 1), checked_on=checked))  # fmt: skip
    signs.append(Sign(place=by_name["顺河路"], kind="road", location="顺河路与人民路交叉口", text="河沿街",
                      condition="outdated", installed_on=datetime.date(2008, 5, 1),
                      checked_on=as_of - datetime.timedelta(days=40), note="仍为更名前的名称，待更换"))  # fmt: skip
    for name in COMMUNITIES:
        signs.append(Sign(place=by_name[name], kind="community", location=f"{name}南门", text=name,
                          installed_on=datetime.date(2019, 5, 1), checked_on=checked))  # fmt: skip
    Sign.objects.bulk_create(signs)

    households = list(
        Household.objects.filter(region__parent=seat, is_active=True).order_by("number")[:LINKED_HOUSEHOLDS]
    )
    links = []
    for i, household in enumerate(households):
        road = by_name[ROADS[i % len(ROADS)]]
        detail = f"{rng.randint(1, 199)}号"
        household.address = f"{road.name}{detail}"
        links.append(AddressLink(household=household, place=road, detail=detail, linked_by=clerk.username))
    Household.objects.bulk_update(households, ["address"])
    AddressLink.objects.bulk_create(links)

    now = timezone.now()
    estate = by_name["锦绣家园"]
    done = Proposal.objects.create(number=f"DM{as_of:%Y}00001", type="new", name=estate.name, pinyin=estate.pinyin,
                                   kind="community", region=estate.region, reason="新建住宅小区命名",
                                   proposed_by=clerk, status="approved", decided_by=approver, document=doc,
                                   place=estate)  # fmt: skip
    Proposal.objects.filter(pk=done.pk).update(proposed_at=now - datetime.timedelta(days=60),
                                               decided_at=now - datetime.timedelta(days=55))  # fmt: skip
    Proposal.objects.create(number=f"DM{as_of:%Y}00002", type="new", name="滨河路", pinyin=standard_pinyin("滨河路"),
                            kind="road", region=seat_villages[0], reason="新建沿河道路，需命名",
                            latitude=32.981, longitude=114.022, proposed_by=clerk)  # fmt: skip
    return {"places": len(rows), "signs": len(signs), "addresses": len(links)}
