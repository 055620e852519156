"""The low-income population: members of current 低保, 特困, 低保边缘 and 支出型 enrolments (assistance) and
persons flagged 防返贫监测 in the registry, with their category, household, standard and household size."""

from decimal import Decimal

import pyarrow as pa
from django.db import transaction
from django.db.models import Count, Q

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
    rows = {}
    members = (
        EnrolmentMember.objects.filter(removed_on__isnull=True, enrolment__status__in=CURRENT_STATUSES,
                                       enrolment__programme__kind__in=list(KIND_TO_CATEGORY))
        .values_list("person_id", "enrolment__household_id", "enrolment__household__region_id",
                     "enrolment__programme__kind", "enrolment__basis", "enrolment_id", "enrolment__programme__code")
    )  # fmt: skip
    for person_id, household_id, region, kind, basis, enrolment_id, code in members:
        category = KIND_TO_CATEGORY[kind]
        rows[(person_id, category)] = (household_id, region, _standard(basis), enrolment_id, code)
    for person_id, household_id, region in _flagged_for_poverty_monitoring():
        rows.setdefault((person_id, Category.POVERTY), (household_id, region, None, None, None))
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
    table = _arrow(rows)
    if registry:
        table = pa.concat_tables([table, _registered({p for p, c in rows if c not in ALLOWANCES})])
    return table


def _registered(taken: set[int]) -> pa.Table:
    """Every living, un-merged registry person with an ID number and a household, who is in no category above, as
    category ``registered``. Read column by column (no model instances): the whole registry is read at each run.
    The canonical key is the blind index itself (enrolled_twice, the only rule that needs the 15→18-digit form,
    watches enrolled persons only)."""
    sizes = dict(
        Person.objects.filter(merged_into__isnull=True, is_deceased=False, household__isnull=False)
        .values("household_id").annotate(n=Count("id")).values_list("household_id", "n")
    )  # fmt: skip
    cols = {name: [] for name in SCHEMA.names}
    people = (
        Person.objects.filter(merged_into__isnull=True, is_deceased=False, household__isnull=False,
                              household__is_active=True).exclude(id_number_bidx="")
        .values_list("id", "household_id", "household__region_id", "id_number_bidx", "disability_grade")
        .order_by("id")
    )  # fmt: skip
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


def _arrow(rows: dict) -> pa.Table:
    person_ids = {p for p, _ in rows}
    households = {h for h, *_ in rows.values()}
    sizes = dict(
        Person.objects.filter(household_id__in=households, merged_into__isnull=True, is_deceased=False)
        .values("household_id").annotate(n=Count("id", filter=Q(is_deceased=False))).values_list("household_id", "n")
    )  # fmt: skip
    persons = {  # tuples, not model instances: tens of thousands of rows at each run
        pk: (number, bidx, grade) for pk, number, bidx, grade in Person.objects.filter(pk__in=person_ids)
        .values_list("id", "id_number", "id_number_bidx", "disability_grade")
    }  # fmt: skip
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


def _flagged_for_poverty_monitoring():
    """(person, household, region) of living registry persons flagged 防返贫监测 by another department."""
    from django.db import connection

    people = Person.objects.filter(merged_into__isnull=True, household__isnull=False, is_deceased=False)
    if connection.features.supports_json_field_contains:
        people = people.filter(special_statuses__contains=["poverty_monitoring"])
        return people.values_list("id", "household_id", "household__region_id")
    # SQLite (the demo) cannot look inside a JSON list: match the text, then confirm in Python
    people = people.filter(special_statuses__icontains="poverty_monitoring")
    rows = people.values_list("id", "household_id", "household__region_id", "special_statuses")
    return [(p, h, r) for p, h, r, statuses in rows if "poverty_monitoring" in statuses]
