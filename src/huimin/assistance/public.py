"""The public 公示 board (no login): masked names and ID numbers, and a form to raise an objection."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from huimin.assistance import services
from huimin.assistance.models import Application, Stage
from huimin.core.masking import mask
from huimin.core.middleware import client_ip
from huimin.core.pagination import page_of
from huimin.core.ratelimit import RateLimited
from huimin.core.scope import subtree
from huimin.core.services import ServiceError

# A larger request is refused with a plain message (2,000 characters of text percent-encoded are about 18 KB); the
# site-wide DATA_UPLOAD_MAX_MEMORY_SIZE bounds what is read at all.
MAX_BODY_BYTES = 64 * 1024


def _content_length(request) -> int:
    value = request.META.get("CONTENT_LENGTH") or "0"
    return int(value) if value.isdigit() else 0


def _row(app: Application) -> dict:
    return {
        "token": app.public_token,
        "programme": app.programme.name,
        "name": mask("name", app.applicant.name),
        "id_number": mask("id_number", app.applicant.id_number),
        "region": app.region.full_name(),
        "members": app.household.memberships.filter(ended_on__isnull=True).count(),
        "start": app.publicity_start,
        "end": app.publicity_end,
    }


def _running():
    today = timezone.localdate()
    return (
        Application.objects.filter(stage=Stage.PUBLICITY, publicity_start__lte=today, publicity_end__gte=today)
        .select_related("programme", "applicant", "region", "household")
        .order_by("region_id", "publicity_start", "pk")
    )


def publicity_board(request):
    qs = _running()
    code = request.GET.get("region", "").strip()
    if code.isdigit():
        qs = qs.filter(subtree("region", code[:12]))
    page = page_of(request, qs, 50)
    return render(request, "assistance/public_board.html", {"page": page, "rows": [_row(a) for a in page]})


def objection_form(request, token):
    app = get_object_or_404(_running(), public_token=token)
    done, error, status, post = False, "", 200, {}
    if request.method == "POST":
        try:
            if _content_length(request) > MAX_BODY_BYTES:
                raise ServiceError(f"提交的内容过多，异议内容请控制在 {services.OBJECTION_MAX_CHARS} 字以内")
            post = request.POST
            services.submit_objection(
                token,
                content=post.get("content", ""),
                submitter=post.get("submitter", ""),
                contact=post.get("contact", ""),
                ip=client_ip(request),
            )
            done = True
        except RateLimited as exc:
            error, status = str(exc), 429
        except ServiceError as exc:
            error, status = str(exc), 400
    return render(
        request,
        "assistance/public_objection.html",
        {
            "row": _row(app), "done": done, "error": error, "post": post,
            "max_chars": services.OBJECTION_MAX_CHARS, "field_max_chars": services.OBJECTION_FIELD_MAX_CHARS,
        },
        status=status,
    )  # fmt: skip
