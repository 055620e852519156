"""Size limits of uploaded files. Each kind of upload has its own limit and a Chinese message naming it;
``RequestSizeLimitMiddleware`` refuses any request larger than the largest of them before Django reads the body,
so an oversized upload is never spooled to disk."""

import os

from django.shortcuts import render

from huimin.core.services import ServiceError

MB = 1024 * 1024
# documents and photos attached to cases (申请材料, 核对报告, 现场照片, 授权书扫描件)
DOCUMENT_MAX_BYTES = int(os.environ.get("HUIMIN_DOCUMENT_MAX_MB", "20")) * MB
# spreadsheets people fill in (台账 import, bank return files)
SPREADSHEET_MAX_BYTES = int(os.environ.get("HUIMIN_SPREADSHEET_MAX_MB", "50")) * MB
# departmental data feeds (CSV, .xlsx or Parquet; also 协查 answers)
FEED_MAX_BYTES = int(os.environ.get("HUIMIN_FEED_MAX_MB", "200")) * MB
# a whole request: the largest single upload plus its form fields
REQUEST_MAX_BYTES = FEED_MAX_BYTES + MB


def check_size(upload_or_size, limit: int, label: str = "文件") -> None:
    """Raise ServiceError when an upload (or a byte count) is larger than ``limit``."""
    size = upload_or_size if isinstance(upload_or_size, int) else getattr(upload_or_size, "size", 0) or 0
    if size > limit:
        raise ServiceError(f"{label}过大（{size / MB:.1f} MB）：不能超过 {limit // MB} MB")


class RequestSizeLimitMiddleware:
    """Answer 413 with a Chinese page (or the API's JSON body) to a request whose declared length is too big."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > REQUEST_MAX_BYTES:
            message = f"上传的内容过大（{length / MB:.0f} MB）：单次上传不能超过 {REQUEST_MAX_BYTES // MB} MB。"
            if request.path.startswith("/api/") or request.path.startswith("/verification/api/"):
                from django.http import JsonResponse

                return JsonResponse({"code": 413, "message": message, "error": message}, status=413)
            context = {"status": 413, "title": "文件过大", "message": message}
            return render(request, "error.html", context, status=413)
        return self.get_response(request)
