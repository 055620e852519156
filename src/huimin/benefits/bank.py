"""Bank 代发 files: export a locked month (or its failed payments again) in a template's layout, and read the
bank's return file. A month pays the accounts its lines carry (fixed when it was built, reviewed and approved),
not what the registry holds by the time the file is made. Account numbers are decrypted here and nowhere else,
only while the file is written; each export is audited with its count, total and SHA-256, and the file itself is
not stored. Every text cell of a CSV file is neutralised like every spreadsheet Huimin writes (safe_cell)."""

import csv
import hashlib
import io
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from huimin.benefits import capabilities as caps
from huimin.benefits import labels, payroll_engine
from huimin.benefits.models import BankBatch, BankTemplate, Payment, PayrollMonth
from huimin.core import audit, crypto, regions
from huimin.core.access import NotInScope, require_access
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError
from huimin.core.spreadsheets import UnsafeWorkbook, check_xlsx, safe_cell, safe_row

FIELDS = {
    "account": "账号",
    "name": "户名",
    "amount": "金额",
    "reference": "流水号",
    "programme": "救助项目",
    "month": "所属月份",
    "literal": "固定值",
}
PAID_WORDS = {"成功", "success", "ok", "s", "0", "00", "0000", "paid"}


def validate_columns(columns) -> list[dict]:
    if not isinstance(columns, list) or not columns:
        raise ServiceError("请至少定义一列")
    clean = []
    for col in columns:
        if not isinstance(col, dict) or col.get("field") not in FIELDS:
            raise ServiceError("列定义中的字段不正确，可用：" + "、".join(FIELDS))
        item = {"field": col["field"], "header": str(col.get("header") or FIELDS[col["field"]])[:30]}
        if col.get("width") not in (None, ""):
            try:
                item["width"] = int(col["width"])
            except (TypeError, ValueError) as exc:
                raise ServiceError("定长宽度须为正整数") from exc
            if item["width"] < 1:
                raise ServiceError("定长宽度须为正整数")
        if col["field"] == "literal":
            item["value"] = str(col.get("value", ""))[:50]
        clean.append(item)
    for need in ("account", "amount", "reference"):
        if need not in {c["field"] for c in clean}:
            raise ServiceError(f"模板必须包含“{FIELDS[need]}”列")
    return clean


@transaction.atomic
def create_template(
    actor, *, name, bank_name, region_code, format, columns, encoding="utf-8", delimiter=",", header_row=True
) -> BankTemplate:
    require_access(actor, caps.PAY, region_code, "办理代发")
    if format not in BankTemplate.Format.values:
        raise ServiceError("请选择文件格式")
    if not (name or "").strip() or not (bank_name or "").strip():
        raise ServiceError("请填写模板名称和代发银行")
    columns = validate_columns(columns)
    if format == BankTemplate.Format.FIXED and any("width" not in c for c in columns):
        raise ServiceError("定长文本模板的每一列都须填写宽度")
    if encoding not in ("utf-8", "gb18030"):
        raise ServiceError("编码只能是 UTF-8 或 GB18030")
    template = BankTemplate.objects.create(
        name=name.strip()[:60],
        bank_name=bank_name.strip()[:60],
        region_id=region_code,
        format=format,
        columns=columns,
        encoding=encoding,
        delimiter=(delimiter or ",")[:2],
        header_row=bool(header_row),
    )
    audit.record("benefits.template.create", template, after={"format": format, "columns": columns})
    return template


def _fixed(text: str, width: int, right: bool) -> str:
    """``text`` cut and padded to ``width`` display columns (CJK = 2, as banks count GB bytes)."""
    if text.isascii():
        out = text[:width]
        used = len(out)
    else:
        used, end = 0, 0
        for ch in text:
            w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if used + w > width:
                break
            used, end = used + w, end + 1
        out = text[:end]
    pad = " " * (width - used)
    return pad + out if right else out + pad


SEND_SCHEMA = pa.schema(
    [
        ("line_id", pa.int64()),
        ("amount", pa.string()),
        ("programme", pa.string()),
        ("month", pa.string()),
        ("name", pa.string()),
        ("token", pa.string()),
        ("from_registry", pa.int64()),
    ]
)


def _lines_to_send(payroll: PayrollMonth, retry: bool) -> pa.Table:
    """The month's positive lines not yet sent — or (``retry``) those whose payment failed — with the payee's
    name and account ciphertext (the line's own; see the query for when the registry's), whether that differs from
    the line's, ordered by line, as one Arrow table (PostgreSQL: ``COPY … TO STDOUT``; the
    amount is the column's own text, two places; the month ``YYYYMM``). The failed payments are locked first,
    so a return file read meanwhile cannot change which lines a retry sends."""
    batches = list(BankBatch.objects.filter(payroll=payroll).values_list("id", flat=True))
    sent = ""
    if retry:
        failed = list(
            Payment.objects.select_for_update()
            .filter(batch_id__in=batches, status=Payment.Status.FAILED)
            .values_list("line_id", flat=True)
        )
        if not failed:
            return SEND_SCHEMA.empty_table()
        sent = f" AND l.id IN ({', '.join(str(int(i)) for i in failed)})"
    elif batches:  # what an earlier batch of this month sent is never sent again
        ids = ", ".join(str(int(b)) for b in batches)
        sent = f" AND l.id NOT IN (SELECT line_id FROM benefits_payment WHERE batch_id IN ({ids}))"  # noqa: S608
    pg = connection.vendor == "postgresql"
    month = "to_char(l.service_month, 'YYYYMM')" if pg else "strftime('%Y%m', l.service_month)"
    amount = "l.amount::text" if pg else "printf('%.2f', l.amount)"
    # the account the month was approved with; the registry's (maker–checker confirmed) account only for a retry
    # of a failed payment (the usual cause is that very account) or where the line carries none
    # (subqueries inside CASE branches, evaluated only then, so the usual first file reads the lines alone)
    current = "true" if retry else "l.bank_account = ''"

    def payee(column: str) -> str:
        return f"(SELECT p.{column} FROM registry_person p WHERE p.id = l.payee_id)"  # noqa: S608 - fixed names

    sql = (
        f"SELECT l.id, {amount}, l.programme_code, {month},"  # noqa: S608 - ids are ints
        f" CASE WHEN {current} THEN {payee('name')} ELSE l.account_holder END,"
        f" CASE WHEN {current} THEN {payee('bank_account')} ELSE l.bank_account END,"
        f" CASE WHEN {current} THEN CASE WHEN {payee('bank_account')} <> l.bank_account THEN 1 ELSE 0 END ELSE 0 END"
        f" FROM benefits_payrollline l WHERE l.payroll_id = {int(payroll.pk)} AND l.amount > 0{sent} ORDER BY l.id"
    )
    return payroll_engine.fetch(connection, sql, SEND_SCHEMA)


def _references(prefix: str, line_ids: pa.Array) -> pa.Array:
    """``prefix`` + the line id on 10 digits (more when larger), vectorised."""
    digits = pc.cast(line_ids, pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(digits, 10, "0"), "")


_INSERT_PAYMENTS = (
    "INSERT INTO benefits_payment (batch_id, line_id, reference, status, reason)"
    " SELECT %s, t.id, %s || CASE WHEN t.id < 10000000000 THEN lpad(t.id::text, 10, '0') ELSE t.id::text END,"
    " 'sent', '' FROM unnest(%s::bigint[]) AS t(id)"
)


class _PaymentWriter:
    """Writes a batch's ``Payment`` rows while the caller decrypts and renders. On PostgreSQL the one
    ``INSERT … SELECT unnest(ids)`` (references made by the server, in the same form as ``_references``) runs
    in a worker thread on the request's own connection — same transaction — and the server works on it while
    this thread holds the GIL decrypting; ``wait`` must be called before the transaction ends."""

    def __init__(self, batch: BankBatch, prefix: str, line_ids: list[int]):
        self._future = None
        if connection.vendor != "postgresql":
            Payment.objects.bulk_create(
                [Payment(batch=batch, line_id=i, reference=f"{prefix}{i:010d}") for i in line_ids], batch_size=5000
            )
            return
        raw = connection.connection  # the psycopg connection in this transaction; thread-safe (locks per call)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payments")
        self._future = self._pool.submit(raw.execute, _INSERT_PAYMENTS, [batch.pk, prefix, line_ids])

    def wait(self) -> None:
        if self._future is not None:
            try:
                self._future.result()
            finally:
                self._pool.shutdown()
                self._future = None


ROW_ORDER = ("account", "name", "amount", "reference", "programme", "month")


def render(template: BankTemplate, rows: list[tuple]) -> bytes:
    """``rows``: an iterable of tuples in ROW_ORDER (account already decrypted, amount as text with two places,
    month as ``YYYYMM``)."""
    cols = template.columns
    index = [ROW_ORDER.index(c["field"]) if c["field"] in ROW_ORDER else None for c in cols]
    if None in index:  # a literal column: assemble each row
        literal = [c.get("value", "") for c in cols]

        def pick(row):
            return [row[i] if i is not None else lit for i, lit in zip(index, literal, strict=True)]
    else:
        getter = itemgetter(*index)

        def pick(row):
            return getter(row)

    if template.format == BankTemplate.Format.XLSX:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("代发")
        if template.header_row:
            ws.append([c["header"] for c in cols])
        amount_at = [k for k, c in enumerate(cols) if c["field"] == "amount"]
        for row in rows:
            values = list(pick(row))
            for k in range(len(values)):
                values[k] = Decimal(values[k]) if k in amount_at else safe_cell(values[k])
            ws.append(values)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    text = io.StringIO()
    if template.format == BankTemplate.Format.CSV:
        writer = csv.writer(text, delimiter=template.delimiter or ",", lineterminator="\r\n")
        if template.header_row:
            writer.writerow(safe_row(c["header"] for c in cols))
        text_at = [k for k, c in enumerate(cols) if c["field"] != "amount"]  # amounts are positive 元 text

        def safe(row):  # a name or literal that a spreadsheet would run as a formula is shown, never run
            values = list(pick(row))
            for k in text_at:
                values[k] = safe_cell(values[k])
            return values

        writer.writerows(map(safe, rows))
    else:
        if template.header_row:
            text.write("".join(_fixed(c["header"], c["width"], False) for c in cols) + "\r\n")
        layout = [(c["width"], c["field"] == "amount") for c in cols]
        for row in rows:
            text.write("".join(_fixed(v, w, right) for v, (w, right) in zip(pick(row), layout, strict=True)) + "\r\n")
    return text.getvalue().encode(template.encoding)


def export(
    actor, payroll: PayrollMonth, template: BankTemplate, *, retry: bool = False
) -> tuple[str, bytes, BankBatch]:
    """The 代发 file of a locked month (positive lines never sent yet), or with ``retry`` of its failed payments.
    Recoveries (negative lines) are not sent to the bank: they are collected and listed in the report."""
    require_access(actor, caps.PAY, payroll.region_id, "办理代发")
    if not (in_scope(actor, template.region_id) or payroll.region_id.startswith(regions.prefix_of(template.region_id))):
        raise NotInScope("模板不存在或不在您的管辖范围内")
    if not payroll.is_locked:
        raise ServiceError("发放锁定后才能生成代发文件")
    with transaction.atomic():
        PayrollMonth.objects.select_for_update().get(pk=payroll.pk)
        lines = _lines_to_send(payroll, retry)
        if not lines.num_rows:
            raise ServiceError("没有待重发的失败记录" if retry else "本月没有尚未报盘的发放明细")
        tokens = lines["token"].to_pylist()
        missing = sum(1 for token in tokens if not token)
        if missing:
            raise ServiceError(f"有 {missing} 名领款人没有银行账号，请先在对象信息中补录")
        if retry:  # exactly the payments locked and read above
            Payment.objects.filter(batch__payroll=payroll, status=Payment.Status.FAILED).update(
                status=Payment.Status.RETRIED
            )
        total = pc.sum(pc.cast(lines["amount"], pa.decimal128(14, 2))).as_py()
        batch = BankBatch.objects.create(
            payroll=payroll,
            region_id=payroll.region_id,
            template=template,
            is_retry=retry,
            count=lines.num_rows,
            total=total,
            sha256="",
            created_by=actor,
        )
        prefix = f"B{batch.pk:06d}L"
        writer = _PaymentWriter(batch, prefix, lines["line_id"].to_pylist())
        try:  # the accounts are decrypted here, in memory, only while the file is made
            try:
                accounts = crypto.decrypt_many(tokens)
            except crypto.DecryptionError as exc:
                raise ServiceError(
                    "有银行账号无法解密（密文损坏或密钥已移除），未生成代发文件，请联系安全管理员"
                ) from exc
            references = _references(prefix, lines["line_id"]).to_pylist()
            columns = [accounts, lines["name"].to_pylist(), lines["amount"].to_pylist(), references]
            names = labels.programme_names()  # the bank file names a programme, never its code
            columns += [[names.get(c, c) for c in lines["programme"].to_pylist()], lines["month"].to_pylist()]
            content = render(template, zip(*columns, strict=True))
            del accounts, columns, tokens
        finally:
            writer.wait()
        batch.sha256 = hashlib.sha256(content).hexdigest()
        batch.save(update_fields=["sha256"])
        from_registry = pc.sum(lines["from_registry"]).as_py() or 0
        audit.record(
            "benefits.bank.export",
            batch,
            after={
                "count": batch.count,
                "total": str(total),
                "sha256": batch.sha256,
                "retry": retry,
                "accounts_from_registry": from_registry,
            },
            detail=f"代发文件含 {batch.count} 个银行账号（导出时解密）"
            + (f"，其中 {from_registry} 个取自对象库当前账号（与发放明细所载不同）" if from_registry else ""),
            region_code=payroll.region_id,
        )
    suffix = {"csv": "csv", "fixed": "txt", "xlsx": "xlsx"}[template.format]
    return f"daifa-{payroll.region_id[:6]}-{payroll.month:%Y%m}-{batch.pk}.{suffix}", content, batch


def _cell(raw: list, i: int | None) -> str:
    return str(raw[i]).strip() if i is not None and i < len(raw) else ""


def _read_return(upload_name: str, data: bytes) -> list[dict]:
    if upload_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            check_xlsx(data)
        except UnsafeWorkbook as exc:
            raise ServiceError(f"回盘文件无法读取：{exc}") from exc
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True).active
            table = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise ServiceError("回盘文件无法读取，请上传银行提供的 .xlsx 或 .csv 文件") from exc
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ServiceError("回盘文件编码无法识别（应为 UTF-8 或 GB18030）")
        table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise ServiceError("回盘文件为空")
    header = [h.strip().lower() for h in table[0]]
    names = {
        "reference": ("流水号", "reference"),
        "status": ("结果", "状态", "status"),
        "reason": ("原因", "失败原因", "reason"),
    }
    index = {}
    for key, options in names.items():
        for option in options:
            if option in header:
                index[key] = header.index(option)
                break
    if "reference" not in index or "status" not in index:
        raise ServiceError("回盘文件须有“流水号”和“结果”两列")
    rows = []
    for raw in table[1:]:
        if not any(str(v).strip() for v in raw):
            continue
        rows.append({k: _cell(raw, index.get(k)) for k in ("reference", "status", "reason")})
    return rows


@transaction.atomic
def import_return(actor, batch: BankBatch, upload_name: str, data: bytes) -> dict:
    """Apply the bank's answer: 成功 → paid, anything else → failed (onto the retry list). All or nothing: a
    reference not in this batch rejects the whole file."""
    require_access(actor, caps.PAY, batch.region_id, "办理代发")
    rows = _read_return(upload_name, data)
    payments = {p.reference: p for p in Payment.objects.select_for_update().filter(batch=batch)}
    unknown = [r["reference"] for r in rows if r["reference"] not in payments]
    if unknown:
        raise ServiceError(f"回盘文件中有 {len(unknown)} 条流水号不属于本批次（如 {unknown[0]}），未做任何处理")
    paid = failed = 0
    for row in rows:
        payment = payments[row["reference"]]
        if payment.status not in (Payment.Status.SENT,):
            continue
        if row["status"].lower() in PAID_WORDS:
            payment.status, payment.reason = Payment.Status.PAID, ""
            paid += 1
        else:
            payment.status, payment.reason = (
                Payment.Status.FAILED,
                (row["reason"] or row["status"] or "银行未说明")[:200],
            )
            failed += 1
    Payment.objects.bulk_update(list(payments.values()), ["status", "reason"], batch_size=5000)
    batch.returned_at = timezone.now()
    batch.save(update_fields=["returned_at"])
    result = {
        "paid": paid,
        "failed": failed,
        "unanswered": sum(1 for p in payments.values() if p.status == Payment.Status.SENT),
    }
    audit.record("benefits.bank.return", batch, after=result, region_code=batch.region_id)
    return result


def retry_list(payroll: PayrollMonth):
    return (
        Payment.objects.filter(line__payroll=payroll, status=Payment.Status.FAILED)
        .select_related("line", "line__payee")
        .order_by("line_id")
    )


def paid_total(payroll: PayrollMonth) -> Decimal:
    return Payment.objects.filter(line__payroll=payroll, status=Payment.Status.PAID).aggregate(t=Sum("line__amount"))[
        "t"
    ] or Decimal(0)
