"""The demo city's 流浪乞讨救助: in the first county a 救助管理站, the city's 90-day legal period before placement, and
a year of stays through huimin.relief.services, as the station's staff would have done it — people brought by the
police, the city management or the public, most identified and returned home with the receiver's confirmation, one
who left; in the station now: one identified from the registry waiting for the family to fetch him, one
unidentified admitted over 90 days ago (due for 特困 placement: the station's head lodges it, shown by the tests),
and one admitted this week; each day in the station recorded. Photos are small generated pictures."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.demo.names import SURNAMES
from huimin.registry import idnumbers
from huimin.registry.models import Person
from huimin.relief import services
from huimin.relief.models import DailyRecord, PlacementPeriod, Stay

RETURNED = 10  # stays of the past year that ended with a return home
GIVEN = "建国秀英桂兰志强玉梅德福凤英文华金花保国淑珍振华春兰"
PLACES = ("火车站广场", "汽车站候车厅", "人民公园", "解放大道天桥下", "中心医院门口")
FOUND = (("police", "火车站派出所"), ("city", "城管执法大队"), ("public", "热心群众"), ("self", ""))
HOMETOWNS = ("河南省周口市郸城县", "安徽省阜阳市临泉县", "湖北省随州市曾都区", "河南省信阳市息县")


def _photo(rng: random.Random, n: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))).save(buffer, "JPEG")
    return SimpleUploadedFile(f"demo-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
    return surname + GIVEN[rng.randrange(0, len(GIVEN), 2)] + GIVEN[rng.randrange(1, len(GIVEN), 2)]


def _id_number(rng: random.Random, county: str) -> str:
    while True:
        birth = datetime.date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28))
        number = idnumbers.make(county[:6], birth, rng.randint(0, 999))
        taken = Person.objects.filter(**Person.lookup("id_number", number)).exists()
        if not taken and not Stay.objects.filter(**Stay.lookup("id_number", number)).exists():
            return number


def _intake(rng, station, n: int, admitted: datetime.date, **over) -> dict:
    by, detail = FOUND[n % len(FOUND)]
    return {
        "station": str(station.pk), "sex": rng.choice("12"), "apparent_age": str(rng.randint(25, 70)),
        "description": rng.choice(["身高约165厘米，偏瘦，短发", "身高约175厘米，中等身材，右手有旧伤疤",
                                   "身高约160厘米，驼背，花白头发"]),
        "accent": rng.choice(["豫东口音", "皖北口音", "普通话"]), "found_place": rng.choice(PLACES), "found_by": by,
        "found_by_detail": detail, "found_on": admitted.isoformat(), "admitted_on": admitted.isoformat(),
        "health": "normal", "belongings": rng.choice(["旧棉衣一件", "编织袋一个，内有衣物", "手机一部（无电）"]),
        **over,
    }  # fmt: skip


def _days(stay: Stay, until: datetime.date, who: str) -> None:
    day, rows = stay.admitted_on, []
    while day <= until:
        rows.append(DailyRecord(stay=stay, day=day, meals=3, condition="normal", note="情绪稳定", recorded_by=who))
        day += datetime.timedelta(days=1)
    DailyRecord.objects.bulk_create(rows)


def load_relief(as_of: datetime.date, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    day = min(as_of, timezone.localdate())
    counts = {"stations": 0, "stays": 0}
    head = User.objects.with_role(Role.APPROVER, BusinessLine.RELIEF).order_by("region_id").first()
    if head is None:
        return counts
    county = head.region
    clerk = User.objects.with_role(Role.CLERK, BusinessLine.RELIEF).filter(region=county).order_by("username").first()
    city = Region.objects.get(code=county.parent_id) if county.parent_id else None
    PlacementPeriod.objects.create(region=city, days=90, effective_from=datetime.date(2020, 1, 1),
                                   basis="流浪乞讨人员救助管理办法（演示：寻亲 90 日）", created_by="demo")  # fmt: skip
    with acting_as(actor_for(head)):
        station = services.add_station(head, {"name": f"{county.name}救助管理站", "region": county.code,
                                              "address": f"{county.name}解放大道 88 号", "beds": "60",
                                              "phone": "0396-12345"})  # fmt: skip
    counts["stations"] = 1
    n = 0
    with acting_as(actor_for(clerk)):
        for k in range(RETURNED):  # a year of stays ended with a return home
            admitted = day - datetime.timedelta(days=330 - k * 32)
            stay = services.admit(clerk, _intake(rng, station, n, admitted, id_number=_id_number(rng, county.code),
                                                 name=_name(rng)))  # fmt: skip
            length = rng.randint(1, 6)
            home = rng.choice(HOMETOWNS)
            stay.hometown = home
            stay.save(update_fields=["hometown"])
            back = admitted + datetime.timedelta(days=length)
            services.arrange_return(clerk, stay, {
                "return_method": rng.choice(["escort", "fetched", "ticket"]), "return_destination": home,
                "receiver_name": _name(rng), "receiver_relation": rng.choice(["儿子", "女儿", "当地村委会"]),
                "receiver_phone": f"139{rng.randint(0, 99999999):08d}", "return_arranged_on": back.isoformat(),
            })  # fmt: skip
            services.confirm_return(clerk, stay, {"returned_on": back.isoformat(),
                                                  "receiver_confirmation": f"回执 JS{back:%Y%m%d}{k:02d}"})  # fmt: skip
            _days(stay, back, clerk.username)
            n += 1
        admitted = day - datetime.timedelta(days=40)  # identified, but insisted on leaving
        stay = services.admit(clerk, _intake(rng, station, n, admitted, id_number=_id_number(rng, county.code),
                                             name=_name(rng)))  # fmt: skip
        services.leave(clerk, stay, {"left_on": (admitted + datetime.timedelta(days=2)).isoformat(),
                                     "left_reason": "本人坚持离站，已告知可随时求助"})  # fmt: skip
        _days(stay, admitted + datetime.timedelta(days=2), clerk.username)
        n += 1
        # in the station now: unidentified for over 90 days (due for placement), its searches recorded
        long_ago = day - datetime.timedelta(days=100)
        stay = services.admit(clerk, _intake(rng, station, n, long_ago, description="身高约170厘米，偏瘦，左眉有疤，"
                                             "不能说出姓名和住址"), _photo(rng, n))  # fmt: skip
        for channel in ("national", "police"):
            s = services.request_search(clerk, stay, {"channel": channel, "requested_on": long_ago.isoformat(),
                                                      "note": "演示：已提交照片和体貌特征"})  # fmt: skip
            services.close_search(clerk, s, {"outcome": "not_found", "note": "演示：比对无结果"})
        _days(stay, day, clerk.username)
        n += 1
        # a registry person of the county, found by the registry search: his family comes to fetch him
        person = (
            Person.objects.filter(region__code__startswith=county.code[:6], is_deceased=False, merged_into__isnull=True)
            .order_by("pk")
            .first()
        )
        recent = day - datetime.timedelta(days=3)
        stay = services.admit(clerk, _intake(rng, station, n, recent, sex=person.sex if person else "1",
                                             health="ill", health_note="轻度脱水，已补液"), _photo(rng, n))  # fmt: skip
        if person is not None:
            services.identify(clerk, stay, {"person": str(person.pk), "how": "registry"})
            services.arrange_return(clerk, stay, {
                "return_method": "fetched", "receiver_name": "家属（演示）", "receiver_relation": "亲属",
                "receiver_phone": "13900000000", "return_arranged_on": day.isoformat(),
            })  # fmt: skip
        _days(stay, day, clerk.username)
        n += 1
        stay = services.admit(clerk, _intake(rng, station, n, day), _photo(rng, n))  # admitted today
        n += 1
    counts["stays"] = n
    return counts
