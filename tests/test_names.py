"""Vietnamese unit names: diacritics stripped to ASCII, unit type read from the name's prefix."""

import pytest

from boundaries.names import UNIT_TYPES, strip_diacritics, unit_type_of

PREFIXED = [
    ("Thành phố Thủ Đức", "Thành phố"),
    ("Thị trấn Củ Chi", "Thị trấn"),
    ("Thị xã Thuận An", "Thị xã"),
    ("Đặc khu Côn Đảo", "Đặc khu"),
    ("Phường Tân Định", "Phường"),
    ("Huyện Cần Giờ", "Huyện"),
    ("Quận 1", "Quận"),
    ("Tỉnh Bình Dương", "Tỉnh"),
    ("Xã Bình Chánh", "Xã"),
]


@pytest.mark.parametrize(
    ("name", "ascii_"),
    [
        ("Phường Tân Định", "Phuong Tan Dinh"),
        ("Đặc khu Côn Đảo", "Dac khu Con Dao"),
        ("Thành phố Thủ Đức", "Thanh pho Thu Duc"),
        ("xã đông thạnh", "xa dong thanh"),
        ("Quận 1", "Quan 1"),
    ],
)
def test_strip_diacritics(name, ascii_):
    assert strip_diacritics(name) == ascii_
    assert strip_diacritics(name).isascii()


@pytest.mark.parametrize(("name", "unit_type"), PREFIXED)
def test_unit_type_of_each_prefix(name, unit_type):
    assert unit_type_of(name) == unit_type


def test_every_known_type_is_covered():
    assert {t for _, t in PREFIXED} == set(UNIT_TYPES)


@pytest.mark.parametrize(
    ("name", "unit_type"),
    [
        ("phường bến nghé", "Phường"),
        ("đặc khu côn đảo", "Đặc khu"),
        ("THÀNH PHỐ THỦ ĐỨC", "Thành phố"),
        ("  Quận 3 ", "Quận"),
    ],
)
def test_unit_type_of_is_case_insensitive_and_canonical(name, unit_type):
    assert unit_type_of(name) == unit_type


@pytest.mark.parametrize("name", ["Bến Nghé", "Tân Định", "Phường", "Phườngx 1", "Thủ Đức", ""])
def test_unit_type_of_without_prefix_is_none(name):
    assert unit_type_of(name) is None
