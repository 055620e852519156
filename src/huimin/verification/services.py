"""Every state change of 核对: ingestion, authorisations, single checks, batch re-checks, 协查.

Each service checks capability and scope, applies the rules (one definition: huimin.engine.verification), writes
its audit entry and is atomic. ``check_household(actor, household, programme_code, as_of) -> Report`` is what the
assistance workflow calls; it reads ``Report.conclusion``.
"""

import datetime
import hashlib
import inspect
import json
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from huimin.benefits import standards
from huimin.benefits.models import StandardKind
from huimin.core import audit, regions, workers
from huimin.core.access import (
    BusinessRuleError,
    NotInScope,
    require_capability,
    require_region_in_scope,
    require_writable_region,
)
from huimin.core.models import Region
from huimin.core.scope import subtree
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import table_bytes, workbook_bytes, write_table
from huimin.core.uploads import DOCUMENT_MAX_BYTES, FEED_MAX_BYTES, check_size
from huimin.engine import backends, counties, export, single, tables
from huimin.engine import verification as engine
from huimin.engine.sources import DATE, MONEY, SOURCES
from huimin.registry.models import Household, Person
from huimin.verification import applications as application_docs
from huimin.verification import enrolment, ingest, rules
from huimin.verification import programmes as programme_names
from huimin.verification.capabilities import VERIFY_BATCH, VERIFY_DATA, VERIFY_RUN
from huimin.verification.error_codes import VerificationErrorCode
from huimin.verification.models import (
    AssistRequest,
    Authorisation,
    BatchCounty,
    BatchResult,
    BatchRun,
    Conclusion,
    ProgrammeLabel,
    Report,
    Rule,
    Snapshot,
    Threshold,
    Upload,
)

ADULT_AGE = 18
# Called with each committed full snapshot (after the upload's transaction): apps above 核对 that act on a
# department's data as it arrives register here in their AppConfig.ready (huimin.eligibility: the 残联's data).
AFTER_INGEST: list = []


def on_snapshot(hook) -> None:
    if hook not in AFTER_INGEST:
        AFTER_INGEST.append(hook)


def data_dir() -> Path:
    return Path(settings.VAR_DIR) / "verification"


# --- ingestion -------------------------------------------------------------------------------------------------


def ingest_file(
    actor,
    source_code: str,
    content: bytes,
    filename: str,
    as_of: datetime.date,
    *,
    channel: str = "web",
    valid_only: bool = False,
    department: str = "",
    assist_request: AssistRequest | None = None,
    by_county: bool | None = None,
) -> Upload:
    """Validate a departmental file and, if acceptable, keep it as a dated Snapshot.

    A file with any bad row is rejected whole unless ``valid_only`` (the operator's "import valid rows only"):
    then the valid rows become the snapshot and the bad rows are listed in the error report. A file that cannot be
    read at all (format, encoding, header, no data) is recorded as rejected with the reason as its error report.
    Rows whose ID number nobody in the registry holds are counted and listed (``Upload.unregistered``).

    ``by_county`` (default: the setting ``HUIMIN_SNAPSHOTS_BY_COUNTY``; never for a 协查 answer) keeps the snapshot
    partitioned by county (``ingest.write_by_county``): a record in the county of the household its person is
    registered in, a record whose person the registry does not hold under ``county=unknown``, so a county-by-county
    batch reads only its county's files (``run_batch_by_county``) and every other reader all of them."""
    if assist_request is not None:
        require_capability(actor, VERIFY_RUN)  # a 协查 answer belongs to its request, not to the departmental feeds
    elif channel not in ("api", "cli"):  # the API checks the department's token; the CLI runs on the server
        require_capability(actor, VERIFY_DATA)
    if source_code not in SOURCES:
        raise ServiceError("数据源不存在")
    check_size(len(content), FEED_MAX_BYTES, "数据文件")
    if as_of > timezone.localdate():
        raise ServiceError("数据日期不能晚于今天")
    user = actor if getattr(actor, "pk", None) else None
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        result = ingest.validate_sheet(source_code, ingest.read_file(content, filename, source_code))
        if result.total == 0:
            raise ingest.FileFormatError("文件没有数据行")
    except ingest.FileFormatError as exc:
        return _refuse_file(user, source_code, filename, channel, department, str(exc), sha256)
    region = _feed_region(user, assist_request)
    accept = result.ok or (valid_only and result.table.num_rows > 0)
    status = Upload.Status.ACCEPTED if result.ok else (Upload.Status.PARTIAL if accept else Upload.Status.REJECTED)
    unregistered = ingest.unregistered_rows(result, _registered_keys)
    token = uuid.uuid4().hex
    report_path = ""
    if result.errors or unregistered:
        report_path = _write_report(token, ingest.error_report_csv(result.errors, unregistered))
    if by_county is None:
        by_county = settings.HUIMIN_SNAPSHOTS_BY_COUNTY
    by_county = bool(by_county) and assist_request is None
    parquet_path = data_dir() / "snapshots" / source_code / f"{as_of:%Y%m%d}-{token}{'' if by_county else '.parquet'}"
    if accept and by_county:
        keys = result.table["person_key"].to_pylist()
        where = counties_of_persons(sorted(set(keys)))
        ingest.write_by_county(result.table, parquet_path, [where.get(k, export.UNKNOWN) for k in keys])
    elif accept:
        ingest.write_parquet(result.table, parquet_path)
    try:
        with transaction.atomic():
            snapshot = None
            if accept:
                snapshot = Snapshot.objects.create(
                    source=source_code,
                    kind=Snapshot.Kind.ASSIST if assist_request else Snapshot.Kind.FULL,
                    as_of=as_of,
                    row_count=result.table.num_rows,
                    path=str(parquet_path),
                    sha256=sha256,
                    uploaded_by=user,
                    region=region,
                    assist_request=assist_request,
                )
            upload = Upload.objects.create(
                source=source_code,
                filename=filename[:200],
                channel=channel,
                status=status,
                total_rows=result.total,
                error_rows=result.error_rows,
                errors=[e.as_dict() for e in result.errors],
                error_report=report_path,
                unregistered_rows=len(unregistered),
                unregistered=[e.as_dict() for e in unregistered[: ingest.MAX_ERRORS_KEPT]],
                snapshot=snapshot,
                uploaded_by=user,
                department=department,
            )
            audit.record(
                "verification.ingest",
                upload,
                after={
                    "source": source_code,
                    "status": status,
                    "rows": result.total,
                    "errors": result.error_rows,
                    "unregistered": len(unregistered),
                    "as_of": as_of.isoformat(),
                    "snapshot": snapshot.pk if snapshot else None,
                    "region": region.code if region else "",
                },
            )
            if snapshot is not None and snapshot.kind == Snapshot.Kind.FULL:
                for hook in AFTER_INGEST:
                    transaction.on_commit(lambda hook=hook, snap=snapshot: hook(snap), robust=True)
    except Exception:
        ingest.remove_snapshot(parquet_path)
        raise
    return upload


def _write_report(token: str, content: bytes) -> str:
    report = data_dir() / "errors" / f"{token}.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_bytes(content)
    return str(report)


def _registered_keys(keys: list[str]) -> set[str]:
    """Which of these person keys (ID numbers' blind indexes) a person in the registry holds."""
    found: set[str] = set()
    for i in range(0, len(keys), 5000):
        chunk = Person.objects.filter(id_number_bidx__in=keys[i : i + 5000])
        found |= set(chunk.values_list("id_number_bidx", flat=True))
    return found


def counties_of_persons(keys: list[str]) -> dict[str, str]:
    """The county of each of these person keys: that of the household its person (living or not, not merged) is
    registered in, as the registry export places him (``export.county_of``); the lowest code when two persons in
    different counties hold the key (the batch finds the record for the other through ``export.gather_strays``)."""
    found: dict[str, str] = {}
    for i in range(0, len(keys), 5000):
        chunk = Person.objects.filter(
            id_number_bidx__in=keys[i : i + 5000], merged_into__isnull=True, household__isnull=False
        ).values_list("id_number_bidx", "household__region_id")
        for key, region_code in chunk:
            county = export.county_of(region_code)
            if key not in found or county < found[key]:
                found[key] = county
    return found


def _refuse_file(user, source_code: str, filename: str, channel: str, department: str, reason: str, sha256: str):
    """Record a file that could not be read at all as rejected, the reason as its error report."""
    error = ingest.RowError(0, "", "", reason)
    report_path = _write_report(uuid.uuid4().hex, ingest.error_report_csv([error]))
    with transaction.atomic():
        upload = Upload.objects.create(
            source=source_code, filename=filename[:200], channel=channel, status=Upload.Status.REJECTED,
            errors=[error.as_dict()], error_report=report_path, uploaded_by=user, department=department,
        )  # fmt: skip
        audit.record(
            "verification.ingest",
            upload,
            after={"source": source_code, "status": Upload.Status.REJECTED, "reason": reason, "sha256": sha256},
        )
    return upload


def _feed_region(user, assist_request: AssistRequest | None) -> Region | None:
    """The subtree a feed holds for: a staff member's upload only his region's (a 协查 answer belongs to its
    request's household); a department's (API client, command line) everywhere."""
    if assist_request is not None or user is None or not getattr(user, "region_id", None):
        return None
    return user.region


def current_snapshots(
    as_of: datetime.date, assist_request: AssistRequest | None = None, *, region_code: str | None = None
) -> dict[str, list[Snapshot]]:
    """Per source: the newest full snapshot dated on or before ``as_of`` that holds at ``region_code`` (a
    department's, or one uploaded for a region containing it), plus a 协查 request's answers.

    Without ``region_code`` (a run over everybody): every snapshot that holds somewhere — the newest
    department-wide one, and each region's newest that no newer snapshot of a region containing it has
    superseded (``source_inputs`` lets each speak only for its own subtree)."""
    chosen: dict[str, list[Snapshot]] = {}
    for code in SOURCES:
        full = Snapshot.objects.filter(source=code, kind=Snapshot.Kind.FULL, as_of__lte=as_of)
        if region_code is not None:
            applicable = full.filter(Q(region__isnull=True) | Q(region__in=regions.lineage(region_code)))
            snap = applicable.order_by("-as_of", "-id").first()
            chosen[code] = [snap] if snap else []
            continue
        newest: dict[str | None, Snapshot] = {}
        for snap in full.select_related("region").order_by("-as_of", "-id"):
            newest.setdefault(snap.region_id, snap)
        chosen[code] = [snap for snap in newest.values() if not _superseded(snap, newest.values())]
        chosen[code].sort(key=_specificity)
    if assist_request is not None:
        for snap in assist_request.snapshots.all():
            chosen[snap.source].append(snap)
    return chosen


def freshness(today: datetime.date | None = None, region_code: str | None = None) -> list[dict]:
    """Per source, the newest full snapshot (that holds at ``region_code``: a department's or one of a region
    containing it) and its age."""
    today = today or timezone.localdate()
    rows = []
    for source in SOURCES.values():
        full = Snapshot.objects.filter(source=source.code, kind=Snapshot.Kind.FULL)
        if region_code:
            full = full.filter(Q(region__isnull=True) | Q(region__in=regions.lineage(region_code)))
        snap = full.order_by("-as_of", "-id").first()
        age = (today - snap.as_of).days if snap else None
        rows.append(
            {
                "source": source,
                "snapshot": snap,
                "age_days": age,
                "stale": age is None or age > source.refresh_days,
                "count": full.count(),
            }
        )
    return rows


# --- thresholds ------------------------------------------------------------------------------------------------


def _in_effect(row: Threshold, day: datetime.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or row.valid_to >= day)


def income_standard_fen(multiples, dibao_rows, code: str, is_urban: bool, as_of: datetime.date):
    """(分 per person and month, outcome) of the 核对收入标准 at one place: the multiple in force there (an
    ``income_standard`` row, chosen by core.regions as the engine chooses its rows) × the 低保标准 in force there
    (benefits.standards); None when either is not set."""
    side = Threshold.UrbanRural.URBAN if is_urban else Threshold.UrbanRural.RURAL
    multiple = regions.in_force(
        (t for t in multiples if t.urban_rural in ("", side) and _in_effect(t, as_of)),
        code,
        region=lambda t: t.region_id or None,
        effective_from=lambda t: t.valid_from,
        narrower=lambda t: (t.urban_rural != "",),
        tiebreak=lambda t: (t.value,),
    )
    dibao = standards.monthly_value(StandardKind.DIBAO, code, as_of, is_urban, rows=dibao_rows)
    if multiple is None or dibao is None:
        return None
    line = (dibao * multiple.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(line * 100), multiple.outcome


def thresholds_table(programme: str, as_of: datetime.date, places) -> pa.Table:
    """The engine's thresholds for ``programme`` on ``as_of``: every rule's rows as set, except the 核对收入标准,
    which has no copy of its own: for each place the check covers (``places``: (region code, is urban) pairs) it is
    derived from the 低保标准 (``income_standard_fen``) as a row for exactly that place and day."""
    rows = list(Threshold.objects.filter(programme=programme).select_related("region"))
    multiples = [t for t in rows if t.rule == Rule.INCOME_STANDARD]
    out = [(t.rule, t.region_prefix, t.urban_rural, t.engine_value(), t.outcome, t.valid_from, t.valid_to)
           for t in rows if t.rule != Rule.INCOME_STANDARD]  # fmt: skip
    dibao_rows = standards.in_effect(StandardKind.DIBAO, as_of)
    for code, is_urban in sorted(set(places)):
        derived = income_standard_fen(multiples, dibao_rows, code, bool(is_urban), as_of)
        if derived is not None:
            side = Threshold.UrbanRural.URBAN if is_urban else Threshold.UrbanRural.RURAL
            out.append((Rule.INCOME_STANDARD.value, code, side.value, derived[0], derived[1], as_of, as_of))
    names = ("rule", "region_prefix", "urban_rural", "value", "outcome", "valid_from", "valid_to")
    return pa.table(
        {"programme": [programme] * len(out), **{name: [r[i] for r in out] for i, name in enumerate(names)}},
        schema=tables.THRESHOLDS_SCHEMA,
    )


def _places(households: pa.Table) -> list[tuple[str, bool]]:
    """The distinct (region code, is urban) pairs of the households a check covers."""
    distinct = households.select(["region_code", "is_urban"]).group_by(["region_code", "is_urban"]).aggregate([])
    return [(r["region_code"], bool(r["is_urban"])) for r in distinct.to_pylist()]


THRESHOLD_FIELDS = ("programme", "rule", "region", "urban_rural", "value", "outcome", "valid_from", "valid_to", "note")


@transaction.atomic
def add_threshold(actor, *, region_code: str, **fields) -> Threshold:
    """A new 核对 threshold (earlier rows stay: the more specific region, then the later date wins). Only for a
    region inside the actor's subtree: a county cannot set the city's or another county's thresholds (404)."""
    require_capability(actor, VERIFY_DATA, "设置核对规则阈值")
    try:
        code = regions.normalize_code(region_code)
    except regions.RegionCodeError as exc:
        raise BusinessRuleError(VerificationErrorCode.REGION_INVALID, str(exc)) from exc
    require_writable_region(actor, code, "适用区划")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotInScope("适用区划不存在或不在您的管辖范围内")
    fields["region"] = region
    threshold = Threshold(**{name: fields.get(name) for name in THRESHOLD_FIELDS if name in fields})
    threshold.note = threshold.note or ""
    threshold.urban_rural = threshold.urban_rural or ""
    try:
        threshold.full_clean()
    except ValidationError as exc:
        raise BusinessRuleError(VerificationErrorCode.THRESHOLD_INVALID, "；".join(exc.messages)) from exc
    threshold.save()
    after = {name: str(getattr(threshold, name)) for name in THRESHOLD_FIELDS if name != "region"}
    audit.record("verification.threshold.add", threshold, after=after | {"region": region.code},
                 region_code=region.code)  # fmt: skip
    return threshold


def programmes() -> list[str]:
    return sorted(set(Threshold.objects.values_list("programme", flat=True)))


# --- authorisation ---------------------------------------------------------------------------------------------


def living_members(household: Household) -> list[Person]:
    return list(Person.objects.filter(household=household, merged_into__isnull=True, is_deceased=False).order_by("id"))


def is_adult(person: Person, day: datetime.date) -> bool:
    age = person.age_on(day)
    return age is None or age >= ADULT_AGE


def authorisation_in_force(person: Person, as_of: datetime.date) -> Authorisation | None:
    """The person's 授权书 in force on ``as_of`` (signed by then, not revoked, not expired), whichever household he
    signed it for: one record per person, reused by every later 核对."""
    return (
        Authorisation.objects.filter(person=person, revoked=False, signed_on__lte=as_of)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
        .order_by("-signed_on", "-id")
        .first()
    )


def authorisation_rows(household: Household, as_of: datetime.date) -> list[dict]:
    """Each living member with his age, whether he is an adult and his 授权书 in force on ``as_of`` (None when an
    adult still needs one): what the 核对 request lists."""
    rows = []
    for person in living_members(household):
        adult = is_adult(person, as_of)
        rows.append(
            {
                "person": person,
                "age": person.age_on(as_of),
                "adult": adult,
                "authorisation": authorisation_in_force(person, as_of) if adult else None,
            }
        )
    return rows


def missing_authorisations(household: Household, as_of: datetime.date) -> list[Person]:
    return [row["person"] for row in authorisation_rows(household, as_of) if row["adult"] and not row["authorisation"]]


@transaction.atomic
def record_authorisation(
    actor,
    household: Household,
    person: Person,
    signed_on: datetime.date,
    scan=None,
    *,
    valid_until: datetime.date | None = None,
    document=None,
) -> Authorisation:
    """Enter a person's 授权书 once: with its scan, or with the scan an application of the household already holds
    (``document``: the id of its 授权书 among huimin.verification.applications). Refused while he has one in force."""
    require_capability(actor, VERIFY_RUN)
    require_region_in_scope(actor, household.region_id)
    if person.household_id != household.pk:
        raise ServiceError("该人员不是本户成员")
    today = timezone.localdate()
    if signed_on > today:
        raise ServiceError("签署日期不能晚于今天")
    if valid_until is not None and valid_until < today:
        raise ServiceError("有效期不能早于今天（已过期的授权书不能用于核对）")
    current = authorisation_in_force(person, today)
    if current is not None:
        raise BusinessRuleError(
            VerificationErrorCode.AUTHORISATION_EXISTS,
            f"{person.name} 已有在有效期内的核对授权书（{current.signed_on:%Y年%m月%d日}签署，{current.validity}），"
            "以后的核对都沿用它，无需重复登记",
        )
    source = ""
    if document:
        found = application_docs.document(household.pk, document)
        if found is None:
            raise ServiceError("所选申请材料不存在或不是本户的核对授权书")
        with found.file.open("rb") as handle:
            scan = ContentFile(handle.read(), name=Path(found.file.name).name[-80:])
        source = found.label[:200]
    if not scan:
        raise ServiceError("请上传签字的授权书扫描件，或选择申请时已上传的授权书")
    check_size(scan, DOCUMENT_MAX_BYTES, "授权书扫描件")
    auth = Authorisation.objects.create(
        household=household, person=person, signed_on=signed_on, valid_until=valid_until, scan=scan, source=source,
        recorded_by=actor,
    )  # fmt: skip
    audit.record(
        "verification.authorisation",
        auth,
        region_code=household.region_id,
        after={
            "person": person.pk,
            "signed_on": signed_on.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else "",
            "source": source,
        },
    )
    return auth


@transaction.atomic
def revoke_authorisation(actor, authorisation: Authorisation, reason: str) -> Authorisation:
    """The person withdraws his 授权书: later 核对 need a new one. The reason is kept in the audit entry."""
    require_capability(actor, VERIFY_RUN)
    require_region_in_scope(actor, authorisation.household.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写撤回原因（如本人书面撤回授权）")
    auth = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if auth.revoked:
        raise ServiceError("该授权书已撤回")
    auth.revoked = True
    auth.save(update_fields=["revoked"])
    audit.record(
        "verification.authorisation.revoke", auth, region_code=auth.household.region_id,
        before={"revoked": False}, after={"revoked": True}, detail=reason[:500],
    )  # fmt: skip
    return auth


# --- the engine inputs of one household ------------------------------------------------------------------------


def _household_tables(household: Household, members: list[Person]) -> tuple[pa.Table, pa.Table]:
    region = household.region
    urban = region.is_urban
    if urban is None:
        urban = bool(household.head.is_urban) if household.head_id else False
    persons = pa.table(
        {
            "person_key": [p.id_number_bidx for p in members],
            "person_id": [p.pk for p in members],
            "household_id": [household.pk] * len(members),
            "birth_date": [p.birth_date for p in members],
            "labour_ability": [p.labour_ability for p in members],
            "disability_grade": [p.disability_grade for p in members],
            "is_deceased": [p.is_deceased for p in members],
        },
        schema=tables.PERSONS_SCHEMA,
    )
    households = pa.table(
        {
            "household_id": [household.pk],
            "number": [household.number],
            "region_code": [household.region_id],
            "is_urban": [urban],
        },
        schema=tables.HOUSEHOLDS_SCHEMA,
    )
    return persons, households


def _source_paths(chosen: dict[str, list[Snapshot]]) -> dict[str, list[str]]:
    """Each source's Parquet files (every county's of a county-partitioned snapshot)."""
    return {code: [f for s in snaps for f in ingest.snapshot_files(s.path)] for code, snaps in chosen.items() if snaps}


def _specificity(snap: Snapshot) -> int:
    return len(snap.region.prefix) if snap.region_id else 0


def _holds_at(snap: Snapshot, code: str) -> bool:
    return snap.region_id is None or code.startswith(snap.region.prefix)


def _superseded(snap: Snapshot, others) -> bool:
    """A newer snapshot of a wider region that contains ``snap``'s replaces it there."""
    return snap.region_id is not None and any(
        other is not snap and _specificity(other) < _specificity(snap) and _holds_at(other, snap.region_id)
        and (other.as_of, other.pk) > (snap.as_of, snap.pk)
        for other in others
    )  # fmt: skip


def source_inputs(chosen: dict[str, list[Snapshot]]) -> dict[str, list[str] | pa.Table]:
    """What a run over everybody reads per source (``current_snapshots`` without a region): the Parquet paths
    when a department's snapshot holds everywhere; otherwise each snapshot's rows of the persons registered in
    its region, less those in a narrower region whose own snapshot holds there (most specific region wins), so a
    region's upload speaks only for its subtree and nobody's records are counted twice."""
    inputs: dict[str, list[str] | pa.Table] = {}
    for code, snaps in chosen.items():
        if len(snaps) == 1 and snaps[0].region_id is None:
            inputs[code] = ingest.snapshot_files(snaps[0].path)
            continue
        parts = []
        for snap in snaps:
            table = ingest.read_snapshot(snap.path)
            if snap.region_id is not None:
                table = table.filter(pc.is_in(table["person_key"], value_set=_keys_in([snap.region])))
            narrower = [
                o.region for o in snaps if _specificity(o) > _specificity(snap) and _holds_at(snap, o.region_id)
            ]
            if narrower:
                table = table.filter(pc.invert(pc.is_in(table["person_key"], value_set=_keys_in(narrower))))
            parts.append(table)
        if parts:
            inputs[code] = pa.concat_tables(parts)
    return inputs


def _keys_in(regions_: list[Region]) -> pa.Array:
    """The person keys (blind indexes of ID numbers) of the persons registered in these regions' subtrees."""
    condition = Q()
    for region in regions_:
        condition |= subtree("region", region.prefix)
    keys = Person.objects.filter(condition).exclude(id_number_bidx="").values_list("id_number_bidx", flat=True)
    return pa.array(list(keys), pa.string())


def _records(chosen: dict[str, list[Snapshot]], keys: dict[str, Person]) -> list[dict]:
    """Every departmental record of the members, with its source and snapshot date."""
    out = []
    wanted = pa.array(list(keys), pa.string())
    for code, snaps in chosen.items():
        source = SOURCES[code]
        for snap in snaps:
            table = ingest.read_snapshot(snap.path, filters=pc.field("person_key").isin(wanted))
            for rec in table.to_pylist():
                person = keys[rec.pop("person_key")]
                fields = []
                for column in source.columns:
                    if column.name == "id_number":
                        continue
                    value = rec.get(column.name)
                    if value is not None and column.protect:
                        value = f"摘要 {value[:12]}"  # the snapshot keeps only the blind index
                    elif value is not None and column.type == MONEY:
                        value = f"{rules.yuan(value):,.2f}"
                    elif value is not None and column.type == DATE:
                        value = value.isoformat()
                    fields.append([column.label.split("（")[0], "" if value is None else str(value)])
                out.append(
                    {
                        "person_id": person.pk,
                        "person": person.name,
                        "source": code,
                        "source_name": source.name,
                        "department": source.department,
                        "snapshot_id": snap.pk,
                        "snapshot_date": snap.as_of.isoformat(),
                        "fields": fields,
                    }
                )
    return out


def _evaluate_one(household, members, programme, as_of, chosen) -> dict:
    """The rules of huimin.engine.verification for one household: its registry rows and its members' records."""
    persons, households = _household_tables(household, members)
    sliced = tables.slice_sources(_source_paths(chosen), [p.id_number_bidx for p in members])
    thresholds = thresholds_table(programme, as_of, _places(households))
    rows = single.evaluate(programme, as_of, persons=persons, households=households,
                           thresholds=thresholds, sources=sliced)  # fmt: skip
    return rows[0]


def not_configured(programme) -> str:
    """Who configures the missing thresholds, and where (a clerk forwards this, an approver acts on it)."""
    return (
        f"救助项目“{programme_names.label(programme)}”没有配置核对规则阈值："
        "请县级审批人在「核对 → 核对规则阈值」页面配置"
    )


def _build_report(actor, household, programme, as_of, chosen, *, origin="single", assist_request=None) -> Report:
    started = time.perf_counter()
    members = living_members(household)
    if not Threshold.objects.filter(programme=programme).exists():
        raise BusinessRuleError(VerificationErrorCode.NO_THRESHOLDS, not_configured(programme))
    row = _evaluate_one(household, members, programme, as_of, chosen)
    keys = {p.id_number_bidx: p for p in members if p.id_number_bidx}
    records = _records(chosen, keys)
    reasons = rules.explain(row)
    for reason in reasons:
        reason["records"] = [
            {
                "person": r["person"],
                "source_name": r["source_name"],
                "snapshot_date": r["snapshot_date"],
                "fields": r["fields"],
            }
            for r in records
            if r["source"] in reason["sources"]
        ]
    member_rows = [
        {
            "person_id": p.pk,
            "name": p.name,
            "age": p.age_on(as_of),
            "adult": is_adult(p, as_of),
            "records": [r for r in records if r["person_id"] == p.pk],
        }
        for p in members
    ]
    used = [
        {
            "source": code,
            "source_name": SOURCES[code].name,
            "snapshot_id": s.pk,
            "as_of": s.as_of.isoformat(),
            "kind": s.kind,
        }
        for code, snaps in chosen.items()
        for s in snaps
    ]
    with transaction.atomic():
        report = Report.objects.create(
            household=household,
            region=household.region,
            programme=programme,
            as_of=as_of,
            conclusion=row["conclusion"],
            reasons=reasons,
            figures=rules.figures(row),
            members=member_rows,
            snapshots=used,
            origin=origin,
            assist_request=assist_request,
            created_by=actor if getattr(actor, "pk", None) else None,
            seconds=time.perf_counter() - started,
        )
        audit.record(
            "verification.check",
            report,
            region_code=household.region_id,
            after={
                "household": household.pk,
                "programme": programme,
                "as_of": as_of.isoformat(),
                "conclusion": row["conclusion"],
            },
        )
    return report


def check_household(actor, household: Household, programme_code: str, as_of: datetime.date) -> Report:
    """The single 核对 of one household: refuses while an adult member lacks a signed authorisation."""
    require_capability(actor, VERIFY_RUN)
    require_region_in_scope(actor, household.region_id)
    missing = missing_authorisations(household, as_of)
    if missing:
        raise BusinessRuleError(
            VerificationErrorCode.AUTHORISATION_MISSING,
            "以下成年家庭成员尚未签署核对授权书（或授权书已过期、已撤回），须先登记（每人一次，以后沿用）才能发起核对："
            + "、".join(p.name for p in missing),
        )
    chosen = current_snapshots(as_of, region_code=household.region_id)
    return _build_report(actor, household, programme_code, as_of, chosen)


# --- batch re-check --------------------------------------------------------------------------------------------


def run_batch(
    actor,
    programme: str,
    as_of: datetime.date,
    region_prefix: str = "",
    backend: str | None = None,
    enrolled_only: bool = False,
):
    """Re-check every active household under ``region_prefix`` in one columnar run; store and compare.

    With ``enrolled_only`` (定期核对) only households currently enrolled in the programme are checked. The batch
    page queues it for the task worker (``start_batch``); the command line, the benchmarks and the tests call it
    directly."""
    require_capability(actor, VERIFY_BATCH)
    region = _batch_scope(actor, programme, region_prefix)
    prefix = region.prefix
    backend = backend or backends.default_backend()
    close_stale_runs()
    with transaction.atomic():
        run = BatchRun.objects.create(
            programme=programme,
            as_of=as_of,
            region=region,
            backend=backend,
            enrolled_only=enrolled_only,
            created_by=actor,
            **workers.this_worker(),
        )
        audit.record("verification.batch.start", run, region_code=region.code)
    started = time.perf_counter()
    try:
        paths = export.export_registry(export.engine_dir() / f"batch-{run.pk}", region_prefix=prefix)
        workers.heartbeat(run)
        con = backends.connect(backend)
        t = tables.load(
            con,
            persons=str(paths["persons"]),
            households=str(paths["households"]),
            thresholds=thresholds_table(
                programme, as_of, _places(pq.read_table(paths["households"], columns=["region_code", "is_urban"]))
            ),
            sources=_source_paths(current_snapshots(as_of, region_code=region.code)),
        )
        hh = t.households.filter(t.households.region_code.startswith(prefix))
        if enrolled_only:
            enrolled = ibis.memtable(
                pa.table({"household_id": pa.array(enrolment.enrolled_households(programme, prefix), pa.int64())})
            )
            hh = hh.filter(hh.household_id.isin(enrolled.household_id))
        result = con.to_pyarrow(engine.evaluate(t, programme, as_of, hh).select(*engine.COLUMNS))
        workers.heartbeat(run)
        result = PreviousResults(programme, run).attach(result)
        out = data_dir() / "batches" / f"batch-{run.pk}.parquet"
        ingest.write_parquet(result, out)
    except Exception as exc:
        BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.FAILED, error=str(exc)[:2000])
        raise ServiceError("批量复核失败：" + str(exc)[:200]) from exc
    return _finish(run, households=result.num_rows, counts=_conclusion_counts(result), changed=_changed_count(result),
                   results_path=out, seconds=time.perf_counter() - started)  # fmt: skip


def _conclusion_counts(result: pa.Table) -> dict:
    return {c: int(pc.sum(pc.equal(result["conclusion"], c)).as_py() or 0) for c in Conclusion.values}


def _changed_count(result: pa.Table) -> int:
    return int(pc.sum(result["changed"]).as_py() or 0)


def _finish(run: BatchRun, *, households: int, counts: dict, changed: int, results_path, seconds: float,
            **fields) -> BatchRun:  # fmt: skip
    """Close a batch run (whole or county by county) as 已完成 with its figures and results file(s), audited.
    Even if it was taken for stale (silent too long on another host) and closed as 中断, a run that does finish is
    done: its result is complete."""
    with transaction.atomic():
        BatchRun.objects.filter(pk=run.pk).update(
            status=BatchRun.Status.DONE, error="", heartbeat_at=timezone.now(), households=households, counts=counts,
            changed=changed, results_path=str(results_path or ""), seconds=seconds, **fields,
        )  # fmt: skip
        run.refresh_from_db()
        after = {"households": households, "counts": counts, "changed": changed}
        if run.by_county:
            after["counties"] = run.counties_done
        audit.record("verification.batch.done", run, region_code=run.region_id or "", after=after)
    return run


# --- batch re-check, county by county (province scale) ---------------------------------------------------------

RESULT_COLUMNS = (
    "run_id", "county_code", "household_id", "region_code", "members", "income_fen", "deposits_fen",
    "vehicle_count", "dwelling_count", "company_count", "medical_fen", "deceased_count", "broken", "conclusion",
)  # fmt: skip


def _result_rows(run_id: int, county: str, result: pa.Table) -> pa.Table:
    """The engine's rows as BatchResult's columns: the figures kept, the rules broken as their names."""
    n = result.num_rows
    broken = pa.array(
        [",".join(f for f, on in zip(engine.FLAGS, flags, strict=True) if on)
         for flags in zip(*(result[f].to_pylist() for f in engine.FLAGS), strict=True)] if n else [],
        pa.string(),
    )  # fmt: skip
    columns = {
        "run_id": pa.array([run_id] * n, pa.int64()),
        "county_code": pa.array([county] * n, pa.string()),
        **{c: result[c] for c in RESULT_COLUMNS[2:-2]},
        "broken": broken,
        "conclusion": result["conclusion"],
    }
    return pa.table(columns)


def _copy_results(rows: pa.Table) -> None:
    """Append the rows to BatchResult: ``COPY … FROM STDIN`` on PostgreSQL, ``bulk_create`` elsewhere."""
    from django.db import connection

    if not rows.num_rows:
        return
    if connection.vendor == "postgresql":
        import io

        import pyarrow.csv as pacsv

        sql = f"COPY {BatchResult._meta.db_table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
        options = pacsv.WriteOptions(include_header=False)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for batch in rows.to_batches(max_chunksize=200_000):
                buffer = io.BytesIO()
                pacsv.write_csv(pa.Table.from_batches([batch]), buffer, write_options=options)
                copy.write(buffer.getbuffer())
        return
    BatchResult.objects.bulk_create((BatchResult(**r) for r in rows.to_pylist()), batch_size=5_000)


def _check_resumable(actor, run: BatchRun, root: Path | None = None) -> None:
    """Refuse to resume a run that is not a county-by-county one (of the snapshots ``root``, when given), is done
    or still runs (after closing the runs whose process died)."""
    close_stale_runs()
    run.refresh_from_db()
    require_region_in_scope(actor, run.region_id)
    if not run.by_county or (root is not None and Path(run.snapshot_root) != Path(root)):
        raise BusinessRuleError(
            VerificationErrorCode.BATCH_NOT_RESUMABLE, f"批量复核 #{run.pk} 不是按县运行的这批快照，不能续跑"
        )
    if run.status == BatchRun.Status.DONE:
        raise BusinessRuleError(VerificationErrorCode.BATCH_NOT_RESUMABLE, f"批量复核 #{run.pk} 已完成，无需续跑")
    if run.status == BatchRun.Status.RUNNING:
        raise BusinessRuleError(
            VerificationErrorCode.BATCH_NOT_RESUMABLE, f"批量复核 #{run.pk} 仍在运行中，请待其完成或中断后再续跑"
        )


def _resumable(actor, run: BatchRun, root: Path) -> BatchRun:
    _check_resumable(actor, run, root)
    with transaction.atomic():
        BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.RUNNING, error="", **workers.this_worker())
        run.refresh_from_db()
        audit.record("verification.batch.resume", run, region_code=run.region_id or "",
                     after={"counties_done": run.counties_done, "counties_total": run.counties_total})  # fmt: skip
    return run


NOT_PARTITIONED = (
    "没有按县（区）分区保存的部门数据快照，不能按县复核：请县级审批人在「核对 → 部门数据」页面导入部门数据时勾选"
    "“按县（区）分区保存”（部门接口和命令行报送的数据，由系统管理员设置 HUIMIN_SNAPSHOTS_BY_COUNTY=1 后按县保存）"
)
INPUTS = "inputs.json"  # in the directory of a run over the application's own data: what it reads


def _own_inputs(as_of: datetime.date, region: Region) -> dict[str, list[Snapshot]]:
    """The snapshots a run over the application's own data reads (those ``run_batch`` reads); refused when none of
    them is partitioned by county (the run would gain nothing: ``NOT_PARTITIONED`` names who changes that, where)."""
    chosen = current_snapshots(as_of, region_code=region.code)
    if not any(counties.is_partitioned(s.path) for snaps in chosen.values() for s in snaps):
        raise BusinessRuleError(VerificationErrorCode.SNAPSHOTS_NOT_PARTITIONED, NOT_PARTITIONED)
    return chosen


def _read_inputs(root: Path) -> dict | None:
    try:
        return json.loads((root / INPUTS).read_text())
    except (OSError, ValueError):
        return None


def _write_inputs(root: Path, inputs: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (INPUTS + ".tmp")
    tmp.write_text(json.dumps(inputs, ensure_ascii=False))
    tmp.replace(root / INPUTS)


def _prepare(run: BatchRun, root: Path) -> dict[str, list[str]]:
    """The inputs of a run over the application's own data, made once (a resume reads what the first part made):
    the registry under the run's region exported by county into ``root``; per source, the snapshot ``run_batch``
    would read — a county-partitioned one with, beside it, its records that lie in another directory than their
    person's county now (``export.gather_strays``: moved since, or not registered then), a whole file as it is.
    Returns source code → paths (``counties.shared_files`` reads a county's share of them)."""
    done = _read_inputs(root) or {}
    if done.get("sources") is not None:
        return done["sources"]
    region = run.region
    chosen = _own_inputs(run.as_of, region)
    export.export_registry(root, region_prefix=region.prefix, by_county=True)
    workers.heartbeat(run)
    sources: dict[str, list[str]] = {}
    for code, snaps in chosen.items():
        for snap in snaps:
            sources.setdefault(code, []).append(snap.path)
            if counties.is_partitioned(snap.path):
                strays = root / "strays" / code
                if export.gather_strays(root / "persons", Path(snap.path), strays):
                    sources[code].append(str(strays))
    workers.heartbeat(run)
    snapshots = {code: [s.pk for s in snaps] for code, snaps in chosen.items() if snaps}
    _write_inputs(root, {"own_data": True, "snapshots": snapshots, "sources": sources})
    BatchRun.objects.filter(pk=run.pk).update(counties_total=len(counties.counties(root, region.prefix)))
    return sources


def _results_dir(run: BatchRun) -> Path:
    return data_dir() / "batches" / f"batch-{run.pk}"


def _write_county_results(run: BatchRun, county: str, result: pa.Table) -> None:
    """One county's rows, compared with the previous results, as ``<results>/<county>.parquet`` (replaced whole on
    a resume that runs the county again)."""
    path = _results_dir(run) / f"{county}.parquet"
    tmp = path.with_suffix(".tmp")
    ingest.write_parquet(result, tmp)
    tmp.replace(path)


def read_results(path, columns=None) -> pa.Table:
    """A batch run's result rows: its file (a whole run), or every county's file of its directory."""
    return ingest.read_snapshot(path, columns=columns)


def run_batch_by_county(
    actor,
    programme: str,
    as_of: datetime.date,
    snapshot_root=None,
    region_prefix: str = "",
    backend: str | None = None,
    resume: BatchRun | None = None,
    progress=None,
) -> BatchRun:
    """The batch re-check of every household under ``region_prefix``, county by county, over county-partitioned
    snapshots (``engine.counties``: ``<root>/persons|households|<source>/county=<code>/``). Without
    ``snapshot_root`` it reads the application's own data (``_prepare``): the registry exported by county and the
    departmental snapshots ``run_batch`` reads, a county-partitioned one county by county — refused when none is
    (``NOT_PARTITIONED``).

    Each county's rows are compared with the households' previous results (``PreviousResults``, as in
    ``run_batch``) and written to the run's results (a Parquet file per county: the batch page's review list and
    its .xlsx, as for a whole run) and to BatchResult by COPY; the county is marked finished (BatchCounty) in the
    same transaction, so a run that is killed keeps its finished counties: ``resume`` (a 中断 or 失败 run) runs
    only the others, on the inputs the first part read. ``progress(finished, total, county, households)`` is
    called after each county; the run's ``counties_done`` / ``counties_total`` is the batch page's progress figure.
    The rules are the engine's, as in ``run_batch`` (not for 定期核对: every household of the region)."""
    require_capability(actor, VERIFY_BATCH)
    if resume is not None:
        root = Path(snapshot_root) if snapshot_root is not None else Path(resume.snapshot_root or ".")
        run = _resumable(actor, resume, root)
        programme, as_of, backend = run.programme, run.as_of, run.backend
        region = run.region
        own = _read_inputs(root) is not None
    else:
        region = _batch_scope(actor, programme, region_prefix)
        own = snapshot_root is None
        if own:
            _own_inputs(as_of, region)
            root = export.engine_dir() / f"county-batch-{uuid.uuid4().hex[:16]}"
            total = 0  # known once the registry is exported
        else:
            root = Path(snapshot_root)
            if not counties.counties(root):
                raise BusinessRuleError(
                    VerificationErrorCode.SNAPSHOTS_NOT_PARTITIONED,
                    f"目录 {root} 中没有按县分区的快照（应有 households/county=<区划代码>/ 等子目录）",
                )
            total = len(counties.counties(root, region.prefix))
            if not total:
                raise BusinessRuleError(
                    VerificationErrorCode.SNAPSHOTS_NOT_PARTITIONED,
                    f"目录 {root} 中没有 {region.full_name()} 范围内的县（区）",
                )
        backend = backend or backends.default_backend()
        close_stale_runs()
        with transaction.atomic():
            run = BatchRun.objects.create(
                programme=programme, as_of=as_of, region=region, backend=backend, created_by=actor,
                snapshot_root=str(root), counties_total=total, **workers.this_worker(),
            )  # fmt: skip
            audit.record("verification.batch.start", run, region_code=region.code,
                         after={"counties": total, "by_county": True, "own_data": own})  # fmt: skip
        if own:
            _write_inputs(root, {"own_data": True, "sources": None})
    started = time.perf_counter() - run.seconds
    results = _results_dir(run)

    def work(county: str) -> int:
        began = time.perf_counter()
        places = _places(counties.households_of(root, county))
        result = previous.attach(verifier.county(county, thresholds_table(programme, as_of, places)))
        _write_county_results(run, county, result)
        with transaction.atomic():
            _copy_results(_result_rows(run.pk, county, result))
            BatchCounty.objects.create(
                run=run, county_code=county, households=result.num_rows, counts=_conclusion_counts(result),
                seconds=time.perf_counter() - began,
            )  # fmt: skip
            BatchRun.objects.filter(pk=run.pk).update(
                counties_done=F("counties_done") + 1, heartbeat_at=timezone.now(),
                seconds=time.perf_counter() - started,
            )  # fmt: skip
        return result.num_rows

    try:
        shared = _prepare(run, root) if own else None
        todo = counties.counties(root, region.prefix)
        verifier = counties.Verifier(root, programme, as_of, backend=backend, shared=shared)  # compiled once
        previous = PreviousResults(programme, run)
        results.mkdir(parents=True, exist_ok=True)
        done = set(BatchCounty.objects.filter(run=run).values_list("county_code", flat=True))
        counties.run(todo, work, done=done, progress=progress)
        written = any(results.glob("*.parquet"))
        changed = _changed_count(read_results(results, ["changed"])) if written else 0
    except Exception as exc:
        BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.FAILED, error=str(exc)[:2000])
        if isinstance(exc, ServiceError):
            raise
        raise ServiceError("批量复核失败：" + str(exc)[:200]) from exc
    parts = list(BatchCounty.objects.filter(run=run))
    return _finish(
        run, households=sum(p.households for p in parts),
        counts={c: sum(p.counts.get(c, 0) for p in parts) for c in Conclusion.values}, changed=changed,
        results_path=results if written else "", seconds=time.perf_counter() - started,
        counties_done=len(parts),
    )  # fmt: skip


# --- batch runs started from the page, queued for the task worker ----------------------------------------------


@task()
def batch_task(
    user_id: int,
    programme: str,
    as_of: str,
    region_code: str,
    backend: str | None = None,
    enrolled_only: bool = False,
    by_county: bool = False,
    resume_id: int | None = None,
) -> int:
    """A batch run started from the batch page, as a background task (``huimin db_worker`` runs the queue), acting
    as the user who started it (the run checks his capability and region again and audits under his name): the
    whole run (``run_batch``: 开始复核) or, with ``by_county``, a county-by-county run over the application's own
    data (``run_batch_by_county``: 开始按县复核; ``resume_id``: the run it resumes, 按县续跑). Returns the run's id."""
    from huimin.core.context import acting_as, actor_for
    from huimin.core.models import User

    user = User.objects.get(pk=user_id)
    day = datetime.date.fromisoformat(as_of)
    with acting_as(actor_for(user)):
        if by_county:
            resume = BatchRun.objects.get(pk=resume_id) if resume_id else None
            return run_batch_by_county(user, programme, day, None, region_code, backend, resume=resume).pk
        return run_batch(user, programme, day, region_code, backend, enrolled_only=enrolled_only).pk


# Kept for jobs queued before the upgrade: batch_by_county_task became batch_task (by_county=True), and a job a
# deployed queue still holds under the old name is run by its path (django_tasks_db imports
# "huimin.verification.services.batch_by_county_task" when a worker picks it up). Nothing new is queued under it.
@task()
def batch_by_county_task(user_id: int, programme: str, as_of: str, region_prefix: str, resume_id=None) -> int:
    """The county-by-county run as it was queued before the upgrade (those arguments, positional as they were
    queued), run as ``batch_task`` with ``by_county``."""
    return batch_task.call(**_as_batch_task(user_id, programme, as_of, region_prefix, resume_id))


def _as_batch_task(user_id: int, programme: str, as_of: str, region_prefix: str, resume_id=None) -> dict:
    """``batch_task``'s arguments for a job queued as ``batch_by_county_task`` (its parameters)."""
    return {"user_id": user_id, "programme": programme, "as_of": as_of, "region_code": region_prefix,
            "by_county": True, "resume_id": resume_id}  # fmt: skip


QUEUED_TASKS = (batch_task, batch_by_county_task)  # the tasks a run started from the page waits as


@dataclass(frozen=True)
class QueuedRun(ProgrammeLabel):
    """A batch run started from the page that no worker has picked up yet: what it will run (``batch_task``'s
    arguments), its region and when it was queued."""

    programme: str
    as_of: datetime.date
    region: Region | None
    backend: str | None
    enrolled_only: bool
    by_county: bool
    resume_id: int | None
    enqueued_at: datetime.datetime

    @property
    def region_code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def region_prefix(self) -> str:
        return self.region.prefix if self.region else ""

    @property
    def waited(self) -> str:
        return workers.waited(self.enqueued_at)

    @property
    def backend_label(self) -> str:
        return dict(BatchRun._meta.get_field("backend").choices).get(self.backend or backends.default_backend(), "")

    def same_as(self, other: "QueuedRun") -> bool:
        """The same run: kind, programme, date, region and 在保 choice (the engine does not change the result)."""
        fields = ("by_county", "resume_id", "programme", "as_of", "region_code", "enrolled_only")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


def queued_runs() -> list[QueuedRun]:
    """The batch runs started from the page that wait for the task worker, oldest first (with those queued under
    the old name before the upgrade, as ``batch_by_county_task`` runs them)."""
    signature = inspect.signature(batch_task.func)
    waiting = workers.waiting(*QUEUED_TASKS).order_by("enqueued_at")
    jobs = []
    for path, args_kwargs, enqueued_at in waiting.values_list("task_path", "args_kwargs", "enqueued_at"):
        args, kwargs = args_kwargs.get("args", []), args_kwargs.get("kwargs", {})
        if path == batch_by_county_task.module_path:
            args, kwargs = [], _as_batch_task(*args, **kwargs)
        job = signature.bind(*args, **kwargs)
        job.apply_defaults()
        jobs.append({**job.arguments, "enqueued_at": enqueued_at})
    found = Region.objects.in_bulk({job["region_code"] for job in jobs if job["region_code"]})
    queued = [
        QueuedRun(
            programme=job["programme"],
            as_of=datetime.date.fromisoformat(job["as_of"]),
            region=found.get(job["region_code"]),
            backend=job["backend"],
            enrolled_only=bool(job["enrolled_only"]),
            by_county=bool(job["by_county"]),
            resume_id=job["resume_id"],
            enqueued_at=job["enqueued_at"],
        )
        for job in jobs
    ]
    return queued


def queued_batches() -> int:
    """Batch runs (whole or county by county) started from the page that no worker has picked up yet."""
    return workers.waiting(*QUEUED_TASKS).count()


# the lock each kind of run holds while it is checked, audited and queued (core.workers.submitting)
WHOLE_QUEUE, BY_COUNTY_QUEUE = "verification.batch", "verification.batch_by_county"


def _refuse_while_queued() -> None:
    """A county-by-county run (or resume) is refused while another waits for the worker."""
    if any(q.by_county for q in queued_runs()):
        raise BusinessRuleError(
            VerificationErrorCode.BATCH_QUEUED, "已有一次按县复核在排队等待后台处理，请待其开始后再提交"
        )


def _refuse_the_same_run(run: QueuedRun) -> None:
    """A whole run is refused while the same one (``QueuedRun.same_as``) waits for the worker or runs."""
    what = f"{run.programme_label}，核对基准日 {run.as_of:%Y-%m-%d}，{run.region.full_name()}"
    what += "，仅在保家庭" if run.enrolled_only else ""
    if any(run.same_as(q) for q in queued_runs()):
        raise BusinessRuleError(
            VerificationErrorCode.BATCH_QUEUED,
            f"已有一次相同的批量复核（{what}）在排队等待后台处理，请待其完成后再提交",
        )
    close_stale_runs()  # a run whose process died does not hold the next one back
    running = BatchRun.objects.filter(
        status=BatchRun.Status.RUNNING, snapshot_root="", programme=run.programme, as_of=run.as_of,
        region=run.region, enrolled_only=run.enrolled_only,
    ).first()  # fmt: skip
    if running is not None:
        raise BusinessRuleError(
            VerificationErrorCode.BATCH_QUEUED,
            f"相同的批量复核 #{running.pk}（{what}）正在运行，请待其完成后再提交",
        )


def start_batch(
    actor,
    programme: str,
    as_of: datetime.date,
    region_prefix: str = "",
    backend: str | None = None,
    enrolled_only: bool = False,
):
    """Queue a whole run (``run_batch``) for the task worker — the batch page's 开始复核, which at a county's or a
    province's size would hold a web worker for minutes — after the checks the run makes first (capability, the
    region in the actor's subtree, thresholds set), so a refusal is shown at once; refused while the same run
    waits or runs (``verification.batch_queued``). Returns the task's result: with the immediate backend (tests,
    the demo without a worker) the run has already finished."""
    require_capability(actor, VERIFY_BATCH, "批量复核")
    region = _batch_scope(actor, programme, region_prefix)
    backend = backend or backends.default_backend()
    if backend not in backends.BACKENDS:
        raise ServiceError(f"不支持的计算引擎：{backend}")
    run = QueuedRun(programme=programme, as_of=as_of, region=region, backend=backend, enrolled_only=enrolled_only,
                    by_county=False, resume_id=None, enqueued_at=timezone.now())  # fmt: skip
    with workers.submitting(WHOLE_QUEUE) as queue:
        _refuse_the_same_run(run)
        audit.record("verification.batch.queue", None, region_code=region.code,
                     after={"programme": programme, "as_of": as_of.isoformat(), "backend": backend,
                            "enrolled_only": enrolled_only})  # fmt: skip
        queue.enqueue(batch_task, user_id=actor.pk, programme=programme, as_of=as_of.isoformat(),
                      region_code=region.code, backend=backend, enrolled_only=enrolled_only)  # fmt: skip
    return queue.result


def start_batch_by_county(actor, programme: str, as_of: datetime.date, region_prefix: str = ""):
    """Queue a county-by-county run over the application's own data for the task worker (the batch page's
    按县复核), after the checks the run makes first (capability, the region in the actor's subtree, thresholds set,
    partitioned snapshots present), so a refusal is shown at once. Returns the task's result: with the immediate
    backend (tests) the run has already finished."""
    require_capability(actor, VERIFY_BATCH, "按县批量复核")
    region = _batch_scope(actor, programme, region_prefix)
    if as_of > timezone.localdate():
        raise ServiceError("核对基准日不能晚于今天")
    _own_inputs(as_of, region)
    with workers.submitting(BY_COUNTY_QUEUE) as queue:
        _refuse_while_queued()
        audit.record("verification.batch.queue", None, region_code=region.code,
                     after={"programme": programme, "as_of": as_of.isoformat(), "by_county": True})  # fmt: skip
        queue.enqueue(batch_task, user_id=actor.pk, programme=programme, as_of=as_of.isoformat(),
                      region_code=region.code, by_county=True)  # fmt: skip
    return queue.result


def start_resume(actor, run: BatchRun):
    """Queue the resume of an interrupted or failed county-by-county run (the batch page's 按县续跑): only its
    unfinished counties are run, on the inputs its first part read."""
    require_capability(actor, VERIFY_BATCH, "续跑按县批量复核")
    _check_resumable(actor, run)
    after = {"resume": True, "counties_done": run.counties_done, "counties_total": run.counties_total}
    with workers.submitting(BY_COUNTY_QUEUE) as queue:
        _refuse_while_queued()
        audit.record("verification.batch.queue", run, region_code=run.region_id or "", after=after)
        queue.enqueue(batch_task, user_id=actor.pk, programme=run.programme, as_of=run.as_of.isoformat(),
                      region_code=run.region_id or "", by_county=True, resume_id=run.pk)  # fmt: skip
    return queue.result


def _batch_region(actor, region_prefix: str) -> Region:
    """The region a batch covers: the one its code prefix names (the actor's own when blank), in his subtree."""
    text = (region_prefix or "").strip()
    if not text:
        if not getattr(actor, "region_id", None):
            raise NotInScope("区划不存在或不在您的管辖范围内")
        return actor.region
    try:
        code = regions.normalize_code(text)
    except regions.RegionCodeError as exc:
        raise ServiceError(str(exc)) from exc
    require_region_in_scope(actor, code)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotInScope("区划不存在或不在您的管辖范围内")
    return region


def _batch_scope(actor, programme: str, region_prefix: str) -> Region:
    """What every batch run checks before it starts (and the page before it queues one): its region
    (``_batch_region``) and the programme's thresholds configured."""
    region = _batch_region(actor, region_prefix)
    if not Threshold.objects.filter(programme=programme).exists():
        raise BusinessRuleError(VerificationErrorCode.NO_THRESHOLDS, not_configured(programme))
    return region


def close_stale_runs() -> list[BatchRun]:
    """Close as 中断 (audited) every 运行中 batch run that can no longer finish (huimin.core.workers). A killed run
    wrote no result (its result is committed last), so the rerun the page offers starts from scratch; a killed
    county-by-county run keeps its finished counties and is resumed (``run_batch_by_county(resume=…)``)."""
    return workers.close_stale(
        BatchRun,
        action="verification.batch.interrupted",
        message=lambda run: (
            f"按县批量复核中断：{{reason}}。已完成的 {run.counties_done} 个县（区）的结果已保存，可按县续跑。"
            if run.by_county
            else "批量复核中断：{reason}，未产生结果。可重新运行。"
        ),
        region_code=lambda run: run.region_id or "",
    )


class PreviousResults:
    """Each household's previous result for a batch run's programme, and whether its conclusion changed: the
    latest, dated on or before the run's 核对基准日, of its single checks (Report), the last earlier batch of the
    programme and the results its app recorded by hand (``enrolment.recorded_results``: the demo's history too). A
    household with no previous result has not changed.

    Read once per run (the single checks and hand-entered results under the run's region; the last batch's
    conclusions as an Arrow table), and asked for any part of the run's rows: a whole run asks once, a
    county-by-county run county after county, with the same answers."""

    def __init__(self, programme: str, run: BatchRun):
        prefix = run.region.prefix if run.region_id else ""
        self.previous: dict[int, tuple] = enrolment.recorded_results(programme, prefix, run.as_of)
        reports = Report.objects.filter(subtree("region", prefix), programme=programme, as_of__lte=run.as_of)
        for household, day, at, conclusion in reports.values_list("household_id", "as_of", "created_at", "conclusion"):
            if household not in self.previous or (day, at) > self.previous[household][:2]:
                self.previous[household] = (day, at, conclusion)
        earlier = Q(created_at__lt=run.created_at) | Q(created_at=run.created_at, pk__lt=run.pk)
        self.last = (
            BatchRun.objects.filter(earlier, programme=programme, status=BatchRun.Status.DONE, as_of__lte=run.as_of)
            .order_by("-as_of", "-created_at", "-id")
            .first()
        )
        self.prior = None
        if self.last and self.last.results_path and Path(self.last.results_path).exists():
            self.prior = read_results(self.last.results_path, ["household_id", "conclusion"])

    def attach(self, result: pa.Table) -> pa.Table:
        """``result`` with the columns prev_conclusion and changed."""
        found: dict[int, tuple] = {}
        if self.prior is not None:
            mine = self.prior.filter(pc.is_in(self.prior["household_id"], value_set=result["household_id"]))
            for household, conclusion in zip(*(mine[c].to_pylist() for c in ("household_id", "conclusion")),
                                             strict=True):  # fmt: skip
                current = found.get(household) or self.previous.get(household)
                offered = (self.last.as_of, self.last.created_at, conclusion)
                if current is None or offered[:2] > current[:2]:
                    found[household] = offered
        ids = result["household_id"].to_pylist()
        best = [found.get(i) or self.previous.get(i) for i in ids]
        prev = pa.array([b[2] if b else None for b in best], pa.string())
        changed = pc.fill_null(pc.not_equal(prev, result["conclusion"]), False)
        return result.append_column("prev_conclusion", prev).append_column("changed", changed)


def review_rows(run: BatchRun, only_changed: bool = False) -> list[dict]:
    """The review list: households whose conclusion changed (the new failures first) or is not 符合, with reasons
    in words."""
    table = read_results(run.results_path)
    mask = (
        table["changed"]
        if only_changed
        else pc.or_(table["changed"], pc.not_equal(table["conclusion"], Conclusion.ELIGIBLE.value))
    )
    rows = table.filter(mask).to_pylist()
    # the changes first, and among them the new failures (符合 before, not now) first of all
    rows.sort(key=lambda r: (not r["changed"], r["conclusion"] == Conclusion.ELIGIBLE.value, r["household_id"]))
    numbers = dict(Household.objects.filter(pk__in=[r["household_id"] for r in rows]).values_list("pk", "number"))
    labels = dict(Conclusion.choices)
    out = []
    for row in rows:
        out.append(
            {
                "household_id": row["household_id"],
                "number": numbers.get(row["household_id"], ""),
                "region_code": row["region_code"],
                "members": row["members"],
                "previous": labels.get(row["prev_conclusion"], "（首次核对）"),
                "conclusion": labels[row["conclusion"]],
                "changed": row["changed"],
                "income_per_head": rules.figures(row)["income_per_head_month"],
                "reasons": rules.reason_summary(rules.explain(row)),
            }
        )
    return out


REVIEW_HEADERS = ["户编号", "区划代码", "成员数", "上次结论", "本次结论", "是否变化", "月人均收入（元）", "理由"]


def review_xlsx(actor, run: BatchRun) -> bytes:
    require_capability(actor, VERIFY_BATCH)
    require_region_in_scope(actor, run.region_id)
    rows = (
        [r["number"], r["region_code"], r["members"], r["previous"], r["conclusion"], "是" if r["changed"] else "否",
         r["income_per_head"], r["reasons"]]
        for r in review_rows(run)
    )  # fmt: skip
    content = table_bytes("复核清单", REVIEW_HEADERS, rows, freeze=True)
    audit.record("verification.batch.export", run, region_code=run.region_id)
    return content


# --- 协查 ------------------------------------------------------------------------------------------------------


def create_assist_request(actor, household: Household, programme: str, as_of: datetime.date, target: str):
    """A request to another city or province: returns the request and its file (members with ID numbers)."""
    require_capability(actor, VERIFY_RUN)
    require_region_in_scope(actor, household.region_id)
    if not target.strip():
        raise ServiceError("请填写协查对象（城市或省份）")
    missing = missing_authorisations(household, as_of)
    if missing:
        raise BusinessRuleError(
            VerificationErrorCode.AUTHORISATION_MISSING,
            "以下成年家庭成员尚未签署核对授权书（或授权书已过期、已撤回），须先登记（每人一次，以后沿用）才能发起协查："
            + "、".join(p.name for p in missing),
        )
    with transaction.atomic():
        req = AssistRequest.objects.create(
            household=household,
            region=household.region,
            programme=programme,
            as_of=as_of,
            target=target.strip()[:100],
            created_by=actor,
        )
        audit.record(
            "verification.assist.request",
            req,
            region_code=household.region_id,
            after={"target": req.target, "members": len(living_members(household))},
        )
    return req


def assist_request_xlsx(req: AssistRequest) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    wanted = "、".join(s.name for s in SOURCES.values())
    write_table(
        book.create_sheet("协查请求"),
        ["协查编号", "发起地区", "核对基准日", "姓名", "身份证号", "请协查的数据"],
        ([req.pk, req.region.full_name(), req.as_of.isoformat(), p.name, p.id_number, wanted]
         for p in living_members(req.household)),
    )  # fmt: skip
    write_table(
        book.create_sheet("回复格式"),
        ["请按数据源分别回复，文件列名与本系统数据源格式一致："],
        ([source.code, source.name, "、".join(c.label for c in source.columns)] for source in SOURCES.values()),
    )
    return workbook_bytes(book)


def import_assist_answer(
    actor, req: AssistRequest, source_code: str, content: bytes, filename: str, as_of: datetime.date
) -> Report:
    """Load another place's answer (one source's records for the members) and produce a report with it."""
    require_capability(actor, VERIFY_RUN)
    require_region_in_scope(actor, req.region_id)
    check_size(len(content), FEED_MAX_BYTES, "回复文件")
    keys = {p.id_number_bidx for p in living_members(req.household)}
    try:
        sheet = ingest.read_file(content, filename, source_code if source_code in SOURCES else None)
        checked = ingest.validate_sheet(source_code, sheet) if source_code in SOURCES else None
    except ingest.FileFormatError as exc:
        raise ServiceError(str(exc)) from exc
    if checked is not None and checked.table is not None:
        foreign = set(checked.table["person_key"].to_pylist()) - keys
        if foreign:
            raise ServiceError(f"协查回复中有 {len(foreign)} 个身份证号不属于本户成员，已拒收")
    upload = ingest_file(
        actor, source_code, content, filename, as_of, channel="assist", assist_request=req, department=req.target
    )
    if upload.status == Upload.Status.REJECTED:
        raise ServiceError(f"协查回复有 {upload.error_rows} 行错误，已拒收；请下载错误报告")
    with transaction.atomic():
        AssistRequest.objects.filter(pk=req.pk).update(status=AssistRequest.Status.ANSWERED, answered_at=timezone.now())
    req.refresh_from_db()
    return _build_report(
        actor,
        req.household,
        req.programme,
        req.as_of,
        current_snapshots(req.as_of, req, region_code=req.household.region_id),
        origin="assist",
        assist_request=req,
    )


def region_name(code: str) -> str:
    region = Region.objects.filter(code=code).first()
    return region.name if region else code
