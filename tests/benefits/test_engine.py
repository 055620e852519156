"""The bulk engine against a plain Python statement of the rules, on random change histories (no database)."""

import datetime
import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from huimin.benefits import payroll_engine as pe

MONTHS = [datetime.date(2026, m, 1) for m in range(1, 7)]
change = st.tuples(
    st.sampled_from(MONTHS),
    st.one_of(
        st.builds(lambda c: {"amount": f"{c / 100:.2f}"}, st.integers(1, 200_000)),
        st.sampled_from([{"status": "suspended"}, {"status": "active"}, {"status": "stopped"}, {"status": "grace"}]),
    ),
)
history = st.fixed_dictionaries(
    {
        "start": st.sampled_from(MONTHS[:4]),
        "amount": st.integers(1, 200_000),
        "changes": st.lists(change, max_size=5),
        "grace_until": st.one_of(st.none(), st.sampled_from(MONTHS)),
        "death": st.one_of(st.none(), st.sampled_from([datetime.date(2026, m, 17) for m in range(1, 7)])),
        "paid": st.dictionaries(st.sampled_from(MONTHS[:3]), st.integers(0, 200_000), max_size=3),
    }
)


def _reference(h, month):
    """What the rules say is owed for ``month``."""
    if month < h["start"]:
        return 0
    amount, status = h["amount"], "active"
    for m, after in sorted(h["changes"], key=lambda c: c[0]):  # stable: later rows of a month win
        if m <= month:
            if "amount" in after:
                amount = round(float(after["amount"]) * 100)
            status = after.get("status", status)
    if status in ("suspended", "stopped"):
        return 0
    if status == "grace" and h["grace_until"] and month > h["grace_until"]:
        return 0
    if h["death"] and month > h["death"].replace(day=1):
        return 0
    return amount


def _inputs(histories):
    enrolments, changes, members, paid = [], [], [], []
    seq = 0
    for i, h in enumerate(histories, start=1):
        enrolments.append(
            (
                i,
                "411702001001",
                "dibao",
                "dibao",
                h["start"],
                "active",
                h["grace_until"],
                h["amount"],
                i,
                "{}",
                "v1:x",
                "邮储银行",
                "某",
            )
        )
        for m, after in h["changes"]:
            seq += 1
            changes.append((i, m, "x", json.dumps(after), seq))
        members.append((i, 0 if h["death"] else 1, h["death"]))
        paid += [(i, m, c) for m, c in h["paid"].items()]

    def table(rows, schema):
        return pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema=schema)

    return {
        "enrolments": table(enrolments, pe.ENROLMENT_SCHEMA),
        "changes": table(changes, pe.CHANGE_SCHEMA),
        "members": table(members, pe.MEMBER_SCHEMA),
        "paid": table(paid, pe.PAID_SCHEMA),
    }


@settings(max_examples=25, deadline=None)
@given(st.lists(history, min_size=1, max_size=4))
def test_engine_matches_the_rules(histories):
    month, locked = MONTHS[3], MONTHS[:3]
    for h in histories:  # changes of one month in list order: the engine takes the last (highest seq)
        h["changes"] = sorted(h["changes"], key=lambda c: c[0])
    inputs = _inputs(histories)
    table = pe.compute(inputs, month, locked)
    lines = table.to_pylist()
    streamed = [r for b in pe.compute_batches(inputs, month, locked, rows_per_batch=2) for r in b.to_pylist()]
    assert streamed == lines  # the streamed batches the payroll writes are the same lines, in the same order
    assert all(json.loads(r["explanation"]) for r in lines)  # the assembled explanation is valid JSON
    got = {(r["enrolment_id"], r["service_month"]): r["cents"] for r in lines if r["kind"] != "price"}
    expected = {}
    for i, h in enumerate(histories, start=1):
        for m in [*locked, month]:
            owed = _reference(h, m) - (h["paid"].get(m, 0) if m in locked else 0)
            if owed:
                expected[(i, m)] = owed
    assert got == expected
    assert all(
        r["amount"] == f"{'-' if r['cents'] < 0 else ''}{abs(r['cents']) // 100}.{abs(r['cents']) % 100:02d}"
        for r in lines
    )
