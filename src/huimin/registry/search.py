"""Finding persons and households, always inside the user's scope: by ID number (blind index, exact), by name,
by pinyin or its initials ("zs" finds 张三), by region and by status."""

import re

from django.db.models import Q

from huimin.core import scope
from huimin.registry.models import Household, Person

ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
LETTERS = re.compile(r"^[A-Za-z]+$")

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


def _name_filter(q: str) -> Q:
    if LETTERS.match(q):
        q = q.lower()
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
    return Q(name__contains=q)


def persons(user, *, q: str = "", region_code: str = "", status: str = ""):
    qs = scope.narrowed(Person.objects.select_related("region", "household"), user, region_code or None)
    qs = qs.filter(merged_into__isnull=(status != "merged"))
    q = (q or "").strip()
    if q:
        if ID_LIKE.match(q):
            from huimin.registry import idnumbers

            try:
                number = idnumbers.parse(q).number
            except idnumbers.IdNumberError:
                number = q.upper()
            qs = qs.filter(**Person.lookup("id_number", number))
        else:
            qs = qs.filter(_name_filter(q))
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
    return qs.order_by("region_id", "name", "id")


def households(user, *, q: str = "", region_code: str = "", active: str = "1"):
    """Households by number, or by a member's name / pinyin initials / ID number."""
    qs = scope.narrowed(Household.objects.select_related("region", "head"), user, region_code or None)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    q = (q or "").strip()
    if q:
        if ID_LIKE.match(q):
            members = Person.objects.filter(**Person.lookup("id_number", q.upper()))
        else:
            members = Person.objects.filter(_name_filter(q))
        member_households = members.filter(memberships__ended_on__isnull=True).values("memberships__household")
        qs = qs.filter(Q(number__startswith=q) | Q(pk__in=member_households))
    return qs.order_by("region_id", "number")
