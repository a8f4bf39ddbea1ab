"""Identity documents, mobile numbers and 统一社会信用代码 (DOMAIN.md, "Identity documents")."""

import datetime
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from identity.constants import IdType
from identity.validators import (
    birth_date_and_sex,
    normalize_id_number,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)

VALID_RESIDENT_IDS = [
    "360426199101010071",
    "120103198806018241",
    "230306196304054513",
    "420102199001011236",
    "429004198512314563",
]


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def error_of(id_type, raw, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        validate_id_number(id_type, raw, **kwargs)
    return info.value.messages[0]


# --------------------------------------------------------------------------- 居民身份证


@pytest.mark.parametrize("number", VALID_RESIDENT_IDS)
def test_the_published_test_resident_ids_are_accepted(number):
    assert validate_id_number(IdType.RESIDENT_ID, number) == number


def test_a_wrong_check_digit_is_refused_with_a_chinese_message():
    assert "校验位" in error_of(IdType.RESIDENT_ID, "360426199101010072")


def test_a_lower_case_x_check_character_is_accepted_and_stored_upper_case():
    number = with_check_digit("11010519491231002")
    assert number.endswith("X")
    assert validate_id_number(IdType.RESIDENT_ID, number.lower()) == number


def test_spaces_and_full_width_digits_are_normalised_before_the_check():
    typed = "４２０１０２　1990 0101 1236"
    assert validate_id_number(IdType.RESIDENT_ID, typed) == "420102199001011236"


def test_a_fifteen_digit_legacy_number_is_refused():
    assert "15位" in error_of(IdType.RESIDENT_ID, "420102900101123")


@pytest.mark.parametrize(
    "number", ["42010219900101123", "4201021990010112366", "42010219900101123A", "X20102199001011236"]
)
def test_a_resident_id_of_the_wrong_shape_is_refused(number):
    assert "18位" in error_of(IdType.RESIDENT_ID, number)


def test_an_impossible_birth_date_is_refused():
    assert "出生日期" in error_of(IdType.RESIDENT_ID, with_check_digit("42010219900230123"))


def test_a_birth_date_in_the_future_is_refused():
    next_year = datetime.date.today().year + 1
    assert "出生日期" in error_of(IdType.RESIDENT_ID, with_check_digit(f"420102{next_year}0101123"))


def test_an_unknown_province_code_is_refused():
    assert "地区码" in error_of(IdType.RESIDENT_ID, with_check_digit("99010219900101123"))


def test_a_residence_permit_typed_as_resident_id_points_to_the_right_type():
    assert "港澳台居民居住证" in error_of(IdType.RESIDENT_ID, with_check_digit("81000019900101123"))


def test_an_empty_number_asks_for_one():
    assert "请输入证件号码" in error_of(IdType.RESIDENT_ID, "  ")


def test_an_unknown_id_type_is_refused():
    assert "证件类型" in error_of("driving_licence", "420102199001011236")


# --------------------------------------------------------------------------- 港澳台居民居住证


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_residence_permits_of_hong_kong_macao_and_taiwan_are_accepted(area):
    number = with_check_digit(f"{area}19900101123")
    assert validate_id_number(IdType.RESIDENCE_PERMIT, number) == number


def test_a_residence_permit_with_a_mainland_area_code_is_refused():
    assert "810000" in error_of(IdType.RESIDENCE_PERMIT, "420102199001011236")


def test_a_residence_permit_with_a_wrong_check_digit_is_refused():
    number = with_check_digit("81000019900101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert "校验位" in error_of(IdType.RESIDENCE_PERMIT, wrong)


def test_a_residence_permit_with_an_impossible_birth_date_is_refused():
    assert "出生日期" in error_of(IdType.RESIDENCE_PERMIT, with_check_digit("82000019901301123"))


# --------------------------------------------------------------------------- 港澳居民来往内地通行证


@pytest.mark.parametrize("number", ["H12345678", "M12345678", "H1234567801", "h 1234 5678"])
def test_hong_kong_and_macao_permits_are_h_or_m_and_8_or_10_digits(number):
    assert validate_id_number(IdType.HK_MACAO_PERMIT, number) == normalize_id_number(number)


@pytest.mark.parametrize("number", ["A12345678", "H1234567", "H123456789", "12345678"])
def test_malformed_hong_kong_and_macao_permits_are_refused(number):
    assert "H或M" in error_of(IdType.HK_MACAO_PERMIT, number)


# --------------------------------------------------------------------------- 台湾居民来往大陆通行证


@pytest.mark.parametrize("number", ["12345678", "1234567890"])
def test_taiwan_permits_have_8_or_10_digits(number):
    assert validate_id_number(IdType.TAIWAN_PERMIT, number) == number


@pytest.mark.parametrize("number", ["1234567", "123456789", "T1234567"])
def test_malformed_taiwan_permits_are_refused(number):
    assert "8位或10位" in error_of(IdType.TAIWAN_PERMIT, number)


# --------------------------------------------------------------------------- 外国人永久居留身份证


def test_a_2023_foreign_permanent_resident_card_with_a_good_check_digit_is_accepted():
    number = with_check_digit("93184019900101123")
    assert validate_id_number(IdType.FOREIGN_PR, number) == number


def test_a_2023_foreign_permanent_resident_card_with_a_wrong_check_digit_is_refused():
    number = with_check_digit("93184019900101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert "校验位" in error_of(IdType.FOREIGN_PR, wrong)


def test_a_2017_foreign_permanent_resident_card_is_three_letters_and_twelve_digits():
    assert validate_id_number(IdType.FOREIGN_PR, "usa110190010101") == "USA110190010101"


@pytest.mark.parametrize("number", ["US1101900101011", "USA11019001010", "831840199001011230"])
def test_malformed_foreign_permanent_resident_cards_are_refused(number):
    assert "外国人永久居留身份证" in error_of(IdType.FOREIGN_PR, number)


# --------------------------------------------------------------------------- 护照


@pytest.mark.parametrize("number", ["E12345678", "EA1234567"])
def test_chinese_passports_are_e_and_8_digits_or_e_a_letter_and_7_digits(number):
    assert validate_id_number(IdType.PASSPORT, number, nationality="CHN") == number


@pytest.mark.parametrize("number", ["G12345678", "E1234567", "EAB123456"])
def test_malformed_chinese_passports_are_refused(number):
    assert "中国护照" in error_of(IdType.PASSPORT, number, nationality="CHN")


@pytest.mark.parametrize("number", ["X1234", "C01X00T47", "12345678901234567890"])
def test_foreign_passports_have_5_to_20_letters_or_digits(number):
    assert validate_id_number(IdType.PASSPORT, number) == number


@pytest.mark.parametrize("number", ["X123", "123456789012345678901", "AB-12345", "护照12345"])
def test_malformed_foreign_passports_are_refused(number):
    assert "5至20位" in error_of(IdType.PASSPORT, number)


# --------------------------------------------------------------------------- 手机号


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "１３８１２３４５６７８"])
def test_mobile_numbers_are_normalised_to_eleven_digits(raw):
    assert validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "23812345678", "1381234567a"])
def test_malformed_mobile_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="11位手机号"):
        validate_mobile(raw)


def test_an_empty_mobile_number_asks_for_one():
    with pytest.raises(ValidationError, match="请输入手机号"):
        validate_mobile("")


# --------------------------------------------------------------------------- 统一社会信用代码


def test_a_valid_unified_social_credit_code_is_accepted_and_upper_cased():
    assert validate_uscc("91110000600037341l") == "91110000600037341L"


def test_a_unified_social_credit_code_with_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError, match="校验位"):
        validate_uscc("91110000600037341M")


@pytest.mark.parametrize("raw", ["9111000060003734", "A1110000600037341L", "91110000I00037341L"])
def test_a_malformed_unified_social_credit_code_is_refused(raw):
    with pytest.raises(ValidationError, match="18位"):
        validate_uscc(raw)


# --------------------------------------------------------------------------- birth date and sex


def test_birth_date_and_sex_come_from_a_resident_id():
    assert birth_date_and_sex("420102199001011236") == (datetime.date(1990, 1, 1), "male")
    assert birth_date_and_sex("120103198806018241") == (datetime.date(1988, 6, 1), "female")


def test_birth_date_and_sex_refuse_a_number_without_that_structure():
    with pytest.raises(ValueError):
        birth_date_and_sex("E12345678")


# --------------------------------------------------------------------------- the normaliser (hypothesis)

ASCII_ID_CHARS = string.ascii_letters + string.digits


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@settings(deadline=None)  # a shared, busy machine must not turn slowness into failures
@given(st.text())
def test_normalising_twice_changes_nothing(raw):
    once = normalize_id_number(raw)
    assert normalize_id_number(once) == once


@settings(deadline=None)
@given(st.text())
def test_the_normalised_value_holds_no_space_and_no_lower_case_ascii_letter(raw):
    normalised = normalize_id_number(raw)
    assert not any(c.isspace() for c in normalised)
    assert not any(c in string.ascii_lowercase for c in normalised)


@settings(deadline=None)
@given(st.text(alphabet=ASCII_ID_CHARS, max_size=30))
def test_full_width_input_normalises_like_the_ascii_input(ascii_text):
    assert normalize_id_number(to_full_width(ascii_text)) == ascii_text.upper()


@settings(deadline=None)
@given(st.text(alphabet=ASCII_ID_CHARS, max_size=30), st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=5))
def test_spaces_anywhere_are_removed(ascii_text, spaces):
    spaced = "".join(spaces) + " ".join(ascii_text) + "".join(spaces)
    assert normalize_id_number(spaced) == ascii_text.upper()


@settings(deadline=None)
@given(
    st.sampled_from(["110105", "420102", "429004", "360426"]),
    st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2005, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_resident_id_with_a_correct_check_digit_is_accepted_and_a_wrong_one_refused(area, born, sequence):
    number = with_check_digit(f"{area}{born:%Y%m%d}{sequence:03d}")
    assert validate_id_number(IdType.RESIDENT_ID, number) == number
    for wrong in "0123456789X":
        if wrong != number[-1]:
            with pytest.raises(ValidationError):
                validate_id_number(IdType.RESIDENT_ID, number[:-1] + wrong)
