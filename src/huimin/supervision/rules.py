"""The rules of supervision over plain values: the reproducible draw and the rectification deadlines.

The draw (algorithm ``hm-fy-1``), so that anyone can re-run it from what is published:

1. the population is the list of subjects ``(kind, id, label)`` sorted by ``(kind, id)``; the inspectors' pool is
   the list of account ids sorted ascending;
2. ``rng = random.Random(seed)`` (Python's Mersenne Twister seeded with the integer seed) and only ``rng.random()``
   is used — the one output Python guarantees to stay the same across versions for the same seed;
3. ``pick(items, k)``: a partial Fisher–Yates shuffle of a copy of ``items``: for ``i`` in ``0 … k-1``,
   ``j = i + floor(rng.random() × (n − i))``, swap ``items[i]`` and ``items[j]``; the first ``k`` items, in the
   order drawn;
4. the subjects are ``pick(population, count)``; then, for each drawn subject in the order drawn, its inspectors
   are ``pick(pool, per_subject)`` (the same ``rng`` continues).

Same seed, same population and same pool give the same pairs, on any machine. The population and the pool are
frozen in the draw with their SHA-256 hashes (over their canonical JSON), so a changed list is detected too.
"""

import datetime
import hashlib
import json
import math
import random
from decimal import Decimal

ALGORITHM = "hm-fy-1"

# How long a finding may be given for its rectification at most, in days from the inspection, per severity; and
# the default deadline when none is given (the longest allowed).
MAX_RECTIFICATION_DAYS = {"serious": 15, "general": 30, "minor": 60}


def canonical_population(population) -> list[list]:
    """[[kind, id, label], …] sorted by (kind, id)."""
    rows = [[str(kind), int(pk), str(label)] for kind, pk, label in population]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def canonical_pool(pool) -> list[int]:
    return sorted(int(pk) for pk in pool)


def digest(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pick(rng: random.Random, items: list, k: int) -> list:
    items = list(items)
    n = len(items)
    for i in range(k):
        j = i + math.floor(rng.random() * (n - i))
        items[i], items[j] = items[j], items[i]
    return items[:k]


def sample_size(total: int, count: int | None, ratio: Decimal | None) -> int:
    """The number of subjects to draw: ``count``, or ``ceil(total × ratio)`` (at least 1 of a non-empty list)."""
    if count is not None:
        return count
    return max(1, math.ceil(Decimal(total) * ratio)) if total else 0


def run_draw(seed: int, population, pool, count: int, per_subject: int) -> list[dict]:
    """The drawn pairs: [{"kind", "id", "label", "inspectors": [ids]}, …] in the order drawn."""
    rng = random.Random(int(seed))
    subjects = pick(rng, canonical_population(population), count)
    people = canonical_pool(pool)
    return [{"kind": s[0], "id": s[1], "label": s[2], "inspectors": pick(rng, people, per_subject)} for s in subjects]


def default_deadline(severity: str, inspected_on: datetime.date) -> datetime.date:
    return inspected_on + datetime.timedelta(days=MAX_RECTIFICATION_DAYS[severity])


def deadline_problem(severity: str, inspected_on: datetime.date, deadline: datetime.date) -> str:
    """Why ``deadline`` is not allowed for a finding of ``severity`` found on ``inspected_on`` ('' when it is)."""
    if deadline <= inspected_on:
        return "整改期限须晚于检查日期"
    latest = default_deadline(severity, inspected_on)
    if deadline > latest:
        return f"该等级问题的整改期限最长 {MAX_RECTIFICATION_DAYS[severity]} 天（最迟 {latest:%Y-%m-%d}）"
    return ""
