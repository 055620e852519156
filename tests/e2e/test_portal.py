"""On a phone: a resident verifies with name, ID number and an SMS code, applies for 低保 with a photo of a
document and signs the 核对 authorisation; a township clerk then finds the application in the 受理 queue."""

import pytest

from huimin.assistance.models import Application, ApplicationDocument
from tests.portal.conftest import family, last_code, photo_bytes, programmes, sms  # noqa: F401 (fixtures)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_applies_on_a_phone_and_the_township_sees_it(phone_page, page, log_in, users, family, sms):  # noqa: F811
    _, (wang, li, _child) = family
    phone = phone_page
    phone.goto("/portal/")
    phone.click("text=开始办理")
    phone.fill("#name", "王芳")
    phone.fill("#id_number", wang.id_number)
    phone.fill("#phone", "13800138000")
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_selector("text=验证码已发送到 138****8000")
    phone.fill("#code", last_code(sms))
    phone.click("button:has-text('确认')")
    phone.wait_for_selector("text=王芳，您好")
    assert "暂无发放记录" in phone.inner_text("main")

    phone.click("text=申请最低生活保障")
    phone.fill("#reason", "丈夫重病，无固定收入")
    phone.set_input_files(
        "#doc_identity", files=[{"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    phone.check(f"#consent-p{wang.pk}")
    phone.check(f"#consent-p{li.pk}")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width}px)"
    phone.click("button:has-text('提交申请')")
    phone.wait_for_selector("text=申请已提交")
    app = Application.objects.get()
    assert app.number in phone.inner_text("main") and "待受理" in phone.inner_text("main")
    assert ApplicationDocument.objects.get(application=app).code == "identity"

    log_in(users["clerk_a"])
    page.goto("/assistance/?stage=accept")
    page.click(f"text={app.number}")
    page.wait_for_selector("text=网上申请")
    assert "王芳" in page.inner_text("main")
