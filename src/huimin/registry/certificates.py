"""第二代残疾人证号: the holder's 18-character 身份证号 followed by two digits, the 残疾类别 (1 视力 … 7 多重) and
the 残疾等级 (1–4, 一级最重) — 《残疾人证管理办法》(中国残联, 2017) and the 第二代残疾人证 specification."""

from huimin.core.services import ServiceError
from huimin.registry.codes import DisabilityCategory

CERT_LENGTH = 20


class CertificateError(ServiceError):
    """A 残疾人证号 that cannot be the holder's (the message says why, without repeating the number)."""


def check_grade(grade) -> int:
    """A 残疾等级 as an int 1–4, or CertificateError."""
    try:
        value = int(str(grade).strip())
    except (TypeError, ValueError) as exc:
        raise CertificateError("残疾等级应为 1–4 级（一级最重）") from exc
    if not 1 <= value <= 4:
        raise CertificateError(f"残疾等级“{value}”不存在：残疾等级应为 1–4 级（一级最重）")
    return value


def parse_certificate(cert_no: str, id_number: str) -> tuple[str, int]:
    """(category code, grade) read from ``cert_no``; CertificateError unless it is ``id_number`` + a category
    digit 1–7 + a grade digit 1–4."""
    cert = (cert_no or "").strip().upper()
    holder = (id_number or "").strip().upper()
    if not holder:
        raise CertificateError("持证人没有登记身份证号，无法核对残疾人证号")
    if len(cert) != CERT_LENGTH or not cert[-2:].isdigit():
        raise CertificateError(
            "残疾人证号格式不正确：第二代残疾人证号为持证人身份证号（18 位）加 2 位数字（残疾类别 1–7、残疾等级 1–4）"
        )
    if cert[:18] != holder:
        raise CertificateError("残疾人证号与持证人身份证号不一致：证号前 18 位应为持证人的身份证号")
    category, grade = cert[18], cert[19]
    if category not in DisabilityCategory.values:
        raise CertificateError("残疾人证号第 19 位为残疾类别，应为 1–7（视力、听力、言语、肢体、智力、精神、多重）")
    return category, check_grade(grade)
