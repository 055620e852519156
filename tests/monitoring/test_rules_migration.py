"""Migration 0008 moves existing rules to the new defaults only where a parameter still holds the old default."""

import importlib

from django.apps import apps

from huimin.monitoring.models import WarningRule

update = importlib.import_module("huimin.monitoring.migrations.0008_rules_watch_the_registry").update


def test_old_defaults_move_and_a_bureaus_own_values_stay(seeded):
    WarningRule.objects.filter(code="large_deposits").delete()
    WarningRule.objects.filter(code="vehicle_registered").update(
        params={"categories": ["dibao", "tekun"], "lookback_days": 365, "min_value_yuan": 0}
    )
    WarningRule.objects.filter(code="big_medical_bills").update(
        params={"categories": ["edge", "expense"], "lookback_days": 90, "min_self_paid_yuan": 30000}
    )
    WarningRule.objects.filter(code="unemployment_registered").update(
        params={"categories": ["edge"], "lookback_days": 60}  # a bureau's own choice
    )
    update(apps, None)
    vehicle = WarningRule.objects.get(code="vehicle_registered").params
    assert vehicle["min_value_yuan"] == 10000 and "摩托" in vehicle["exclude_types"]
    medical = WarningRule.objects.get(code="big_medical_bills").params
    assert medical["categories"] == ["edge", "expense", "registered"] and medical["propose"][0] == "temp_expense"
    jobs = WarningRule.objects.get(code="unemployment_registered").params
    assert jobs["categories"] == ["edge"] and jobs["lookback_days"] == 60 and jobs["propose"]
    deposits = WarningRule.objects.get(code="large_deposits")
    assert deposits.kind == "deposits" and deposits.params["months"] == 24 and deposits.direction == "exit"
    # a bureau's raised floor is kept
    WarningRule.objects.filter(code="vehicle_registered").update(params=vehicle | {"min_value_yuan": 30000})
    update(apps, None)
    assert WarningRule.objects.get(code="vehicle_registered").params["min_value_yuan"] == 30000
