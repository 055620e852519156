"""婚姻登记 services. Every state change checks capability (on the 婚姻登记 line) and scope, applies the rules,
runs in one transaction and writes the audit entry; a refusal is a Chinese message and nothing is written.

- offices and appointments: ``capacity``, ``book`` (portal or walk-in), ``cancel``, ``serve``, ``daily``;
- 结婚登记: ``check_marriage`` (the reasons, writes nothing), ``do_register_marriage``, ``do_refuse``;
- 协议离婚: ``do_receive_divorce``, ``do_withdraw``, ``do_register_divorce``, ``book_counselling``,
  ``ending_this_week``;
- other acts: ``do_request`` / ``do_decide`` (补领, 更正: two officers), ``do_judgment`` (撤销/无效);
- the archive: ``do_digitise``, ``search``, ``own_records``, ``subsisting_offices``;
- what the API answers (huimin.marriage.api): ``subsisting_answer``, ``certificate_validity``, ``audit_search``.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.core import audit, duties, locks
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.masking import mask
from huimin.core.roles import BusinessLine
from huimin.core.scope import in_scope, scoped
from huimin.core.uploads import DOCUMENT_MAX_BYTES, check_size
from huimin.marriage import capabilities as cap
from huimin.marriage import periods, rules
from huimin.marriage.error_codes import MarriageErrorCode as E
from huimin.marriage.models import (
    Appointment,
    Counselling,
    Counter,
    DivorceApplication,
    Kind,
    Office,
    Record,
    Refusal,
    Request,
    SpecialDate,
)
from huimin.registry import codes, idnumbers
from huimin.registry.models import LifeEvent, Person

LINE = BusinessLine.MARRIAGE
PREFIX = {"marriage": "J", "divorce": "L", "reissue": "BJ"}
CONFIGURE_HINT = "请婚姻登记处负责人（婚姻登记条线审批人）在「婚姻登记 › 登记机关」页面配置"
ALLOWED_SCANS = (".pdf", ".jpg", ".jpeg", ".png")
ADVISORY_CLASS = 0x4D52  # the first key of 婚姻登记's advisory locks (pg_advisory_xact_lock(class, hashtext(bidx)))
CORRECTABLE = {"male_name": "男方姓名", "female_name": "女方姓名", "office_name": "登记机关名称"}


def today() -> datetime.date:
    return timezone.localdate()


def _need(actor, capability: str, what: str) -> None:
    require_capability(actor, capability, what, line=LINE)


def _id(value: str, label: str) -> idnumbers.IdNumber:
    try:
        return idnumbers.parse(value)
    except idnumbers.IdNumberError as exc:
        raise BusinessRuleError(E.ID_NUMBER, f"{label}身份证号有误：{exc}") from exc


def _bidx(number: str) -> str:
    return Record.lookup("male_id_number", number)["male_id_number_bidx"]


def offices_for(actor):
    return scoped(Office.objects.filter(is_active=True).select_related("region"), actor, capability=cap.VIEW)


# --- offices and appointments ------------------------------------------------------------------------------------


def capacity(office: Office, day: datetime.date) -> tuple[int, str]:
    """How many appointments ``office`` takes on ``day`` and why: a special date (the office's own row first) or
    the office's daily capacity on its open weekdays, else 0."""
    special = (
        SpecialDate.objects.filter(day=day)
        .filter(Q(office=office) | Q(office__isnull=True))
        .order_by("office_id")  # NULLs last on PostgreSQL: the office's own row wins
        .first()
    )
    if special is not None:
        return special.capacity, special.name
    if str(day.isoweekday()) in office.open_weekdays:
        return office.daily_capacity, ""
    return 0, "非办公日"


def add_special_date(actor, office: Office, day: datetime.date | None, name: str, capacity_text: str) -> SpecialDate:
    """A popular date of ``office`` with its own capacity (七夕 and 春节前 are entered per year as data)."""
    _need(actor, cap.APPROVE, "配置特殊日期")
    if not in_scope(actor, office.region_id):
        raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
    try:
        value = int(capacity_text)
    except (TypeError, ValueError):
        value = -1
    if day is None or not name.strip() or not 0 <= value <= 2000:
        raise BusinessRuleError(E.INPUT, "请填写日期、名称和当日可预约数（0–2000）")
    with transaction.atomic():
        row, _ = SpecialDate.objects.update_or_create(
            office=office, day=day, defaults={"name": name.strip()[:30], "capacity": value}
        )
        audit.record("marriage.special_date", row, after={"day": day, "capacity": value}, region_code=office.region_id)
    return row


def booked_count(office: Office, day: datetime.date) -> int:
    return (
        Appointment.objects.filter(office=office, day=day, walk_in=False)
        .exclude(status=Appointment.Status.CANCELLED)
        .count()
    )


def days_open(office: Office, start: datetime.date, count: int = 14) -> list[dict]:
    out = []
    for i in range(count):
        day = start + datetime.timedelta(days=i)
        total, why = capacity(office, day)
        left = max(total - booked_count(office, day), 0) if total else 0
        out.append({"day": day, "capacity": total, "left": left, "special": why if total else "", "closed": not total})
    return out


def book(
    office: Office,
    kind: str,
    day: datetime.date,
    name: str,
    id_number: str,
    *,
    partner_name: str = "",
    walk_in: bool = False,
    actor=None,
) -> Appointment:
    """A resident's appointment (``actor`` None: the portal, the resident verified) or a walk-in taken at the
    window by an officer (served even when the day is fully booked)."""
    if kind not in Kind.values:
        raise BusinessRuleError(E.INPUT, "请选择预约事项")
    parsed = _id(id_number, "预约人")
    if walk_in:
        _need(actor, cap.REGISTER, "现场取号")
        if not in_scope(actor, office.region_id):
            raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
        day = today()
    elif day < today():
        raise BusinessRuleError(E.INPUT, "预约日期不能早于今天")
    with transaction.atomic():
        office = Office.objects.select_for_update().get(pk=office.pk)  # serialises the count per office
        if not walk_in:
            total, why = capacity(office, day)
            if not total:
                raise BusinessRuleError(
                    E.NOT_CONFIGURED, f"{office.name}{day:%Y年%m月%d日}不办公（{why}），请选择其他日期"
                )
            if booked_count(office, day) >= total:
                raise BusinessRuleError(
                    E.FULL, f"{office.name}{day:%Y年%m月%d日}{why}的预约已满（{total} 个），请选择其他日期"
                )
            if Appointment.objects.filter(
                office=office,
                day=day,
                status=Appointment.Status.BOOKED,
                **Appointment.lookup("id_number", parsed.number),
            ).exists():
                raise BusinessRuleError(E.INPUT, "您当天在该机关已有预约")
        appointment = Appointment.objects.create(
            number=f"Y{day:%y%m%d}{secrets.token_hex(3).upper()}",
            office=office,
            kind=kind,
            day=day,
            name=name.strip(),
            id_number=parsed.number,
            partner_name=partner_name.strip(),
            walk_in=walk_in,
            status=Appointment.Status.SERVED if walk_in else Appointment.Status.BOOKED,
            closed_at=timezone.now() if walk_in else None,
        )
        audit.record(
            "marriage.appointment.book",
            appointment,
            after={"kind": kind, "day": day, "walk_in": walk_in},
            region_code=office.region_id,
        )
    return appointment


def own_appointments(id_number: str):
    return (
        Appointment.objects.filter(**Appointment.lookup("id_number", id_number))
        .select_related("office")
        .order_by("-day")
    )


def cancel(id_number: str, number: str) -> Appointment:
    """The resident cancels his own appointment (before its day ends)."""
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(number=number, **Appointment.lookup("id_number", id_number))
            .first()
        )
        if appointment is None:
            raise NotInScope("预约不存在")
        if appointment.status != Appointment.Status.BOOKED or appointment.day < today():
            raise BusinessRuleError(E.APPOINTMENT_STATE, f"该预约{appointment.get_status_display()}，不能取消")
        appointment.status, appointment.closed_at = Appointment.Status.CANCELLED, timezone.now()
        appointment.save(update_fields=["status", "closed_at"])
        audit.record("marriage.appointment.cancel", appointment, region_code=appointment.office.region_id)
    return appointment


def serve(actor, appointment: Appointment) -> Appointment:
    _need(actor, cap.REGISTER, "办理预约")
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.BOOKED:
            raise BusinessRuleError(E.APPOINTMENT_STATE, f"该预约{appointment.get_status_display()}")
        appointment.status, appointment.closed_at = Appointment.Status.SERVED, timezone.now()
        appointment.save(update_fields=["status", "closed_at"])
        audit.record("marriage.appointment.serve", appointment, region_code=appointment.office.region_id)
    return appointment


def daily(day: datetime.date | None = None) -> dict:
    """The daily job (idempotent): past appointments not served are no-shows; applications whose cooling-off
    period ended wait for registration; those whose registration window ended are deemed withdrawn."""
    day = day or today()
    with transaction.atomic():
        no_shows = Appointment.objects.filter(status=Appointment.Status.BOOKED, day__lt=day).update(
            status=Appointment.Status.NO_SHOW, closed_at=timezone.now()
        )
        waiting = DivorceApplication.objects.filter(
            status=DivorceApplication.Status.COOLING, cooling_end__lt=day
        ).update(status=DivorceApplication.Status.WAITING)
        lapsing = list(
            DivorceApplication.objects.select_for_update()
            .filter(
                status__in=[DivorceApplication.Status.COOLING, DivorceApplication.Status.WAITING], register_end__lt=day
            )
            .select_related("office")
        )
        for application in lapsing:
            application.status, application.closed_on = DivorceApplication.Status.LAPSED, application.register_end
            application.save(update_fields=["status", "closed_on"])
            audit.record(
                "marriage.divorce.lapse",
                application,
                region_code=application.office.region_id,
                detail=f"登记期限 {application.register_end} 届满未办理离婚登记，视为撤回离婚登记申请",
            )
    return {"no_shows": no_shows, "waiting": waiting, "lapsed": len(lapsing)}


# --- 结婚登记 ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    name: str
    id_number: str
    under_guardianship: bool = False


_SUBSISTING_SQL = (
    "SELECT office_name FROM {t} WHERE kind = 'marriage' AND status = 'valid' AND male_id_number_bidx = %s "
    "UNION ALL "
    "SELECT office_name FROM {t} WHERE kind = 'marriage' AND status = 'valid' AND female_id_number_bidx = %s"
)


def subsisting_offices(id_number: str) -> list[str]:
    """The 登记机关 of each subsisting marriage of the holder of ``id_number``, in every region and year, the
    digitised archive included: one statement, two probes of the partial indexes ``marriage_subsisting_male`` /
    ``_female`` (``kind='marriage' AND status='valid'``, on the blind index); the spouse is not read. Plain SQL: the
    ORM's compilation cost more than the two index probes."""
    key = _bidx(id_number)
    with connection.cursor() as cursor:
        cursor.execute(_SUBSISTING_SQL.format(t=Record._meta.db_table), [key, key])
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class History:
    """What the archive says of one party: the 登记机关 of each subsisting marriage, and whether he was ever married."""

    subsisting: tuple[str, ...] = ()
    married_before: bool = False


def _histories(numbers: list[str]) -> dict[str, History]:
    """Every party's history in one query (the blind indexes of both columns, any status)."""
    keys = {_bidx(n): n for n in numbers}
    found: dict[str, list] = {k: [] for k in keys}
    rows = (
        Record.objects.filter(Q(male_id_number_bidx__in=keys) | Q(female_id_number_bidx__in=keys), kind="marriage")
        .order_by("pk")
        .values_list("male_id_number_bidx", "female_id_number_bidx", "status", "office_name")
    )
    for male, female, status, office_name in rows:
        for key in {male, female} & keys.keys():
            found[key].append((status, office_name))
    return {
        keys[k]: History(tuple(o for st, o in rows if st == Record.Status.VALID), bool(rows))
        for k, rows in found.items()
    }


def _lock_parties(numbers: list[str]) -> None:
    """Two windows must not register one person at once: a transaction-scoped advisory lock per party (its blind
    index), taken in one order, so registrations of other couples at the same office do not wait. Without
    PostgreSQL, the office row is what serialises them (the caller locks it)."""
    locks.hold(ADVISORY_CLASS, *(_bidx(n) for n in numbers))


def _parse_party(p: PartyInput, label: str) -> idnumbers.IdNumber:
    if not p.name.strip():
        raise BusinessRuleError(E.INPUT, f"请填写{label}姓名")
    return _id(p.id_number, label)


def _facts(p: PartyInput, parsed: idnumbers.IdNumber, history: History) -> rules.PartyFacts:
    return rules.PartyFacts(
        name=p.name.strip(),
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        subsisting_offices=history.subsisting,
        under_guardianship=p.under_guardianship,
    )


def _reasons(male, female, m, f, histories, *, no_kinship_declared: bool, day: datetime.date):
    facts = rules.MarriageFacts(
        day=day,
        parties=(_facts(male, m, histories[m.number]), _facts(female, f, histories[f.number])),
        no_kinship_declared=no_kinship_declared,
    )
    return rules.check_marriage(facts)


def check_marriage(
    actor,
    office: Office,
    male: PartyInput,
    female: PartyInput,
    *,
    no_kinship_declared: bool,
    day: datetime.date | None = None,
) -> list[rules.Reason]:
    """The reasons registration must be refused (empty: it may proceed). Writes nothing."""
    _need(actor, cap.REGISTER, "办理结婚登记")
    if not in_scope(actor, office.region_id):
        raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
    m, f = _parse_party(male, "男方"), _parse_party(female, "女方")
    histories = _histories([m.number, f.number])
    return _reasons(male, female, m, f, histories, no_kinship_declared=no_kinship_declared, day=day or today())


_COUNTER_SQL = (
    "INSERT INTO {t} (office_id, year, prefix, last) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (office_id, year, prefix) DO UPDATE SET last = {t}.last + 1 RETURNING last"
)


def next_number(office: Office, prefix: str, year: int) -> str:
    """The next certificate number of ``office`` in ``year``: gap-free. On PostgreSQL one upsert that increments
    the counter row and keeps it locked until the registration commits (a rolled-back registration gives its number
    back); callers take it as late as they can, just before the insert, so the lock is held briefly."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _COUNTER_SQL.format(t=Counter._meta.db_table),
                [office.pk, year, prefix],
            )
            seq = cursor.fetchone()[0]
    else:
        Counter.objects.get_or_create(office=office, year=year, prefix=prefix)
        counter = Counter.objects.select_for_update().get(office=office, year=year, prefix=prefix)
        counter.last += 1
        counter.save(update_fields=["last"])
        seq = counter.last
    return office.number_format.format(prefix=prefix, area=office.region_id[:6], year=year, seq=seq)


def _person(number: str) -> Person | None:
    return Person.objects.filter(merged_into__isnull=True, **Person.lookup("id_number", number)).first()


def _persons(numbers: list[str]) -> dict[str, Person]:
    """The registry persons holding ``numbers`` (one query; a merged duplicate is not one)."""
    keys = {Person.lookup("id_number", n)["id_number_bidx"]: n for n in numbers}
    found = Person.objects.filter(merged_into__isnull=True, id_number_bidx__in=keys).order_by("pk")
    out: dict[str, Person] = {}
    for person in found:
        out.setdefault(keys[person.id_number_bidx], person)
    return out


def set_marital_status(person: Person | None, status: str, day: datetime.date, note: str) -> None:
    """The registry's 婚姻状况 follows each registration, with a life event on the person's timeline."""
    if person is None or person.marital_status == status:
        return
    before = person.marital_status
    Person.objects.filter(pk=person.pk).update(marital_status=status, updated_at=timezone.now())
    LifeEvent.objects.create(
        person=person,
        household_id=person.household_id,
        kind=codes.EventKind.UPDATE,
        occurred_on=day,
        note=note,
        recorded_by="婚姻登记",
        detail={"field": "marital_status", "before": before, "after": status},
    )


def do_register_marriage(
    actor,
    office: Office,
    male: PartyInput,
    female: PartyInput,
    *,
    no_kinship_declared: bool,
    appointment: Appointment | None = None,
) -> Record:
    """结婚登记. The parties are locked (``_lock_parties``), their history read once and the rules applied under
    that lock, so the check cannot go stale; the certificate number is taken last. A refusal writes nothing."""
    _need(actor, cap.REGISTER, "办理结婚登记")
    if not in_scope(actor, office.region_id):
        raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
    day = today()
    m, f = _parse_party(male, "男方"), _parse_party(female, "女方")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _lock_parties([m.number, f.number])
        else:
            Office.objects.select_for_update().get(pk=office.pk)
        histories = _histories([m.number, f.number])
        reasons = _reasons(male, female, m, f, histories, no_kinship_declared=no_kinship_declared, day=day)
        if reasons:
            raise BusinessRuleError(E.REFUSED, "不予登记：" + "；".join(r.message for r in reasons))
        persons = _persons([m.number, f.number])
        mp, fp = persons.get(m.number), persons.get(f.number)
        record = Record(
            kind="marriage",
            office=office,
            office_name=office.name,
            region_id=office.region_id,
            registered_on=day,
            officer=actor,
            verify_token=secrets.token_urlsafe(16),
            first_marriage_male=not histories[m.number].married_before,
            first_marriage_female=not histories[f.number].married_before,
            male_name=male.name.strip(),
            male_id_number=m.number,
            male_birth_date=m.birth_date,
            male_person=mp,
            female_name=female.name.strip(),
            female_id_number=f.number,
            female_birth_date=f.birth_date,
            female_person=fp,
        )
        record.number = next_number(office, PREFIX["marriage"], day.year)
        record.save(force_insert=True)
        for person in (mp, fp):
            set_marital_status(person, codes.MaritalStatus.MARRIED, day, f"结婚登记（{record.number}）")
        if appointment is not None:
            Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.BOOKED).update(
                status=Appointment.Status.SERVED, closed_at=timezone.now()
            )
        audit.record(
            "marriage.register",
            record,
            after={"number": record.number, "office": office.name},
            region_code=office.region_id,
        )
    return record


def do_refuse(
    actor,
    office: Office,
    male: PartyInput,
    female: PartyInput,
    *,
    no_kinship_declared: bool,
    note: str = "",
    kind: str = Kind.MARRIAGE,
) -> Refusal:
    """不予登记: the rules' reasons (computed again here) and the officer's own, recorded for the written notice."""
    day = today()
    reasons = [
        r.as_dict()
        for r in check_marriage(actor, office, male, female, no_kinship_declared=no_kinship_declared, day=day)
    ]
    if note.strip():
        reasons.append({"code": "officer", "article": "", "message": note.strip()})
    if not reasons:
        raise BusinessRuleError(E.INPUT, "未发现不予登记的情形：不予登记须写明理由")
    with transaction.atomic():
        refusal = Refusal.objects.create(
            office=office,
            kind=kind,
            day=day,
            male_name=male.name.strip(),
            female_name=female.name.strip(),
            reasons=reasons,
            note=note.strip(),
            officer=actor,
        )
        audit.record(
            "marriage.refuse", refusal, after={"reasons": [r["message"] for r in reasons]}, region_code=office.region_id
        )
    return refusal


# --- 协议离婚 ------------------------------------------------------------------------------------------------------


def _marriage_for_divorce(number: str) -> Record:
    record = Record.objects.filter(number=number.strip(), kind="marriage").first()
    if record is None:
        raise BusinessRuleError(
            E.RECORD_STATE, f"未找到结婚证字号为「{number}」的婚姻登记档案：请先在档案中补录（历史档案数字化）"
        )
    if record.status != Record.Status.VALID:
        raise BusinessRuleError(E.RECORD_STATE, f"该婚姻登记记录{record.get_status_display()}，不能申请离婚登记")
    return record


def do_receive_divorce(actor, office: Office, marriage_number: str, agreement: str) -> DivorceApplication:
    """The joint application received: the 冷静期 and the registration window computed (periods.py)."""
    _need(actor, cap.REGISTER, "受理离婚登记申请")
    if not in_scope(actor, office.region_id):
        raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
    if len(agreement.strip()) < 10:
        raise BusinessRuleError(E.INPUT, "请录入离婚协议的内容（子女抚养、财产及债务处理等事项协商一致的意见）")
    day = today()
    w = periods.windows(day)
    with transaction.atomic():
        record = _marriage_for_divorce(marriage_number)
        Record.objects.select_for_update().get(pk=record.pk)
        open_ = DivorceApplication.objects.filter(
            marriage=record, status__in=[DivorceApplication.Status.COOLING, DivorceApplication.Status.WAITING]
        ).first()
        if open_ is not None:
            raise BusinessRuleError(E.APPLICATION_STATE, f"该婚姻已有未办结的离婚登记申请（{open_.number}）")
        application = DivorceApplication.objects.create(
            number=f"LH{office.region_id[:6]}{day:%Y%m%d}{secrets.token_hex(2).upper()}",
            office=office,
            marriage=record,
            received_on=day,
            cooling_end=w.cooling_end,
            register_end=w.register_end,
            agreement=agreement.strip(),
            officer=actor,
        )
        audit.record(
            "marriage.divorce.receive",
            application,
            region_code=office.region_id,
            after={"received_on": day, "cooling_end": w.cooling_end, "register_end": w.register_end},
        )
    return application


def _lock(application: DivorceApplication) -> DivorceApplication:
    return DivorceApplication.objects.select_for_update().select_related("office", "marriage").get(pk=application.pk)


def _open(application: DivorceApplication) -> None:
    if application.status not in (DivorceApplication.Status.COOLING, DivorceApplication.Status.WAITING):
        raise BusinessRuleError(E.APPLICATION_STATE, f"该离婚登记申请{application.get_status_display()}")


def do_withdraw(actor, application: DivorceApplication, party: str) -> DivorceApplication:
    """Either party withdraws during the 冷静期 (民法典 第1077条第一款)."""
    _need(actor, cap.REGISTER, "办理撤回离婚登记申请")
    if not party.strip():
        raise BusinessRuleError(E.INPUT, "请填写提出撤回的一方")
    day = today()
    with transaction.atomic():
        application = _lock(application)
        _open(application)
        w = periods.windows(application.received_on)
        if not periods.may_withdraw(application.received_on, day):
            raise BusinessRuleError(
                E.WINDOW_ENDED,
                f"冷静期已于 {w.cooling_end:%Y年%m月%d日} 届满"
                f"（受理日 {w.received:%Y年%m月%d日} 次日起三十日），不能再撤回；"
                f"未在 {w.register_end:%Y年%m月%d日} 前共同办理离婚登记的，视为撤回申请",
            )
        application.status, application.closed_on, application.withdrawn_by = (
            DivorceApplication.Status.WITHDRAWN,
            day,
            party.strip(),
        )
        application.save(update_fields=["status", "closed_on", "withdrawn_by"])
        audit.record(
            "marriage.divorce.withdraw",
            application,
            region_code=application.office.region_id,
            detail=f"{party.strip()}于冷静期第 {periods.day_number(application.received_on, day)} 日撤回",
        )
    return application


def do_register_divorce(actor, application: DivorceApplication) -> Record:
    """Both parties come within the 30 days after the 冷静期 (民法典 第1077条第二款): the 离婚证 is issued."""
    _need(actor, cap.REGISTER, "办理离婚登记")
    day = today()
    with transaction.atomic():
        application = _lock(application)
        _open(application)
        w = periods.windows(application.received_on)
        if day < w.register_start:
            raise BusinessRuleError(
                E.COOLING_OFF,
                f"冷静期未满：自 {w.cooling_start:%Y年%m月%d日} 起至 "
                f"{w.cooling_end:%Y年%m月%d日} 止，请于 {w.register_start:%Y年%m月%d日} 至 "
                f"{w.register_end:%Y年%m月%d日} 期间双方共同到场办理",
            )
        if periods.lapsed(application.received_on, day):
            raise BusinessRuleError(
                E.WINDOW_ENDED,
                f"登记期限已于 {w.register_end:%Y年%m月%d日} 届满"
                f"（冷静期届满后三十日），未办理离婚登记，视为撤回离婚登记申请",
            )
        marriage = Record.objects.select_for_update().get(pk=application.marriage_id)
        if marriage.status != Record.Status.VALID:
            raise BusinessRuleError(E.RECORD_STATE, f"该婚姻登记记录{marriage.get_status_display()}")
        office = application.office
        record = Record.objects.create(
            kind="divorce",
            number=next_number(office, PREFIX["divorce"], day.year),
            office=office,
            office_name=office.name,
            region_id=office.region_id,
            registered_on=day,
            officer=actor,
            marriage=marriage,
            agreement=application.agreement,
            verify_token=secrets.token_urlsafe(16),
            **{
                f"{s}_{f}": getattr(marriage, f"{s}_{f}")
                for s in ("male", "female")
                for f in ("name", "id_number", "birth_date", "person_id")
            },
        )
        marriage.status, marriage.status_on, marriage.status_basis = Record.Status.DISSOLVED, day, record.number
        marriage.save(update_fields=["status", "status_on", "status_basis"])
        application.status, application.closed_on, application.record = (
            DivorceApplication.Status.REGISTERED,
            day,
            record,
        )
        application.save(update_fields=["status", "closed_on", "record"])
        for person in (marriage.male_person, marriage.female_person):
            set_marital_status(person, codes.MaritalStatus.DIVORCED, day, f"离婚登记（{record.number}）")
        audit.record(
            "marriage.divorce.register",
            record,
            after={"number": record.number, "marriage": marriage.number},
            region_code=office.region_id,
        )
    return record


def book_counselling(
    actor, application: DivorceApplication, day: datetime.date, counsellor: str, note: str = "", attended: bool = False
) -> Counselling:
    _need(actor, cap.REGISTER, "预约婚姻家庭辅导")
    if not counsellor.strip():
        raise BusinessRuleError(E.INPUT, "请填写辅导员")
    with transaction.atomic():
        application = _lock(application)
        _open(application)
        row = Counselling.objects.create(
            application=application, day=day, counsellor=counsellor.strip(), note=note.strip(), attended=attended
        )
        audit.record(
            "marriage.divorce.counselling",
            row,
            region_code=application.office.region_id,
            after={"day": day, "attended": attended},
        )
    return row


def ending_this_week(actor, day: datetime.date | None = None):
    """Open applications whose cooling-off period or registration window ends in ``day``'s week."""
    monday, sunday = periods.week_of(day or today())
    qs = DivorceApplication.objects.filter(
        status__in=[DivorceApplication.Status.COOLING, DivorceApplication.Status.WAITING]
    ).filter(Q(cooling_end__range=(monday, sunday)) | Q(register_end__range=(monday, sunday)))
    return scoped(qs.select_related("office", "marriage"), actor, "office__region", cap.VIEW).order_by("register_end")


# --- 补领, corrections, judgments ------------------------------------------------------------------------------


def do_request(actor, record: Record, what: str, reason: str, *, field: str = "", new_value: str = "") -> Request:
    _need(actor, cap.REGISTER, "申请补领或更正")
    if not reason.strip():
        raise BusinessRuleError(E.INPUT, "请写明理由")
    if what == Request.What.CORRECTION:
        if field not in CORRECTABLE or not new_value.strip():
            raise BusinessRuleError(E.INPUT, f"更正须选择更正项（{'、'.join(CORRECTABLE.values())}）并填写更正后的内容")
    elif what == Request.What.REISSUE:
        if record.status != Record.Status.VALID and record.kind == "marriage":
            raise BusinessRuleError(E.RECORD_STATE, f"该婚姻登记记录{record.get_status_display()}，不能补领结婚证")
    else:
        raise BusinessRuleError(E.INPUT, "未知的申请事项")
    with transaction.atomic():
        row = Request.objects.create(
            what=what,
            record=record,
            field=field,
            new_value=new_value.strip(),
            old_value=str(getattr(record, field, "")) if field else "",
            reason=reason.strip(),
            requested_by=actor,
        )
        audit.record(
            f"marriage.{what}.request",
            row,
            region_code=record.region_id,
            after={"field": field, "new": new_value.strip()},
        )
    return row


def do_decide(actor, request: Request, approve: bool, note: str = "") -> Request:
    """The second officer decides (never the requester: the duty separation of 补领 and 更正)."""
    _need(actor, cap.APPROVE, "审批补领或更正")
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("record").get(pk=request.pk)
        if request.status != Request.Status.PENDING:
            raise BusinessRuleError(E.RECORD_STATE, f"该事项{request.get_status_display()}")
        duties.check(actor, "marriage.request", "decide", {"request": request.requested_by.username})
        record = Record.objects.select_for_update().get(pk=request.record_id)
        request.status = Request.Status.APPROVED if approve else Request.Status.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        if approve and request.what == Request.What.CORRECTION:
            before = {request.field: getattr(record, request.field)}
            setattr(record, request.field, request.new_value)
            record.save(update_fields=[request.field])
            audit.record(
                "marriage.correction.apply",
                record,
                before=before,
                after={request.field: request.new_value},
                region_code=record.region_id,
            )
        if approve and request.what == Request.What.REISSUE:
            office = record.office or Office.objects.filter(region_id=record.region_id).first()
            if office is None:
                raise BusinessRuleError(E.NOT_CONFIGURED, f"该区划未配置婚姻登记机关：{CONFIGURE_HINT}")
            request.certificate_number = next_number(office, PREFIX["reissue"], today().year)
        request.save()
        audit.record(
            f"marriage.{request.what}.{'approve' if approve else 'reject'}",
            request,
            detail=note,
            region_code=record.region_id,
        )
    return request


def do_judgment(actor, record: Record, status: str, court: str, judgment_no: str, day: datetime.date) -> Record:
    """撤销 or 无效 of a marriage by a court judgment (民法典 第1051–1054条): the record and the registry follow."""
    _need(actor, cap.APPROVE, "登记法院判决")
    if status not in (Record.Status.ANNULLED, Record.Status.VOID):
        raise BusinessRuleError(E.INPUT, "请选择判决结果（撤销婚姻或婚姻无效）")
    if not court.strip() or not judgment_no.strip():
        raise BusinessRuleError(E.INPUT, "请填写作出判决的法院和判决书案号")
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        if record.kind != "marriage" or record.status != Record.Status.VALID:
            raise BusinessRuleError(E.RECORD_STATE, f"该记录{record.get_status_display()}，不能登记撤销或无效")
        record.status, record.status_on = status, day
        record.status_basis = f"{court.strip()}（{judgment_no.strip()}）"[:200]
        record.save(update_fields=["status", "status_on", "status_basis"])
        for person in (record.male_person, record.female_person):
            set_marital_status(person, codes.MaritalStatus.UNMARRIED, day, f"婚姻{record.get_status_display()}")
        audit.record(
            "marriage.judgment",
            record,
            after={"status": status, "basis": record.status_basis},
            region_code=record.region_id,
        )
    return record


# --- the archive ------------------------------------------------------------------------------------------------


def do_digitise(
    actor,
    office: Office,
    *,
    kind: str,
    number: str,
    registered_on: datetime.date,
    status: str,
    male: PartyInput,
    female: PartyInput,
    office_name: str = "",
    scan=None,
) -> Record:
    """A paper record entered with its indexed fields (and its scan), so the subsisting-marriage check covers it."""
    _need(actor, cap.REGISTER, "录入历史婚姻登记档案")
    if not in_scope(actor, office.region_id):
        raise NotInScope("婚姻登记机关不存在或不在您的管辖范围内")
    if kind not in ("marriage", "divorce") or status not in Record.Status.values or not number.strip():
        raise BusinessRuleError(E.INPUT, "请填写类别、证件字号和状态")
    if registered_on is None or registered_on > today():
        raise BusinessRuleError(E.INPUT, "登记日期缺失或晚于今天")
    if scan is not None:
        check_size(scan, DOCUMENT_MAX_BYTES, "档案扫描件")
        if not scan.name.lower().endswith(ALLOWED_SCANS):
            raise BusinessRuleError(E.INPUT, "档案扫描件须为 PDF、JPG 或 PNG 文件")
    parties = {}
    for p, label, s in ((male, "男方", "male"), (female, "女方", "female")):
        if not p.name.strip():
            raise BusinessRuleError(E.INPUT, f"请填写{label}姓名")
        parsed = _id(p.id_number, label)
        parties.update(
            {
                f"{s}_name": p.name.strip(),
                f"{s}_id_number": parsed.number,
                f"{s}_birth_date": parsed.birth_date,
                f"{s}_person": _person(parsed.number),
            }
        )
    if Record.objects.filter(number=number.strip()).exists():
        raise BusinessRuleError(E.INPUT, f"证件字号「{number.strip()}」已在档案中")
    with transaction.atomic():
        record = Record(
            kind=kind,
            number=number.strip(),
            office=office,
            office_name=office_name.strip() or office.name,
            region_id=office.region_id,
            registered_on=registered_on,
            status=status,
            source=Record.Source.ARCHIVE,
            officer=actor,
            verify_token=secrets.token_urlsafe(16),
            **parties,
        )
        if scan is not None:
            record.scan.save(scan.name, scan, save=False)
        record.save()
        audit.record(
            "marriage.archive.digitise",
            record,
            after={"number": record.number, "status": status},
            region_code=office.region_id,
        )
    return record


def search(actor, q: str):
    """Officers' search in their region: an 18-digit ID number (blind index, either party), a 字号, or a name."""
    qs = scoped(Record.objects.select_related("office"), actor, capability=cap.VIEW).order_by("-registered_on", "-id")
    q = (q or "").strip()
    if not q:
        return qs
    if len(q) in (15, 18) and q[:15].isdigit():
        try:
            key = _bidx(idnumbers.parse(q).number)
        except idnumbers.IdNumberError:
            return qs.none()
        return qs.filter(Q(male_id_number_bidx=key) | Q(female_id_number_bidx=key))
    return qs.filter(Q(number=q) | Q(male_name=q) | Q(female_name=q))


def own_records(id_number: str):
    """A resident's own records (either party), any office (the portal)."""
    key = _bidx(id_number)
    return Record.objects.filter(Q(male_id_number_bidx=key) | Q(female_id_number_bidx=key)).order_by("-registered_on")


# --- what the API answers ---------------------------------------------------------------------------------------


def subsisting_answer(actor, id_number: str) -> dict:
    """Whether the holder of ``id_number`` has a subsisting marriage on record, in every region and year: only
    "存在有效婚姻登记记录（登记机关：…）" or none — never the spouse, the date or the 字号. Audited (the number
    masked)."""
    _need(actor, cap.REGISTER, "查询有效婚姻登记记录")
    parsed = _id(id_number, "")
    found = subsisting_offices(parsed.number)
    audit.record(
        "marriage.subsisting.check",
        detail=f"查询 {mask('id_number', parsed.number)} 是否存在有效婚姻登记记录：{'有' if found else '无'}",
    )
    if found:
        return {"subsisting": True, "message": f"存在有效婚姻登记记录（登记机关：{'、'.join(dict.fromkeys(found))}）"}
    return {"subsisting": False, "message": "未发现有效婚姻登记记录"}


def certificate_validity(actor, number: str) -> dict:
    """Whether the certificate numbered ``number`` (结婚证, 离婚证, or one issued on 补领) is valid — nothing else
    of the record. A 结婚证 is valid while the marriage subsists. Audited."""
    _need(actor, cap.VIEW, "核验婚姻登记证件")
    number = (number or "").strip()
    record = Record.objects.filter(number=number).only("kind", "status").first() if number else None
    if record is None and number:
        reissued = (
            Request.objects.filter(certificate_number=number, status=Request.Status.APPROVED)
            .select_related("record")
            .only("record__kind", "record__status")
            .first()
        )
        record = reissued.record if reissued is not None else None
    if record is None:
        valid, message = False, "未查到该证件字号"
    elif record.kind == "divorce" or record.status == Record.Status.VALID:
        valid, message = True, "证件有效"
    else:
        valid, message = False, "证件已失效"
    audit.record("marriage.certificate.verify", detail=f"核验证件字号 {number[:40]}：{message}")
    return {"number": number, "valid": valid, "message": message}


def audit_search(q: str) -> None:
    """An officer's search of the archive (by ID number, name or 字号) is a sensitive read."""
    audit.record("marriage.records.search", detail="婚姻登记档案检索")
