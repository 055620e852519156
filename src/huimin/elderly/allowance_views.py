"""Pages of 高龄津贴 免申即享: the month's proposal (filter, bulk confirm, export), the enrolled list and the
bands/rules page. Thin: parse, call huimin.elderly.allowance, render."""

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.assistance.models import Enrolment
from huimin.benefits import services as benefit_services
from huimin.benefits.models import Standard
from huimin.core import audit, regions
from huimin.core.access import show_refusal
from huimin.core.decorators import capability_required
from huimin.core.masking import mask
from huimin.core.models import Region
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, has_capability
from huimin.core.scope import in_scope, regions_of, require_in_scope, subtree, user_prefixes
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_response
from huimin.elderly import allowance
from huimin.elderly import capabilities as cap
from huimin.elderly.models import AllowanceBatch, AllowancePolicy
from huimin.registry.models import Person

PAGE = 50


def _places(user):
    """Counties and townships inside the user's subtree (a proposal is confirmed for one of them)."""
    return regions_of(user, (regions.COUNTY, regions.TOWNSHIP))


def _chosen(request) -> str:
    code = request.GET.get("region", request.POST.get("region", "")).strip()
    if code and in_scope(request.user, code):
        return code
    prefixes = user_prefixes(request.user)
    return regions.full_code(prefixes[0]) if prefixes else ""


def _band(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@capability_required(cap.VIEW)
def proposal_page(request):
    code = _chosen(request)
    if not code:
        raise Http404
    band_low = _band(request.GET.get("band"))
    month = allowance.next_month()
    prop = allowance.proposal(code, month, band_low=band_low)
    all_bands = allowance.BandTable(month).at(code)
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        return _export_proposal(prop)
    page = page_of(request, prop.new, PAGE)
    ids = {line.person_id for line in page.object_list}
    numbers = dict(Person.objects.filter(pk__in=ids).values_list("pk", "id_number"))
    names = dict(
        Region.objects.filter(code__in={line.township for line in page.object_list}).values_list("code", "name")
    )
    for line in page.object_list:
        line.id_masked = mask("id_number", numbers.get(line.person_id) or "")
        line.township_name = names.get(line.township, line.township)
    batches = AllowanceBatch.objects.filter(subtree("region", regions.prefix_of(code))).select_related("region")
    return render(request, "elderly/allowance_proposal.html", {
        "prop": prop, "page": page, "region": code, "places": _places(request.user), "bands": all_bands,
        "band": band_low, "month": month, "batches": batches[:10],
        "may_confirm": has_capability(request.user, cap.ALLOWANCE),
        "changes": [*prop.regrade, *prop.stops, *prop.moves][:200],
        "change_count": len(prop.regrade) + len(prop.stops) + len(prop.moves),
    })  # fmt: skip


def _export_proposal(prop):
    audit.record("elderly.export.allowance_proposal", detail=f"{len(prop.new)} 人")
    numbers = dict(Person.objects.filter(pk__in=[line.person_id for line in prop.new]).values_list("pk", "id_number"))
    rows = [
        (line.name, mask("id_number", numbers.get(line.person_id) or ""), line.birth_date, line.age, line.region_id,
         line.band.label, line.band.amount, line.kind_label)
        for line in prop.new
    ]  # fmt: skip
    rows += [
        (line.name, "", line.birth_date, line.age, line.region_id, line.band.label if line.band else "",
         line.band.amount if line.band else "", f"{line.kind_label}：{line.reason}")
        for line in (*prop.regrade, *prop.stops, *prop.moves)
    ]  # fmt: skip
    headers = ["姓名", "身份证号", "出生日期", "年龄", "区划代码", "年龄段", "月发放（元）", "类别"]
    return xlsx_response(f"高龄津贴名单{prop.month:%Y%m}", "高龄津贴名单", headers, rows)


@capability_required(cap.ALLOWANCE)
@require_POST
def confirm(request):
    require_in_scope(request.user, request.POST.get("region", "").strip())
    code = request.POST.get("region", "").strip()
    picked = request.POST.getlist("person")
    ids = None
    if request.POST.get("scope") != "all":
        try:
            ids = [int(p) for p in picked]
        except ValueError:
            ids = []
        if not ids:
            messages.error(request, "请勾选要确认的人员，或选择“确认全部”")
            return redirect(f"{_url('elderly:allowance')}?region={code}")
    try:
        batch = allowance.confirm(request.user, region_code=code, person_ids=ids)
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            f"已确认 {batch.month:%Y年%m月}高龄津贴：新纳入 {batch.enrolled} 人（月发放合计 {batch.total} 元），"
            f"调档 {batch.regraded} 人，停发 {batch.stopped} 人，随迁 {batch.moved} 人",
        )
    return redirect(f"{_url('elderly:allowance')}?region={code}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@capability_required(cap.VIEW)
def enrolled_page(request):
    code = _chosen(request)
    if not code:
        raise Http404
    qs = (
        Enrolment.objects.filter(subtree("region", regions.prefix_of(code)), programme__code=allowance.PROGRAMME)
        .exclude(status=Enrolment.Status.STOPPED)
        .select_related("region", "person")
        .order_by("region_id", "person__birth_date", "pk")
    )
    amount = request.GET.get("amount", "").strip()
    if amount:
        qs = qs.filter(monthly_amount=amount) if amount.replace(".", "", 1).isdigit() else qs.none()
    if request.GET.get("export") == "xlsx":
        if not has_capability(request.user, EXPORT):
            raise Http404
        audit.record("elderly.export.allowance_enrolled", detail=f"{qs.count()} 人")
        rows = [(e.person.name, mask("id_number", e.person.id_number or ""), e.person.birth_date, e.region.name,
                 e.monthly_amount, e.start_month, e.get_status_display())
                for e in qs.iterator(chunk_size=2000)]  # fmt: skip
        headers = ["姓名", "身份证号", "出生日期", "所在村（社区）", "月发放（元）", "起始月份", "状态"]
        return xlsx_response("高龄津贴享受人员", "高龄津贴享受人员", headers, rows)
    page = page_of(request, qs, PAGE)
    day = allowance.today()
    for e in page.object_list:
        e.age = e.person.age_on(day)
    return render(request, "elderly/allowance_enrolled.html", {
        "page": page, "region": code, "places": _places(request.user), "amount": amount, "count": page.paginator.count,
    })  # fmt: skip


@capability_required(cap.VIEW)
def bands_page(request):
    code = _chosen(request)
    if not code:
        raise Http404
    lineage = regions.lineage(code)
    prefix = regions.prefix_of(code)
    rows = (
        Standard.objects.filter(kind=allowance.KIND)
        .filter(Q(region_id__in=lineage) | subtree("region", prefix))
        .select_related("region")
        .order_by("region_id", "-effective_from", "age_from")
    )
    policies = AllowancePolicy.objects.filter(Q(region__isnull=True) | Q(region_id__in=lineage) |
                                              subtree("region", prefix)).select_related("region")  # fmt: skip
    month = allowance.next_month()
    return render(request, "elderly/allowance_bands.html", {
        "rows": rows, "policies": policies, "region": code, "places": _places(request.user),
        "in_force": allowance.BandTable(month).at(code), "month": month,
        "policy": allowance.policy(code, month), "starts": AllowancePolicy.Start.choices,
        "may_set": has_capability(request.user, cap.ALLOWANCE_POLICY), "today": allowance.today(),
    })  # fmt: skip


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@capability_required(cap.ALLOWANCE_POLICY)
@require_POST
def band_add(request):
    require_in_scope(request.user, request.POST.get("region", "").strip())
    code = request.POST.get("region", "").strip()
    post = request.POST
    try:
        ages = []
        for name, label in (("age_from", "起始年龄"), ("age_to", "截止年龄")):
            text = post.get(name, "").strip()
            if text and (not text.isdigit() or not 0 < int(text) < 150):
                raise ServiceError(f"{label}须为 1 至 149 之间的整数")
            ages.append(int(text) if text else None)
        if ages[0] is None:
            raise ServiceError("请填写起始年龄")
        when = _date(post.get("effective_from"))
        if when is None:
            raise ServiceError("请按 年-月-日 填写生效日期")
        row, _ = benefit_services.add_standard(
            request.user, kind=allowance.KIND, region_code=code, value=post.get("value", "").strip(),
            effective_from=when, age_from=ages[0], age_to=ages[1], source=post.get("source", ""),
            capability=cap.ALLOWANCE_POLICY,
        )  # fmt: skip
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request, f"已设置高龄津贴 {row.age_from}{'岁以上' if row.age_to is None else f'–{row.age_to}岁'}档"
        )
    return redirect(f"{_url('elderly:allowance_bands')}?region={code}")


@capability_required(cap.ALLOWANCE_POLICY)
@require_POST
def policy_add(request):
    require_in_scope(request.user, request.POST.get("region", "").strip())
    code = request.POST.get("region", "").strip()
    try:
        allowance.set_policy(
            request.user, region_code=code, start_rule=request.POST.get("start_rule", ""),
            auto_confirm=request.POST.get("auto_confirm") == "1",
            effective_from=_date(request.POST.get("effective_from")),
            basis=request.POST.get("basis", ""),
        )  # fmt: skip
    except ServiceError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "已设置高龄津贴规则")
    return redirect(f"{_url('elderly:allowance_bands')}?region={code}")
