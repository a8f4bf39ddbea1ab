"""Identity documents, mobile numbers and 统一社会信用代码 (DOMAIN.md, "Identity documents").

Every function normalises first (what people paste from Word or type on a Chinese IME holds
full-width digits, spaces and a lower-case x) and returns the value to store, or raises
`django.core.exceptions.ValidationError` with a message the person can act on.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from .constants import IdType

# Full-width ASCII (U+FF01..U+FF5E) maps onto ASCII by a fixed offset; U+3000 is the full-width space.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# First two digits of a GB/T 2260 province-level code, as used by resident ID numbers.
_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65".split()
)
# 港澳台居民居住证: the area code says Hong Kong, Macao or Taiwan.
_RESIDENCE_PERMIT_AREAS = ("810000", "820000", "830000")
_EARLIEST_BIRTH_YEAR = 1900

_RE_EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
_RE_LEGACY_FIFTEEN = re.compile(r"^\d{15}$")
_RE_HK_MACAO = re.compile(r"^[HM]\d{8}(\d{2})?$")
_RE_TAIWAN = re.compile(r"^\d{8}(\d{2})?$")
_RE_FOREIGN_PR_2023 = re.compile(r"^9\d{16}[\dX]$")
_RE_FOREIGN_PR_2017 = re.compile(r"^[A-Z]{3}\d{12}$")
_RE_PASSPORT_CHINESE = re.compile(r"^E(\d{8}|[A-Z]\d{7})$")
_RE_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_RE_MOBILE = re.compile(r"^1[3-9]\d{9}$")

MSG_REQUIRED = _("Enter your ID number.")
MSG_CHECK_DIGIT = _("The check digit of this ID number is wrong: check the number and type it again.")
MSG_BIRTH_DATE = _("The birth date in this ID number is not a real past date.")


def normalize_id_number(raw: str) -> str:
    """Strip every space, turn full-width digits and letters into ASCII, upper-case (x → X)."""
    text = (raw or "").translate(_FULL_WIDTH)
    return "".join(text.split()).translate(_ASCII_UPPER)


def normalize_mobile(raw: str) -> str:
    """Like `normalize_id_number`, and also drop dashes and a leading +86 / 0086 country code."""
    text = normalize_id_number(raw).replace("-", "")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _birth_date(number: str) -> datetime.date:
    try:
        born = ric.get_birth_date(number)
    except (StdnumError, ValueError):
        raise ValidationError(MSG_BIRTH_DATE, code="birth_date") from None
    if born.year < _EARLIEST_BIRTH_YEAR or born >= timezone.localdate():
        raise ValidationError(MSG_BIRTH_DATE, code="birth_date")
    return born


def _check_mod11_2(number: str) -> None:
    """ISO 7064 MOD 11-2 over the first 17 digits (python-stdnum's cn.ric)."""
    if ric.calc_check_digit(number) != number[-1]:
        raise ValidationError(MSG_CHECK_DIGIT, code="checksum")


def _validate_resident_id(number: str) -> str:
    if _RE_LEGACY_FIFTEEN.match(number):
        raise ValidationError(
            _("15-digit ID card numbers are no longer accepted: enter your 18-digit number."), code="legacy"
        )
    if not _RE_EIGHTEEN.match(number):
        raise ValidationError(_("An ID card number has 18 characters: 17 digits, then a digit or X."), code="format")
    if number.startswith(_RESIDENCE_PERMIT_AREAS):
        raise ValidationError(
            _("This is a residence permit number: choose the ID type for Hong Kong, Macao and Taiwan residents."),
            code="wrong_type",
        )
    if number[:2] not in _PROVINCE_PREFIXES:
        raise ValidationError(_("The area code at the start of this ID number does not exist."), code="area")
    _birth_date(number)
    _check_mod11_2(number)
    return number


def _validate_residence_permit(number: str) -> str:
    if not _RE_EIGHTEEN.match(number):
        raise ValidationError(
            _("A residence permit number has 18 characters: 17 digits, then a digit or X."), code="format"
        )
    if not number.startswith(_RESIDENCE_PERMIT_AREAS):
        raise ValidationError(
            _(
                "A residence permit number for Hong Kong, Macao and Taiwan residents starts with 810000, 820000 or 830000."
            ),
            code="area",
        )
    _birth_date(number)
    _check_mod11_2(number)
    return number


def _validate_hk_macao_permit(number: str) -> str:
    if not _RE_HK_MACAO.match(number):
        raise ValidationError(
            _("A mainland travel permit for Hong Kong and Macao residents is H or M followed by 8 or 10 digits."),
            code="format",
        )
    return number


def _validate_taiwan_permit(number: str) -> str:
    if not _RE_TAIWAN.match(number):
        raise ValidationError(_("A mainland travel permit for Taiwan residents has 8 or 10 digits."), code="format")
    return number


def _validate_foreign_pr(number: str) -> str:
    if _RE_FOREIGN_PR_2023.match(number):
        _check_mod11_2(number)  # the 2023 card uses the resident ID check
        return number
    if _RE_FOREIGN_PR_2017.match(number):
        return number  # the 2017 card defines no check character
    raise ValidationError(
        _("A foreign permanent resident ID number is 18 digits starting with 9, or 3 letters followed by 12 digits."),
        code="format",
    )


def _validate_passport(number: str, nationality: str | None = None) -> str:
    if nationality and nationality.upper() in {"CHN", "CN"}:
        if not _RE_PASSPORT_CHINESE.match(number):
            raise ValidationError(
                _("A Chinese passport number is E followed by 8 digits, or E, a letter and 7 digits."), code="format"
            )
        return number
    if not _RE_PASSPORT.match(number):
        raise ValidationError(_("A passport number has 5 to 20 letters or digits."), code="format")
    return number


_BY_TYPE = {
    IdType.RESIDENT_ID: _validate_resident_id,
    IdType.RESIDENCE_PERMIT: _validate_residence_permit,
    IdType.HK_MACAO_PERMIT: _validate_hk_macao_permit,
    IdType.TAIWAN_PERMIT: _validate_taiwan_permit,
    IdType.FOREIGN_PR: _validate_foreign_pr,
}


def validate_id_number(id_type: str, raw: str, *, nationality: str | None = None) -> str:
    """Return the normalised ID number for `id_type` (an `IdType` value) or raise ValidationError.

    Passports are checked against the Chinese format when `nationality` is CHN, else against
    the generic 5–20 letters/digits.
    """
    number = normalize_id_number(raw)
    if not number:
        raise ValidationError(MSG_REQUIRED, code="required")
    if id_type == IdType.PASSPORT:
        return _validate_passport(number, nationality)
    try:
        check = _BY_TYPE[IdType(id_type)]
    except (KeyError, ValueError):
        raise ValidationError(_("Choose a valid ID type."), code="id_type") from None
    return check(number)


def validate_mobile(raw: str) -> str:
    """Return an 11-digit mainland mobile number (`^1[3-9]\\d{9}$`) or raise ValidationError."""
    number = normalize_mobile(raw)
    if not number:
        raise ValidationError(_("Enter your mobile number."), code="required")
    if not _RE_MOBILE.match(number):
        raise ValidationError(_("Enter an 11-digit mainland mobile number starting with 1."), code="format")
    return number


def validate_uscc(raw: str) -> str:
    """Return a 统一社会信用代码 (GB 32100-2015, check character verified) or raise ValidationError."""
    code = normalize_id_number(raw).replace("-", "")
    if not code:
        raise ValidationError(_("Enter the unified social credit code."), code="required")
    try:
        return uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: check the code and type it again."),
            code="checksum",
        ) from None
    except StdnumError:
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S and V."),
            code="format",
        ) from None


def birth_date_and_sex(id_number: str) -> tuple[datetime.date, str]:
    """Birth date and sex ("male" / "female") of an 18-character resident ID or residence permit.

    The 17th character is the sequence digit: odd for men, even for women. Raises ValueError
    for anything that does not have that structure.
    """
    number = normalize_id_number(id_number)
    if not _RE_EIGHTEEN.match(number):
        raise ValueError("not an 18-character resident ID number")
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        raise ValueError("the birth date digits are not a date") from None
    return born, ("male" if int(number[16]) % 2 else "female")
