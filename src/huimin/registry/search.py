"""Finding persons and households, always inside the user's scope: by ID number (blind index, exact), by its last
six characters (suffix index), by name,
by pinyin or its initials ("zs" finds 张三), by region, by status, and by programme.

Programmes belong to the business apps, which the registry does not import: an app that enrols households
registers a ``ProgrammeFilter`` here (see huimin.assistance.registry_hooks)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, TextField

from huimin.core import crypto, scope
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person, PersonNameGram

ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
ID_SUFFIX = re.compile(r"^\d{5}[\dXx]$")  # the last six characters of an ID number, as read out over the phone
ID_SUFFIX_LENGTH = 6
LETTERS = re.compile(r"^[A-Za-z]+$")
# the person and household lists (pages and API) count their matches up to here (a common name matches tens of
# thousands of a province's ten million persons); the export is not capped
LIST_COUNT_CAP = 1000

PERSON_STATUSES = {
    "": "全部（在册）",
    "alive": "在世",
    "deceased": "已死亡",
    "no_id": "无身份证号",
    "no_household": "未入户",
    "disabled": "残疾人",
    "special": "有特殊身份",
    "merged": "已合并的重复记录",
}


@dataclass(frozen=True)
class ProgrammeFilter:
    choices: Callable[[], list[tuple[str, str]]]  # (code, label) of the programmes it knows
    household_ids: Callable[[str], object]  # a queryset of household ids currently in that programme


PROGRAMME_FILTERS: list[ProgrammeFilter] = []


def programme_choices() -> list[tuple[str, str]]:
    return [("", "全部")] + [choice for f in PROGRAMME_FILTERS for choice in f.choices()]


def _in_programme(code: str) -> Q:
    for f in PROGRAMME_FILTERS:
        if code in {c for c, _ in f.choices()}:
            return Q(pk__in=f.household_ids(code))
    return Q(pk__in=[])


def looks_like_id_number(q: str) -> bool:
    return bool(ID_LIKE.match((q or "").strip()))


def looks_like_id_suffix(q: str) -> bool:
    return bool(ID_SUFFIX.match((q or "").strip()))


def suffix_token(q: str) -> str:
    """The opaque token (keyed index of the last six characters) a page puts in its URL instead of the suffix."""
    return Person.suffix_lookup("id_number", q.strip())["id_number_sfx"]


def id_token(q: str) -> str:
    """The opaque token (blind index) a page puts in its URL instead of an ID number the user searched for: the
    number itself never appears in a query string, a browser history or the access log."""
    q = q.strip()
    try:
        number = idnumbers.parse(q).number
    except idnumbers.IdNumberError:
        number = q.upper()
    return crypto.blind_index("id_number", number)


def _matching(q: str) -> Q:
    """Persons by ID number (blind index), by its last six characters (suffix index), or by name / pinyin."""
    if ID_LIKE.match(q):
        return Q(id_number_bidx=id_token(q))
    if ID_SUFFIX.match(q):
        return Q(id_number_sfx=suffix_token(q))
    return _name_filter(q)


def _matching_persons(q: str):
    return Person.objects.filter(_matching(q))


class NameGrams(Func):
    """``huimin_name_grams(name)``: every character and pair of adjacent characters of a name, the expression of
    PostgreSQL's index registry_person_name_grams (migration registry 0009)."""

    function = "huimin_name_grams"
    output_field = ArrayField(TextField())


def name_grams(q: str) -> list[str]:
    """What the index must hold for a name containing ``q``: its one character, or its pairs of characters."""
    return [q] if len(q) == 1 else sorted({q[i : i + 2] for i in range(len(q) - 1)})


def _name_filter(q: str) -> Q:
    if LETTERS.match(q):
        q = q.lower()
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
    if connection.vendor == "postgresql":  # the index narrows, LIKE decides
        grams = NameGrams("name")
        return Q(grams.output_field.get_lookup("contains")(grams, name_grams(q))) & Q(name__contains=q)
    return Q(name__contains=q)


def persons(
    user, *, q: str = "", region_code: str = "", status: str = "", programme: str = "", id_index: str = "",
    suffix_index: str = "",
):  # fmt: skip
    """``id_index`` (from ``id_token``) finds the holder of an ID number without the number itself;
    ``suffix_index`` (from ``suffix_token``) those whose ID number ends with six given characters."""
    # the region by a second query of the page's rows: joined, the planner walks core_region in code order to
    # give region_id's order and filters every region against every match (23 s at 10,000,000 persons)
    qs = scope.narrowed(
        Person.objects.select_related("household").prefetch_related("region"), user, region_code or None
    )
    qs = qs.filter(merged_into__isnull=(status != "merged"))
    q = (q or "").strip()
    if id_index:
        qs = qs.filter(id_number_bidx=id_index)
    if suffix_index:
        qs = qs.filter(id_number_sfx=suffix_index)
    if q:
        qs = qs.filter(_matching(q))
    if status == "alive":
        qs = qs.filter(is_deceased=False)
    elif status == "deceased":
        qs = qs.filter(is_deceased=True)
    elif status == "no_id":
        qs = qs.filter(id_number_bidx="")
    elif status == "no_household":
        qs = qs.filter(household__isnull=True, is_deceased=False)
    elif status == "disabled":
        qs = qs.filter(disability_grade__isnull=False)
    elif status == "special":
        qs = qs.exclude(special_statuses=[])
    if programme:
        qs = qs.filter(household__in=Household.objects.filter(_in_programme(programme)).values("pk"))
    return qs.order_by("region_id", "name", "id")


def person_keys(
    user, *, q: str = "", region_code: str = "", status: str = "", programme: str = "", id_index: str = "",
    suffix_index: str = "",
):  # fmt: skip
    """The ids of ``persons(...)`` in the list's order, read from the name-pair table alone (PostgreSQL): for a
    search by two or more characters of a name, within the user's scope or a region of it, and nothing else.
    ``None`` where the table does not answer the search (pinyin, an ID number, a status or a programme, SQLite)."""
    q = (q or "").strip()
    if (
        connection.vendor != "postgresql" or status or programme or id_index or suffix_index or len(q) < 2
        or LETTERS.match(q) or ID_LIKE.match(q) or ID_SUFFIX.match(q)
    ):  # fmt: skip
        return None
    pairs = PersonNameGram.objects.filter(gram=q[:2])
    if len(q) > 2:
        pairs = pairs.filter(name__contains=q)
    pairs = scope.narrowed(pairs, user, region_code or None)
    return pairs.order_by("region_id", "name", "person_id").values_list("person_id", flat=True)


def households(
    user, *, q: str = "", region_code: str = "", active: str = "1", programme: str = "", id_index: str = "",
    suffix_index: str = "",
):  # fmt: skip
    """Households by number, or by a current member's name / pinyin initials / ID number (or its ``id_token``) /
    the last six characters of an ID number (or their ``suffix_token``)."""
    qs = scope.narrowed(Household.objects.select_related("region", "head"), user, region_code or None)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    q = (q or "").strip()
    if id_index:
        holders = Person.objects.filter(id_number_bidx=id_index, memberships__ended_on__isnull=True)
        qs = qs.filter(pk__in=holders.values("memberships__household"))
    if suffix_index:
        holders = Person.objects.filter(id_number_sfx=suffix_index, memberships__ended_on__isnull=True)
        qs = qs.filter(pk__in=holders.values("memberships__household"))
    if q:
        members = _matching_persons(q).filter(memberships__ended_on__isnull=True).values("memberships__household")
        condition = Q(pk__in=members)
        if not ID_SUFFIX.match(q):  # six digits are an ID number's end, never a 户编号 prefix (a county's code)
            condition |= Q(number__startswith=q)
        qs = qs.filter(condition)
    if programme:
        qs = qs.filter(_in_programme(programme))
    return qs.order_by("region_id", "number")


def counts_in_order(q: str, keys) -> bool:
    """Whether the person list's capped count reads the list's own order (``CappedPaginator.count_in_order``): for
    a list by region, status or programme, which an index in that order answers, and for the name-pair keys. Not
    for a text the persons table is searched for (one character, pinyin, an ID number): where its matches bunch in
    some villages, walking the order to the 1,001st would read far more than the unordered count
    (docs/decisions.md)."""
    return keys is not None or not (q or "").strip()
