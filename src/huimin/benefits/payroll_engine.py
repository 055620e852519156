"""The bulk path of the monthly payroll: set-based, never one ORM object per recipient.

1. ``load_inputs`` reads the enrolments of a region subtree, their changes, their members' deaths and what
   locked months already paid, into Arrow tables (PostgreSQL: ``COPY … TO STDOUT`` as CSV, the four queries
   side by side on their own connections reading this transaction's exported snapshot; SQLite: one query
   each).
2. ``compute`` runs in DuckDB over those tables: for every enrolment and every service month in question it
   finds the amount and the status in force (the latest change effective by each month), the entitlement, and
   subtracts what was already paid. Integer 分 throughout; the 元 text is made once at the end.
3. ``write_lines`` appends the lines with ``COPY … FROM STDIN`` (PostgreSQL) or one ``executemany``.

Rules (docs/benefits.md):
- a month M is paid to an enrolment whose start month is ≤ M, at the amount of the last change effective by M;
- status from the last status change effective by M: 停保 (suspended) and 退出 (stopped) pay nothing;
  渐退 (grace) pays up to and including ``grace_until``;
- death: when every covered member has died, nothing from the first month the region's rule leaves unpaid
  (``death_stops``: RegionPolicy death_stop_months, read by the caller; by default the month after death);
- corrections: for each earlier month that the region has locked (up to ``LOOKBACK_MONTHS`` back), the
  entitlement recomputed now minus what locked months paid for it becomes a 补发 (arrears) or 追回 (recovery)
  line dated to that service month; months before the region's first locked month were paid outside Huimin;
  a month a 追缴 (benefits.Recovery) lists counts as settled by it (its amount is taken off what was paid), so
  money paid after a death is pursued once, by the 追缴, not also netted by a later month;
- 价格临时补贴: when the entered CPI rise for M exceeds the threshold, each living covered member of a 低保 or
  特困 enrolment paid in M gets the per-person amount;
- every line carries the payee's account as it stands in the registry when the month is built (ciphertext copied,
  never decrypted here), its bank name and the payee's name: what the month is reviewed, approved and paid with;
- programmes and funds: the month pays the programmes that ``funds`` lists (``benefits.funds``: a programme pays
  monthly where a 发放项目与资金来源 row is in force), each enrolment's line tagged with the fund row of its
  programme that covers its region with the greatest rank (most specific region, then latest effective date).
  A person in several programmes (低保 and the two disability subsidies) has one enrolment, so one line, each.

Kept apart from Django models on purpose (only SQL text and Arrow) so it can move to the shared engine.
"""

import datetime
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from huimin.core import regions

LOOKBACK_MONTHS = 24
PRICE_PROGRAMME_KINDS = ("dibao", "tekun")

ENROLMENT_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("region_id", pa.string()),
        ("programme_code", pa.string()),
        ("programme_kind", pa.string()),
        ("start_month", pa.date32()),
        ("status", pa.string()),
        ("grace_until", pa.date32()),
        ("amount_cents", pa.int64()),
        ("payee_id", pa.int64()),
        ("basis", pa.string()),
        ("account", pa.string()),
        ("bank_name", pa.string()),
        ("holder", pa.string()),
    ]
)
CHANGE_SCHEMA = pa.schema(
    [
        ("enrolment_id", pa.int64()),
        ("month", pa.date32()),
        ("kind", pa.string()),
        ("after", pa.string()),
        ("seq", pa.int64()),
    ]
)
MEMBER_SCHEMA = pa.schema([("enrolment_id", pa.int64()), ("alive", pa.int64()), ("last_death", pa.date32())])
DEATH_STOP_SCHEMA = pa.schema([("enrolment_id", pa.int64()), ("stop_month", pa.date32())])
PAID_SCHEMA = pa.schema([("enrolment_id", pa.int64()), ("service_month", pa.date32()), ("paid_cents", pa.int64())])
FUND_SCHEMA = pa.schema(
    [("programme_code", pa.string()), ("prefix", pa.string()), ("fund_id", pa.int64()), ("rank", pa.int64())]
)
_CODE = re.compile(r"^[A-Za-z0-9_]{1,40}$")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _check_prefix(prefix: str) -> str:
    if not prefix.isdigit() or not 2 <= len(prefix) <= 12:
        raise ValueError("区划前缀不合法")
    return prefix


# --- reading --------------------------------------------------------------------------------------------


def _read_copy(cursor, sql: str, schema: pa.Schema) -> pa.Table:
    """``COPY (sql) TO STDOUT`` on a psycopg cursor, parsed by Arrow with ``schema``."""
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for data in copy:
            buffer.write(data)
    if buffer.tell() == 0:
        return schema.empty_table()
    buffer.seek(0)
    return pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=schema.names),
        convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=False),
    )


def fetch(connection, sql: str, schema: pa.Schema) -> pa.Table:
    """The rows of ``sql`` (no parameters: the caller inlines only digits and ISO dates) as an Arrow table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _read_copy(cursor.cursor, sql, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema.names]
    arrays = []
    for values, fld in zip(columns, schema, strict=True):
        if pa.types.is_date32(fld.type):
            values = [datetime.date.fromisoformat(str(v)[:10]) if v is not None else None for v in values]
        arrays.append(pa.array(list(values), fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


_SNAPSHOT = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


def fetch_all(connection, queries: dict[str, tuple[str, pa.Schema]]) -> dict[str, pa.Table]:
    """Several queries at once. PostgreSQL, in a transaction that has not written yet: each on its own
    connection in a thread, all reading the snapshot this transaction exports (``pg_export_snapshot`` + ``SET
    TRANSACTION SNAPSHOT``), so they see one and the same state of the database while the server runs them
    side by side; otherwise one after the other on this connection."""

    def one_by_one():
        return {name: fetch(connection, sql, schema) for name, (sql, schema) in queries.items()}

    if connection.vendor != "postgresql" or len(queries) < 2:
        return one_by_one()
    import psycopg

    with connection.cursor() as cursor:
        # other connections see only what is committed: when this transaction has written something already
        # (a test's transaction, an outer atomic block), read everything here
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NULL")
        if not cursor.fetchone()[0]:
            return one_by_one()
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    if not _SNAPSHOT.match(snapshot):
        raise ValueError("unexpected snapshot id")
    params = connection.get_connection_params()

    def run(sql: str, schema: pa.Schema) -> pa.Table:
        with psycopg.connect(**params) as conn:  # one transaction: isolation and snapshot first
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            with conn.cursor() as cursor:
                return _read_copy(cursor, sql, schema)

    with ThreadPoolExecutor(max_workers=len(queries), thread_name_prefix="payroll-inputs") as pool:
        futures = {name: pool.submit(run, sql, schema) for name, (sql, schema) in queries.items()}
        return {name: future.result() for name, future in futures.items()}


def load_inputs(
    connection,
    prefix: str,
    month: datetime.date,
    locked_months: list[datetime.date],
    programme_codes: list[str] | None = None,
) -> dict:
    """Everything ``compute`` needs about the enrolments under ``prefix`` for payroll month ``month``: of the
    programmes ``programme_codes`` (None: every programme that is not one-off)."""
    prefix = _check_prefix(prefix)
    m = month.isoformat()
    earliest = min([month, *locked_months]).isoformat()
    pg = connection.vendor == "postgresql"
    text = (lambda col: f"{col}::text") if pg else (lambda col: col)
    cents = "ROUND(e.monthly_amount * 100)::bigint" if pg else "CAST(ROUND(e.monthly_amount * 100) AS INTEGER)"
    in_region = f"e.region_id LIKE '{prefix}%%'" if pg else f"e.region_id LIKE '{prefix}%'"
    if after := regions.code_after(prefix):  # the range an index answers (core.scope.starting_with)
        in_region += f" AND e.region_id >= '{prefix}' AND e.region_id < '{after}'"
    # the enrolments that can owe or be owed anything in the window
    where = (
        f"{in_region} AND e.start_month <= '{m}' AND pr.one_off = {'false' if pg else '0'}"
        f" AND (e.ended_on IS NULL OR e.ended_on >= '{earliest}')"
    )
    if programme_codes is not None:
        codes = sorted(set(programme_codes))
        if any(not _CODE.match(c) for c in codes):
            raise ValueError("救助项目代码不合法")
        where += f" AND pr.code IN ({', '.join(repr(c) for c in codes)})" if codes else " AND 1 = 0"
    queries = {}
    queries["enrolments"] = (
        f"SELECT e.id, e.region_id, pr.code, pr.kind, e.start_month, e.status, e.grace_until, {cents},"  # noqa: S608 - digits-only prefix and ISO dates
        f" COALESCE(e.person_id, h.head_id), {text('e.basis')}, payee.bank_account, payee.bank_name, payee.name"
        " FROM assistance_enrolment e JOIN assistance_programme pr ON pr.id = e.programme_id"
        " JOIN registry_household h ON h.id = e.household_id"
        f" JOIN registry_person payee ON payee.id = COALESCE(e.person_id, h.head_id) WHERE {where}",
        ENROLMENT_SCHEMA,
    )
    joined = f"assistance_enrolment e JOIN assistance_programme pr ON pr.id = e.programme_id WHERE {where}"
    queries["changes"] = (
        f"SELECT c.enrolment_id, c.effective_month, c.kind, {text('c.after')}, c.id"  # noqa: S608 - digits-only prefix and ISO dates
        f" FROM assistance_enrolmentchange c WHERE c.enrolment_id IN (SELECT e.id FROM {joined})",
        CHANGE_SCHEMA,
    )
    true = "true" if pg else "1"
    # alive: current members not deceased; the last death among all members (removed ones too). The join takes
    # only the deceased persons, so its hash table is small.
    queries["members"] = (
        "SELECT m.enrolment_id, SUM(CASE WHEN m.removed_on IS NULL AND d.id IS NULL THEN 1 ELSE 0 END),"  # noqa: S608 - digits-only prefix and ISO dates
        " MAX(d.death_date) FROM assistance_enrolmentmember m"
        f" LEFT JOIN registry_person d ON d.id = m.person_id AND d.is_deceased = {true}"
        f" WHERE m.enrolment_id IN (SELECT e.id FROM {joined}) GROUP BY m.enrolment_id",
        MEMBER_SCHEMA,
    )
    paid_cents = "ROUND(SUM(l.amount) * 100)::bigint" if pg else "CAST(ROUND(SUM(l.amount) * 100) AS INTEGER)"
    # what locked months paid, less what a 追缴 (benefits.Recovery) lists for recovery outside the payroll: a
    # listed month counts as settled, so no later month nets the same money again
    queries["paid"] = (
        f"SELECT p.enrolment_id, p.service_month, {paid_cents.replace('l.amount', 'p.amount')} FROM ("  # noqa: S608 - digits-only prefix and ISO dates
        " SELECT l.enrolment_id, l.service_month, l.amount FROM benefits_payrollline l"
        " JOIN benefits_payrollmonth pm ON pm.id = l.payroll_id"
        f" WHERE pm.status = 'locked' AND l.kind <> 'price' AND l.service_month >= '{earliest}'"
        f" AND l.enrolment_id IN (SELECT e.id FROM {joined})"
        " UNION ALL SELECT r.enrolment_id, i.service_month, i.price - i.amount FROM benefits_recoveryitem i"
        " JOIN benefits_recovery r ON r.id = i.recovery_id"
        f" WHERE i.service_month >= '{earliest}' AND r.enrolment_id IN (SELECT e.id FROM {joined})"
        ") p GROUP BY p.enrolment_id, p.service_month",
        PAID_SCHEMA,
    )
    return fetch_all(connection, queries)


def death_stops(inputs: dict, stop_month) -> pa.Table:
    """Per enrolment whose covered members have all died: the first month not paid, by ``stop_month(region_code,
    programme_code, last_death)`` (the region's rule, as data, looked up by the caller). Few rows: the deceased."""
    members = inputs["members"]
    dead = members.filter(pc.and_(pc.equal(members["alive"], 0), pc.is_valid(members["last_death"])))
    if not dead.num_rows:
        return DEATH_STOP_SCHEMA.empty_table()
    enrolments = inputs["enrolments"]
    wanted = set(dead["enrolment_id"].to_pylist())
    where = {
        i: (r, p)
        for i, r, p in zip(enrolments["id"].to_pylist(), enrolments["region_id"].to_pylist(),
                           enrolments["programme_code"].to_pylist(), strict=True)
        if i in wanted
    }  # fmt: skip
    ids, months = [], []
    for i, death in zip(dead["enrolment_id"].to_pylist(), dead["last_death"].to_pylist(), strict=True):
        if i in where:
            ids.append(i)
            months.append(stop_month(*where[i], death))
    return pa.table({"enrolment_id": pa.array(ids, pa.int64()), "stop_month": pa.array(months, pa.date32())})


# --- computing ------------------------------------------------------------------------------------------

_SQL = """
WITH months AS (SELECT * FROM months_t),
amount_changes AS (
    SELECT enrolment_id, month,
        CAST(ROUND(CAST(json_extract_string(after, '$.amount') AS DECIMAL(14, 2)) * 100) AS BIGINT) AS cents
    FROM changes_t WHERE json_extract_string(after, '$.amount') IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY enrolment_id, month ORDER BY seq DESC) = 1
),
status_changes AS (
    SELECT enrolment_id, month, json_extract_string(after, '$.status') AS status
    FROM changes_t WHERE json_extract_string(after, '$.status') IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY enrolment_id, month ORDER BY seq DESC) = 1
),
funded AS (__FUNDED__),
grid AS (
    SELECT e.*, mo.month, mo.is_current, mem.alive, mem.last_death, ds.stop_month AS death_stop_month,
        CAST(date_trunc('month', e.start_month)
            + CASE WHEN day(e.start_month) > 1 THEN INTERVAL 1 MONTH ELSE INTERVAL 0 MONTH END AS DATE) AS first_month
    FROM funded e CROSS JOIN months mo
    LEFT JOIN members_t mem ON mem.enrolment_id = e.id
    -- the first month not paid once every covered member has died: the region's rule (few rows: the deceased)
    LEFT JOIN death_stops_t ds ON ds.enrolment_id = e.id
),
-- the change in force in each month of the window: the latest effective by then (a hash aggregate per
-- enrolment and month; the months are few, so this beats an ASOF join over the whole grid)
amount_in_force AS (
    SELECT a.enrolment_id, mo.month, arg_max(a.cents, a.month) AS cents, max(a.month) AS since
    FROM amount_changes a JOIN months mo ON a.month <= mo.month GROUP BY ALL
),
status_in_force AS (
    SELECT s.enrolment_id, mo.month, arg_max(s.status, s.month) AS status
    FROM status_changes s JOIN months mo ON s.month <= mo.month GROUP BY ALL
),
with_amount AS (
    SELECT g.*, COALESCE(a.cents, g.amount_cents) AS due_cents, a.since AS amount_since
    FROM grid g LEFT JOIN amount_in_force a ON g.id = a.enrolment_id AND g.month = a.month
),
with_status AS (
    SELECT w.*, COALESCE(s.status, 'active') AS month_status,
        COALESCE(w.alive = 0 AND w.last_death IS NOT NULL AND w.month >= COALESCE(w.death_stop_month,
            CAST(date_trunc('month', w.last_death) + INTERVAL 1 MONTH AS DATE)), FALSE) AS after_death
    FROM with_amount w LEFT JOIN status_in_force s ON w.id = s.enrolment_id AND w.month = s.month
),
entitled AS (
    SELECT *,
        CASE
            WHEN month < first_month THEN 0
            WHEN month_status IN ('suspended', 'stopped') THEN 0
            WHEN month_status = 'grace' AND grace_until IS NOT NULL AND month > grace_until THEN 0
            WHEN after_death THEN 0
            ELSE due_cents
        END AS entitled_cents,
        CASE
            WHEN month < first_month THEN '起始月份之前不应发放'
            WHEN month_status = 'suspended' THEN '停保'
            WHEN month_status = 'stopped' THEN '已退出'
            WHEN month_status = 'grace' AND grace_until IS NOT NULL AND month > grace_until THEN '渐退期满'
            WHEN after_death THEN '保障对象死亡，按规定月份起停发'
            WHEN month_status = 'grace' THEN '渐退期内照常发放'
            ELSE '按月发放'
        END AS rule
    FROM with_status
),
owed AS (
    SELECT en.*, COALESCE(p.paid_cents, 0) AS paid_cents, en.entitled_cents - COALESCE(p.paid_cents, 0) AS diff
    FROM entitled en LEFT JOIN paid_t p ON p.enrolment_id = en.id AND p.service_month = en.month
),
lines AS (
    SELECT id, region_id, programme_code, fund_id, payee_id, month AS service_month,
        CASE WHEN is_current AND paid_cents = 0 THEN 'regular' WHEN diff > 0 THEN 'arrears' ELSE 'recovery' END
            AS kind,
        diff AS cents, entitled_cents, paid_cents, due_cents, amount_since, rule, month_status, basis,
        account, bank_name, holder
    FROM owed WHERE diff <> 0
    UNION ALL
    SELECT id, region_id, programme_code, fund_id, payee_id, month, 'price', alive * price.cents, NULL, NULL,
        price.cents, NULL, '价格临时补贴', month_status, NULL, account, bank_name, holder
    FROM entitled, price_t price
    WHERE is_current AND entitled_cents > 0 AND programme_kind IN ('dibao', 'tekun') AND COALESCE(alive, 0) > 0
),
ordered AS (SELECT * FROM lines ORDER BY service_month, id, kind)
SELECT id AS enrolment_id, region_id, programme_code, fund_id, payee_id, service_month, kind, cents,
    CASE WHEN cents < 0 THEN '-' ELSE '' END || CAST(abs(cents) // 100 AS VARCHAR) || '.'
        || lpad(CAST(abs(cents) % 100 AS VARCHAR), 2, '0') AS amount,
    -- the explanation's JSON text is assembled, not built with json_object: the basis is already JSON text
    -- (PostgreSQL's jsonb output), strings are escaped by to_json, the rest are numbers and dates
    CASE kind
        WHEN 'price' THEN '{"规则": "价格临时补贴", "每人每月（分）": ' || CAST(due_cents AS VARCHAR)
            || ', "覆盖人数": ' || CAST(cents // due_cents AS VARCHAR) || '}'
        ELSE '{"规则": ' || CAST(to_json(CASE kind WHEN 'arrears' THEN '补发：' || rule
                WHEN 'recovery' THEN '追回：' || rule ELSE rule END) AS VARCHAR)
            || ', "应发（分）": ' || CAST(entitled_cents AS VARCHAR)
            || ', "已发（分）": ' || CAST(paid_cents AS VARCHAR)
            || ', "月保障金额（分）": ' || CAST(due_cents AS VARCHAR)
            || ', "金额生效月份": ' || COALESCE('"' || CAST(amount_since AS VARCHAR) || '"', 'null')
            || ', "状态": ' || CAST(to_json(month_status) AS VARCHAR)
            || ', "核定依据": ' || COALESCE(CAST(basis AS VARCHAR), 'null') || '}'
    END AS explanation,
    account, bank_name, holder
FROM ordered
"""


# each enrolment's fund row: one row per programme covering the whole subtree is a plain hash join; rows set for
# parts of the subtree need the one of greatest rank among those covering the enrolment's region
_ONE_FUND = """SELECT e.*, f.fund_id FROM enrolments_t e JOIN funds_t f ON f.programme_code = e.programme_code"""
_RANKED_FUND = (
    _ONE_FUND + " AND starts_with(e.region_id, f.prefix)"
    " QUALIFY row_number() OVER (PARTITION BY e.id ORDER BY f.rank DESC) = 1"
)


def _funds_table(inputs: dict, funds: list[dict] | None) -> tuple[pa.Table, str]:
    if funds is None:  # every programme read, untagged
        codes = pc.unique(inputs["enrolments"]["programme_code"]).to_pylist()
        funds = [{"programme_code": c, "prefix": "", "fund_id": None, "rank": 0} for c in codes]
    table = pa.Table.from_pylist(funds, schema=FUND_SCHEMA)
    codes = table["programme_code"].to_pylist()
    ranked = len(codes) != len(set(codes)) or any(table["prefix"].to_pylist())
    return table, _RANKED_FUND if ranked else _ONE_FUND


def _connect(
    inputs: dict, month: datetime.date, locked_months, price_cents, funds=None
) -> tuple[duckdb.DuckDBPyConnection, str]:
    earlier = sorted({month_start(m) for m in locked_months if m < month and m >= add_months(month, -LOOKBACK_MONTHS)})
    months_t = pa.table(
        {"month": pa.array([*earlier, month], pa.date32()), "is_current": [False] * len(earlier) + [True]}
    )
    price_t = pa.table({"cents": pa.array([price_cents] if price_cents else [], pa.int64())})
    funds_t, funded = _funds_table(inputs, funds)
    con = duckdb.connect()
    for name, table in (
        ("funds_t", funds_t),
        ("months_t", months_t),
        ("price_t", price_t),
        ("enrolments_t", inputs["enrolments"]),
        ("changes_t", inputs["changes"]),
        ("members_t", inputs["members"]),
        ("paid_t", inputs["paid"]),
        ("death_stops_t", inputs.get("death_stops") or DEATH_STOP_SCHEMA.empty_table()),
    ):
        con.register(name, table)
    return con, _SQL.replace("__FUNDED__", funded)


def compute(
    inputs: dict,
    month: datetime.date,
    locked_months: list[datetime.date],
    price_cents: int | None = None,
    funds: list[dict] | None = None,
) -> pa.Table:
    """The lines of payroll month ``month``: an Arrow table (enrolment_id, region_id, programme_code, fund_id,
    payee_id, service_month, kind, cents, amount, explanation, and the payee's account ciphertext, bank name and
    name). ``locked_months``: the region's locked months in the look-back window (earlier than ``month``);
    ``price_cents``: the per-person 价格临时补贴 when triggered; ``funds``: rows (programme_code, prefix, fund_id,
    rank) as ``benefits.funds.payroll_table`` makes them — only the programmes listed are paid (None: all read,
    untagged)."""
    con, sql = _connect(inputs, month, locked_months, price_cents, funds)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def compute_batches(
    inputs: dict,
    month: datetime.date,
    locked_months: list[datetime.date],
    price_cents: int | None = None,
    rows_per_batch: int = 50_000,
    funds: list[dict] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The same lines as ``compute``, in order, as record batches streamed from DuckDB: the joins and the sort
    run first, then each batch's text columns are made while the previous batch is being written."""
    con, sql = _connect(inputs, month, locked_months, price_cents, funds)
    try:
        yield from con.sql(sql).to_arrow_reader(rows_per_batch)
    finally:
        con.close()


# --- writing --------------------------------------------------------------------------------------------

LINE_COLUMNS = [
    "payroll_id",
    "enrolment_id",
    "service_month",
    "kind",
    "amount",
    "programme_code",
    "region_id",
    "payee_id",
    "explanation",
    "bank_account",
    "bank_name",
    "account_holder",
    "fund_id",
]


def _line_table(payroll_id: int, lines) -> pa.Table:
    return pa.table(
        {
            "payroll_id": pa.array([payroll_id] * lines.num_rows, pa.int64()),
            "enrolment_id": lines["enrolment_id"],
            "service_month": lines["service_month"],
            "kind": lines["kind"],
            "amount": lines["amount"],
            "programme_code": lines["programme_code"],
            "region_id": lines["region_id"],
            "payee_id": lines["payee_id"],
            "explanation": lines["explanation"],
            "bank_account": lines["account"],
            "bank_name": lines["bank_name"],
            "account_holder": lines["holder"],
            "fund_id": lines["fund_id"],
        }
    )


def _add_totals(totals: dict | None, batch) -> None:
    """Add ``batch``'s lines to ``totals``: {(programme_code, fund_id, kind): [count, cents]}."""
    if totals is None or not batch.num_rows:
        return
    keys = ["programme_code", "fund_id", "kind"]
    table = pa.Table.from_batches([batch.select([*keys, "cents"])])
    grouped = table.group_by(keys).aggregate([("cents", "count"), ("cents", "sum")])
    for row in grouped.to_pylist():
        slot = totals.setdefault((row["programme_code"], row["fund_id"], row["kind"]), [0, 0])
        slot[0] += row["cents_count"]
        slot[1] += row["cents_sum"]


def write_lines(connection, payroll_id: int, lines, totals: dict | None = None) -> tuple[int, int]:
    """Append ``lines`` (an Arrow table, or an iterable of record batches as ``compute_batches`` yields) to the
    payroll; returns (number of lines, total in 分) and, given ``totals`` (a dict), adds to it the count and 分
    of each (programme, fund, kind). PostgreSQL: one ``COPY … FROM STDIN`` fed batch by batch,
    so the server parses one batch while the next is made; SQLite: one ``executemany``."""
    batches = lines.to_batches() if isinstance(lines, pa.Table) else lines
    count = cents = 0
    if connection.vendor == "postgresql":
        names = ", ".join(LINE_COLUMNS)
        sql = f"COPY benefits_payrollline ({names}) FROM STDIN WITH (FORMAT csv)"
        options = pacsv.WriteOptions(include_header=False)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for batch in batches:
                if not batch.num_rows:
                    continue
                buffer = io.BytesIO()
                pacsv.write_csv(_line_table(payroll_id, batch), buffer, write_options=options)
                copy.write(buffer.getbuffer())
                count += batch.num_rows
                cents += pc.sum(batch["cents"]).as_py() or 0
                _add_totals(totals, batch)
        return count, cents
    rows = []
    for batch in batches:
        count += batch.num_rows
        cents += (pc.sum(batch["cents"]).as_py() or 0) if batch.num_rows else 0
        _add_totals(totals, batch)
        rows += [
            tuple(json.dumps(json.loads(v), ensure_ascii=False) if k == "explanation" else v for k, v in r.items())
            for r in _line_table(payroll_id, batch).to_pylist()
        ]
    if rows:
        marks = ", ".join(["%s"] * len(LINE_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO benefits_payrollline ({', '.join(LINE_COLUMNS)}) VALUES ({marks})", rows)  # noqa: S608
    return count, cents
