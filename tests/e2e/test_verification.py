import pytest

from tests.conftest import VILLAGE_A1
from tests.verification.factories import AS_OF, D, authorise_all, load, make_household, standard_thresholds


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clerk_checks_a_household_and_reads_the_reasons(page, log_in, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    standard_thresholds()
    hh, (father,) = make_household(VILLAGE_A1, [("张建国", D(1970, 3, 1))], number="E2E-1")
    authorise_all(hh)
    vehicle = {"id_number": father.id_number, "plate_no": "豫Q88888", "vehicle_type": "轿车", "value": "150000.00",
               "registered_on": "2023-04-01", "status": "正常"}  # fmt: skip
    load(users["approver"], "vehicles", [vehicle])
    log_in(users["clerk_a"])
    page.click("aside >> text=家庭核对")
    page.click("text=E2E-1")
    page.fill("#id_as_of", AS_OF.isoformat())
    page.click("[data-testid=run-check]")
    page.wait_for_selector("[data-testid=conclusion]")
    assert page.inner_text("[data-testid=conclusion]") == "不符合"
    assert "名下机动车总价值 150,000.00 元，超过上限 50,000.00 元" in page.content()
    assert "豫Q88888" in page.content()
