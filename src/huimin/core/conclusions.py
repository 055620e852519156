"""The conclusion of a 核对 (household economic-status verification), one vocabulary for the engine's rules, its
reports, the reports recorded by hand and the assistance workflow that reads them."""

from django.db import models


class Conclusion(models.TextChoices):
    ELIGIBLE = "eligible", "符合"
    NOT_ELIGIBLE = "not_eligible", "不符合"
    NEEDS_VISIT = "needs_visit", "需入户核实"
