"""The demo city's departmental data in the 核对 system: the generated files become dated snapshots through
the real ingestion (every row validated), and the demo's 核对 thresholds are set (the 核对收入标准 as a multiple
of the demo's 低保标准, which the benefits standards hold).

The thresholds are demo data, of the order of the rules the plans describe; a bureau sets its own.
"""

import datetime
from decimal import Decimal

from huimin.demo import programmes as demo_programmes
from huimin.engine.sources import SOURCES
from huimin.verification import services
from huimin.verification.models import Threshold, Upload

DEMO_DEPARTMENT = "演示城市"

# rule → (value, outcome when exceeded); income_standard is a multiple of the 低保标准 (1, or 1.5 for 低保边缘)
_RULES = {
    "deposit_months": (24, "not_eligible"),
    "vehicle_count": (1, "not_eligible"),
    "vehicle_value": (50000, "not_eligible"),
    "dwelling_count": (1, "not_eligible"),
    "company_count": (0, "needs_visit"),
    "medical_self_paid": (20000, "needs_visit"),
}
# every programme the assistance app ships, 临时救助 included (a programme without thresholds cannot be 核对-ed)
_PROGRAMMES = (
    "dibao", "dibao_single", "tekun_scattered", "tekun_central", "edge", "expense", "temp_urgent", "temp_expense"
)  # fmt: skip
_LENIENT = ("edge", "expense", "temp_urgent", "temp_expense")  # 核对收入标准 of 1.5 × 低保标准


def load_thresholds(region_code: str, valid_from: datetime.date) -> int:
    rows = []
    for programme in _PROGRAMMES:
        factor = demo_programmes.EDGE_FACTOR if programme in _LENIENT else 1
        rows.append(("income_standard", Decimal(str(factor)), "not_eligible", "", programme))
        for rule, (value, outcome) in _RULES.items():
            rows.append((rule, Decimal(value), outcome, "", programme))
    Threshold.objects.bulk_create(
        Threshold(programme=programme, rule=rule, region_id=region_code, urban_rural=urban_rural,
                  value=value, outcome=outcome, valid_from=valid_from)
        for rule, value, outcome, urban_rural, programme in rows
    )  # fmt: skip
    return len(rows)


def load_snapshots(files: dict[str, bytes], as_of: datetime.date) -> int:
    """``files``: source code → the generated Parquet file's bytes. Returns the rows taken in."""
    rows = 0
    for code in SOURCES:
        if code in files:
            upload = services.ingest_file(
                None, code, files[code], f"{code}.parquet", as_of, channel="cli", department=DEMO_DEPARTMENT
            )
            if upload.status != Upload.Status.ACCEPTED:
                raise services.ServiceError(f"演示数据 {code} 未通过校验：{upload.errors[:3]}")
            rows += upload.total_rows - upload.error_rows
    return rows
