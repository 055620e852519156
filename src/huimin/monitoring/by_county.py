"""What a county-by-county monitoring run reads (``services.run`` over county-partitioned snapshots): the watched
population split by county, each source's files for a county, and the persons with new records in a county.

A departmental snapshot (``verification.Snapshot``) is county-partitioned when its path is a directory holding
``county=<code>/*.parquet`` (``engine.counties.is_partitioned``); a departmental record lies in the county of the
household its person is registered in. A county's run reads its own partition of every such snapshot, and the
partitions of the counties where a person it watches is registered elsewhere (a member of an enrolment of this
county registered in another county's household), so it sees every record of the persons it watches. A source
whose current data is not one partitioned snapshot (a plain file, or snapshots of regions) is read whole for every
county, as ``verification.source_inputs`` gives it for a run over everybody: only its rows of the county's persons
count, through the same joins."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.db.models import F, Max, Min
from django.db.models.functions import Substr

from huimin.core import regions
from huimin.core.access import BusinessRuleError
from huimin.engine import counties, export, tables
from huimin.engine import monitoring as engine
from huimin.monitoring.error_codes import MonitoringErrorCode
from huimin.monitoring.population import KIND_TO_CATEGORY
from huimin.registry.models import Person
from huimin.verification import services as verification

# rules that read no departmental source, only the population: they compare persons with each other (the same
# person enrolled in two places, or in another programme), possibly across counties, so they run once over the
# whole population, never county by county
ACROSS_COUNTIES = frozenset(kind for kind, (_, sources) in engine.KINDS.items() if not sources)
# categories whose household is an enrolment's, which may lie in another county than the person's registry home
_ENROLLED = sorted(str(c) for c in KIND_TO_CATEGORY.values())


def partitioned(current: dict) -> bool:
    """Whether any current snapshot is county-partitioned: then the run goes county by county."""
    return any(counties.is_partitioned(snap.path) for snaps in current.values() for snap in snaps)


def check_present(current: dict) -> None:
    """Refuse, in words, a snapshot whose file or directory is gone (a county's run would read nothing of it)."""
    for code, snaps in current.items():
        for snap in snaps:
            if not Path(snap.path).exists():
                raise BusinessRuleError(
                    MonitoringErrorCode.SNAPSHOT_MISSING,
                    f"部门数据快照 #{snap.pk}（{code}，{snap.as_of:%Y年%m月%d日}）的文件不存在：{snap.path}",
                )


def _one_partitioned(snaps: list) -> str | None:
    """The directory of a source's data when it is one department-wide partitioned snapshot, else None."""
    if len(snaps) == 1 and snaps[0].region_id is None and counties.is_partitioned(snaps[0].path):
        return snaps[0].path
    return None


def _whole(snaps: list, code: str):
    """A source's data for a run over everybody, as ``verification.source_inputs`` gives it: every county's part of
    one partitioned snapshot, a plain file, or the rows of snapshots of regions."""
    return verification.source_inputs({code: snaps}).get(code) if snaps else None


class Sources:
    """Each source's data for one county: the county's partitions of a partitioned snapshot, or the source's whole
    data (read once, given to every county)."""

    def __init__(self, snapshots: dict[str, list]):
        self.partitioned = {code: d for code, snaps in snapshots.items() if (d := _one_partitioned(snaps))}
        self.shared = {code: _whole(snaps, code) for code, snaps in snapshots.items()
                       if snaps and code not in self.partitioned}  # fmt: skip

    def files(self, code: str, partitions: list[str]) -> list[str]:
        return [f for county in partitions for f in counties.files(self.partitioned[code], county)]

    def county(self, partitions: list[str]) -> dict:
        return {**self.shared, **{code: self.files(code, partitions) for code in self.partitioned}}


def split(pop: pa.Table) -> dict[str, pa.Table]:
    """The watched population by county (of each row's household), each in the population's order."""
    county_col = pc.utf8_slice_codeunits(pop["region_code"], 0, regions.PREFIX_LENGTH[regions.COUNTY])
    out = {}
    for prefix in sorted(set(county_col.to_pylist())):
        out[regions.full_code(prefix)] = pop.filter(pc.equal(county_col, prefix))
    return out


def strays(pop: pa.Table) -> dict[str, list[str]]:
    """Per county, the other counties whose partitions it must read as well: where the records of persons it
    watches lie when that is not the county itself. Ingestion puts a record in the county of the household its
    person is registered in (the lowest county when persons in two counties hold the same ID number): a member of
    an enrolment of this county registered in another county's household, or a person whose ID number another
    person elsewhere holds too. Only those keys are looked up: the enrolled rows' and the duplicated ones (one
    aggregate over the registry)."""
    enrolled = pop.filter(pc.is_in(pop["category"], value_set=pa.array(_ENROLLED, pa.string())))
    keys = set(enrolled["person_key"].to_pylist()) | set(_held_in_two_counties())
    lowest = verification.counties_of_persons(sorted(keys))  # where ingestion put their records
    watched = pop.filter(pc.is_in(pop["person_key"], value_set=pa.array(sorted(lowest), pa.string())))
    out: dict[str, set[str]] = {}
    for key, region in zip(watched["person_key"].to_pylist(), watched["region_code"].to_pylist(), strict=True):
        county = export.county_of(region)
        if lowest[key] != county:
            out.setdefault(county, set()).add(lowest[key])
    return {county: sorted(others) for county, others in out.items()}


def _held_in_two_counties():
    """The ID numbers' blind indexes that registry persons in two counties hold (dedup not yet done)."""
    county = Substr("household__region_id", 1, regions.PREFIX_LENGTH[regions.COUNTY])
    people = Person.objects.filter(merged_into__isnull=True, household__isnull=False).exclude(id_number_bidx="")
    grouped = people.values("id_number_bidx").annotate(low=Min(county), high=Max(county)).order_by()
    return grouped.exclude(low=F("high")).values_list("id_number_bidx", flat=True)


class Touched:
    """The persons with records new since the run an incremental run follows (``engine.touched``: the current data
    of each changed source less what that run read), per county's partitions; a source not partitioned is
    compared whole, once."""

    def __init__(self, con, current: Sources, previous: dict[str, list]):
        self.con, self.current = con, current
        self.previous = {code: (_one_partitioned(snaps), _whole(snaps, code)) for code, snaps in previous.items()}
        self._n = 0
        self.shared = set()
        for code in previous:
            if code not in current.partitioned:
                self.shared |= self._keys(code, current.shared.get(code), self.previous[code][1])

    def _keys(self, code: str, now, before) -> set[str]:
        if not now:
            return set()
        self._n += 1
        t = tables.Tables(persons=None, households=None, thresholds=None,
                          sources={code: tables._table(self.con, now, f"now_{code}_{self._n}")})  # fmt: skip
        old = tables._table(self.con, before if before else tables.source_schema(code).empty_table(),
                            f"before_{code}_{self._n}")  # fmt: skip
        keys = engine.touched(t, {code: old})
        return set(keys.to_pyarrow()["person_key"].to_pylist())

    def county(self, partitions: list[str]) -> set[str]:
        """The person keys of the new records in these counties' partitions of the changed partitioned sources."""
        found = set()
        for code, (directory, whole) in self.previous.items():
            if code not in self.current.partitioned:
                continue
            before = [f for c in partitions for f in counties.files(directory, c)] if directory else whole
            found |= self._keys(code, self.current.files(code, partitions), before)
        return found


def feed_table(keys: set[str]) -> pa.Table:
    return pa.table({"person_key": pa.array(sorted(keys), pa.string())})
