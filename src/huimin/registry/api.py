"""Registry API: read, search, create and update persons and households — scoped (out of scope = 404),
changes through the services (audited); protected values masked unless revealed by a user who may (audited)."""

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core import audit, masking
from huimin.core.access import NotInScope, require_region_in_scope
from huimin.core.models import Region
from huimin.core.roles import PEOPLE_EDIT, PEOPLE_VIEW, PII_UNMASK, has_capability
from huimin.core.services import ServiceError
from huimin.registry import search, services
from huimin.registry.access import access_household_by_id, access_person_by_id
from huimin.registry.models import Household, Person
from huimin.registry.services import MemberInput

router = Router(tags=["社会救助对象库"])


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="脱敏，除非 reveal=true 且有权查看（记入审计）")
    sex: str
    birth_date: datetime.date | None
    ethnicity: str
    region: str
    household: str | None
    is_urban: bool
    labour_ability: str
    health: str
    disability_category: str
    disability_grade: int | None
    special_statuses: list[str]
    is_deceased: bool
    death_date: datetime.date | None
    merged_into: int | None


class PersonPage(Schema):
    count: int = Field(description=f"匹配的人数，最多数到 {search.LIST_COUNT_CAP}（见 count_capped）")
    count_capped: bool = Field(
        False, description=f"为真时匹配超过 {search.LIST_COUNT_CAP} 人，count 只数到此；请缩小查询范围"
    )
    page: int
    page_size: int
    items: list[PersonOut]


class PersonSearchIn(Schema):
    q: str = Field("", description="姓名、拼音首字母、身份证号或其后6位")
    region: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 30


class HouseholdSearchIn(Schema):
    q: str = Field("", description="户编号、成员姓名、拼音首字母、身份证号或其后6位（本人管辖范围内）")
    region: str = ""
    active: str = "1"
    page: int = 1
    page_size: int = 30


class PersonIn(Schema):
    name: str
    id_number: str = ""
    no_id_reason: str = ""
    sex: str | None = None
    birth_date: datetime.date | None = None
    ethnicity: str = "01"
    phone: str = ""
    labour_ability: str = "able"
    health: str = "healthy"
    serious_illness: str = ""
    disability_category: str = ""
    disability_grade: int | None = None
    marital_status: str = "90"
    education: str = ""
    special_statuses: list[str] = []


class PersonPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    no_id_reason: str | None = None
    phone: str | None = None
    region: str | None = None
    ethnicity: str | None = None
    labour_ability: str | None = None
    health: str | None = None
    serious_illness: str | None = None
    disability_category: str | None = None
    disability_grade: int | None = None
    marital_status: str | None = None
    education: str | None = None
    special_statuses: list[str] | None = None


class MemberIn(Schema):
    relation: str = Field(description="GB/T 4761 代码，户主为 01")
    person: PersonIn


class MemberOut(Schema):
    person: PersonOut
    relation: str
    started_on: datetime.date


class HouseholdIn(Schema):
    region: str = Field(description="村（社区）12 位区划代码")
    number: str = ""
    address: str = ""
    household_type: str = "family"
    registered_on: datetime.date | None = None
    members: list[MemberIn]


class HouseholdOut(Schema):
    id: int
    number: str
    region: str
    address: str
    household_type: str
    head: int | None
    is_active: bool
    closed_reason: str


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]


class HouseholdPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HouseholdOut]


def person_out(person: Person, reveal: bool = False) -> dict:
    return {
        "id": person.pk, "name": person.name,
        "id_number": person.id_number if reveal else masking.mask("id_number", person.id_number),
        "sex": person.sex, "birth_date": person.birth_date, "ethnicity": person.ethnicity, "region": person.region_id,
        "household": person.household.number if person.household_id else None, "is_urban": person.is_urban,
        "labour_ability": person.labour_ability, "health": person.health,
        "disability_category": person.disability_category, "disability_grade": person.disability_grade,
        "special_statuses": person.special_statuses, "is_deceased": person.is_deceased, "death_date": person.death_date,
        "merged_into": person.merged_into_id,
    }  # fmt: skip


def household_out(household: Household) -> dict:
    return {
        "id": household.pk, "number": household.number, "region": household.region_id, "address": household.address,
        "household_type": household.household_type, "head": household.head_id, "is_active": household.is_active,
        "closed_reason": household.closed_reason,
    }  # fmt: skip


def _person(request, pk: int) -> Person:
    return access_person_by_id(request.auth, pk)


ID_IN_URL = "身份证号及其后6位不能放在网址中查询：请改用 POST {path}/search，把查询条件放在请求体中"


def _no_id_in_url(request, q: str) -> None:
    if search.looks_like_id_number(q) or search.looks_like_id_suffix(q):
        raise ServiceError(ID_IN_URL.format(path=request.path.rstrip("/")))


def _person_page(request, filters: dict, page: int, page_size: int) -> dict:
    """Counted up to the list's cap, like the person list page."""
    people, keys = search.persons(request.auth, **filters), search.person_keys(request.auth, **filters)
    return paginate(people, page, page_size, person_out, count_up_to=search.LIST_COUNT_CAP, keys=keys,
                    count_in_order=search.counts_in_order(filters.get("q", ""), keys))  # fmt: skip


@router.get("/persons", response={200: PersonPage, **ERRORS}, summary="查询人员", auth=api_auth(PEOPLE_VIEW))
def list_persons(request, q: str = "", region: str = "", status: str = "", page: int = 1, page_size: int = 30):
    _no_id_in_url(request, q)
    return _person_page(request, {"q": q, "region_code": region, "status": status}, page, page_size)


@router.post(
    "/persons/search",
    response={200: PersonPage, **ERRORS},
    summary="查询人员（条件在请求体中：按身份证号或其后6位查询用此接口）",
    auth=api_auth(PEOPLE_VIEW),
)
def search_persons(request, payload: PersonSearchIn):
    filters = {"q": payload.q, "region_code": payload.region, "status": payload.status}
    return _person_page(request, filters, payload.page, payload.page_size)


@router.get("/persons/{pk}", response={200: PersonOut, **ERRORS}, summary="人员详情", auth=api_auth(PEOPLE_VIEW))
def get_person(request, pk: int, reveal: bool = False):
    person = _person(request, pk)
    if reveal:
        if not has_capability(request.auth, PII_UNMASK):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("您的角色无权查看完整身份证号")
        audit.record("pii.reveal", person, detail="API 查看完整身份证号")
    return person_out(person, reveal)


@router.patch("/persons/{pk}", response={200: PersonOut, **ERRORS}, summary="修改人员信息", auth=api_auth(PEOPLE_EDIT))
def update_person(request, pk: int, payload: PersonPatch):
    person = _person(request, pk)
    changes = payload.dict(exclude_unset=True)
    if "region" in changes:
        require_region_in_scope(request.auth, changes["region"])
        region = Region.objects.filter(code=changes["region"]).first()
        if region is None:
            raise NotInScope("区划不存在或不在您的管辖范围内")
        changes["region"] = region
    person = services.update_person(request.auth, person, changes)
    return person_out(person)


@router.get("/households", response={200: HouseholdPage, **ERRORS}, summary="查询家庭", auth=api_auth(PEOPLE_VIEW))
def list_households(request, q: str = "", region: str = "", active: str = "1", page: int = 1, page_size: int = 30):
    _no_id_in_url(request, q)
    qs = search.households(request.auth, q=q, region_code=region, active=active)
    return paginate(qs, page, page_size, household_out)


@router.post(
    "/households/search",
    response={200: HouseholdPage, **ERRORS},
    summary="查询家庭（条件在请求体中：按身份证号或其后6位查询用此接口）",
    auth=api_auth(PEOPLE_VIEW),
)
def search_households(request, payload: HouseholdSearchIn):
    qs = search.households(request.auth, q=payload.q, region_code=payload.region, active=payload.active)
    return paginate(qs, payload.page, payload.page_size, household_out)


@router.get(
    "/households/{pk}",
    response={200: HouseholdDetail, **ERRORS},
    summary="家庭详情（含现有成员）",
    auth=api_auth(PEOPLE_VIEW),
)
def get_household(request, pk: int):
    household = access_household_by_id(request.auth, pk)
    members = household.memberships.filter(ended_on__isnull=True).select_related("person__region", "person__household")
    return {
        **household_out(household),
        "members": [
            {"person": person_out(m.person), "relation": m.relation, "started_on": m.started_on} for m in members
        ],
    }


@router.post(
    "/households", response={201: HouseholdDetail, **ERRORS}, summary="登记家庭及其成员", auth=api_auth(PEOPLE_EDIT)
)
def create_household(request, payload: HouseholdIn):
    require_region_in_scope(request.auth, payload.region)  # outside one's region: 404, whether it exists or not
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise NotInScope("区划不存在或不在您的管辖范围内")
    if region.level != 5:
        raise ServiceError("家庭所在区划须为村（社区）")
    members = []
    for member in payload.members:
        data = member.person.dict()
        if not data.get("sex"):
            data.pop("sex")
        members.append(MemberInput(relation=member.relation, data=data))
    household = services.register_household(
        request.auth, region=region, members=members, on=payload.registered_on or timezone.localdate(),
        number=payload.number, address=payload.address, household_type=payload.household_type,
    )  # fmt: skip
    return Status(201, get_household(request, household.pk))
