import datetime

import pytest

from tests.conftest import VILLAGE_A2
from tests.registry.conftest import id_for, row, xlsx


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clerk_imports_a_small_file_and_finds_the_household_by_pinyin_initials(page, log_in, users, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    born = datetime.date(1962, 9, 9)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(
        xlsx(
            [
                row(
                    household_number="E2E01",
                    relation="户主",
                    name="欧阳娜",
                    id_number=id_for(born, 41),
                    region=VILLAGE_A2,
                    address="小王庄 8 号",
                ),
                row(
                    household_number="E2E01",
                    relation="子",
                    name="欧阳明",
                    id_number=id_for(datetime.date(1990, 1, 1), 51),
                    region=VILLAGE_A2,
                ),
                row(
                    household_number="E2E02",
                    relation="户主",
                    name="李强",
                    id_number=id_for(born, 61),
                    region=VILLAGE_A2,
                ),
            ]  # fmt: skip
        )
    )
    log_in(users["clerk_a"])
    page.click("aside >> text=台账导入")
    page.wait_for_selector("h1:has-text('台账导入')")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并检查")
    status = page.wait_for_selector("[data-testid=import-status]")
    assert status.get_attribute("data-status") == "checked", status.inner_text()
    assert "家庭 2 户 · 人员 3 人 · 错误 0 条" in status.inner_text()
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=import-status][data-status=done]")
    assert "已导入 2 户、3 人" in page.inner_text("[data-testid=import-status]")

    page.click("aside >> text=家庭")
    page.fill("input[name=q]", "oyn")
    page.click("button:has-text('查询')")
    table = page.inner_text("[data-testid=household-table]")
    assert "E2E01" in table and "欧阳娜" in table and "E2E02" not in table
    page.click("text=E2E01")
    page.wait_for_selector("[data-testid=members]")
    members = page.inner_text("[data-testid=members]")
    assert "欧阳明" in members and "子" in members
    assert "台账导入" in page.inner_text("[data-testid=timeline]")
    page.screenshot(path=str(tmp_path / "household.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_broken_file_shows_every_error_in_chinese_and_writes_nothing(page, log_in, users, tmp_path):
    from huimin.registry.models import Person

    born = datetime.date(1970, 1, 1)
    good = id_for(born, 11)
    path = tmp_path / "坏台账.xlsx"
    path.write_bytes(
        xlsx(
            [
                row(
                    household_number="X1",
                    relation="户主",
                    name="赵一",
                    id_number=good[:17] + ("1" if good[17] != "1" else "2"),
                    region=VILLAGE_A2,
                ),
                row(household_number="X1", relation="配偶", name="", id_number=id_for(born, 22), region=VILLAGE_A2),
                row(
                    household_number="X2",
                    relation="户主",
                    name="钱二",
                    id_number=id_for(born, 33),
                    region="411702002001",
                ),
            ]  # fmt: skip
        )
    )
    log_in(users["clerk_a"])
    page.goto("/registry/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并检查")
    status = page.wait_for_selector("[data-testid=import-status]")
    assert status.get_attribute("data-status") == "invalid"
    assert "错误 3 条" in status.inner_text()  # one per problem, none repeated
    errors = page.inner_text("[data-testid=import-errors]")
    assert "身份证号校验位错误" in errors and "姓名不能为空" in errors and "不在您的管辖范围内" in errors
    assert page.locator("[data-testid=commit]").count() == 0
    assert page.locator("text=下载错误报告").count() == 1
    page.screenshot(path=str(tmp_path / "errors.png"), full_page=True)
    assert Person.objects.count() == 0
