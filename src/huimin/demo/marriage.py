"""The demo city's 婚姻登记: one registry office per county with its popular dates, a year of registrations
(marriages and divorces, bulk inserted with their certificate numbers and the counters left at the last one, so
the next registration at the window continues the sequence), a sample of the digitised paper archive (older
marriages, most still subsisting), divorce applications in each state, and the year's appointments with their
no-shows. Parties are synthetic ID numbers from across the province; none is a registry person."""

import datetime
import random
import secrets

from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.marriage.models import Appointment, Counter, DivorceApplication, Office, Record, SpecialDate
from huimin.registry import idnumbers

PER_COUNTY = 120  # marriages a county registers in the demo year
DIVORCE_SHARE = 0.3
ARCHIVE_PER_COUNTY = 60
AREAS = ("411702", "411721", "411722", "411723", "411724", "410102", "410302", "411102")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
SPECIAL = (("05-20", "5月20日", 80), ("08-19", "七夕", 80))  # 七夕 2026 falls on 19 August (lunar 7/7)


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _party(rng, sex: str, day: datetime.date, used: set[str]):
    while True:
        age = rng.randint(22 if sex == "1" else 20, 45)
        born = day.replace(year=day.year - age) - datetime.timedelta(days=rng.randint(1, 360))
        seq = rng.randrange(1 if sex == "1" else 0, 1000, 2)
        number = idnumbers.make(rng.choice(AREAS), born, seq)
        if number not in used:
            used.add(number)
            return _name(rng), number, born


def _record(office, kind, number, day, rng, used, status="valid", source="registered", **extra):
    mn, mi, mb = _party(rng, "1", day, used)
    fn, fi, fb = _party(rng, "2", day, used)
    return Record(
        kind=kind,
        number=number,
        office=office,
        office_name=office.name,
        region_id=office.region_id,
        registered_on=day,
        status=status,
        source=source,
        verify_token=secrets.token_urlsafe(16),
        male_name=mn,
        male_id_number=mi,
        male_birth_date=mb,
        female_name=fn,
        female_id_number=fi,
        female_birth_date=fb,
        **extra,
    )


def load_marriage(as_of: datetime.date, seed: int = 20) -> dict[str, int]:
    rng = random.Random(seed)
    used: set[str] = set()
    counties = sorted({u.region_id for u in User.objects.with_role(Role.CLERK, BusinessLine.MARRIAGE)})
    names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    counts = {"offices": 0, "records": 0, "archive": 0, "applications": 0, "appointments": 0}
    start = as_of - datetime.timedelta(days=364)
    for i, county in enumerate(counties):
        office = Office.objects.create(
            code=f"{county[:6]}-01",
            name=f"{names[county]}婚姻登记处",
            region_id=county,
            address=f"{names[county]}民政局一楼",
            windows=3,
            daily_capacity=40,
        )
        counts["offices"] += 1
        for mmdd, label, cap in SPECIAL:
            SpecialDate.objects.create(
                office=office, day=datetime.date.fromisoformat(f"{as_of.year}-{mmdd}"), name=label, capacity=cap
            )
        days = sorted(start + datetime.timedelta(days=rng.randrange(365)) for _ in range(PER_COUNTY))
        seq = {}
        rows = []
        for day in days:
            n = seq[(day.year, "J")] = seq.get((day.year, "J"), 0) + 1
            rows.append(
                _record(
                    office,
                    "marriage",
                    office.number_format.format(prefix="J", area=county[:6], year=day.year, seq=n),
                    day,
                    rng,
                    used,
                )
            )
        archive = []
        for k in range(ARCHIVE_PER_COUNTY):
            day = datetime.date(rng.randint(1985, 2012), rng.randint(1, 12), rng.randint(1, 28))
            archive.append(
                _record(
                    office,
                    "marriage",
                    f"（{day.year}）{names[county][:2]}结字第{k + 1:04d}号",
                    day,
                    rng,
                    used,
                    status="valid" if rng.random() < 0.85 else "dissolved",
                    source=Record.Source.ARCHIVE,
                )
            )
        # some subsisting archive marriages were dissolved at this office in the demo year: decided before the
        # insert (status and basis set on the archive rows), the divorce records inserted after, pointing at them
        valid = [r for r in archive if r.status == "valid"]
        rng.shuffle(valid)
        dissolved = {}
        for m in valid[: int(len(valid) * DIVORCE_SHARE)]:
            day = start + datetime.timedelta(days=rng.randrange(300))
            n = seq[(day.year, "L")] = seq.get((day.year, "L"), 0) + 1
            number = office.number_format.format(prefix="L", area=county[:6], year=day.year, seq=n)
            m.status, m.status_on, m.status_basis = Record.Status.DISSOLVED, day, number
            dissolved[m.number] = (m, number, day)
        Record.objects.bulk_create(rows + archive, batch_size=500)
        pks = dict(Record.objects.filter(number__in=list(dissolved)).values_list("number", "pk"))
        divorces = [
            Record(
                kind="divorce", number=number, office=office, office_name=office.name, region_id=county,
                registered_on=day, marriage_id=pks[m.number], verify_token=secrets.token_urlsafe(16),
                **{f"{s}_{f}": getattr(m, f"{s}_{f}") for s in ("male", "female") for f in ("name", "id_number",
                                                                                           "birth_date")},
            )
            for m, number, day in dissolved.values()
        ]  # fmt: skip
        Record.objects.bulk_create(divorces, batch_size=500)
        marriages = list(Record.objects.filter(office=office, source=Record.Source.ARCHIVE, status="valid"))
        Counter.objects.bulk_create(Counter(office=office, year=y, prefix=p, last=n) for (y, p), n in seq.items())
        counts["records"] += len(rows) + len(divorces)
        counts["archive"] += len(archive)
        # divorce applications: cooling, waiting, withdrawn, lapsed
        clerk = User.objects.with_role(Role.CLERK, BusinessLine.MARRIAGE).filter(region_id=county).first()
        apps = []
        open_ = [m for m in marriages if m.status == "valid"][:8]
        for j, (m, back) in enumerate(zip(open_, (5, 20, 28, 35, 45, 58, 75, 90), strict=False)):
            received = as_of - datetime.timedelta(days=back)
            status = "cooling" if back <= 30 else "waiting" if back <= 60 else "lapsed" if j % 2 else "withdrawn"
            apps.append(
                DivorceApplication(
                    number=f"LH{county[:6]}{received:%Y%m%d}{j:02d}",
                    office=office,
                    marriage=m,
                    received_on=received,
                    cooling_end=received + datetime.timedelta(days=30),
                    register_end=received + datetime.timedelta(days=60),
                    status=status,
                    agreement="双方自愿离婚；子女由女方抚养，男方每月支付抚养费；共同房产归女方，无共同债务。",
                    withdrawn_by="男方" if status == "withdrawn" else "",
                    officer=clerk,
                )
            )
        DivorceApplication.objects.bulk_create(apps)
        counts["applications"] += len(apps)
        appts = []
        for k, r in enumerate(rows):
            status = Appointment.Status.NO_SHOW if k % 9 == 0 else Appointment.Status.SERVED
            appts.append(
                Appointment(
                    number=f"Y{r.registered_on:%y%m%d}{i:02d}{k:04d}",
                    office=office,
                    kind="marriage",
                    day=r.registered_on,
                    name=r.male_name,
                    id_number=r.male_id_number,
                    status=status,
                    walk_in=k % 7 == 0,
                )
            )
        Appointment.objects.bulk_create(appts, batch_size=500)
        counts["appointments"] += len(appts)
    return counts
