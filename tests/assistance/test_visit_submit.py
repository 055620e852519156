"""入户调查: saving the visit and submitting it are separate steps. Saving keeps the case at 入户调查 (the record
can be completed and photos added, as often as needed); 提交 moves it to the programme's next stage and refuses,
changing nothing, while the record is missing or incomplete."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from huimin.assistance import services
from huimin.assistance.actions import visit as visit_actions
from huimin.assistance.actions.common import locked_application
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import Application, ApplicationEvent, HomeVisit, Programme, Stage, VisitPhoto
from huimin.core.access import BusinessRuleError
from huimin.core.models import AuditEntry
from tests.assistance.conftest import apply, walk
from tests.clock import at

TODAY = datetime.date(2026, 11, 23)
JSON = "application/json"


def _stage(app) -> str:
    return Application.objects.get(pk=app.pk).stage


def _photo(name="room.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\nfake", content_type="image/png")


@pytest.fixture
def at_visit(users, make_household):
    with at(2026, 11, 23):
        household, people = make_household()
        yield walk(users, apply(users, household, people), Stage.VISIT)


def test_saving_keeps_the_case_at_the_visit_and_a_second_save_completes_the_same_record(
    users, at_visit, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    clerk, app = users["clerk_a"], at_visit
    with at(2026, 11, 23):
        first = services.record_visit(clerk, app, visit_date=TODAY, visitors="王五", findings="", photos=[_photo()])
        assert _stage(app) == Stage.VISIT
        again = services.record_visit(
            clerk, app, visit_date=TODAY, visitors="王五、赵六", findings="房屋简陋", photos=[_photo("kitchen.png")]
        )
    assert again.pk == first.pk and HomeVisit.objects.filter(application=app).count() == 1
    again.refresh_from_db()
    assert (again.visitors, again.findings) == ("王五、赵六", "房屋简陋")
    assert VisitPhoto.objects.filter(visit=again).count() == 2
    assert _stage(app) == Stage.VISIT
    events = ApplicationEvent.objects.filter(application=app, action="record_visit").order_by("id")
    assert [(e.label, e.from_stage, e.to_stage) for e in events] == [
        ("入户调查", Stage.VISIT, Stage.VISIT),
        ("修改入户调查记录", Stage.VISIT, Stage.VISIT),
    ]
    assert AuditEntry.objects.filter(action="assistance.application.record_visit", object_id=str(app.pk)).count() == 2


@pytest.mark.parametrize(
    ("visitors", "findings", "problem"),
    [
        (None, None, "尚未保存入户调查记录"),
        ("王五", "房屋简陋", "入户调查应由 2 名以上工作人员进行，现只填写了 1 名"),
        ("王五、赵六", "", "尚未填写调查情况"),
    ],
)
def test_submitting_an_incomplete_visit_is_refused_and_changes_nothing(users, at_visit, visitors, findings, problem):
    clerk, app = users["clerk_a"], at_visit
    with at(2026, 11, 23):
        if visitors is not None:
            services.record_visit(clerk, app, visit_date=TODAY, visitors=visitors, findings=findings)
        entries = AuditEntry.objects.count()
        with pytest.raises(BusinessRuleError) as refused:
            services.submit_visit(clerk, app)
    assert refused.value.code == AssistanceErrorCode.VISIT_INCOMPLETE
    assert str(refused.value).startswith("入户调查记录不完整，不能提交乡镇审核：") and problem in str(refused.value)
    assert _stage(app) == Stage.VISIT and AuditEntry.objects.count() == entries
    assert not ApplicationEvent.objects.filter(application=app, action="submit_visit").exists()


def test_a_complete_visit_is_submitted_to_the_next_stage_with_history_and_audit(users, at_visit):
    clerk, app = users["clerk_a"], at_visit
    with at(2026, 11, 23):
        services.record_visit(clerk, app, visit_date=TODAY, visitors="王五、赵六", findings="房屋简陋")
        submitted = services.submit_visit(clerk, app)
    assert submitted.stage == Stage.REVIEW and submitted.stage_entered_on == TODAY
    event = ApplicationEvent.objects.get(application=app, action="submit_visit")
    assert (event.from_stage, event.to_stage, event.label) == (Stage.VISIT, Stage.REVIEW, "提交入户调查")
    entry = AuditEntry.objects.get(action="assistance.application.submit_visit", object_id=str(app.pk))
    assert entry.after == {"stage": Stage.REVIEW}
    with pytest.raises(BusinessRuleError, match="不能执行“入户调查”"), at(2026, 11, 23):
        services.record_visit(clerk, app, visit_date=TODAY, visitors="王五、赵六", findings="改")


def test_a_programme_with_an_appraisal_goes_to_the_appraisal(users, make_household):
    Programme.objects.filter(code="dibao").update(
        stages=["accept", "verify", "visit", "appraisal", "review", "publicity", "decision"]
    )
    with at(2026, 11, 23):
        household, people = make_household()
        app = walk(users, apply(users, household, people), Stage.VISIT)
        with pytest.raises(BusinessRuleError, match="不能提交民主评议"):
            services.submit_visit(users["clerk_a"], app)
        services.record_visit(users["clerk_a"], app, visit_date=TODAY, visitors="王五、赵六", findings="房屋简陋")
        assert services.submit_visit(users["clerk_a"], app).stage == Stage.APPRAISAL


def test_check_submit_visit_writes_nothing(users, at_visit):
    with at(2026, 11, 23):
        services.record_visit(users["clerk_a"], at_visit, visit_date=TODAY, visitors="王五、赵六", findings="简陋")
        entries, events = AuditEntry.objects.count(), ApplicationEvent.objects.count()
        with transaction.atomic():
            visit = visit_actions.check_submit_visit(users["clerk_a"], locked_application(at_visit))
    assert visit == HomeVisit.objects.get(application=at_visit)
    assert (AuditEntry.objects.count(), ApplicationEvent.objects.count()) == (entries, events)
    assert _stage(at_visit) == Stage.VISIT


def test_an_upheld_objection_needs_a_new_visit_record(users, make_household):
    with at(2026, 11, 23):
        household, people = make_household()
        app = walk(users, apply(users, household, people), Stage.PUBLICITY)
        objection = services.submit_objection(app.public_token, content="他家有车", submitter="村民")
        services.resolve_objection(users["reviewer_a"], objection, upheld=True, resolution="属实，重新调查")
        app = Application.objects.get(pk=app.pk)
        assert app.stage == Stage.VISIT and services.current_visit(app) is None
        with pytest.raises(BusinessRuleError, match="尚未保存入户调查记录"):
            services.submit_visit(users["clerk_a"], app)
        new = services.record_visit(users["clerk_a"], app, visit_date=TODAY, visitors="王五、赵六", findings="有车")
    assert HomeVisit.objects.filter(application=app).count() == 2 and services.current_visit(app) == new


def test_the_page_saves_then_submits(users, at_visit, login):
    app, client = at_visit, login(users["clerk_a"])
    detail = reverse("assistance:application_detail", args=[app.pk])
    with at(2026, 11, 23):
        page = client.get(detail).content.decode()
        assert 'value="2026-11-23"' in page and "保存入户调查" in page and "提交乡镇审核" in page
        assert "提交前还需：尚未保存入户调查记录" in page
        save = reverse("assistance:application_act", args=[app.pk, "record_visit"])
        page = client.post(save, {"visit_date": "2026-11-23", "visitors": "王五", "findings": ""}, follow=True)
        page = page.content.decode()
        assert "已保存入户调查；提交前还需：" in page and 'value="王五"' in page
        submit = reverse("assistance:application_act", args=[app.pk, "submit_visit"])
        page = client.post(submit, follow=True).content.decode()
        assert "入户调查记录不完整，不能提交乡镇审核" in page and _stage(app) == Stage.VISIT
        client.post(save, {"visit_date": "2026-11-23", "visitors": "王五、赵六", "findings": "房屋简陋"})
        page = client.post(submit, follow=True).content.decode()
    assert "入户调查已提交，进入乡镇审核环节" in page and _stage(app) == Stage.REVIEW


def test_the_api_saves_and_submits_the_visit(users, at_visit, client):
    client.force_login(users["clerk_a"])
    base = f"/api/assistance/applications/{at_visit.pk}/actions"
    with at(2026, 11, 23):
        refused = client.post(f"{base}/submit_visit", {}, content_type=JSON)
        assert refused.status_code == 400 and refused.json()["code"] == "assistance.visit_incomplete"
        visit = {"visitors": "王五、赵六", "findings": "房屋简陋"}
        saved = client.post(f"{base}/record_visit", visit, content_type=JSON)
        assert saved.status_code == 200 and saved.json()["stage"] == Stage.VISIT
        assert HomeVisit.objects.get(application=at_visit).visit_date == TODAY  # the date defaults to today
        submitted = client.post(f"{base}/submit_visit", {}, content_type=JSON)
    assert submitted.status_code == 200 and submitted.json()["stage"] == Stage.REVIEW


def test_a_reviewer_cannot_submit_a_visit_and_another_township_sees_nothing(users, at_visit, client):
    with at(2026, 11, 23):
        services.record_visit(users["clerk_a"], at_visit, visit_date=TODAY, visitors="王五、赵六", findings="简陋")
        with pytest.raises(Exception, match="无权执行“提交入户调查”"):
            services.submit_visit(users["reviewer_a"], at_visit)
        client.force_login(users["clerk_b"])
        outside = client.post(f"/api/assistance/applications/{at_visit.pk}/actions/submit_visit", {},
                              content_type=JSON)  # fmt: skip
    assert outside.status_code == 404 and _stage(at_visit) == Stage.VISIT
