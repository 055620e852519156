import openpyxl
import pytest
from django.core.management import CommandError, call_command

from huimin.core import regions
from huimin.core.models import Region
from huimin.core.scope import in_scope, scoped
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1


def test_code_structure():
    assert regions.normalize_code("411702") == "411702000000"
    assert regions.level_of("411702001001") == regions.VILLAGE
    assert regions.level_of("411702001000") == regions.TOWNSHIP
    assert regions.level_of("411700000000") == regions.CITY
    assert regions.parent_code("411702001001") == "411702001000"
    assert regions.parent_code("410000000000") is None
    assert regions.prefix_of("411702001000") == "411702001"
    assert regions.is_urban("111") and regions.is_urban("122") and not regions.is_urban("220")
    with pytest.raises(regions.RegionCodeError, match="不合法"):
        regions.normalize_code("41170")


def test_municipalities_get_their_city_level(db):
    dongcheng = Region.objects.get(code="110101000000")
    assert dongcheng.level == regions.COUNTY
    assert dongcheng.parent.name == "市辖区" and dongcheng.parent.parent.name == "北京市"


def test_import_official_file_adds_townships_and_villages(db, tmp_path):
    path = tmp_path / "zmd.csv"
    path.write_text(
        "code,name,urban_rural\n411721100000,柏城街道,\n411721100001,西关社区居民委员会,111\n"
        "411721100201,冢张村委会,220\n",
        encoding="utf-8",
    )
    call_command("regions", "import", str(path), "--source", "统计用区划代码（测试）")
    village = Region.objects.get(code="411721100201")
    assert village.level == regions.VILLAGE and village.parent_id == "411721100000"
    assert village.is_urban is False and Region.objects.get(code="411721100001").is_urban is True
    assert village.full_name() == "河南省驻马店市西平县柏城街道冢张村委会"


def test_import_of_xlsx_in_gb_layout(db, tmp_path):
    path = tmp_path / "zmd.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["统计用区划代码", "名称", "城乡分类代码"])
    book.active.append(["411722100000", "蔡都街道", ""])
    book.save(path)
    call_command("regions", "import", str(path))
    assert Region.objects.get(code="411722100000").name == "蔡都街道"


def test_broken_import_file_writes_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("411721100000,柏城街道\n4117211000,坏代码\n411799100001,无上级村,220\n411721100002,某村,999\n")
    before = Region.objects.count()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("regions", "import", str(path))
    assert Region.objects.count() == before
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError):
        call_command("regions", "import", str(garbage))


def test_scope_is_the_subtree(users):
    from huimin.registry.models import Person

    for code, name in ((VILLAGE_A1, "甲"), (VILLAGE_A2, "乙"), (VILLAGE_B1, "丙")):
        Person.objects.create(name=name, region_id=code)
    names = lambda user: set(scoped(Person.objects.all(), user).values_list("name", flat=True))  # noqa: E731
    assert names(users["clerk_a"]) == {"甲", "乙"}
    assert names(users["clerk_b"]) == {"丙"}
    assert names(users["assistant_a"]) == {"甲"}
    assert names(users["approver"]) == {"甲", "乙", "丙"}
    assert in_scope(users["approver"], TOWN_B) and not in_scope(users["clerk_a"], TOWN_B)
    assert not in_scope(users["approver"], OTHER_COUNTY)


def test_a_named_region_narrows_a_list_inside_the_scope_only(users):
    from huimin.core.scope import named_region
    from huimin.registry.models import Person

    for code, name in ((VILLAGE_A1, "甲"), (VILLAGE_A2, "乙"), (VILLAGE_B1, "丙")):
        Person.objects.create(name=name, region_id=code)
    names = lambda condition: set(Person.objects.filter(condition).values_list("name", flat=True))  # noqa: E731
    approver = users["approver"]
    assert names(named_region(approver, TOWN_A)) == {"甲", "乙"}  # a 12-digit code: its subtree
    assert names(named_region(approver, VILLAGE_B1)) == {"丙"}
    assert names(named_region(approver, TOWN_B[:9])) == {"丙"}  # a code prefix as given
    assert named_region(approver, "") is None
    assert named_region(approver, OTHER_COUNTY) is None  # outside the scope: the list stays as scoped
    assert named_region(users["clerk_a"], TOWN_B) is None


def test_region_picker_stays_inside_the_subtree(users, login):
    client = login(users["approver"])
    assert client.get(f"/system/regions/children/?code={COUNTY}").status_code == 200
    assert client.get(f"/system/regions/children/?code={OTHER_COUNTY}").status_code == 404
    assert client.post("/system/regions/pick/", {"code": OTHER_COUNTY}).status_code == 404
    assert client.post("/system/regions/pick/", {"code": TOWN_A, "next": "/"}).status_code == 302
    assert "顺河街道" in client.get("/").content.decode()
    clerk = login(users["clerk_a"])
    assert clerk.post("/system/regions/pick/", {"code": TOWN_B}).status_code == 404
