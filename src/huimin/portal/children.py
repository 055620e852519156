"""「报告困境儿童/侵害未成年人线索」: anyone — a resident who verified his identity in this browser or not — reports a
child at risk, anonymously if he wishes. The portal stands above huimin.children and calls its ``reports.receive``:
the report opens a case when the child is found in the registry, else it waits for the township 督导员 to identify
him. The reporter gets a receipt number and reads nothing back (no disclosure); an anonymous report stores neither
name nor contact, and its audit entry carries no identity and no address."""

from django.conf import settings
from django.shortcuts import render

from huimin.children import reports
from huimin.children.models import Case
from huimin.core import ratelimit
from huimin.core.context import Actor, acting_as, current_actor
from huimin.core.middleware import client_ip
from huimin.core.models import Region
from huimin.core.services import ServiceError
from huimin.portal.services import resident_actor
from huimin.portal.views import _identity

REPORTS_PER_IP_PER_HOUR = 10
RATE_MESSAGE = "提交报告过于频繁，请一小时后再试；情况紧急请立即拨打 110 报警"
# a larger request is refused with a plain message before its form is read (the concern is at most 2,000 characters)
MAX_BODY_BYTES = 64 * 1024
ANONYMOUS = Actor(None, "anonymous", "public", "")


def _content_length(request) -> int:
    value = request.META.get("CONTENT_LENGTH") or "0"
    return int(value) if value.isdigit() else 0


def child_report(request):
    identity = _identity(request)
    villages = Region.objects.filter(level=5, is_active=True).select_related("parent").order_by("code")
    context = {"identity": identity, "villages": villages, "post": {}, "max_chars": reports.CONCERN_MAX_CHARS}
    if identity is not None:  # a verified resident: his name and phone are offered, he may still tick 匿名
        context["post"] = {"reporter_name": identity.name, "reporter_contact": identity.phone}
    if request.method != "POST":
        return render(request, "portal/child_report.html", context)
    ip = client_ip(request)
    try:
        limit = int(getattr(settings, "HUIMIN_PORTAL_CHILD_REPORTS_PER_IP_PER_HOUR", REPORTS_PER_IP_PER_HOUR))
        ratelimit.check("portal-child-report", ratelimit.key_of(ip or "-"), limit, RATE_MESSAGE, seconds=3600)
        if _content_length(request) > MAX_BODY_BYTES:
            raise ServiceError(f"提交的内容过多，发现的情况请控制在 {reports.CONCERN_MAX_CHARS} 字以内")
        p = context["post"] = request.POST
        anonymous = p.get("anonymous") == "1"
        if anonymous:
            actor = ANONYMOUS
        elif identity is not None:
            actor = resident_actor(identity, ip)
        else:
            actor = current_actor()
        with acting_as(actor):
            report, _ = reports.receive(
                None, source=Case.Source.PORTAL, channel=reports.PORTAL_CHANNEL, village_code=p.get("village", ""),
                concern=p.get("concern", ""), child_name=p.get("child_name", ""), child_age=p.get("child_age", ""),
                child_id_number=p.get("child_id_number", ""), address=p.get("address", ""), anonymous=anonymous,
                reporter_name=p.get("reporter_name", ""), reporter_contact=p.get("reporter_contact", ""),
            )  # fmt: skip
    except ratelimit.RateLimited as exc:
        context["error"] = str(exc)
        return render(request, "portal/child_report.html", context, status=429)
    except ServiceError as exc:
        context["error"] = str(exc)
        return render(request, "portal/child_report.html", context, status=400)
    return render(request, "portal/child_report_done.html", {"identity": identity, "number": report.number})
