"""Vietnamese unit names: diacritics, unit types."""

from __future__ import annotations

import re

from unidecode import unidecode

# Longest first, so that "Thành phố" is not read as a shorter prefix.
UNIT_TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
_PREFIX = re.compile(rf"^({'|'.join(UNIT_TYPES)})\s+", re.IGNORECASE)


def strip_diacritics(text: str) -> str:
    """'Phường Tân Định' -> 'Phuong Tan Dinh' (đ/Đ become d/D)."""
    return unidecode(text)


def unit_type_of(name: str) -> str | None:
    """The administrative type a name starts with ('Quận 1' -> 'Quận'), or None."""
    match = _PREFIX.match(name.strip())
    if not match:
        return None
    found = match.group(1).lower()
    return next(t for t in UNIT_TYPES if t.lower() == found)
