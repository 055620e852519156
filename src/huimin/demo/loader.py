"""``huimin demo load``: a small generated city into the current database.

Persons, households and memberships go in with PostgreSQL's COPY (the protected columns computed here with
``crypto.encrypt`` and ``crypto.blind_index``) or, on SQLite, with ``bulk_create`` (where the ProtectedField
encrypts and indexes); never one ORM save per person. Everything happens in one transaction.
"""

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from huimin.core import audit, crypto
from huimin.core.models import Region, User
from huimin.core.roles import Role
from huimin.demo import cases, generator
from huimin.demo import city as city_mod
from huimin.registry.models import Household, Membership, Person

DEMO_PASSWORD = "Huimin@2026"  # noqa: S105 - the documented password of the demo accounts, demo only
DEMO_SOURCE = "演示城市（合成数据）"
VILLAGES_PER_ASSISTANT = 3


class DemoLoadError(Exception):
    pass


@dataclass
class LoadResult:
    persons: int
    households: int
    regions: int
    users: int
    programmes: dict
    applications: int = 0


def load(persons: int, seed: int, as_of: datetime.date = generator.DEFAULT_AS_OF) -> LoadResult:
    if Person.objects.exists() or Household.objects.exists():
        raise DemoLoadError("数据库中已有人员或家庭：演示城市只能载入空的对象库")
    if not Region.objects.filter(code=city_mod.CITY_CODE).exists():
        raise DemoLoadError("缺少驻马店市（411700）区划：请先运行 huimin migrate")
    with tempfile.TemporaryDirectory(prefix="huimin-demo-") as tmp:
        generator.generate(Path(tmp), persons, seed, as_of)
        tables = {name: pq.read_table(Path(tmp) / f"{name}.parquet").to_pylist() for name in _TABLES}
    with transaction.atomic():
        regions = _load_regions(tables["regions"])
        _load_households(tables["households"])
        _load_persons(tables["persons"])
        _load_memberships(tables["memberships"])
        users = _load_users(tables["regions"])
        programmes = load_programmes(tables["households"])
        _reset_sequences()  # the services below insert through the sequences
        applications = cases.load_cases(tables["households"])
        audit.record(
            "demo.load",
            detail=f"载入演示城市：种子 {seed}，{len(tables['persons'])} 人，{len(tables['households'])} 户",
            region_code=city_mod.CITY_CODE,
        )
    return LoadResult(len(tables["persons"]), len(tables["households"]), regions, users, programmes, applications)


_TABLES = ("regions", "households", "persons", "memberships")


def load_programmes(households: list[dict]) -> dict[str, int]:
    """Programme status (低保, 特困, 低保边缘, 支出型) of the demo households — NOT written anywhere yet.

    The assistance app (enrolments, standards) is being built separately; the lead wires this function to
    its enrolment service when that app lands. Until then it only counts what would be loaded, so the demo
    never shows a fake enrolment table.
    """
    counts: dict[str, int] = {}
    for row in households:
        counts[row["programme"]] = counts.get(row["programme"], 0) + 1
    return counts


def _load_regions(rows: list[dict]) -> int:
    existing = set(Region.objects.filter(code__startswith="4117").values_list("code", flat=True))
    new = [
        Region(
            code=r["code"],
            name=r["name"],
            level=r["level"],
            parent_id=r["parent"],
            urban_rural_code=r["urban_rural_code"],
            source=DEMO_SOURCE,
        )
        for r in rows
        if r["code"] not in existing
    ]
    Region.objects.bulk_create(new, batch_size=500)
    return len(new)


def _household_rows(rows):
    now = timezone.now()
    for r in rows:
        yield {
            "id": r["household_id"],
            "number": r["number"],
            "region_id": r["village_code"],
            "address": r["address"],
            "household_type": "family",
            "head_id": r["head_person_id"],
            "is_active": True,
            "closed_reason": "",
            "created_at": now,
            "updated_at": now,
        }


def _load_households(rows):
    _insert(Household, list(_household_rows(rows)))


def _person_values(r: dict, now) -> dict:
    pinyin = lazy_pinyin(r["name"])
    return {
        "id": r["person_id"],
        "name": r["name"],
        "name_pinyin": "".join(pinyin),
        "name_initials": "".join(lazy_pinyin(r["name"], style=Style.FIRST_LETTER)),
        "id_number": r["id_number"],
        "no_id_reason": "",
        "sex": r["sex"],
        "birth_date": r["birth_date"],
        "ethnicity": r["ethnicity"],
        "region_id": r["village_code"],
        "hukou_region_id": r["village_code"],
        "has_residence_permit": False,
        "is_urban": r["is_urban"],
        "urban_rural_overridden": False,
        "phone": r["phone"],
        "bank_account": r["bank_account"],
        "bank_name": r["bank_name"],
        "labour_ability": r["labour_ability"],
        "health": r["health"],
        "serious_illness": r["serious_illness"],
        "disability_category": r["disability_category"],
        "disability_grade": r["disability_grade"] or None,
        "disability_cert_no": r["disability_cert_no"],
        "marital_status": r["marital_status"],
        "education": r["education"],
        "special_statuses": [r["special_statuses"]] if r["special_statuses"] else [],
        "household_id": r["household_id"],
        "is_deceased": False,
        "created_at": now,
        "updated_at": now,
    }


def _load_persons(rows):
    now = timezone.now()
    values = [_person_values(r, now) for r in rows]
    if connection.vendor == "postgresql":
        for v in values:  # COPY bypasses the field: encrypt and index here, exactly as ProtectedField does
            for kind in ("id_number", "phone"):
                plain = v[kind]
                v[f"{kind}_bidx"] = crypto.blind_index(kind, plain) if plain else ""
                v[kind] = crypto.encrypt(crypto.normalize(kind, plain)) if plain else ""
            plain = v["bank_account"]
            v["bank_account"] = crypto.encrypt(crypto.normalize("bank_account", plain)) if plain else ""
            v["special_statuses"] = _json(v["special_statuses"])
        _copy(Person, values)
    else:
        Person.objects.bulk_create([Person(**v) for v in values], batch_size=500)


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _load_memberships(rows):
    _insert(
        Membership,
        [
            {
                "person_id": r["person_id"],
                "household_id": r["household_id"],
                "relation": r["relation"],
                "started_on": r["started_on"],
                "end_reason": "",
            }
            for r in rows
        ],
    )


def _insert(model, values: list[dict]):
    if connection.vendor == "postgresql":
        _copy(model, values)
    else:
        model.objects.bulk_create([model(**v) for v in values], batch_size=500)


def _copy(model, values: list[dict]):
    if not values:
        return
    columns = list(values[0])
    db_columns = [model._meta.get_field(c[:-3] if c.endswith("_id") and c != "id" else c).column for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - names from model meta
            for v in values:
                copy.write_row([v[c] for c in columns])


def _reset_sequences():
    """Explicit ids were inserted; move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Person, Membership]):
            cursor.execute(sql)


# --- staff ------------------------------------------------------------------------------------------------


def demo_accounts(region_rows: list[dict]) -> list[tuple[str, str, str, str]]:
    """(username, full name, role, region code) of every demo account."""
    city = city_mod.CITY_CODE
    accounts = [
        ("tongji", "市局统计员", Role.STATISTICIAN, city),
        ("xitong", "系统管理员", Role.SYSADMIN, city),
        ("baomi", "安全保密员", Role.SECURITY, city),
        ("shenji", "安全审计员", Role.AUDITOR, city),
    ]
    towns = [r for r in region_rows if r["level"] == 4]
    counties = sorted({t["parent"] for t in towns})
    county_names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    for county in counties:
        accounts.append((f"sp{county[:6]}", f"{county_names.get(county, county[:6])}审批人", Role.APPROVER, county))
    for t in towns:
        accounts.append((f"jb{t['code'][:9]}", f"{t['name']}经办员", Role.CLERK, t["code"]))
        accounts.append((f"sh{t['code'][:9]}", f"{t['name']}审核人", Role.REVIEWER, t["code"]))
        villages = [r for r in region_rows if r["parent"] == t["code"]]
        for i in range(0, len(villages), VILLAGES_PER_ASSISTANT):
            v = villages[i]
            # one assistant per few villages; an account has one region, so it is scoped to the first village
            accounts.append((f"xl{v['code']}", f"{v['name']}协理员", Role.ASSISTANT, v["code"]))
    return accounts


def _load_users(region_rows: list[dict]) -> int:
    password = make_password(DEMO_PASSWORD)  # one hash for the one demo password, not one per account
    now = timezone.now()
    taken = set(User.objects.values_list("username", flat=True))
    users = [
        User(
            username=username,
            full_name=name,
            role=role,
            region_id=region,
            password=password,
            must_change_password=False,
            password_changed_at=now,
            is_active=True,
        )
        for username, name, role, region in demo_accounts(region_rows)
        if username not in taken
    ]
    User.objects.bulk_create(users, batch_size=500)
    return len(users)
