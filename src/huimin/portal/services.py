"""The resident portal's actions: verify a resident by name, ID number and a phone code; submit an application
(with the household's members, document photos and each adult's 核对 authorisation) through
huimin.assistance.services so it lands in the township's 受理 queue. Refused input raises ServiceError with a
Chinese message and changes nothing."""

import datetime
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huimin.assistance import services as assistance
from huimin.assistance.models import Application, Channel, Programme
from huimin.core import audit, crypto, ratelimit
from huimin.core.access import acting_as_role
from huimin.core.context import Actor, acting_as
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from huimin.portal.models import PhoneChallenge, VerificationConsent
from huimin.portal.sms import SmsError, gateway
from huimin.registry import idnumbers
from huimin.registry import services as registry
from huimin.registry.models import Household, Membership, Person

CODE_MINUTES = 5
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5
VERIFY_PER_ID_PER_HOUR = 8
VERIFY_PER_IP_PER_HOUR = 30
# 全程网办 (the 养老服务 subsidies as the disability ones: the 养老服务 hook checks age, 低保/特困 and 能力评估)
PORTAL_KINDS = ("dibao", "temporary", "disability_living", "severe_care", "elderly_service", "elderly_care")
PORTAL_REFUSAL = (
    "网上可申请最低生活保障、临时救助、残疾人两项补贴和经济困难老年人养老服务补贴、护理补贴，"
    "其他项目请到乡镇（街道）窗口申请"
)
PORTAL_USERNAME = "portal-online"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_MEMBERS = 8
ADULT_AGE = 18

CONSENT_STATEMENT = (
    "本人同意并授权民政部门及其委托的家庭经济状况核对机构，为审核本次社会救助申请，依法查询、核对本人的户籍、"
    "收入、财产、社会保险、住房公积金、不动产、车辆、存款、证券等信息。本人承诺所提供的信息真实、完整，"
    "如有虚假，愿承担相应的法律责任。"
)

RELATIONS = [
    ("01", "户主"), ("02", "配偶"), ("20", "子"), ("30", "女"), ("50", "父母"), ("60", "祖父母、外祖父母"),
    ("40", "孙子女、外孙子女"), ("70", "兄弟姐妹"), ("99", "其他"),
]  # fmt: skip


@dataclass
class Identity:
    name: str
    id_number: str
    phone: str
    person_id: int | None = None

    def as_session(self) -> dict:
        """What the session keeps (sessions are rows in the database): the ID number and phone only as one
        ciphertext under the field keys, never in clear."""
        sealed = crypto.encrypt(json.dumps([self.id_number, self.phone]))
        return {"name": self.name, "person_id": self.person_id, "sealed": sealed}

    @classmethod
    def from_session(cls, data: dict) -> "Identity | None":
        try:
            id_number, phone = json.loads(crypto.decrypt(data["sealed"]))
            return cls(name=data["name"], id_number=id_number, phone=phone, person_id=data.get("person_id"))
        except (KeyError, TypeError, ValueError, crypto.DecryptionError):
            return None  # a session from before, or one that cannot be read: verify again


def _digest(kind: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1\d{10}", digits):
        raise ServiceError("请填写 11 位手机号码")
    return digits


def _id_number(value: str) -> idnumbers.IdNumber:
    try:
        return idnumbers.parse(value)
    except idnumbers.IdNumberError as exc:
        raise ServiceError(f"身份证号不正确：{exc}") from exc


def _registered(number: str) -> Person | None:
    return Person.objects.filter(**Person.lookup("id_number", number), merged_into__isnull=True).first()


class IdentityMismatch(ServiceError):
    """The name or phone number does not match the registry. One message for every mismatch, so the answer never
    says which part differed (nor whether the person is registered with a phone)."""


MISMATCH_MESSAGE = "身份信息核验未通过：姓名、身份证号、手机号码须与登记信息一致。如有变化，请到乡镇（街道）窗口办理"
RATE_MESSAGE = "身份核验尝试次数过多，请一小时后再试；如需帮助，请到乡镇（街道）窗口办理"
RATE_SECONDS = 3600


def _limit(setting: str, default: int) -> int:
    return int(getattr(settings, setting, default))


def _same(a: str, b: str) -> bool:
    """Compare by keyed digests in constant time, so the time taken does not tell how much of a value matched."""
    return hmac.compare_digest(_digest("match", a), _digest("match", b))


def _matches(person: Person | None, name: str, phone: str) -> bool:
    """Whether name and phone agree with a registered person; always does the same work (both comparisons, also
    for a person not registered or without a phone on record) so no answer returns early."""
    registered_name = person.name if person is not None else ""
    registered_phone = re.sub(r"\D", "", (person.phone if person is not None else "") or "")[-11:]
    name_ok = _same(registered_name, name)
    phone_ok = _same(registered_phone or phone, phone)
    return person is None or (name_ok & phone_ok)


def start_verification(name: str, id_number: str, phone: str, ip: str = "") -> tuple[PhoneChallenge, Identity]:
    """Check the identity against the registry (where the person is registered) and send a code. Attempts are
    limited per client address and per ID number (settings HUIMIN_PORTAL_VERIFY_PER_IP_PER_HOUR and
    HUIMIN_PORTAL_VERIFY_PER_ID_PER_HOUR); a mismatch raises IdentityMismatch with one neutral message."""
    if ip:
        _throttle("ip", ip, _limit("HUIMIN_PORTAL_VERIFY_PER_IP_PER_HOUR", VERIFY_PER_IP_PER_HOUR))
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ServiceError("请填写姓名")
    number = _id_number(id_number).number
    phone = normalise_phone(phone)
    _throttle("id", ratelimit.key_of(number), _limit("HUIMIN_PORTAL_VERIFY_PER_ID_PER_HOUR", VERIFY_PER_ID_PER_HOUR))
    person = _registered(number)
    matches = _matches(person, name, phone)
    phone_digest = _digest("phone", phone)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent_codes = PhoneChallenge.objects.filter(phone_digest=phone_digest, created_at__gte=hour_ago).count()
    if not matches:
        raise IdentityMismatch(MISMATCH_MESSAGE)
    if recent_codes >= MAX_CODES_PER_HOUR:
        raise ServiceError("验证码发送过于频繁，请一小时后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    identity = Identity(name=name, id_number=number, phone=phone, person_id=person.pk if person else None)
    challenge = PhoneChallenge.objects.create(
        phone_digest=phone_digest, identity_digest=_digest("identity", f"{name}|{number}|{phone}"),
        code_digest=_digest("code", code), expires_at=timezone.now() + datetime.timedelta(minutes=CODE_MINUTES),
    )  # fmt: skip
    try:
        gateway().send(phone, f"【惠民】您的验证码是 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作，请忽略本短信。")
    except SmsError as exc:
        raise ServiceError("短信发送失败，请稍后再试") from exc
    challenge.demo_code = code if settings.HUIMIN_DEMO_SMS_ON_PAGE else ""  # shown on the page in the demo only
    return challenge, identity


def _throttle(kind: str, ident: str, limit: int) -> None:
    if not ratelimit.hit(f"portal-verify-{kind}", ident, limit, seconds=RATE_SECONDS):
        raise ratelimit.RateLimited(RATE_MESSAGE)


def check_code(challenge_id: int, identity: Identity, code: str) -> Identity:
    with transaction.atomic():
        challenge = PhoneChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        identity_digest = _digest("identity", f"{identity.name}|{identity.id_number}|{identity.phone}")
        if (
            challenge is None
            or challenge.verified_at is not None
            or challenge.expires_at < timezone.now()
            or challenge.identity_digest != identity_digest
        ):
            raise ServiceError("验证码已失效，请重新获取")
        if challenge.attempts >= MAX_ATTEMPTS:
            raise ServiceError("验证码错误次数过多，请重新获取")
        challenge.attempts += 1
        ok = hmac.compare_digest(challenge.code_digest, _digest("code", (code or "").strip()))
        if ok:
            challenge.verified_at = timezone.now()
        challenge.save(update_fields=["attempts", "verified_at"])
    if not ok:
        left = MAX_ATTEMPTS - challenge.attempts
        raise ServiceError(f"验证码不正确，还可尝试 {left} 次" if left else "验证码错误次数过多，请重新获取")
    person = _registered(identity.id_number)
    identity.person_id = person.pk if person else None
    with acting_as(resident_actor(identity)):
        audit.record("portal.verify", person, detail="群众经姓名、身份证号、手机验证码核验身份")
    return identity


# --- acting for the resident ----------------------------------------------------------------------------


def resident_actor(identity: Identity, ip: str = "") -> Actor:
    return Actor(_portal_account().pk, f"居民自助:{identity.name}", "resident", ip)


def _portal_account() -> User:
    """The account online applications are registered under (``created_by``). It cannot log in: inactive,
    without a usable password, role or region, so no administrator can scope it or give it a role."""
    user = User.objects.filter(username=PORTAL_USERNAME).first()
    if user is None:
        user = User(
            username=PORTAL_USERNAME, full_name="网上申请（群众自助）", is_active=False, must_change_password=False
        )
        user.set_unusable_password()
        user.save()
    return user


def _portal_actor(village: Region, line: str = BusinessLine.ASSISTANCE) -> User:
    """For one submission: the portal account acting as an online 协理员 of the applicant's village only, on the
    business line of the programme applied for (held in memory, never saved), so the assistance and registry
    services apply their checks unchanged."""
    actor = acting_as_role(_portal_account(), Role.ASSISTANT, line, village)
    actor.is_active = True
    return actor


# --- what a resident may see ----------------------------------------------------------------------------


def portal_programmes():
    return Programme.objects.filter(is_active=True, kind__in=PORTAL_KINDS).order_by("sort", "code")


def own_applications(identity: Identity):
    if not identity.person_id:
        return Application.objects.none()
    return Application.objects.filter(applicant_id=identity.person_id).select_related("programme", "region")


def current_household(identity: Identity) -> Household | None:
    if not identity.person_id:
        return None
    membership = (
        Membership.objects.filter(person_id=identity.person_id, ended_on__isnull=True, household__is_active=True)
        .select_related("household__region")
        .first()
    )
    return membership.household if membership else None


def is_adult(birth_date: datetime.date | None, day: datetime.date) -> bool:
    if birth_date is None:
        return True
    return (day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))) >= ADULT_AGE


def check_upload(upload, label: str) -> None:
    """Type (by name and by content) and size of a document photo."""
    name = (upload.name or "").lower()
    if upload.size > MAX_UPLOAD_BYTES:
        raise ServiceError(f"{label}：文件过大（不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）")
    if upload.size == 0:
        raise ServiceError(f"{label}：文件是空的")
    head = upload.read(8)
    upload.seek(0)
    kinds = {(".jpg", ".jpeg"): b"\xff\xd8\xff", (".png",): b"\x89PNG\r\n\x1a\n", (".pdf",): b"%PDF-"}
    for extensions, magic in kinds.items():
        if name.endswith(extensions) and head.startswith(magic):
            break
    else:
        raise ServiceError(f"{label}：只能上传 JPG、PNG 照片或 PDF 文件")
    if not name.endswith(".pdf"):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ServiceError(f"{label}：照片已损坏，无法打开") from exc
        finally:
            upload.seek(0)


@dataclass
class NewMember:
    name: str
    id_number: str
    relation: str


@transaction.atomic
def submit_application(
    identity: Identity,
    *,
    programme_code: str,
    reason: str,
    requested_amount=None,
    uploads: dict | None = None,
    consents: set[str] = frozenset(),
    village_code: str = "",
    address: str = "",
    members: list[NewMember] = (),
    ip: str = "",
) -> Application:
    """``consents`` holds, per adult member who signed the authorisation, their ID number. A resident already in
    a household applies for it; otherwise ``members`` (the applicant first) and ``village_code`` register the
    household in the same transaction."""
    programme = portal_programmes().filter(code=programme_code).first()
    if programme is None:
        raise ServiceError(PORTAL_REFUSAL)
    uploads = uploads or {}
    names = programme.document_names()
    for code, upload in uploads.items():
        if code not in names:
            raise ServiceError("本项目不需要这种材料")
        check_upload(upload, names[code])
    day = timezone.localdate()
    with acting_as(resident_actor(identity, ip)):
        household = current_household(identity)
        if household is None:
            household = _register(identity, village_code, address, members, day)
        actor = _portal_actor(household.region, programme.business_line)
        people = list(
            Person.objects.filter(memberships__household=household, memberships__ended_on__isnull=True).distinct()
        )
        applicant = next((p for p in people if p.id_number == identity.id_number), None)
        if applicant is None:
            raise ServiceError("申请人不是该家庭的现有成员")
        # the 核对 authorisation is signed for a means-tested programme only (the subsidies have no 核对)
        adults = [p for p in people if is_adult(p.birth_date, day)] if programme.means_tested else []
        unsigned = [p.name for p in adults if p.id_number not in consents]
        if unsigned:
            raise ServiceError("以下成年家庭成员尚未签署家庭经济状况核对授权：" + "、".join(unsigned))
        documents = ["authorization"] if "authorization" in names else []
        app = assistance.create_application(
            actor, programme=programme, household=household, applicant=applicant, channel=Channel.ONLINE,
            reason=reason, documents=documents, requested_amount=requested_amount or None,
            beneficiary=applicant if programme.scope == "person" else None,
        )  # fmt: skip
        for code, upload in uploads.items():
            assistance.attach_document(actor, app, code, upload)
        for person in adults:
            VerificationConsent.objects.create(
                application=app, person=person, signer_name=person.name, statement=CONSENT_STATEMENT,
                submitted_by=identity.name,
            )  # fmt: skip
        audit.record(
            "portal.application.submit",
            app,
            detail=f"网上申请；{len(adults)} 名成年成员签署核对授权；上传材料 {len(uploads)} 份",
        )
    return app


def _register(identity: Identity, village_code: str, address: str, members, day) -> Household:
    village = Region.objects.filter(code=village_code, level=5, is_active=True).first()
    if village is None:
        raise ServiceError("请选择所在村（社区）")
    if not members or members[0].id_number != identity.id_number:
        raise ServiceError("家庭成员的第一位应为申请人本人")
    if len(members) > MAX_MEMBERS:
        raise ServiceError(f"网上申请最多填写 {MAX_MEMBERS} 位家庭成员，人数更多请到窗口办理")
    inputs, seen = [], set()
    for i, member in enumerate(members, start=1):
        name = (member.name or "").strip()
        if not name:
            raise ServiceError(f"第 {i} 位家庭成员：请填写姓名")
        number = _id_number(member.id_number).number
        if number in seen:
            raise ServiceError(f"第 {i} 位家庭成员：身份证号重复")
        seen.add(number)
        if member.relation not in dict(RELATIONS):
            raise ServiceError(f"第 {i} 位家庭成员：请选择与户主关系")
        existing = _registered(number)
        if existing is not None and i > 1:
            raise ServiceError(f"第 {i} 位家庭成员已在其他家庭登记，请到乡镇（街道）窗口办理")
        data = {"name": name, "id_number": number}
        if i == 1:
            data["phone"] = identity.phone
        inputs.append(registry.MemberInput(relation=member.relation, data=data, person=existing))
    if sum(1 for m in inputs if m.relation == "01") != 1:
        raise ServiceError("家庭成员中须有且只有一位户主")
    household = registry.register_household(
        _portal_actor(village), region=village, members=inputs, on=day, address=(address or "").strip()[:200]
    )
    identity.person_id = _registered(identity.id_number).pk
    return household
