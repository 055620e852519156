"""The public 公示 board (no login): masked names and ID numbers, and a form to raise an objection."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from huimin.assistance import services
from huimin.assistance.models import Application, Stage
from huimin.core.masking import mask
from huimin.core.pagination import page_of
from huimin.core.services import ServiceError


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
        qs = qs.filter(region__code__startswith=code[:12])
    page = page_of(request, qs, 50)
    return render(request, "assistance/public_board.html", {"page": page, "rows": [_row(a) for a in page]})


def objection_form(request, token):
    app = get_object_or_404(_running(), public_token=token)
    done, error = False, ""
    if request.method == "POST":
        try:
            services.submit_objection(
                token,
                content=request.POST.get("content", ""),
                submitter=request.POST.get("submitter", ""),
                contact=request.POST.get("contact", ""),
            )
            done = True
        except ServiceError as exc:
            error = str(exc)
    return render(
        request,
        "assistance/public_objection.html",
        {"row": _row(app), "done": done, "error": error, "post": request.POST},
        status=400 if error else 200,
    )
