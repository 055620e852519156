"""Registry pages: thin — parse, call a service, render. Every lookup goes through the scope functions."""

import re
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from huimin.core import regions, workers
from huimin.core.access import access_by_id
from huimin.core.decorators import capability_required
from huimin.core.pagination import page_of
from huimin.core.roles import EXPORT, PEOPLE_EDIT, PEOPLE_MERGE, PEOPLE_VIEW, PII_UNMASK, has_capability
from huimin.core.scope import in_scope, scoped
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import xlsx_download
from huimin.registry import bank_accounts, dedup, excel, forms, imports, panels, persons, search, services
from huimin.registry.access import access_household_by_id, access_person_by_id
from huimin.registry.models import (
    DuplicateCandidate,
    ForeignDuplicate,
    Household,
    ImportJob,
    LifeEvent,
    Membership,
    Person,
)
from huimin.registry.services import MemberInput


def _person(request, pk) -> Person:
    return access_person_by_id(request.user, pk)


def _household(request, pk) -> Household:
    return access_household_by_id(request.user, pk)


# --- persons -----------------------------------------------------------------------------------------------


ID_TOKEN = re.compile(r"^[0-9a-f]{64}$")
ID_IN_URL = "身份证号不能放在网址中查询：请在查询框中输入后点击“查询”"


def _search(request, form_class, by_suffix: bool = False):
    """(form, params, redirect) of a list page's search. The search form posts; the page answers with a redirect
    to a GET URL in which an ID number is replaced by its opaque token ``idx`` (and, with ``by_suffix``, six
    characters — an ID number's last six — by ``sfx``): an ID number never stands in a URL, a browser history or
    the access log. A GET that carries one is not searched."""
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()
        params = {k: v for k, v in form.cleaned_data.items() if v}
        if search.looks_like_id_number(params.get("q", "")):
            params["idx"] = search.id_token(params.pop("q"))
        elif by_suffix and search.looks_like_id_suffix(params.get("q", "")):
            params["sfx"] = search.suffix_token(params.pop("q"))
        return form, {}, redirect(f"{request.path}?{urlencode(params)}")
    form = form_class(request.GET or None)
    form.is_valid()
    params = dict(form.cleaned_data) if form.is_bound else {}
    q = params.get("q", "")
    if search.looks_like_id_number(q) or (by_suffix and search.looks_like_id_suffix(q)):
        params["q"] = ""
        form.add_error("q", ID_IN_URL)
    token, suffix = request.GET.get("idx", ""), request.GET.get("sfx", "")
    params["id_index"] = token if ID_TOKEN.match(token) else ""
    params["suffix_index"] = suffix if ID_TOKEN.match(suffix) else ""
    return form, params, None


def _export(request, queryset, title: str):
    if not has_capability(request.user, EXPORT):
        raise PermissionDenied("您的角色无权导出")
    full = request.GET.get("full") == "1"
    if full and not has_capability(request.user, PII_UNMASK):
        raise PermissionDenied("您的角色无权导出完整的身份证号等敏感信息")
    return xlsx_download(excel.export_persons(queryset, request.user, title=title, full=full), title)


def person_page(request, people, keys=None, q: str = ""):
    """The page of the person list (the benchmark measures it): counted up to search.LIST_COUNT_CAP, by the ``keys`` of
    ``search.person_keys`` where it answers the search, in the list's order where ``search.counts_in_order``."""
    in_order = search.counts_in_order(q, keys)
    return page_of(request, people, count_up_to=search.LIST_COUNT_CAP, keys=keys, count_in_order=in_order)


@capability_required(PEOPLE_VIEW)
def person_list(request):
    form, params, done = _search(request, forms.PersonSearchForm, by_suffix=True)
    if done:
        return done
    filters = {
        "q": params.get("q", ""),
        "region_code": params.get("region", ""),
        "status": params.get("status", ""),
        "programme": params.get("programme", ""),
        "id_index": params.get("id_index", ""),
        "suffix_index": params.get("suffix_index", ""),
    }
    people = search.persons(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        return _export(request, people.iterator(chunk_size=2000), "人员名单")
    context = {
        "form": form,
        "page": person_page(request, people, search.person_keys(request.user, **filters), filters["q"]),
        "by_id": bool(params.get("id_index")),
        "by_suffix": bool(params.get("suffix_index")),
    }
    return render(request, "registry/person_list.html", context)


@capability_required(PEOPLE_VIEW)
def person_detail(request, pk):
    person = _person(request, pk)
    memberships = Membership.objects.filter(person=person).select_related("household").order_by("started_on", "id")
    # the person's own events, and what happened to a household of theirs as a whole (registration, import …)
    household_ids = memberships.values("household_id")
    events = LifeEvent.objects.filter(
        Q(person=person) | Q(person__isnull=True, household_id__in=household_ids)
    ).select_related("household", "person")
    duplicates = DuplicateCandidate.objects.filter(status="open").filter(
        person_a=person
    ) | DuplicateCandidate.objects.filter(status="open", person_b=person)
    return render(
        request,
        "registry/person_detail.html",
        {"person": person, "memberships": memberships, "events": events, "duplicates": duplicates,
         "bank_change": bank_accounts.pending_of(person)},
    )  # fmt: skip


@capability_required(PEOPLE_EDIT)
def person_edit(request, pk):
    person = _person(request, pk)
    initial = {
        name: getattr(person, name)
        for name in forms.PersonEditForm.base_fields
        if hasattr(person, name) and name not in persons.PROTECTED
    }
    initial["region"] = person.region_id
    form = forms.PersonEditForm(request.POST or None, initial=initial, user=request.user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(request.user, person, form.person_data())
            pending = bank_accounts.pending_of(person)
            messages.success(request, "人员信息已保存" + ("；银行账号变更待其他人员确认后生效" if pending else ""))
            return redirect("registry:person", pk=person.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "registry/form.html", {"form": form, "title": f"修改人员信息：{person.name}", "back": person}
    )


PERSON_EVENTS = {"death": ("登记死亡", forms.EventDateForm), "move_out": ("迁出", forms.MoveOutForm)}


@capability_required(PEOPLE_EDIT)
def person_event(request, pk, kind):
    if kind not in PERSON_EVENTS:
        raise Http404("没有这种事件")
    person = _person(request, pk)
    title, form_class = PERSON_EVENTS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "death":
                services.record_death(request.user, person, on=data["on"], note=data["note"])
            else:
                services.move_out(
                    request.user, person, on=data["on"], destination=data["destination"], note=data["note"]
                )
            messages.success(request, f"已办理{title}：{person.name}")
            return redirect("registry:person", pk=person.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
    return render(request, "registry/form.html", {"form": form, "title": f"{title}：{person.name}", "back": person})


# --- households --------------------------------------------------------------------------------------------


@capability_required(PEOPLE_VIEW)
def household_list(request):
    form, params, done = _search(request, forms.HouseholdSearchForm, by_suffix=True)
    if done:
        return done
    households = search.households(
        request.user,
        q=params.get("q", ""),
        region_code=params.get("region", ""),
        active=params.get("active") or "1",
        programme=params.get("programme", ""),
        id_index=params.get("id_index", ""),
        suffix_index=params.get("suffix_index", ""),
    )
    if request.GET.get("export") == "xlsx":
        members = Person.objects.filter(household__in=households.values("pk")).select_related("region", "household")
        return _export(request, members.order_by("household__number", "id"), "家庭成员名单")
    context = {
        "form": form,
        "page": page_of(request, households, count_up_to=search.LIST_COUNT_CAP),
        "by_id": bool(params.get("id_index")),
        "by_suffix": bool(params.get("suffix_index")),
    }
    return render(request, "registry/household_list.html", context)


@capability_required(PEOPLE_VIEW)
def household_detail(request, pk):
    household = _household(request, pk)
    current = household.memberships.filter(ended_on__isnull=True).select_related("person").order_by("relation", "id")
    past = household.memberships.filter(ended_on__isnull=False).select_related("person").order_by("-ended_on", "-id")
    events = household.events.select_related("person")
    return render(
        request,
        "registry/household_detail.html",
        {"household": household, "current": current, "past": past, "events": events,
         "panels": panels.for_household(request, household), "event_kinds": HOUSEHOLD_EVENTS,
         "household_actions": panels.actions_for(request, household)},
    )  # fmt: skip


@capability_required(PEOPLE_EDIT)
def household_register(request):
    village = request.user.region_id if request.user.region and request.user.region.level == 5 else ""
    form = forms.HouseholdForm(request.POST or None, user=request.user, initial={"region": village})
    formset = forms.MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [
            MemberInput(relation=f.cleaned_data["relation"], data=f.person_data())
            for f in formset.forms
            if f.has_changed() and f.cleaned_data
        ]
        data = form.cleaned_data
        try:
            household = services.register_household(
                request.user, region=data["region"], members=members, on=data["on"], number=data["number"],
                address=data["address"], household_type=data["household_type"],
            )  # fmt: skip
            messages.success(request, f"已登记家庭 {household.number}")
            return redirect("registry:household", pk=household.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
    return render(request, "registry/household_register.html", {"form": form, "formset": formset})


HOUSEHOLD_EVENTS = {
    "birth": ("出生登记", forms.BirthForm),
    "move_in": ("迁入（已登记人员）", forms.MoveInForm),
    "new_member": ("迁入（新人员）", forms.NewMemberForm),
    "head_change": ("变更户主", forms.HeadChangeForm),
    "split": ("分户", forms.SplitForm),
    "merge": ("合户", forms.MergeForm),
    "close": ("注销家庭", forms.CloseForm),
}


@capability_required(PEOPLE_EDIT)
def household_event(request, pk, kind):
    if kind not in HOUSEHOLD_EVENTS:
        raise Http404("没有这种事件")
    household = _household(request, pk)
    title, form_class = HOUSEHOLD_EVENTS[kind]
    kwargs = {}
    if kind in ("head_change", "split"):
        kwargs["members"] = [
            m.person for m in household.memberships.filter(ended_on__isnull=True).select_related("person")
        ]
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            _apply_household_event(request, household, kind, form)
            messages.success(request, f"已办理{title}")
            return redirect("registry:household", pk=household.pk)
        except ServiceError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "registry/form.html", {"form": form, "title": f"{title}：{household.number}", "back": household}
    )


def _apply_household_event(request, household, kind, form):
    user, data = request.user, form.cleaned_data
    on = data["on"]
    if kind == "birth":
        services.record_birth(user, household, form.person_data(), data["relation"], on=on, note=data["note"])
    elif kind == "new_member":
        services.add_member(
            user, household, MemberInput(data["relation"], data=form.person_data()), on=on, note=data["note"]
        )
    elif kind == "move_in":
        person = dedup.find_by_id_number(data["id_number"]) if data["id_number"] else None
        if person is None or not scoped(Person.objects.filter(pk=person.pk), user).exists():
            raise ServiceError("您的管辖范围内没有登记该身份证号的人员：新人员请使用“迁入（新人员）”")
        services.add_member(user, household, MemberInput(data["relation"], person=person), on=on, note=data["note"])
    elif kind == "head_change":
        new_head = Person.objects.get(pk=data["new_head"])
        services.change_head(
            user, household, new_head, on=on, old_head_relation=data["old_head_relation"], note=data["note"]
        )
    elif kind == "split":
        new = services.split_household(user, household, form.split_members(), on=on, number=data["number"],
                                       address=data["address"], note=data["note"])  # fmt: skip
        messages.info(request, f"新户编号：{new.number}")
    elif kind == "merge":
        other = scoped(Household.objects.filter(number=data["other_number"].strip()), user).first()
        if other is None:
            raise ServiceError("您的管辖范围内没有该户编号的家庭")
        relations = {m.person_id: data["relation"] for m in other.memberships.filter(ended_on__isnull=True)}
        services.merge_households(user, household, other, relations, on=on, note=data["note"])
    elif kind == "close":
        services.close_household(user, household, reason=data["reason"], on=on, note=data["note"])


# --- duplicates --------------------------------------------------------------------------------------------


@capability_required(PEOPLE_MERGE)
def duplicate_list(request):
    candidates = scoped(
        DuplicateCandidate.objects.select_related("person_a__region", "person_b__region"),
        request.user,
        "person_a__region",
        PEOPLE_MERGE,
    )
    candidates = scoped(candidates, request.user, "person_b__region", PEOPLE_MERGE)
    status = request.GET.get("status", "open")
    if status in DuplicateCandidate.Status.values:
        candidates = candidates.filter(status=status)
    cases = dedup.foreign_duplicates_for(request.user)[:200]
    elsewhere = [(case, in_scope(request.user, case.holder.region_id)) for case in cases]
    return render(
        request,
        "registry/duplicates.html",
        {
            "page": page_of(request, candidates.order_by("-created_at")),
            "status": status,
            "elsewhere": elsewhere,
            "can_close": bool(request.user.region) and request.user.region.level <= regions.COUNTY,
        },
    )


@capability_required(PEOPLE_MERGE)
@require_POST
def duplicate_decide(request, pk):
    qs = scoped(
        DuplicateCandidate.objects.select_related("person_a", "person_b"),
        request.user,
        "person_a__region",
        PEOPLE_MERGE,
    )
    candidate = access_by_id(qs, request.user, pk, capability=PEOPLE_MERGE, region_field="person_b__region")
    action = request.POST.get("action")
    try:
        if action == "dismiss":
            dedup.dismiss(request.user, candidate)
            messages.success(request, "已标记为非重复")
        elif action in ("keep_a", "keep_b"):
            keep, drop = (candidate.person_a, candidate.person_b)[:: 1 if action == "keep_a" else -1]
            dedup.merge(request.user, keep, drop, candidate=candidate)
            messages.success(request, f"已将记录 #{drop.pk} 合并至 {keep.name}（#{keep.pk}），全部历史已保留")
        else:
            raise Http404("未知操作")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("registry:duplicates")


@capability_required(PEOPLE_MERGE)
@require_POST
def foreign_duplicate_close(request, pk):
    case = ForeignDuplicate.objects.select_related("holder", "region").filter(pk=pk).first()
    if case is None:
        raise Http404("对象不存在")
    try:
        dedup.close_elsewhere(request.user, case, note=request.POST.get("note", ""))
        messages.success(request, "已记录处理情况")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("registry:duplicates")


# --- import ------------------------------------------------------------------------------------------------


@capability_required(PEOPLE_EDIT)
def import_page(request):
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.dry_run(request.user, form.cleaned_data["file"])
            return redirect("registry:import_job", pk=job.pk)
        except ServiceError as exc:
            form.add_error("file", str(exc))
    jobs = ImportJob.objects.filter(created_by=request.user)[:20]
    return render(request, "registry/import.html", {"form": form, "jobs": jobs, "columns": excel.COLUMNS})


@capability_required(PEOPLE_EDIT)
def import_template(request):
    return xlsx_download(excel.template_bytes(), "人口台账导入模板")


def _job(request, pk) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404("导入记录不存在")
    return job


@capability_required(PEOPLE_EDIT)
def import_job(request, pk):
    job = _job(request, pk)
    if request.method == "POST":
        try:
            imports.request_commit(request.user, job)
            messages.info(request, "已开始导入")
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect("registry:import_job", pk=job.pk)
    progress = excel.read_progress(Path(job.stored_path))
    context = {"job": job, "errors": job.errors[:500], "progress": progress}
    if job.status == ImportJob.Status.QUEUED:
        context["queue_notice"] = workers.queue_notice(request.user, imports.queued_since(job))
    if request.htmx and request.GET.get("partial"):
        return render(request, "registry/_import_status.html", context)
    return render(request, "registry/import_job.html", context)


@capability_required(PEOPLE_EDIT)
def import_errors(request, pk):
    job = _job(request, pk)
    if job.error_report:
        return xlsx_download(bytes(job.error_report), f"导入错误报告-{job.pk}")
    return xlsx_download(excel.error_report_bytes(Path(job.stored_path), job.errors), f"导入错误报告-{job.pk}")
