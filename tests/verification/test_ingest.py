"""Each departmental source's validation: good rows become a snapshot, bad rows are named in Chinese."""

import datetime
import io
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huimin.apiclients.models import ApiClient
from huimin.core import crypto
from huimin.engine import monitoring
from huimin.engine.sources import DATE, DECIMAL, INT, MONEY, MONTH, SOURCES
from huimin.engine.tables import Tables
from huimin.monitoring import population
from huimin.verification import ingest
from huimin.verification.models import Snapshot, Upload
from tests.verification.factories import AS_OF, csv_bytes, valid_row

BAD = {
    DATE: ("2026-13-40", "日期应写成 2026-11-05、2026/11/05 或 2026年11月5日"),
    MONTH: ("2026-13", "月份应写成 2026-11、2026/11 或 2026年11月"),
    MONEY: ("-5.00", "金额不能为负数"),
    INT: ("二级", "应为整数"),
    DECIMAL: ("12.345", "金额最多保留 2 位小数"),
}


@pytest.mark.parametrize("code", list(SOURCES))
def test_a_valid_row_of_every_source_is_normalised(code):
    row = valid_row(code)
    result = ingest.validate(code, list(row), [list(row.values())])
    assert result.ok, result.errors
    record = result.table.to_pylist()[0]
    assert "id_number" not in record
    assert record["person_key"] == crypto.blind_index("id_number", row["id_number"])
    for column in SOURCES[code].columns:
        if column.type == MONEY:
            assert record[column.name] == 123450  # 分


@pytest.mark.parametrize(
    "code,column",
    [(s.code, c.name) for s in SOURCES.values() for c in s.columns if c.type in BAD or c.name == "id_number"],
)
def test_every_typed_column_of_every_source_rejects_a_bad_value(code, column):
    row = valid_row(code)
    col = next(c for c in SOURCES[code].columns if c.name == column)
    bad, message = ("110101199001011230", "身份证号") if column == "id_number" else BAD[col.type]
    row[column] = bad
    result = ingest.validate(code, list(row), [list(row.values())])
    assert not result.ok
    assert result.errors[0].row == 2 and result.errors[0].column == col.label
    assert message in result.errors[0].message


@pytest.mark.parametrize("code", [s.code for s in SOURCES.values() if any(c.required for c in s.columns[1:])])
def test_required_values_and_coded_values_are_checked(code):
    row = valid_row(code)
    required = next(c for c in SOURCES[code].columns[1:] if c.required)
    row[required.name] = ""
    result = ingest.validate(code, list(row), [list(row.values())])
    assert [e.message for e in result.errors] == ["必填项为空"]


def test_coded_columns_accept_only_their_listed_values():
    row = valid_row("vehicles") | {"status": "报废"}
    result = ingest.validate("vehicles", list(row), [list(row.values())])
    assert "取值应为：正常、注销" in result.errors[0].message
    row = valid_row("disability") | {"grade": "5"}
    assert "应在 1–4 之间" in ingest.validate("disability", list(row), [list(row.values())]).errors[0].message


def test_money_with_more_than_two_decimals_is_refused_but_trailing_zeros_are_fine():
    assert ingest.parse_money("12.300") == ingest.parse_money("12.30")
    with pytest.raises(ValueError, match="2 位小数"):
        ingest.parse_money("12.301")


def test_header_may_use_chinese_labels_and_missing_columns_reject_the_file():
    row = valid_row("wages")
    labels = {c.name: c.label for c in SOURCES["wages"].columns}
    result = ingest.validate("wages", [labels[k] for k in row], [list(row.values())])
    assert result.ok
    with pytest.raises(ingest.FileFormatError, match="缺少必填列“应发工资”"):
        ingest.validate("wages", ["id_number", "month"], [["x", "2026-01"]])


def test_a_file_with_errors_is_rejected_whole_by_default(users):
    good, bad = valid_row("wages"), valid_row("wages") | {"gross_wage": "abc"}
    upload = ingest_csv(users["approver"], [good, bad])
    assert upload.status == Upload.Status.REJECTED and upload.snapshot is None
    assert upload.error_rows == 1 and upload.errors[0]["row"] == 3
    assert Snapshot.objects.count() == 0
    report = Path(upload.error_report).read_text(encoding="utf-8-sig")
    assert "行号,列,值,错误" in report and "金额不是数字" in report


def test_valid_rows_only_when_the_operator_asks(users):
    good, bad = valid_row("wages"), valid_row("wages") | {"month": "2026-1-1"}
    upload = ingest_csv(users["approver"], [good, bad], valid_only=True)
    assert upload.status == Upload.Status.PARTIAL
    assert upload.snapshot.row_count == 1
    assert pq.read_table(upload.snapshot.path).num_rows == 1


def test_xlsx_and_parquet_files_are_read(users):
    from openpyxl import Workbook

    from huimin.verification import services

    row = valid_row("deposits")
    book = Workbook()
    book.active.append(list(row))
    book.active.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    upload = services.ingest_file(users["approver"], "deposits", buffer.getvalue(), "d.xlsx", AS_OF)
    assert upload.status == Upload.Status.ACCEPTED
    sink = io.BytesIO()
    pq.write_table(pa.table({k: [v] for k, v in row.items()}), sink)
    upload = services.ingest_file(users["approver"], "deposits", sink.getvalue(), "d.parquet", AS_OF)
    assert upload.snapshot.row_count == 1


def test_unreadable_files_are_recorded_as_refused_with_the_reason(users):
    from huimin.verification import services

    first = services.ingest_file(users["approver"], "wages", b"x", "a.txt", AS_OF)
    second = services.ingest_file(users["approver"], "wages", b"not a zip", "a.xlsx", AS_OF)
    for upload, reason in ((first, "不支持的文件格式"), (second, "文件无法读取")):
        assert upload.status == Upload.Status.REJECTED and upload.snapshot is None and upload.total_rows == 0
        assert reason in upload.errors[0]["message"] and upload.errors[0]["row"] == 0
        assert reason in Path(upload.error_report).read_text(encoding="utf-8-sig")
    assert Snapshot.objects.count() == 0


def test_only_data_officers_may_load_files(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ingest_csv(users["clerk_a"], [valid_row("wages")])


def test_the_upload_api_needs_a_departments_token(client, db):
    """The first upload address keeps working as an alias of the API's upload_feed, with API client tokens: a
    credential folded from the old SourceToken (a bare token, same SHA-256) is an API client like any other."""
    import hashlib

    ApiClient.objects.create(
        name="税务局数据报送", department="税务局", token_prefix="legacy1", operations=["upload_feed"],
        token_hash=hashlib.sha256(b"secret-token").hexdigest(), sources=["wages"],
    )  # fmt: skip
    url = "/verification/api/sources/wages/upload/"
    body = {"as_of": AS_OF.isoformat(), "file": _file(csv_bytes([valid_row("wages")]), "w.csv")}
    assert client.post(url, body).status_code == 401
    body["file"] = _file(csv_bytes([valid_row("wages")]), "w.csv")
    response = client.post(url, body, headers={"Authorization": "Bearer secret-token"})
    assert response.status_code == 201, response.content.decode()
    assert Snapshot.objects.get().source == "wages"
    assert Upload.objects.get().department == "税务局"
    body["file"] = _file(csv_bytes([valid_row("deposits")]), "d.csv")
    denied = client.post(
        "/verification/api/sources/deposits/upload/", body, headers={"Authorization": "Bearer secret-token"}
    )
    assert denied.status_code == 403 and denied.json()["message"] == "此客户端未获授权报送该数据源"


def _file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def ingest_csv(actor, rows, **kw):
    from huimin.verification import services

    return services.ingest_file(actor, "wages", csv_bytes(rows), "wages.csv", AS_OF, **kw)


def test_the_command_line_issues_tokens_and_loads_files(db, tmp_path, capsys):
    from django.core.management import call_command

    call_command("verification", "token", "--department", "税务局", "--sources", "wages")
    token = capsys.readouterr().out.rsplit("：", 1)[1].strip()
    cred = ApiClient.objects.get()
    import hashlib

    assert cred.token_hash == hashlib.sha256(token.encode()).hexdigest() and cred.sources == ["wages"]
    assert cred.operations == ["upload_feed"] and cred.region_prefixes == []
    path = tmp_path / "w.csv"
    path.write_bytes(csv_bytes([valid_row("wages")]))
    call_command("verification", "ingest", "wages", str(path), "--as-of", "2026-06-30")
    assert "已导入：共 1 行，错误 0 行" in capsys.readouterr().out
    assert Snapshot.objects.get().source == "wages"


CERT = "41170219580404011442"  # a 残疾人证号: the holder's ID number, then category and grade
ACCOUNT = "6222020200112233445"


@pytest.mark.parametrize(
    ("code", "column", "kind", "secret"),
    [("disability", "cert_no", "disability_cert_no", CERT), ("benefit_account", "account_no", "bank_account", ACCOUNT)],
)
def test_protected_identifiers_are_kept_only_as_their_blind_index(code, column, kind, secret):
    row = valid_row(code) | {column: secret}
    result = ingest.validate(code, list(row), [list(row.values())])
    assert result.ok, result.errors
    record = result.table.to_pylist()[0]
    assert record[column] == crypto.blind_index(kind, secret) and secret not in str(record)


def test_a_disability_warning_names_its_certificate_by_a_digest():
    key = crypto.blind_index("id_number", "411702195804040114")
    digest = crypto.blind_index("disability_cert_no", CERT)
    pop = pa.table({"person_key": [key], "canonical_key": [key], "person_id": [1], "household_id": [10],
                    "category": ["dibao"], "region_code": ["411702001001"], "standard_fen": [80000], "members": [1],
                    "disability_grade": [None], "programme": [None]}, schema=population.SCHEMA)  # fmt: skip
    source = pa.table({"person_key": [key], "cert_no": [digest], "category": ["4"], "grade": [1],
                       "issued_on": [datetime.date(2026, 11, 1)], "status": ["有效"]})  # fmt: skip
    empty = ibis.memtable(pa.table({"x": pa.array([], pa.int64())}))
    tables = Tables(persons=empty, households=empty, thresholds=empty, sources={"disability": ibis.memtable(source)})
    facts = monitoring.evaluate(tables, ibis.memtable(pop), "disability", {}, datetime.date(2026, 11, 20))
    (fact,) = ibis.duckdb.connect().to_pyarrow(facts).to_pylist()
    assert fact["record_key"] == "残疾人证摘要 " + digest[:12] and CERT[:18] not in fact["record_key"]
