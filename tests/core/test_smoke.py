from huimin.core.models import Region


def test_national_regions_are_loaded_by_migrate(db):
    zmd = Region.objects.get(code="411700000000")
    assert zmd.name == "驻马店市"
    assert {r.name for r in zmd.children.all()} >= {"驿城区", "西平县", "新蔡县"}
    assert Region.objects.filter(level=3).count() > 2800
