"""The indicators of 养老机构 per region (docs/elderly-services.md): beds per 1,000 older people (the older people
from the elderly register on the day), 护理型床位占比 against the 55% target, and occupancy. Counted over the
institutions operating in the region's subtree; used by the eldercare dashboard and by huimin.stats."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from huimin.core.scope import subtree
from huimin.eldercare import rules
from huimin.eldercare.models import Institution, Resident


@dataclass
class BedFigures:
    institutions: int
    nursing_beds: int
    beds: int
    residents: int
    older_people: int

    @property
    def per_thousand(self) -> Decimal | None:
        return rules.ratio(self.beds, self.older_people, 1000)

    @property
    def nursing_share(self) -> Decimal | None:
        return rules.ratio(self.nursing_beds, self.beds)

    @property
    def occupancy(self) -> Decimal | None:
        return rules.ratio(self.residents, self.beds)

    @property
    def nursing_met(self) -> bool | None:
        share = self.nursing_share
        return None if share is None else share >= rules.NURSING_TARGET


def older_people(prefix: str, day: datetime.date) -> int:
    from huimin.elderly import rules as elderly_rules
    from huimin.elderly.services import register_age
    from huimin.registry.models import Person

    return Person.objects.filter(elderly_rules.elderly_q(day, register_age()), subtree("region", prefix)).count()


def bed_figures(prefix: str, day: datetime.date) -> BedFigures:
    """The figures of the institutions operating in the subtree of region prefix ``prefix`` on ``day``."""
    qs = Institution.objects.filter(subtree("region", prefix), status=Institution.Status.OPERATING,
                                    filed_on__lte=day)  # fmt: skip
    agg = qs.aggregate(n=Count("pk"), nursing=Sum("nursing_beds"), general=Sum("general_beds"))
    nursing, general = agg["nursing"] or 0, agg["general"] or 0
    residents = Resident.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), institution__in=qs,
                                        admitted_on__lte=day).count()  # fmt: skip
    return BedFigures(agg["n"], nursing, nursing + general, residents, older_people(prefix, day))
