"""The low-income population: members of current 低保, 特困, 低保边缘 and 支出型 enrolments (assistance) and
persons flagged 防返贫监测 in the registry, with their category, household, standard and household size."""

import io
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast

from huimin.assistance.models import CURRENT_STATUSES, EnrolmentMember
from huimin.core import crypto
from huimin.monitoring.models import ALLOWANCES, Category, MonitoredPerson
from huimin.registry import idnumbers
from huimin.registry.models import Person

KIND_TO_CATEGORY = {"dibao": Category.DIBAO, "tekun": Category.TEKUN, "edge": Category.EDGE,
                    "expense": Category.EXPENSE, "disability_living": Category.DISABILITY_LIVING,
                    "severe_care": Category.SEVERE_CARE}  # fmt: skip

SCHEMA = pa.schema(
    [
        ("person_key", pa.string()),
        ("canonical_key", pa.string()),
        ("person_id", pa.int64()),
        ("household_id", pa.int64()),
        ("category", pa.string()),
        ("region_code", pa.string()),
        ("standard_fen", pa.int64()),
        ("members", pa.int64()),
        ("disability_grade", pa.int64()),
        ("programme", pa.string()),  # the enrolment's programme code (特困 集中供养 is a programme of kind 特困)
    ]
)


def _standard(basis: dict) -> Decimal | None:
    try:
        return Decimal(str(basis.get("standard"))).quantize(Decimal("0.01"))
    except Exception:  # noqa: BLE001 - a missing or unreadable standard means no line
        return None


def canonical_key(number: str, bidx: str) -> str:
    """Blind index of the 18-digit form: an old 15-digit record and the new number give the same key."""
    if len(number or "") == 15:
        try:
            return crypto.blind_index("id_number", idnumbers.parse(number).number)
        except idnumbers.IdNumberError:
            return bidx
    return bidx


@transaction.atomic
def refresh(registry: bool = True) -> pa.Table:
    """Re-derive MonitoredPerson rows (upsert; rows no longer in scope are marked not current, never deleted) and
    return the population as the engine's Arrow table — with, unless ``registry`` is False, every other living
    registry person as category ``registered`` (主动发现: the 应保 rules watch the whole registry)."""
    rows, persons = {}, {}
    current = EnrolmentMember.objects.filter(removed_on__isnull=True, enrolment__status__in=CURRENT_STATUSES,
                                             enrolment__programme__kind__in=list(KIND_TO_CATEGORY))  # fmt: skip
    members = current.annotate(id_token=_TOKEN).values_list(
        "person_id", "enrolment__household_id", "enrolment__household__region_id", "enrolment__programme__kind",
        "enrolment__basis", "enrolment_id", "enrolment__programme__code", *_PERSON,
    )  # fmt: skip
    for person_id, household_id, region, kind, basis, enrolment_id, code, *person in members:
        category = KIND_TO_CATEGORY[kind]
        rows[(person_id, category)] = (household_id, region, _standard(basis), enrolment_id, code)
        persons[person_id] = person
    flagged = _flagged_for_poverty_monitoring()
    for person_id, household_id, region, *person in flagged.rows:
        rows.setdefault((person_id, Category.POVERTY), (household_id, region, None, None, None))
        persons[person_id] = person
    _decrypt_numbers(persons)
    # the rows as stored, read as tuples: only new or changed rows are written (a daily run changes few of them,
    # and upserting every row each day cost seconds per ten thousand)
    stored = {
        (p, c): (pk, (h, r, s, e, current))
        for pk, p, c, h, r, s, e, current in MonitoredPerson.objects.values_list(
            "pk", "person_id", "category", "household_id", "region_id", "standard", "enrolment_id", "is_current")
    }  # fmt: skip
    changed = [key for key, (h, r, s, e, _) in rows.items() if stored.get(key, (None, None))[1] != (h, r, s, e, True)]
    MonitoredPerson.objects.bulk_create(
        [MonitoredPerson(person_id=p, category=c, household_id=h, region_id=r, standard=s, enrolment_id=e,
                         is_current=True) for (p, c) in changed for h, r, s, e, _ in [rows[(p, c)]]],
        batch_size=2000, update_conflicts=True, unique_fields=["person", "category"],
        update_fields=["household", "region", "standard", "enrolment_id", "is_current", "refreshed_at"],
    )  # fmt: skip
    stale = [pk for key, (pk, values) in stored.items() if values[4] and key not in rows]
    MonitoredPerson.objects.filter(pk__in=stale).update(is_current=False)
    table = _arrow(rows, persons, _household_sizes(current.values("enrolment__household_id"), flagged.households))
    if registry:
        table = pa.concat_tables([table, _registered({p for p, c in rows if c not in ALLOWANCES})])
    return table


def _registered(taken: set[int]) -> pa.Table:
    """Every living, un-merged registry person with an ID number and a household, who is in no category above, as
    category ``registered``. Read column by column (no model instances): the whole registry is read at each run —
    on PostgreSQL with ``COPY … TO STDOUT`` straight into Arrow, elsewhere (SQLite, the demo) row by row.
    The canonical key is the blind index itself (enrolled_twice, the only rule that needs the 15→18-digit form,
    watches enrolled persons only)."""
    people, sizes = _registry_queries()
    if connection.vendor == "postgresql":
        return _registered_copied(people, sizes, taken)
    return _registered_iterated(people, sizes, taken)


def _registry_queries():
    """The registry persons to read (``_PEOPLE``'s columns, by id) and the living size of every household."""
    living = Person.objects.filter(merged_into__isnull=True, is_deceased=False, household__isnull=False)
    sizes = living.values("household_id").annotate(n=Count("id")).values_list("household_id", "n").order_by()
    people = (
        living.filter(household__is_active=True).exclude(id_number_bidx="")
        .values_list("id", "household_id", "household__region_id", "id_number_bidx", "disability_grade")
        .order_by("id")
    )  # fmt: skip
    return people, sizes


def _registered_iterated(people, sizes, taken: set[int]) -> pa.Table:
    """``_registered`` row by row (SQLite, the demo)."""
    sizes = dict(sizes)
    cols = {name: [] for name in SCHEMA.names}
    for person_id, household_id, region, bidx, grade in people.iterator(chunk_size=20_000):
        if person_id in taken or not bidx:
            continue
        cols["person_key"].append(bidx)
        cols["canonical_key"].append(bidx)
        cols["person_id"].append(person_id)
        cols["household_id"].append(household_id)
        cols["category"].append(str(Category.REGISTERED))
        cols["region_code"].append(region)
        cols["standard_fen"].append(None)
        cols["members"].append(sizes.get(household_id, 0))
        cols["disability_grade"].append(grade)
        cols["programme"].append(None)
    return pa.table(cols, schema=SCHEMA)


_PEOPLE = pa.schema([("person_id", pa.int64()), ("household_id", pa.int64()), ("region_code", pa.string()),
                     ("person_key", pa.string()), ("disability_grade", pa.int64())])  # fmt: skip
_SIZES = pa.schema([("household_id", pa.int64()), ("members", pa.int64())])


def _copy(queryset, schema: pa.Schema) -> pa.Table:
    """The rows of a ``values_list`` queryset as an Arrow table of ``schema`` (its columns in that order), read
    with PostgreSQL ``COPY (SELECT …) TO STDOUT`` (CSV): no Python object per row. The query's parameters are
    bound on the client by psycopg (COPY takes none)."""
    import psycopg

    sql, params = queryset.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for data in copy:
                buffer.write(data)
    if buffer.tell() == 0:
        return schema.empty_table()
    buffer.seek(0)
    return pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=schema.names),
        # CSV from COPY: NULL is an empty unquoted field, an empty string is quoted
        convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True,
                                             quoted_strings_can_be_null=False),
    )  # fmt: skip


def _registered_copied(people, sizes, taken: set[int]) -> pa.Table:
    """``_registered`` on PostgreSQL: the same rows, in the same order (by person id)."""
    found = _copy(people, _PEOPLE)
    keep = pc.invert(pc.is_in(found["person_id"], value_set=pa.array(sorted(taken), pa.int64())))
    keep = pc.and_(keep, pc.fill_null(pc.not_equal(found["person_key"], ""), False))
    found = found.filter(keep)
    household_sizes = _copy(sizes, _SIZES)
    at = pc.index_in(found["household_id"], value_set=household_sizes["household_id"])
    members = pc.fill_null(pc.take(household_sizes["members"], at), 0)
    n = found.num_rows
    return pa.table(
        {
            "person_key": found["person_key"],
            "canonical_key": found["person_key"],
            "person_id": found["person_id"],
            "household_id": found["household_id"],
            "category": pa.array([str(Category.REGISTERED)] * n, pa.string()),
            "region_code": found["region_code"],
            "standard_fen": pa.nulls(n, pa.int64()),
            "members": members,
            "disability_grade": found["disability_grade"],
            "programme": pa.nulls(n, pa.string()),
        },
        schema=SCHEMA,
    )


# the ID number's ciphertext as stored (no per-row decryption: _decrypt_numbers takes them all at once)
_TOKEN = Cast("person__id_number", TextField())
_PERSON = ("id_token", "person__id_number_bidx", "person__disability_grade")


def _decrypt_numbers(persons: dict) -> None:
    """Replace each (ciphertext, blind index, grade) of ``persons`` by (ID number, …) with the bulk decryption."""
    ids = [pk for pk, (token, _, _) in persons.items() if token]
    for pk, number in zip(ids, crypto.decrypt_many([persons[pk][0] for pk in ids]), strict=True):
        persons[pk] = (number, *persons[pk][1:])


def _household_sizes(*households) -> dict:
    """The living members of the households the querysets ``households`` name, joined in the database (tens of
    thousands of ids in an IN list cost seconds to send and plan)."""
    in_any = Q()
    for queryset in households:
        in_any |= Q(household_id__in=queryset)
    living = Person.objects.filter(in_any, merged_into__isnull=True, is_deceased=False)
    return dict(living.values("household_id").annotate(n=Count("id")).values_list("household_id", "n").order_by())


def _arrow(rows: dict, persons: dict, sizes: dict) -> pa.Table:
    """The enrolled and flagged rows as the engine's table; ``persons`` holds each one's (ID number, its blind
    index, disability grade)."""
    cols = {name: [] for name in SCHEMA.names}
    for (person_id, category), (household_id, region, standard, _, code) in sorted(rows.items()):
        number, bidx, grade = persons[person_id]
        if not bidx:
            continue  # no ID number: departmental records cannot be matched
        cols["person_key"].append(bidx)
        cols["canonical_key"].append(canonical_key(number, bidx))
        cols["person_id"].append(person_id)
        cols["household_id"].append(household_id)
        cols["category"].append(str(category))
        cols["region_code"].append(region)
        cols["standard_fen"].append(int(standard * 100) if standard is not None else None)
        cols["members"].append(sizes.get(household_id, 0))
        cols["disability_grade"].append(grade)
        cols["programme"].append(code)
    return pa.table(cols, schema=SCHEMA)


@dataclass
class _Flagged:
    rows: list  # (person, household, region, ID number, blind index, disability grade)
    households: object  # a queryset of their households' ids


def _flagged_for_poverty_monitoring() -> _Flagged:
    """Living registry persons flagged 防返贫监测 by another department."""
    people = Person.objects.filter(merged_into__isnull=True, household__isnull=False, is_deceased=False)
    people = people.annotate(id_token=Cast("id_number", TextField()))
    fields = ("id", "household_id", "household__region_id", "id_token", "id_number_bidx", "disability_grade")
    if connection.features.supports_json_field_contains:
        people = people.filter(special_statuses__contains=["poverty_monitoring"])
        return _Flagged(list(people.values_list(*fields)), people.values("household_id"))
    # SQLite (the demo) cannot look inside a JSON list: match the text, then confirm in Python
    people = people.filter(special_statuses__icontains="poverty_monitoring")
    rows = people.values_list(*fields, "special_statuses")
    kept = [tuple(row) for *row, statuses in rows if "poverty_monitoring" in statuses]
    return _Flagged(kept, Person.objects.filter(pk__in=[r[0] for r in kept]).values("household_id"))
