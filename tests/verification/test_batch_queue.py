"""The batch page's whole run (开始复核) is queued for the task worker, as the county-by-county one is: the page
checks it first (a refusal is shown at once and queues nothing), refuses the same run while it waits or runs, lists
it while it waits, and the worker runs it as the user who asked. With the immediate backend (the demo without a
worker) it runs at once and the page opens the run. The clock is pinned (tests/verification/conftest.py)."""

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from huimin.core import workers
from huimin.core.access import BusinessRuleError, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.verification import services
from huimin.verification.models import BatchRun, Threshold
from tests.concurrency import at_once, slowed
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.task_worker import run_the_worker
from tests.verification.factories import AS_OF, IMMEDIATE, D, make_household, standard_thresholds

URL = "/verification/batches/"
BATCH = {"programme": "dibao", "as_of": AS_OF.isoformat(), "region_prefix": "411702", "backend": "duckdb"}
ACTIONS = ("verification.batch.queue", "verification.batch.start", "verification.batch.done")


@pytest.fixture
def county(users):
    standard_thresholds()
    make_household(VILLAGE_A1, [("王一", D(1960, 1, 1))])
    make_household(VILLAGE_B1, [("李二", D(1962, 1, 1))])
    return users["approver"]


def test_with_the_immediate_backend_the_run_is_made_at_once_and_the_page_opens_it(county, login, settings):
    settings.TASKS = IMMEDIATE
    client = login(county)
    response = client.post(URL, BATCH, follow=True)
    run = BatchRun.objects.get()
    page = response.content.decode()
    assert response.redirect_chain == [(f"/verification/batches/{run.pk}/", 302)]
    assert "批量复核完成：2 户。" in page and "符合 2 户" in page
    assert (run.status, run.region_id, run.backend, run.enrolled_only, run.created_by) == (
        BatchRun.Status.DONE, "411702000000", "duckdb", False, county,
    )  # fmt: skip
    assert not run.by_county and run.households == 2
    for action in ACTIONS:
        assert AuditEntry.objects.get(action=action).actor == county.username, action

    # the run's parameters reach it: a narrower region, 定期核对 (no household is enrolled: none is checked)
    response = client.post(URL, BATCH | {"region_prefix": "411702001", "enrolled_only": "on"}, follow=True)
    periodic = BatchRun.objects.exclude(pk=run.pk).get()
    assert response.redirect_chain == [(f"/verification/batches/{periodic.pk}/", 302)]
    assert (periodic.region_id, periodic.enrolled_only, periodic.households) == ("411702001000", True, 0)
    queued = AuditEntry.objects.filter(action="verification.batch.queue").order_by("seq").last()
    assert queued.after == {"programme": "dibao", "as_of": "2026-06-30", "backend": "duckdb", "enrolled_only": True}
    assert not DBTaskResult.objects.exists()


def test_queued_the_run_waits_for_the_worker_is_listed_and_not_queued_twice(county, login, make_user, monkeypatch):
    client = login(county)
    response = client.post(URL, BATCH | {"enrolled_only": "on"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert "批量复核已提交后台处理" in page and not BatchRun.objects.exists()  # nothing ran inside the request
    assert "有 1 次批量复核在排队" in page and 'data-testid="queue-waited">已等待不到 1 分钟' in page
    assert "请联系系统管理员" in page  # no worker seen: whom to ask, in words
    assert page.count('data-testid="batch-queued"') == 1 and "整体复核，已等待不到 1 分钟" in page
    assert "411702（在保）" in page and "尚无批量复核" not in page
    assert services.queued_batches() == 1
    (waiting,) = services.queued_runs()
    assert (waiting.programme, waiting.as_of, waiting.region_code, waiting.backend) == (
        "dibao", AS_OF, "411702000000", "duckdb",
    )  # fmt: skip
    assert waiting.enrolled_only and not waiting.by_county

    # the same run again: refused in words, nothing more queued; another run (all households) is queued
    again = client.post(URL, BATCH | {"enrolled_only": "on"}, follow=True).content.decode()
    assert "已有一次相同的批量复核（最低生活保障，核对基准日 2026-06-30，" in again and "在排队等待后台处理" in again
    assert services.queued_batches() == 1
    client.post(URL, BATCH)
    assert services.queued_batches() == 2
    assert AuditEntry.objects.filter(action="verification.batch.queue").count() == 2

    # another county's approver sees that the queue is long, not what the others queued
    other = login(make_user("other_approver", Role.APPROVER, OTHER_COUNTY)).get(URL).content.decode()
    assert "有 2 次批量复核在排队" in other and 'data-testid="batch-queued"' not in other
    client = login(county)

    run_the_worker(monkeypatch)
    runs = list(BatchRun.objects.order_by("id"))
    assert [(r.status, r.enrolled_only, r.created_by) for r in runs] == [
        (BatchRun.Status.DONE, True, county), (BatchRun.Status.DONE, False, county),
    ]  # fmt: skip
    assert runs[1].households == 2
    for action in ("verification.batch.start", "verification.batch.done"):
        assert {e.actor for e in AuditEntry.objects.filter(action=action)} == {county.username}, action
    page = client.get(URL).content.decode()
    assert "批量复核在排队" not in page and 'data-testid="batch-queued"' not in page
    assert f"#{runs[0].pk}" in page and f"#{runs[1].pk}" in page
    assert services.queued_batches() == 0


def test_the_same_run_is_refused_while_it_runs(county, login, settings):
    settings.TASKS = IMMEDIATE
    running = BatchRun.objects.create(programme="dibao", as_of=AS_OF, region_id="411702000000", created_by=county,
                                      **workers.this_worker())  # fmt: skip
    client = login(county)
    page = client.post(URL, BATCH, follow=True).content.decode()
    assert f"相同的批量复核 #{running.pk}（最低生活保障，核对基准日 2026-06-30，" in page and "正在运行" in page
    assert BatchRun.objects.count() == 1
    assert not AuditEntry.objects.filter(action="verification.batch.queue").exists()
    # not the same run: 定期核对 of that region, or the whole of a township
    client.post(URL, BATCH | {"enrolled_only": "on"})
    client.post(URL, BATCH | {"region_prefix": "411702001"})
    assert BatchRun.objects.filter(status=BatchRun.Status.DONE).count() == 2


def test_a_refusal_is_shown_at_once_and_queues_nothing(county, login, users):
    client = login(county)
    outside = client.post(URL, BATCH | {"region_prefix": "4401"})
    assert outside.status_code == 404 and "不在您的管辖范围内" in outside.content.decode()
    Threshold.objects.filter(programme="dibao").delete()
    refused = client.post(URL, BATCH, follow=True)
    page = refused.content.decode()
    assert refused.redirect_chain == [] and "救助项目“最低生活保障”没有配置核对规则阈值" in page
    assert "请县级审批人在「核对 → 核对规则阈值」页面配置" in page
    assert 'name="region_prefix" value="411702"' in page  # the form keeps what was entered
    assert login(users["clerk_a"]).post(URL, BATCH).status_code == 403
    assert not DBTaskResult.objects.exists() and not BatchRun.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="verification.batch").exists()


def test_the_task_acts_as_the_user_who_asked_with_his_scope(county, make_user):
    """Checked again when the worker runs it: the user's region then, not the page's word."""
    moved = make_user("moved_approver", Role.APPROVER, OTHER_COUNTY)
    with pytest.raises(NotInScope):
        services.batch_task.call(user_id=moved.pk, programme="dibao", as_of=AS_OF.isoformat(),
                                 region_code="411702000000", backend="duckdb")  # fmt: skip
    assert not BatchRun.objects.exists()
    pk = services.batch_task.call(user_id=county.pk, programme="dibao", as_of=AS_OF.isoformat(),
                                  region_code="411702000000", backend="duckdb")  # fmt: skip
    run = BatchRun.objects.get(pk=pk)
    assert run.created_by == county and run.status == BatchRun.Status.DONE
    assert AuditEntry.objects.get(action="verification.batch.start").actor == county.username


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_runs_submitted_at_the_same_instant_queue_one(county, monkeypatch):
    """The check, its audit and the job's row are one step (core.workers.submitting): the second submission waits
    for the first to commit, then finds its job and is refused in words. The check is slowed so that, were they
    not one step, both would pass it."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (SQLite lets one writer in at a time)")
    monkeypatch.setattr(services, "_refuse_the_same_run", slowed(services._refuse_the_same_run))

    def submit():
        return services.start_batch(county, "dibao", AS_OF, "411702", "duckdb")

    outcomes = at_once(submit, submit)
    refused = [o for o in outcomes if isinstance(o, BusinessRuleError)]
    assert len(refused) == 1, outcomes
    assert refused[0].code == "verification.batch_queued"
    assert "已有一次相同的批量复核（最低生活保障，核对基准日 2026-06-30，" in refused[0].message
    assert "在排队等待后台处理，请待其完成后再提交" in refused[0].message
    assert services.queued_batches() == 1 and DBTaskResult.objects.count() == 1
    assert AuditEntry.objects.filter(action="verification.batch.queue").count() == 1  # the refused one: no audit


def test_a_resume_queued_under_the_old_task_name_is_listed_as_a_resume(county):
    """48d604b's page queued 按县续跑 as batch_by_county_task(user, programme, date, "", resume_id=…): it waits as
    that resume (tests/verification/test_by_county_own_data.py runs such a job)."""
    services.batch_by_county_task.enqueue(county.pk, "dibao", AS_OF.isoformat(), "", resume_id=7)
    (waiting,) = services.queued_runs()
    assert (waiting.by_county, waiting.resume_id, waiting.region, waiting.as_of) == (True, 7, None, AS_OF)
    assert services.queued_batches() == 1
    with pytest.raises(BusinessRuleError, match="已有一次按县复核在排队"):
        services._refuse_while_queued()
