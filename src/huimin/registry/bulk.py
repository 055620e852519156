"""Writing a checked 台账 plan fast. On PostgreSQL, ids are drawn from the sequences first and the rows go in
with COPY (ciphertext and blind indexes computed here, exactly as the fields compute them); elsewhere (the
SQLite demo) with bulk_create. Both run inside the caller's transaction: all or nothing."""

import json

from django.db import connection
from django.utils import timezone

from huimin.core import crypto
from huimin.core.fields import BlindIndexField, ProtectedField, SuffixIndexField
from huimin.registry import codes, persons
from huimin.registry.models import Household, LifeEvent, Membership, Person


def _ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        sql = f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)"  # noqa: S608
        cursor.execute(sql, [count])
        return [row[0] for row in cursor.fetchall()]


def _column_makers(model, overrides: dict):
    """For each concrete column: a function (obj values dict) → the value COPY writes."""
    now = timezone.now()
    makers = []
    for f in model._meta.concrete_fields:
        name = f.attname
        if name in overrides:
            makers.append((f.column, overrides[name]))
        elif isinstance(f, ProtectedField):
            makers.append((f.column, lambda v, f=f: f.get_prep_value(v.get(f.name) or "") or ""))
        elif isinstance(f, BlindIndexField):
            kind = model._meta.get_field(name.removesuffix("_bidx")).kind
            source = name.removesuffix("_bidx")
            makers.append((f.column, lambda v, k=kind, s=source: crypto.blind_index(k, v[s]) if v.get(s) else ""))
        elif isinstance(f, SuffixIndexField):
            source = model._meta.get_field(name.removesuffix("_sfx"))
            makers.append((f.column, lambda v, s=source: s.suffix_of(v.get(s.name) or "")))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            makers.append((f.column, lambda v, now=now: now))
        elif f.is_relation:
            makers.append((f.column, lambda v, f=f: _pk(v.get(f.name))))
        elif f.get_internal_type() == "JSONField":
            makers.append((f.column, lambda v, f=f: json.dumps(v.get(f.name, f.get_default()), ensure_ascii=False)))
        else:
            makers.append((f.column, lambda v, f=f: v[f.name] if f.name in v else f.get_default()))
    return makers


def _pk(value):
    return getattr(value, "pk", value)


def _copy(model, makers, rows, progress=None, stage="", total=0) -> None:
    columns = ", ".join(f'"{c}"' for c, _ in makers)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy,
    ):
        for done, values in enumerate(rows, start=1):
            copy.write_row([make(values) for _, make in makers])
            if progress and done % 5000 == 0:
                progress(stage, done, total)


def write_plan(planned: list, *, today, username: str, file_name: str, progress=None) -> tuple[int, int, int]:
    """Write the households and persons of a checked plan; returns (persons, lowest person id, highest)."""
    if connection.vendor != "postgresql":
        return _write_orm(planned, today=today, username=username, file_name=file_name, progress=progress)
    total = sum(len(h.members) for h in planned)
    household_ids = _ids(Household, len(planned))
    person_ids = _ids(Person, total)
    people, memberships, households, events = [], [], [], []
    it = iter(person_ids)
    for hid, plan in zip(household_ids, planned, strict=True):
        head = None
        for _row, relation, clean in plan.members:
            pid = next(it)
            values = {k: v for k, v in clean.items() if k in persons.EDITABLE_FIELDS or k.startswith("name_")}
            values.update(id=pid, household=hid)
            people.append(values)
            memberships.append({"household": hid, "person": pid, "relation": relation, "started_on": today})
            if relation == codes.HEAD:
                head = pid
        households.append({"id": hid, "number": plan.number, "region": plan.region.pk, "address": plan.address[:200],
                           "head": head})  # fmt: skip
        events.append({"household": hid, "kind": codes.EventKind.IMPORT, "occurred_on": today, "recorded_by": username,
                       "detail": {"file": file_name, "members": len(plan.members)},
                       "note": f"台账导入：{file_name}"[:300]})  # fmt: skip
    _copy(Household, _column_makers(Household, {"id": lambda v: v["id"]}), households)
    _copy(Person, _column_makers(Person, {"id": lambda v: v["id"]}), people, progress, "写入人员", total)
    _copy(Membership, _column_makers(Membership, {"id": None})[1:], memberships)
    _copy(LifeEvent, _column_makers(LifeEvent, {"id": None})[1:], events)
    return total, min(person_ids, default=0), max(person_ids, default=0)


def _write_orm(planned: list, *, today, username: str, file_name: str, progress=None) -> tuple[int, int, int]:
    households = [Household(number=h.number, region=h.region, address=h.address[:200]) for h in planned]
    Household.objects.bulk_create(households, batch_size=2000)
    people, links = [], []
    for household, plan in zip(households, planned, strict=True):
        for _row, relation, clean in plan.members:
            fields = {k: v for k, v in clean.items() if k in persons.EDITABLE_FIELDS or k.startswith("name_")}
            person = Person(household=household, **fields)
            people.append(person)
            links.append((household, person, relation))
    total = len(people)
    for start in range(0, total, 2000):
        Person.objects.bulk_create(people[start : start + 2000])
        if progress:
            progress("写入人员", min(start + 2000, total), total)
    Membership.objects.bulk_create(
        [Membership(household=h, person=p, relation=r, started_on=today) for h, p, r in links], batch_size=5000
    )
    for household, person, relation in links:
        if relation == codes.HEAD:
            household.head = person
    Household.objects.bulk_update(households, ["head"], batch_size=2000)
    LifeEvent.objects.bulk_create(
        [
            LifeEvent(
                household=h,
                kind=codes.EventKind.IMPORT,
                occurred_on=today,
                recorded_by=username,
                detail={"file": file_name, "members": len(p.members)},
                note=f"台账导入：{file_name}"[:300],
            )
            for h, p in zip(households, planned, strict=True)
        ],  # fmt: skip
        batch_size=5000,
    )
    pks = [p.pk for p in people]
    return total, min(pks, default=0), max(pks, default=0)
