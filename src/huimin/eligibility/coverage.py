"""Coverage of the 残疾人两项补贴 (the plans' "两项补贴应享尽享", target 100%): of the persons who should receive a
subsidy, how many do. Who should (应享) comes from the registry and the 残联's certificate data together:

- a living, un-merged registered person of the region holding a valid certificate — the 残联's newest record
  for him when the data has one (注销 or past 有效期至 is no certificate; its grade is the grade), otherwise the
  grade the registry recorded;
- of grade 1–2 (重度: 护理补贴), or in a current 低保 enrolment (生活补贴).

Covered (已享) are those of them in a 两项补贴 enrolment paying that month (started, not ended, not suspended)."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

import pyarrow.parquet as pq
from django.db.models import Q

from huimin.assistance.models import CURRENT_STATUSES, Enrolment, EnrolmentMember
from huimin.core import regions
from huimin.core.scope import subtree
from huimin.eligibility.services import NATIONAL_MAX_GRADE, SUBSIDY_CODES
from huimin.registry.models import Person
from huimin.verification.models import Snapshot


@dataclass(frozen=True)
class Coverage:
    eligible: int
    covered: int

    @property
    def ratio(self):
        from decimal import Decimal

        return None if not self.eligible else Decimal(self.covered) / self.eligible


def certificate_snapshot(region_code: str, day: datetime.date) -> Snapshot | None:
    """The 残联's extract that holds at the region on ``day``: the most specific region, then the newest."""
    rows = list(Snapshot.objects.filter(source="disability", kind=Snapshot.Kind.FULL, as_of__lte=day)
                .select_related("region"))  # fmt: skip
    return regions.in_force(rows, region_code, region=lambda s: s.region_id, effective_from=lambda s: s.as_of,
                            tiebreak=lambda s: (s.pk,))  # fmt: skip


@functools.lru_cache(maxsize=8)
def _certificates(path: str, day: datetime.date) -> dict[str, int | None]:
    """person_key → grade of the newest record, None when it is 注销 or expired on ``day``."""
    table = pq.read_table(path, partitioning=None)  # a snapshot kept by county: every part, no county column
    has_expiry = "valid_until" in table.column_names
    newest: dict[str, tuple] = {}
    for row in table.to_pylist():
        order = (row["issued_on"], row.get("changed_on") or row["issued_on"])
        if row["issued_on"] > day:
            continue
        if row["person_key"] not in newest or order >= newest[row["person_key"]][0]:
            valid = row["status"] == "有效" and not (has_expiry and row["valid_until"] and row["valid_until"] < day)
            newest[row["person_key"]] = (order, row["grade"] if valid else None)
    return {key: grade for key, (_, grade) in newest.items()}


def coverage(region_code: str, day: datetime.date) -> Coverage:
    """The region's coverage on ``day``: its subtree's, read with the 残联's extract that holds at the region."""
    found = by_region(regions.prefix_of(region_code), day, certificate_snapshot(region_code, day)).values()
    return Coverage(sum(c.eligible for c in found), sum(c.covered for c in found))


def by_region(prefix: str, day: datetime.date, snapshot: Snapshot | None) -> dict[str, Coverage]:
    """The coverage of the persons under ``prefix`` by the region of their household, their certificates read from
    ``snapshot`` (``certificate_snapshot``). Whether a person counts depends on him and the extract alone, so the
    sum over the codes that start with a region's prefix is that region's coverage with the same extract, whatever
    region above it was read: the daily indicator run reads its highest region once (stats.indicators)."""
    living = Person.objects.filter(
        subtree("household__region", prefix), merged_into__isnull=True, household__isnull=False
    ).filter(Q(is_deceased=False) | Q(death_date__gt=day))
    certs = _certificates(snapshot.path, day) if snapshot else {}
    candidates = living.filter(Q(disability_grade__isnull=False) | Q(id_number_bidx__in=list(certs)))
    dibao = set(
        EnrolmentMember.objects.filter(
            enrolment__programme__kind="dibao", enrolment__status__in=CURRENT_STATUSES, removed_on__isnull=True,
            person__in=candidates.values("pk"),
        ).values_list("person_id", flat=True)
    )  # fmt: skip
    severe = NATIONAL_MAX_GRADE["severe_care"]
    eligible: dict[int, str] = {}  # person → his household's region
    rows = candidates.values_list("pk", "id_number_bidx", "disability_grade", "household__region_id")
    for pk, key, grade, region_code in rows.iterator(chunk_size=5000):
        if key and key in certs:
            grade = certs[key]
        if grade is None:
            continue
        if grade <= severe or pk in dibao:
            eligible[pk] = region_code
    month = day.replace(day=1)
    paying = Enrolment.objects.filter(
        programme__code__in=SUBSIDY_CODES, person_id__in=list(eligible), start_month__lte=day,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=month)).exclude(status=Enrolment.Status.SUSPENDED)  # fmt: skip
    covered = set(paying.values_list("person_id", flat=True))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, region_code in eligible.items():
        counts[region_code][0] += 1
        counts[region_code][1] += pk in covered
    return {code: Coverage(n, c) for code, (n, c) in sorted(counts.items())}
