"""Hostile files: oversized uploads are refused with a Chinese message, an .xlsx that would unpack to gigabytes
(a zip bomb) is refused before any reader expands it, and uploaded or stored names with ../ never reach a file
outside the storage directory."""

import datetime
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from huimin.core import spreadsheets, uploads
from huimin.core.services import ServiceError
from huimin.registry.models import ImportJob, Person
from tests.security.matrix import MATRIX
from tests.security.test_authorization_matrix import targets  # noqa: F401 - the fixture
from tests.security.test_input_attacks import _caller

MB = 1024 * 1024


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["张三", "x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(unpacked: int = 64 * MB, lie: bool = False) -> bytes:
    """A valid-looking .xlsx whose sheet inflates to ``unpacked`` bytes (a few hundred KB packed). With ``lie``
    the zip's headers claim the sheet is 1 KB, as a crafted bomb would."""
    out = io.BytesIO()
    with zipfile.ZipFile(_workbook_io(), "r") as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                part = zipfile.ZipInfo(info.filename)
                part.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(part, "w", force_zip64=True) as sheet:
                    block = b" " * MB
                    for _ in range(unpacked // MB):
                        sheet.write(block)
            else:
                dst.writestr(info, src.read(info))
    data = bytearray(out.getvalue())
    if lie:
        _patch_sizes(data, b"xl/worksheets/sheet1.xml", 1024)
    return bytes(data)


def _workbook_io():
    return io.BytesIO(_workbook())


def _patch_sizes(data: bytearray, name: bytes, size: int) -> None:
    """Rewrite the uncompressed size of ``name`` in its local header, zip64 extra fields and central directory."""
    pos = 0
    while (pos := data.find(name, pos + 1)) != -1:
        for sig, size_at, name_len_at, extra_len_at, header in (
            (b"PK\x03\x04", 22, 26, 28, 30),
            (b"PK\x01\x02", 24, 28, 30, 46),
        ):
            start = pos - header
            if start >= 0 and data[start : start + 4] == sig:
                (name_len,) = struct.unpack_from("<H", data, start + name_len_at)
                (extra_len,) = struct.unpack_from("<H", data, start + extra_len_at)
                struct.pack_into("<L", data, start + size_at, size)
                extra = start + header + name_len
                end = extra + extra_len
                while extra + 4 <= end:
                    tag, length = struct.unpack_from("<HH", data, extra)
                    if tag == 1:  # zip64: the real sizes, uncompressed first
                        struct.pack_into("<Q", data, extra + 4, size)
                    extra += 4 + length


# --- the zip-bomb guard ------------------------------------------------------------------------------------------


def test_an_ordinary_workbook_passes_the_guard():
    spreadsheets.check_xlsx(_workbook())


@pytest.mark.parametrize("lie", [False, True], ids=["honest-headers", "lying-headers"])
def test_a_zip_bomb_is_refused_before_it_is_expanded(lie):
    bomb = _bomb(lie=lie)
    assert len(bomb) < MB  # 64 MB of sheet in well under 1 MB
    with pytest.raises(spreadsheets.UnsafeWorkbook, match="压缩炸弹"):
        spreadsheets.check_xlsx(bomb, limit=16 * MB)
    if lie:  # the headers alone would have let it through
        assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) < MB


def test_not_a_workbook_and_encrypted_parts_are_refused():
    with pytest.raises(spreadsheets.UnsafeWorkbook, match="不是有效的 Excel"):
        spreadsheets.check_xlsx(b"PK\x03\x04 not really a zip")
    data = bytearray(_workbook())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):  # set the "encrypted" flag bit on every part
        pos = -1
        while (pos := data.find(sig, pos + 1)) != -1:
            flag_at = pos + (6 if sig == b"PK\x03\x04" else 8)
            data[flag_at] |= 1
    with pytest.raises(spreadsheets.UnsafeWorkbook, match="加密"):
        spreadsheets.check_xlsx(bytes(data))


@pytest.fixture
def small_xlsx_limit(monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_UNPACKED_BYTES", 16 * MB)


def test_registry_import_refuses_a_zip_bomb(settings, tmp_path, users, login, small_xlsx_limit):
    settings.MEDIA_ROOT = tmp_path
    client = login(users["clerk_a"])
    upload = SimpleUploadedFile("台账.xlsx", _bomb(lie=True))
    response = client.post(reverse("registry:import"), {"file": upload})
    assert response.status_code == 302, re.findall(r"text-danger[^<]*<", response.content.decode())
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert any("压缩炸弹" in str(e) for e in job.errors), job.errors
    assert not Person.objects.exists()


def test_departmental_feed_refuses_a_zip_bomb(settings, tmp_path, users, small_xlsx_limit):
    from huimin.verification import services
    from huimin.verification.models import Snapshot, Upload

    settings.VAR_DIR = tmp_path
    upload = services.ingest_file(users["approver"], "wages", _bomb(), "w.xlsx", datetime.date(2026, 1, 1))
    # refused unread: kept in the upload history as 已拒收 with the reason, and no snapshot
    assert upload.status == Upload.Status.REJECTED and "压缩炸弹" in upload.errors[0]["message"]
    assert not Snapshot.objects.exists()


def test_bank_return_refuses_a_zip_bomb(small_xlsx_limit):
    from huimin.benefits import bank

    with pytest.raises(ServiceError, match="压缩炸弹"):
        bank._read_return("return.xlsx", _bomb(lie=True))


# --- oversized uploads -------------------------------------------------------------------------------------------


def test_a_request_larger_than_any_upload_is_refused_unread(users, login):
    client = login(users["clerk_a"])
    too_big = str(uploads.REQUEST_MAX_BYTES + 1)
    response = client.post(reverse("registry:import"), {"x": "1"}, CONTENT_LENGTH=too_big)
    assert response.status_code == 413
    assert "单次上传不能超过" in response.content.decode()
    api = client.post(reverse("api:list_households"), "{}", content_type="application/json", CONTENT_LENGTH=too_big)
    assert api.status_code == 413 and "单次上传不能超过" in api.json()["message"]


def test_registry_import_over_its_limit_is_refused(settings, tmp_path, users, login, monkeypatch):
    from huimin.registry import imports

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", MB)
    response = login(users["clerk_a"]).post(
        reverse("registry:import"), {"file": SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (2 * MB))}
    )
    assert response.status_code == 200
    assert "文件过大（超过 1 MB）" in response.content.decode()
    assert not ImportJob.objects.exists() and not list(tmp_path.rglob("*.xlsx"))


def test_feed_over_its_limit_is_refused(users, monkeypatch):
    from huimin.verification import services

    monkeypatch.setattr(services, "FEED_MAX_BYTES", MB)
    with pytest.raises(ServiceError, match="数据文件过大.*不能超过 1 MB"):
        services.ingest_file(users["approver"], "wages", b"a,b\n" * MB, "w.csv", datetime.date(2026, 1, 1))


def test_case_documents_over_their_limit_are_refused(settings, tmp_path, users, targets):  # noqa: F811
    """申请材料 (and through the same check 核对报告 and 现场照片) and 授权书扫描件: 20 MB at most."""
    from huimin.assistance import services as assistance
    from huimin.assistance.models import Application, ApplicationDocument
    from huimin.verification import services as verification
    from huimin.verification.models import Authorisation

    settings.MEDIA_ROOT = tmp_path
    big = b"%PDF-1.4\n" + b"0" * (uploads.DOCUMENT_MAX_BYTES + 1)
    app = Application.objects.get(number="MX-APP-1")
    before = ApplicationDocument.objects.count()
    with pytest.raises(ServiceError, match="申请材料过大.*不能超过 20 MB"):
        assistance.attach_document(users["clerk_a"], app, "application", SimpleUploadedFile("a.pdf", big))
    assert ApplicationDocument.objects.count() == before
    household = app.household
    scans = Authorisation.objects.count()
    with pytest.raises(ServiceError, match="授权书扫描件过大"):
        verification.record_authorisation(
            users["clerk_a"], household, app.applicant, datetime.date(2026, 1, 1), SimpleUploadedFile("s.pdf", big)
        )
    assert Authorisation.objects.count() == scans
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_portal_photos_over_their_limit_are_refused():
    from huimin.portal import services

    big = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff" + b"0" * services.MAX_UPLOAD_BYTES)
    with pytest.raises(ServiceError, match="文件过大（不超过 5 MB）"):
        services.check_upload(big, "户口簿")


# --- path traversal ----------------------------------------------------------------------------------------------


def _multipart(fields: dict, file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----huiminboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ["../../../../../tmp/huimin-escape.pdf", "..\\..\\..\\huimin-escape.pdf"])
def test_an_uploaded_name_with_dot_dot_stays_in_the_storage_dir(settings, tmp_path, users, targets, name):  # noqa: F811
    from huimin.assistance.models import Application, ApplicationDocument

    settings.MEDIA_ROOT = tmp_path / "media"
    app = Application.objects.get(number="MX-APP-1")
    body, content_type = _multipart({"code": "application"}, "file", name, b"%PDF-1.4 traversal")
    client = Client()
    client.force_login(users["clerk_a"])
    url = reverse("assistance:application_act", kwargs={"pk": app.pk, "action": "document"})
    assert client.generic("POST", url, body, content_type=content_type).status_code == 302
    doc = ApplicationDocument.objects.filter(application=app).latest("pk")
    stored = Path(doc.file.path).resolve()
    assert stored.is_relative_to(settings.MEDIA_ROOT.resolve()) and stored.read_bytes() == b"%PDF-1.4 traversal"
    assert ".." not in doc.file.name
    assert not Path("/tmp/huimin-escape.pdf").exists()


def test_a_stored_name_with_dot_dot_is_never_served(settings, tmp_path, users, targets):  # noqa: F811
    """Even a file name altered in the database cannot make a download view read outside the storage dir."""
    from huimin.assistance.models import ApplicationDocument
    from huimin.verification.models import Authorisation

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    ApplicationDocument.objects.update(file="../secret.txt")
    Authorisation.objects.update(scan="../secret.txt")
    client = Client(raise_request_exception=False)
    for name in ("assistance:application_file", "verification:authorisation_scan"):
        user_key = _caller(MATRIX[name])
        client.force_login(users[user_key])
        response = client.get(reverse(name, **{"kwargs": targets[MATRIX[name].target][0]["kwargs"]}))
        assert response.status_code in (400, 404), name
        assert b"root:x" not in b"".join(getattr(response, "streaming_content", [response.content])), name


@pytest.mark.parametrize("value", ["..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "....//....//etc"])
def test_url_text_arguments_never_reach_files(users, value):
    """Every URL that takes free text in its path (found from the resolver) answers a ../ value without a 500 and
    without file contents."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def patterns(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from patterns(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and ("<str:" in str(p.pattern) or "<path:" in str(p.pattern)):
                yield prefix + str(p.pattern)

    found = list(patterns(get_resolver()))
    assert found, "no URL takes text: the resolver walk is broken"
    client = Client(raise_request_exception=False)
    client.force_login(users["approver"])
    for pattern in found:
        url = "/" + re.sub(r"<(str|path):\w+>", value, pattern)
        for response in (client.get(url), client.post(url)):
            assert response.status_code < 500, (url, response.status_code)
            assert b"root:x" not in response.content, url
