"""The 台账 import workflow: upload → dry run (every row checked, nothing written) → commit as a background
task (django-tasks; ``huimin db_worker`` runs the queue) that writes all or nothing and reports progress.

The uploaded file is personal data in clear: it is written readable by the server's user only (0600) and deleted
as soon as the import is over — refused by the dry run, done, failed, or left unconfirmed for
HUIMIN_IMPORT_KEEP_HOURS. What stays is the job's error list and
its error report, both without the protected columns."""

import datetime
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from huimin.core import audit, workers
from huimin.core.context import acting_as, actor_for
from huimin.core.roles import PEOPLE_EDIT, has_capability
from huimin.core.services import ServiceError
from huimin.core.uploads import SPREADSHEET_MAX_BYTES
from huimin.registry import dedup, excel
from huimin.registry.models import ImportJob

MAX_UPLOAD_BYTES = SPREADSHEET_MAX_BYTES


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _store(uploaded) -> Path:
    path = upload_dir() / f"{uuid.uuid4().hex}.xlsx"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return path


def _keep_report(job: ImportJob) -> None:
    """Build the error report while the file is still there (it is about to be deleted)."""
    if job.errors:
        job.error_report = excel.error_report_bytes(Path(job.stored_path), job.errors)


def discard_file(job: ImportJob) -> None:
    path = Path(job.stored_path)
    for leftover in (path, path.with_suffix(".progress")):
        leftover.unlink(missing_ok=True)


def expire_unconfirmed() -> int:
    """Checked uploads nobody confirmed within HUIMIN_IMPORT_KEEP_HOURS: the job expires and its file goes."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.HUIMIN_IMPORT_KEEP_HOURS)
    stale = list(ImportJob.objects.filter(status=ImportJob.Status.CHECKED, created_at__lt=cutoff))
    for job in stale:
        job.status, job.finished_at = ImportJob.Status.EXPIRED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        discard_file(job)
    return len(stale)


def dry_run(user, uploaded) -> ImportJob:
    """Store the upload and check it; the job holds the counts and every error. Uploads left unconfirmed for
    too long expire on the way."""
    if not has_capability(user, PEOPLE_EDIT):
        raise PermissionDenied("您的角色无权导入人员和家庭")
    expire_unconfirmed()
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ServiceError(f"文件过大（超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB）：请分批导入")
    path = _store(uploaded)
    job = ImportJob(created_by=user, region_id=user.region_id, original_name=uploaded.name[:200], stored_path=str(path))
    try:
        result = excel.check(path, user)
    except excel.ImportFileError as exc:
        result = excel.CheckResult(file_errors=[str(exc)])
    _fill(job, result)
    job.status = ImportJob.Status.CHECKED if result.ok else ImportJob.Status.INVALID
    if not result.ok:
        _keep_report(job)
    job.save()
    if not result.ok:
        discard_file(job)
    for holder, region, name in result.registered_elsewhere:
        dedup.route(user, holder, region=region, name=name, source="台账导入")
    return job


def _fill(job: ImportJob, result: excel.CheckResult) -> None:
    job.rows = result.rows
    job.households = len(result.households)
    job.persons = result.persons
    job.errors = result.error_list()
    job.error_count = len(job.errors)


def request_commit(user, job: ImportJob) -> ImportJob:
    if job.created_by_id != user.pk:
        raise PermissionDenied("只能确认自己上传的台账")
    expire_unconfirmed()
    job.refresh_from_db()
    if job.status != ImportJob.Status.CHECKED:
        raise ServiceError(f"该台账当前状态为“{job.get_status_display()}”，不能导入")
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status"])
    transaction.on_commit(lambda: commit_import.enqueue(job.pk))
    return job


def queued_since(job: ImportJob):
    """When the job's commit was queued, while no worker has picked it up yet (else None)."""
    return workers.waiting_since(commit_import, args_kwargs__args__0=job.pk)


@task()
def commit_import(job_id: int) -> str:
    """Write the job's file. The rows, the job's final state and its audit entries commit in one transaction, with
    the job's row locked: a worker killed half-way leaves the job 运行中 with nothing written, and running the task
    again (``huimin db_worker`` picks it up again, or an operator re-enqueues it) completes it exactly once."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKED, ImportJob.Status.RUNNING):
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)  # seen by the progress page
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(of=("self",)).select_related("created_by__region").get(pk=job_id)
            if job.status != ImportJob.Status.RUNNING:  # another worker finished it while this one waited
                return job.status
            return _commit_locked(job)
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, message=f"导入失败，未写入任何数据：{exc}"[:300], finished_at=timezone.now()
        )
        discard_file(job)
        raise


def _commit_locked(job: ImportJob) -> str:
    path = Path(job.stored_path)
    user = job.created_by
    try:
        with acting_as(actor_for(user)):
            result = excel.commit(
                path, user, file_name=job.original_name, progress=lambda s, d, t: excel.write_progress(path, s, d, t)
            )
    except excel.ImportFileError as exc:
        result = excel.CheckResult(file_errors=[str(exc)])
    _fill(job, result)
    if result.ok:
        job.status = ImportJob.Status.DONE
        job.message = f"已导入 {job.households} 户、{job.persons} 人"
    else:
        job.status = ImportJob.Status.FAILED
        job.message = "导入前复查发现错误（登记情况可能在检查后发生了变化），未写入任何数据"
        _keep_report(job)
    job.finished_at = timezone.now()
    job.save()
    transaction.on_commit(lambda: discard_file(job))
    with acting_as(actor_for(user)):
        audit.record("registry.import.finish", job, detail=job.message, region_code=job.region_id)
    return job.status
