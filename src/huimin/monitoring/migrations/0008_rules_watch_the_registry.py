from django.db import migrations

OLD_ENTER = ["edge", "expense"]
WATCH_REGISTRY = ("death_of_earner", "big_medical_bills", "new_disability", "unemployment_registered")


def update(apps, schema_editor):
    """主动发现 and the corrected rules, as data. A parameter still at its old default takes the new one; one a
    bureau changed stays as it is; a missing parameter is added; the deposit rule is created where missing."""
    from huimin.monitoring.defaults import RULES

    WarningRule = apps.get_model("monitoring", "WarningRule")
    defaults = {row["code"]: row for row in RULES}
    for rule in WarningRule.objects.filter(code__in=list(defaults)):
        params = dict(rule.params)
        new = defaults[rule.code]["params"]
        if rule.code in WATCH_REGISTRY and params.get("categories") == OLD_ENTER:
            params["categories"] = new["categories"]
        if rule.code == "vehicle_registered" and params.get("min_value_yuan") == 0:
            params["min_value_yuan"] = new["min_value_yuan"]
        for name, value in new.items():
            params.setdefault(name, value)
        if params != rule.params:
            rule.params = params
            rule.description = defaults[rule.code]["description"]
            rule.save(update_fields=["params", "description"])
    row = defaults["large_deposits"]
    WarningRule.objects.get_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_discovery")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
