"""SMS segmentation: every segment fits its encoding's limit, numbers stay whole, and the
reporting windows fall on the portal's cut-offs."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import numpy as np
import pytest

from analytics.sms import GSM7_BASIC, LIMITS, encoding_of, plain, sms, units
from analytics.windows import TZ, last_month, last_week, month_window, week_window

WORDS = (
    "phản ánh ngập nước đường Nguyễn Hữu Cảnh phường Thạnh Mỹ Tây tiếp nhận 12.345 đúng hạn "
    "98,4% trễ hạn 1.024 quá hạn 17 Điểm nóng mới: Hạ tầng đô thị – thoát nước, ngập nước "
    "P. Bến Nghé [PAKN 1022] {ghi chú} ~ | € ^ 0901234567 2025-W23"
).split()


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=rng.integers(1, 120))) for _ in range(n)]


def _check(message, diacritics: bool) -> None:
    single, part = LIMITS[message.encoding]
    lengths = [units(s, message.encoding) for s in message.segments]
    if len(message.segments) == 1:
        assert lengths[0] <= single
    else:
        assert units(message.text, message.encoding) > single
        assert all(length <= part for length in lengths), lengths
    assert "".join(message.segments) == message.text
    for left, right in zip(message.segments, message.segments[1:], strict=False):
        assert not (left[-1:].isdigit() and right[:1].isdigit()), (left, right)  # whole numbers
    if not diacritics:
        assert message.encoding == "gsm7"
        assert message.text.isascii()


@pytest.mark.parametrize("diacritics", [False, True])
def test_every_segment_fits_its_encoding(diacritics):
    for text in _texts(400):
        message = sms(text, diacritics=diacritics)
        _check(message, diacritics)
        # numbers survive transliteration and segmentation unchanged
        numbers = re.findall(r"\d[\d.,%]*", text)
        assert re.findall(r"\d[\d.,%]*", "".join(message.segments)) == numbers


def test_limits_are_those_of_real_sms():
    assert sms("a" * 160).segments == ("a" * 160,)
    assert [len(s) for s in sms("a" * 161).segments] == [153, 8]
    assert sms("ă" * 70, diacritics=True).encoding == "ucs2"
    assert len(sms("ă" * 70, diacritics=True).segments) == 1
    assert [len(s) for s in sms("ă" * 71, diacritics=True).segments] == [67, 4]
    # extension characters take two septets and never straddle a segment
    assert units("{}", "gsm7") == 4
    assert [
        units(s, "gsm7") for s in sms("a" * 152 + "€" + "b" * 10, diacritics=True).segments
    ] == [152, 12]


def test_without_diacritics_is_gsm7():
    text = "Đường Lê Lợi, phường Bến Thành: ngập nước sau mưa – 35 phản ánh"
    assert encoding_of(text) == "ucs2"
    assert plain(text) == "Duong Le Loi, phuong Ben Thanh: ngap nuoc sau mua - 35 phan anh"
    assert encoding_of(plain(text)) == "gsm7"
    assert set(plain("ĐđƯưƠơ ẮẰẲẴẶ")) <= GSM7_BASIC


def test_decomposed_vietnamese_counts_as_composed():
    composed = "Phường Thạnh Mỹ Tây " * 4
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    assert sms(decomposed, diacritics=True).segments == sms(composed, diacritics=True).segments


def test_long_words_are_cut_at_characters():
    word = "x" * 400
    message = sms(word)
    assert "".join(message.segments) == word
    assert [len(s) for s in message.segments] == [153, 153, 94]


def test_windows_fall_on_the_cut_offs():
    week = week_window("2025-W23")
    assert week.start == datetime(2025, 5, 30, 15, 0, tzinfo=TZ)
    assert week.end == datetime(2025, 6, 6, 15, 0, tzinfo=TZ)
    assert week.end.weekday() == 4  # Friday
    assert week.previous() == week_window("2025-W22")
    assert week_window("2026-W01").previous().name == "2025-W52"
    month = month_window("2025-01")
    assert month.start == datetime(2024, 12, 25, 12, 0, tzinfo=TZ)
    assert month.end == datetime(2025, 1, 25, 12, 0, tzinfo=TZ)
    assert month.previous() == month_window("2024-12")
    # the last window is the one whose cut-off has passed
    cut = datetime(2025, 6, 6, 8, 0, tzinfo=UTC)  # 15:00 in Ho Chi Minh City
    assert last_week(cut).name == "2025-W23"
    assert last_week(datetime(2025, 6, 6, 7, 59, tzinfo=UTC)).name == "2025-W22"
    assert last_month(datetime(2025, 10, 25, 5, 0, tzinfo=UTC)).name == "2025-10"
    assert last_month(datetime(2025, 10, 25, 4, 59, tzinfo=UTC)).name == "2025-09"


@pytest.mark.parametrize("name", ["2025-W54", "2025-23", "W23", "2025-W00", "2021-W53"])
def test_bad_weeks_are_refused(name):
    with pytest.raises(ValueError, match="week"):
        week_window(name)


@pytest.mark.parametrize("name", ["2025-13", "2025-1", "25-10", "2025-00"])
def test_bad_months_are_refused(name):
    with pytest.raises(ValueError, match="month"):
        month_window(name)
