"""The formulas of the indicators. An Indicator row names one of them (``method``); its name, definition,
unit and targets are data. Each formula takes (user, region, month) and gives a Decimal, or None when the
region has no data for it that month; with no user (the stored board, ``IndicatorRun``) the region alone bounds
it — a page only ever shows a board of a region in its user's scope.

The pages read the board stored for the region and month (``board``, ``runs``): see ``IndicatorRun``."""

import contextlib
import contextvars
import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from huimin.benefits import standards
from huimin.core import regions
from huimin.core.models import Region
from huimin.core.scope import subtree
from huimin.monitoring.models import Warning
from huimin.stats import figures
from huimin.stats.compute import REFRESH, _aware, add_months, is_stale, month_end, month_start
from huimin.stats.models import Indicator, IndicatorRun, IndicatorTarget

HUNDRED = Decimal(100)
# figures several indicators share (the beds, the children's cases), computed once per board (``compute_run``);
# in the daily job once per run, whose boards all read one cache (``refresh_staff_regions``)
_shared_figures: contextvars.ContextVar[dict | None] = contextvars.ContextVar("indicator_figures", default=None)
# the daily job: per month, {code: prefix} of the highest regions it stores that month's board of — a figure that
# sums over regions (月探访率, 两项补贴覆盖率) is computed there once and every board below reads its own sum
# (``_run_top``)
_run_tops: contextvars.ContextVar[dict[datetime.date, dict[str, str]] | None] = contextvars.ContextVar(
    "indicator_run_tops", default=None
)


def _shared(key: tuple, compute: Callable):
    cache = _shared_figures.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


@contextlib.contextmanager
def _sharing(tops: dict[datetime.date, dict[str, str]] | None = None):
    """A cache for ``_shared``: a board's own (``compute_run``), unless it is computed inside a daily run, whose
    cache (opened with its ``tops``) every board shares. The data is read in one transaction and a board writes
    only its ``IndicatorRun``, so a figure computed once holds for the whole run."""
    if tops is None and _shared_figures.get() is not None:
        yield
        return
    token, tops_token = _shared_figures.set({}), _run_tops.set(tops)
    try:
        yield
    finally:
        _shared_figures.reset(token)
        _run_tops.reset(tops_token)


def _run_top(region: Region, month: datetime.date) -> str:
    """The prefix of the region a figure summed over regions is computed at for ``region``'s board: in the daily
    run, the highest region above it (or itself) whose board it stores that month; else the region itself."""
    tops = (_run_tops.get() or {}).get(month, {})
    return next((tops[code] for code in reversed(regions.lineage(region.code)) if code in tops), region.prefix)


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), ROUND_HALF_UP)


def monthly_standard(kind: str, region_code: str, day: datetime.date, urban: bool) -> Decimal | None:
    return standards.monthly_value(kind, region_code, day, urban)


def dibao_rural_urban_ratio(user, region: Region, month: datetime.date) -> Decimal | None:
    day = month_end(month)
    urban = monthly_standard("dibao", region.code, day, True)
    rural = monthly_standard("dibao", region.code, day, False)
    if not urban or rural is None:
        return None
    return _q(rural / urban * HUNDRED)


def tekun_dibao_ratio(user, region: Region, month: datetime.date) -> Decimal | None:
    """The lower of the urban and the rural ratio (特困基本生活标准 ÷ 低保标准)."""
    day = month_end(month)
    ratios = []
    for urban in (True, False):
        dibao = monthly_standard("dibao", region.code, day, urban)
        tekun = monthly_standard("tekun_basic", region.code, day, urban)
        if dibao and tekun is not None:
            ratios.append(tekun / dibao)
    return _q(min(ratios)) if ratios else None


def review_on_time(user, region: Region, month: datetime.date) -> Decimal | None:
    row = figures.total(user, region, month)
    if not row["decided"]:
        return None
    return _q(Decimal(row["apps_on_time"]) / row["decided"] * HUNDRED)


def warning_closure(user, region: Region, month: datetime.date) -> Decimal | None:
    end = _aware(add_months(month, 1))
    qs = figures.visible(Warning.objects.all(), user).filter(subtree("region", region.prefix), raised_at__lt=end)
    raised = qs.count()
    if not raised:
        return None
    closed = qs.filter(closed_at__lt=end).count()
    return _q(Decimal(closed) / raised * HUNDRED)


def _coverage_counts(prefix: str, snapshot, month: datetime.date) -> dict[str, tuple[int, int]]:
    """两项补贴覆盖率's (eligible, covered) of every region under ``prefix``, by region prefix at each level: the
    persons under ``prefix`` read once (``coverage.by_region``, with ``snapshot``), summed upwards."""
    from huimin.eligibility import coverage

    found = coverage.by_region(prefix, month_end(month), snapshot)
    return _prefix_sums((code, c.eligible, c.covered) for code, c in found.items())


def disability_coverage(user, region: Region, month: datetime.date) -> Decimal | None:
    """残疾人两项补贴覆盖率: eligible persons (registry and the 残联's data) who receive a subsidy that month. The
    region's figure reads the 残联's extract that holds at the region; in the daily run the persons are read once per
    month and extract, at the highest region (``_run_top``) or, when the extract is held for a region below that one
    (a county's own upload), at that region — not once per board."""
    from huimin.eligibility.coverage import Coverage, certificate_snapshot

    snapshot = certificate_snapshot(region.code, month_end(month))
    top = _run_top(region, month)
    if snapshot is not None and snapshot.region_id and len(snapshot.region.prefix) > len(top):
        top = snapshot.region.prefix  # the extract does not hold above it: read there (the region is beneath it)
    key = ("disability", top, snapshot.pk if snapshot else None, month)
    counts = _shared(key, lambda: _coverage_counts(top, snapshot, month))
    ratio = Coverage(*counts.get(region.prefix, (0, 0))).ratio
    return None if ratio is None else _q(ratio * HUNDRED)


def _beds(region: Region, month: datetime.date):
    from huimin.eldercare.indicators import bed_figures

    return _shared(("beds", region.prefix, month), lambda: bed_figures(region.prefix, month_end(month)))


def beds_per_thousand(user, region: Region, month: datetime.date) -> Decimal | None:
    """每千名老年人养老床位数: beds of the operating institutions ÷ older people on the register × 1000."""
    return _beds(region, month).per_thousand


def nursing_bed_share(user, region: Region, month: datetime.date) -> Decimal | None:
    """护理型床位占比: nursing beds ÷ all beds of the operating institutions × 100%."""
    return _beds(region, month).nursing_share


def institution_occupancy(user, region: Region, month: datetime.date) -> Decimal | None:
    """养老机构入住率: residents on the month's last day ÷ beds × 100%."""
    return _beds(region, month).occupancy


def aged_allowance_coverage(user, region: Region, month: datetime.date) -> Decimal | None:
    """高龄津贴覆盖率 (免申即享): older persons in a band that month who receive the allowance."""
    from huimin.elderly.allowance import coverage

    found = coverage(region.code, month)
    if not found or not found[0]:
        return None
    return _q(Decimal(found[1]) / found[0] * HUNDRED)


def _prefix_sums(rows: Iterable[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """Two counts of each region code (its persons' own), summed to the region prefix at every level above it. A
    region's sum is that of the codes that start with its prefix — its subtree, the one a region's figure alone
    reads."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, first, second in rows:
        for level in regions.PREFIX_LENGTH:
            c = counts[regions.prefix_of(code, level)]
            c[0] += first
            c[1] += second
    return {key: (first, second) for key, (first, second) in counts.items()}


def _visit_counts(prefix: str, month: datetime.date) -> dict[str, tuple[int, int]]:
    """月探访率's (due, visited) of every region under ``prefix``, by region prefix at each level: one schedule of
    the month's last day (``visits.coverage`` by the persons' own regions), summed upwards."""
    from huimin.elderly import visits
    from huimin.elderly.services import register_age

    rows = visits.coverage(prefix, month, register_age(), level=regions.VILLAGE)
    return _prefix_sums((row.region_id, row.due, row.visited) for row in rows)


def elderly_visit_rate(user, region: Region, month: datetime.date) -> Decimal | None:
    """月探访率: older people of a tier visited at least monthly who were visited in the month (探访关爱). In the
    daily run the schedule is computed once per month at the highest region (``_run_top``), not once per board."""
    top = _run_top(region, month)
    counts = _shared(("visits", top, month), lambda: _visit_counts(top, month))
    due, visited = counts.get(region.prefix, (0, 0))
    return _q(Decimal(visited) / due * HUNDRED) if due else None


def relief_return_rate(user, region: Region, month: datetime.date) -> Decimal | None:
    """接送返回率: of the identified people whose stay at a 救助管理站 ended in the month, those returned home with the
    receiving party's confirmation (流浪乞讨救助)."""
    from huimin.relief.services import return_figures

    returned, ended = return_figures(region.prefix, month, month_end(month))
    return _q(Decimal(returned) / ended * HUNDRED) if ended else None


# --- 儿童福利 (huimin.children.figures: the same computation as the 个案工作指标 page) ------------------------------


def _case_figures(user, region: Region, month: datetime.date):
    """The six case indicators of one region and month are one computation (once per board)."""
    from huimin.children import figures as children

    def compute():
        return children.total(children.region_cases(region.prefix), start=month, end=add_months(month, 1))

    return _shared(("cases", region.prefix, month), compute)


def children_open_cases(user, region: Region, month: datetime.date) -> Decimal | None:
    """儿童保护在办个案数: cases reported before the month's end and not closed by then."""
    f = _case_figures(user, region, month)
    return Decimal(f.open) if f.cases else None


def children_caseload(user, region: Region, month: datetime.date) -> Decimal | None:
    """人均在办个案数: open cases at the month's end ÷ the workers assigned to them then."""
    return _case_figures(user, region, month).caseload_per_worker


def children_response_hours(user, region: Region, month: datetime.date) -> Decimal | None:
    """报告到首次响应平均时长（小时）: cases first responded to in the month."""
    return _case_figures(user, region, month).mean_response_hours


def children_closure_days(user, region: Region, month: datetime.date) -> Decimal | None:
    """立案到结案平均天数: cases closed in the month."""
    return _case_figures(user, region, month).mean_closure_days


def children_plan_share(user, region: Region, month: datetime.date) -> Decimal | None:
    """在办个案已批准帮扶计划比例: of the open cases at the month's end, those with a plan approved by then."""
    return _case_figures(user, region, month).plan_share


def children_visit_rate(user, region: Region, month: datetime.date) -> Decimal | None:
    """个案回访完成率: follow-up visits due in the month made by its end ÷ visits due in the month."""
    return _case_figures(user, region, month).visit_rate


def _register(code: str):
    def count(user, region: Region, month: datetime.date) -> Decimal | None:
        from huimin.children.figures import register_count

        return Decimal(register_count(region.prefix, code, month_end(month)))

    count.__doc__ = f"Children in the register {code} on the month's last day."
    return count


def _adoptions(which: int):
    def count(user, region: Region, month: datetime.date) -> Decimal | None:
        from huimin.children.figures import adoption_counts

        return Decimal(adoption_counts(region.prefix, month_end(month))[which])

    count.__doc__ = "收养登记 (0) or 解除收养 (1) registered from 1 January to the month's end."
    return count


METHODS = {
    "beds_per_thousand": beds_per_thousand,
    "nursing_bed_share": nursing_bed_share,
    "institution_occupancy": institution_occupancy,
    "dibao_rural_urban_ratio": dibao_rural_urban_ratio,
    "tekun_dibao_ratio": tekun_dibao_ratio,
    "review_on_time": review_on_time,
    "warning_closure": warning_closure,
    "disability_coverage": disability_coverage,
    "aged_allowance_coverage": aged_allowance_coverage,
    "elderly_visit_rate": elderly_visit_rate,
    "relief_return_rate": relief_return_rate,
    "children_open_cases": children_open_cases,
    "children_caseload": children_caseload,
    "children_response_hours": children_response_hours,
    "children_closure_days": children_closure_days,
    "children_plan_share": children_plan_share,
    "children_visit_rate": children_visit_rate,
    "children_register_orphan": _register("orphan"),
    "children_register_de_facto": _register("de_facto"),
    "children_register_distressed": _register("distressed"),
    "children_register_left_behind": _register("left_behind"),
    "children_adoptions_registered": _adoptions(0),
    "children_adoptions_dissolved": _adoptions(1),
}


def targets_for(indicators: list[Indicator], region: Region) -> dict[int, tuple[Decimal | None, str]]:
    """Per indicator (by id), the target set for the region or its nearest ancestor, else the indicator's default;
    with where it comes from. One query for the whole board."""
    codes = regions.lineage(region.code)
    rank = {code: i for i, code in enumerate(codes)}
    nearest: dict[int, IndicatorTarget] = {}
    for t in IndicatorTarget.objects.filter(indicator__in=indicators, region_id__in=codes).select_related("region"):
        if t.indicator_id not in nearest or rank[t.region_id] < rank[nearest[t.indicator_id].region_id]:
            nearest[t.indicator_id] = t
    return {
        i.pk: (nearest[i.pk].target, nearest[i.pk].region.name) if i.pk in nearest else (i.default_target, "默认")
        for i in indicators
    }


def met(indicator: Indicator, value: Decimal | None, target: Decimal | None) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if indicator.direction == Indicator.Direction.AT_LEAST else value <= target


def value_of(indicator: Indicator, user, region: Region, month: datetime.date) -> Decimal | None:
    method = METHODS.get(indicator.method)
    return method(user, region, month) if method else None


def compute_run(region: Region, month: datetime.date) -> IndicatorRun:
    """Compute every active indicator of ``region`` for ``month`` now and store the board in place of the last."""
    month = month_start(month)
    started = time.perf_counter()
    values = {}
    with _sharing():
        for indicator in Indicator.objects.filter(is_active=True):
            value = value_of(indicator, None, region, month)
            values[indicator.code] = None if value is None else str(value)
    run, _ = IndicatorRun.objects.update_or_create(
        region=region,
        month=month,
        defaults={"values": values, "computed_at": timezone.now(), "seconds": round(time.perf_counter() - started, 3),
                  "refresh_queued_at": None},
    )  # fmt: skip
    return run


def runs(region: Region, months: list[datetime.date]) -> dict[datetime.date, IndicatorRun]:
    """The stored boards of ``region`` for ``months`` (by first day of month): computed now where there is none
    or it lacks an active indicator; where one is stale, it is returned as it is and a refresh is queued for the
    task worker (once in a REFRESH)."""
    months = list(dict.fromkeys(month_start(m) for m in months))  # the trend holds the month itself
    found = {r.month: r for r in IndicatorRun.objects.filter(region=region, month__in=months)}
    codes = set(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    now = timezone.now()
    for month in months:
        run = found.get(month)
        if run is None or not codes <= run.values.keys():
            found[month] = compute_run(region, month)
        elif is_stale(run, month, now) and (run.refresh_queued_at is None or now - run.refresh_queued_at > REFRESH):
            _queue_refresh(run, now)
    return found


def _queue_refresh(run: IndicatorRun, now: datetime.datetime) -> None:
    from huimin.stats.tasks import refresh_indicators

    IndicatorRun.objects.filter(pk=run.pk).update(refresh_queued_at=now)
    region_code, month = run.region_id, run.month.isoformat()
    transaction.on_commit(lambda: refresh_indicators.enqueue(region_code, month))


def _stored(run: IndicatorRun, indicator: Indicator) -> Decimal | None:
    value = run.values.get(indicator.code)
    return None if value is None else Decimal(value)


def board(region: Region, month: datetime.date, trend_months: list[datetime.date]) -> list[dict]:
    """The region's indicators for ``month`` (and their values over ``trend_months``) from the stored boards, with
    their targets; each row carries when the month's board was computed."""
    stored = runs(region, [month, *trend_months])
    run = stored[month_start(month)]
    out = []
    indicators = list(Indicator.objects.filter(is_active=True))
    targets = targets_for(indicators, region)
    for indicator in indicators:
        target, target_source = targets[indicator.pk]
        value = _stored(run, indicator)
        out.append(
            {
                "indicator": indicator,
                "value": value,
                "target": target,
                "target_source": target_source,
                "met": met(indicator, value, target),
                "trend": [_stored(stored[month_start(m)], indicator) for m in trend_months],
                "computed_at": run.computed_at,
            }
        )
    return out


def refresh_staff_regions(day: datetime.date) -> str:
    """The daily job: the boards of every region a staff member stands in, and of the regions above it up to the
    province (the dashboard's breadcrumbs), for the current and the last month and for the month the dashboard
    opens on there (the latest month with payments)."""
    from huimin.core.models import User

    staff = User.objects.filter(is_active=True, region__isnull=False).values_list("region_id", flat=True)
    codes = {code for region_code in staff for code in regions.lineage(region_code)}
    last = add_months(month_start(day), -1)
    started = time.perf_counter()
    boards = []
    for region in Region.objects.filter(code__in=codes).order_by("code"):
        opened = figures.latest_paid_month(None, region, last) or last
        boards += [(region, month) for month in sorted({opened, last, month_start(day)})]
    with _sharing(_tops(boards)):
        for region, month in boards:
            compute_run(region, month)
    return f"重算 {len(codes)} 个区划的 {len(boards)} 个月度指标，耗时 {time.perf_counter() - started:.1f} 秒"


def _tops(boards: list[tuple[Region, datetime.date]]) -> dict[datetime.date, dict[str, str]]:
    """Per month, {code: prefix} of the regions among ``boards`` with no region above them that month."""
    by_month: dict[datetime.date, dict[str, str]] = defaultdict(dict)
    for region, month in boards:
        by_month[month][region.code] = region.prefix
    return {
        month: {
            code: prefix for code, prefix in found.items() if not any(a in found for a in regions.lineage(code)[1:])
        }
        for month, found in by_month.items()
    }
