"""Masking of personal data for lists, logs and audit text (SECURITY.md, PIPL).

An ID number keeps its first three and last four characters, so the birth date digits never
show; a mobile number keeps its first three and last four digits.
"""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """A name keeps its first character (the surname, for most Chinese names): 张三 → 张*, 欧阳修 → 欧**."""
    if not value:
        return ""
    value = str(value)
    return value[:1] + "*" * (len(value) - 1)
