"""How personal data is shown to someone who may not unmask it."""


def mask(kind: str, value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if kind == "id_number":
        return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)
    if kind == "disability_cert_no":
        # the ID number it begins with stays hidden; the last two digits (category, grade) are not secret
        return value[:4] + "*" * (len(value) - 6) + value[-2:] if len(value) > 6 else "*" * len(value)
    if kind == "phone":
        return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)
    if kind == "bank_account":
        return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)
    if kind == "name":
        # 公示: 张三 → 张*, 张三丰 → 张*丰, 欧阳小明 → 欧**明
        if len(value) <= 1:
            return value
        if len(value) == 2:
            return value[0] + "*"
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return "*" * len(value)
