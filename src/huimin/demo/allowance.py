"""The demo city's 高龄津贴 (免申即享): each county's 养老服务 approver sets the bands and amounts of his county, and
confirms the proposal of the first demo payroll month, so the allowance is on the demo payrolls; next month's
proposal is left for the townships to confirm on 养老服务 › 高龄津贴名单."""

import datetime

from huimin.benefits import services as benefit_services
from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.elderly import allowance
from huimin.elderly import capabilities as cap

# demo figures (元/月), not a county's published ones: 80–89, 90–99, 100 and over
BANDS = ((80, 89, 50), (90, 99, 100), (100, None, 300))
SOURCE = "演示数据：县级高龄津贴标准（非真实文件）"


def load_allowance(first_month: datetime.date) -> dict[str, int]:
    counts = {"bands": 0, "enrolled": 0}
    for approver in User.objects.with_role(Role.APPROVER, BusinessLine.ELDERLY).order_by("region_id"):
        with acting_as(actor_for(approver)):
            for low, high, value in BANDS:
                benefit_services.add_standard(
                    approver, kind="aged_allowance", region_code=approver.region_id, value=value,
                    effective_from=datetime.date(2020, 1, 1), age_from=low, age_to=high, source=SOURCE,
                    capability=cap.ALLOWANCE_POLICY,
                )  # fmt: skip
                counts["bands"] += 1
            prop = allowance.proposal(approver.region_id, first_month)
            if prop.new:
                region = Region.objects.get(code=approver.region_id)
                checked = allowance.Checked(region, first_month, prop.new, [], allowance.programme())
                counts["enrolled"] += allowance.do_confirm(approver, checked).enrolled
    return counts
