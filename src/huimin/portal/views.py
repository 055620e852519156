"""Resident portal pages (mobile first). A resident is whoever verified name + ID number + phone code in this
browser session; they see only applications they made."""

import contextlib
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.assistance.models import Enrolment, Notification
from huimin.core.middleware import client_ip
from huimin.core.models import Region
from huimin.core.ratelimit import RateLimited
from huimin.core.services import ServiceError
from huimin.portal import payments, services
from huimin.portal.services import Identity, NewMember
from huimin.registry.models import Membership, Person

PENDING = "portal_pending"
IDENTITY = "portal_identity"


def _identity(request) -> Identity | None:
    data = request.session.get(IDENTITY)
    return Identity.from_session(data) if data else None


def resident_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        identity = _identity(request)
        if identity is None:
            return redirect("portal:verify")
        return view(request, identity, *args, **kwargs)

    return wrapped


def index(request):
    return render(request, "portal/index.html", {"identity": _identity(request)})


def verify(request):
    if request.method == "POST":
        p = request.POST
        try:
            challenge, identity = services.start_verification(
                p.get("name", ""), p.get("id_number", ""), p.get("phone", ""), ip=client_ip(request)
            )
        except (services.IdentityMismatch, RateLimited) as exc:
            # The same page whatever was typed: the entries are not shown again, so the answer to a wrong name
            # and to a wrong phone number is the same to the byte (and a shared screen keeps no ID number).
            messages.error(request, str(exc))
            status = 429 if isinstance(exc, RateLimited) else 400
            return render(request, "portal/verify.html", {"post": {}}, status=status)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return render(request, "portal/verify.html", {"post": p}, status=400)
        request.session[PENDING] = {
            "challenge": challenge.pk,
            "demo_code": challenge.demo_code,
            **identity.as_session(),
        }
        request.session.pop(IDENTITY, None)
        return redirect("portal:verify_code")
    return render(request, "portal/verify.html", {"post": {}})


def verify_code(request):
    pending = request.session.get(PENDING)
    claimed = Identity.from_session(pending) if pending else None
    if claimed is None:
        return redirect("portal:verify")
    phone = claimed.phone
    context = {"phone": f"{phone[:3]}****{phone[-4:]}", "demo_code": pending.get("demo_code", "")}
    if request.method == "POST":
        try:
            identity = services.check_code(pending["challenge"], claimed, request.POST.get("code", ""))
        except ServiceError as exc:
            messages.error(request, str(exc))
            return render(request, "portal/verify_code.html", context, status=400)
        request.session.cycle_key()
        request.session.pop(PENDING, None)
        request.session[IDENTITY] = identity.as_session()
        return redirect("portal:home")
    return render(request, "portal/verify_code.html", context)


@require_POST
def logout(request):
    request.session.pop(IDENTITY, None)
    request.session.pop(PENDING, None)
    return redirect("portal:index")


@resident_required
def home(request, identity):
    person = Person.objects.filter(pk=identity.person_id).first() if identity.person_id else None
    applications = services.own_applications(identity)
    return render(
        request,
        "portal/home.html",
        {
            "identity": identity,
            "applications": applications,
            "notifications": Notification.objects.filter(application__in=applications).select_related("application"),
            "enrolments": Enrolment.objects.filter(application__in=applications).select_related("programme"),
            "programmes": services.portal_programmes(),
            "payments": payments.payments_for(person),
            "payments_missing": payments.NOT_YET,
            "survival": _survival(person),
        },
    )


def _survival(person):
    """The resident's own 生存认证: the allowances that need it, when it is due, the last one."""
    from django.utils import timezone

    from huimin.eligibility import services as eligibility

    if person is None:
        return None
    dues = eligibility.dues(Enrolment.objects.filter(person=person), timezone.localdate())
    if not dues:
        return None
    return {"due_on": min(d.due_on for d in dues), "grace_until": min(d.grace_until for d in dues),
            "last": eligibility.last_confirmation(person), "programmes": [d.enrolment.programme.name for d in dues],
            "suspended": any(d.enrolment.status == Enrolment.Status.SUSPENDED for d in dues)}  # fmt: skip


@require_POST
@resident_required
def survival_confirm(request, identity):
    """网上自助认证: the resident, verified by name, ID number and a code sent to the registered phone, confirms
    that he is alive; what a missing confirmation suspended pays again from next month."""
    from huimin.eligibility import services as eligibility

    person = Person.objects.filter(pk=identity.person_id).select_related("household").first()
    if person is None:
        raise Http404
    try:
        eligibility.confirm(None, person, channel="portal", by_resident=True)
        messages.success(request, "生存认证已完成，谢谢！")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("portal:home")


def _member_rows(request) -> list[NewMember]:
    rows = []
    for i in range(services.MAX_MEMBERS):
        name, number = request.POST.get(f"m{i}_name", "").strip(), request.POST.get(f"m{i}_id", "").strip()
        if name or number:
            rows.append(NewMember(name=name, id_number=number, relation=request.POST.get(f"m{i}_relation", "")))
    return rows


def _consents(request, rows, members) -> set[str]:
    """ID numbers of the members whose authorisation box was ticked."""
    ticked = set(request.POST.getlist("consent"))
    numbers = set()
    for m in members:
        if f"p{m.person_id}" in ticked:
            numbers.add(m.person.id_number)
    for i, row in enumerate(rows):
        if f"n{i}" in ticked:
            with contextlib.suppress(ValueError):
                numbers.add(services.idnumbers.parse(row.id_number).number)
    return numbers


@resident_required
def apply(request, identity, code):
    programme = services.portal_programmes().filter(code=code).first()
    if programme is None:
        raise Http404(services.PORTAL_REFUSAL)
    household = services.current_household(identity)
    members = (
        Membership.objects.filter(household=household, ended_on__isnull=True).select_related("person")
        if household
        else []
    )
    from django.utils import timezone

    day = timezone.localdate()
    adults = [m for m in members if services.is_adult(m.person.birth_date, day)]
    context = {
        "identity": identity, "programme": programme, "household": household, "members": members, "adults": adults,
        "statement": services.CONSENT_STATEMENT, "documents": programme.required_documents,
        "relations": services.RELATIONS, "rows": range(services.MAX_MEMBERS), "post": request.POST,
        "villages": [] if household else Region.objects.filter(level=5, is_active=True).select_related("parent"),
    }  # fmt: skip
    if request.method == "POST":
        rows = [] if household else _member_rows(request)
        uploads = {d["code"]: request.FILES[f"doc_{d['code']}"] for d in programme.required_documents
                   if request.FILES.get(f"doc_{d['code']}")}  # fmt: skip
        try:
            app = services.submit_application(
                identity, programme_code=programme.code, reason=request.POST.get("reason", ""),
                requested_amount=request.POST.get("requested_amount") or None, uploads=uploads,
                consents=_consents(request, rows, members), village_code=request.POST.get("village", ""),
                address=request.POST.get("address", ""), members=rows, ip=client_ip(request),
            )  # fmt: skip
        except (ServiceError, Http404, PermissionDenied) as exc:
            messages.error(request, str(exc) or "申请未能提交，请核对填写的信息")
            return render(request, "portal/apply.html", context, status=400)
        request.session[IDENTITY] = identity.as_session()  # the household may just have been registered
        messages.success(request, f"申请已提交，申请编号 {app.number}。乡镇（街道）将在受理后办理，请凭编号查询进度。")
        return redirect("portal:application", app.number)
    return render(request, "portal/apply.html", context)


@resident_required
def application(request, identity, number):
    app = services.own_applications(identity).filter(number=number).first()
    if app is None:
        raise Http404("没有找到您名下的这件申请")
    enrolment = Enrolment.objects.filter(application=app).first()
    return render(
        request,
        "portal/application.html",
        {
            "identity": identity, "app": app, "events": app.events.all(), "notifications": app.notifications.all(),
            "enrolment": enrolment, "files": app.files.all(),
        },
    )  # fmt: skip


@resident_required
def track(request, identity):
    number = request.GET.get("number", "").strip()
    if number and services.own_applications(identity).filter(number=number).exists():
        return redirect("portal:application", number)
    if number:
        messages.error(request, f"没有找到您名下编号为 {number} 的申请")
    return redirect("portal:home")
