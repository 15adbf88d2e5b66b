"""SMS text: Vietnamese with or without diacritics, split into real SMS segments.

A message whose characters are all in the GSM 03.38 alphabet is sent in GSM-7: 160 septets in a
single SMS, 153 per segment of a concatenated one (the user-data header takes 7); characters of
the extension table (``^{}\\[~]|€``, form feed) take two septets and never straddle segments.
Anything else goes as UCS-2: 70 UTF-16 code units in one SMS, 67 per segment, a surrogate pair
never split. Vietnamese with diacritics is UCS-2; without (the default of Vietnamese SMS
gateways) it is GSM-7. Segments break at spaces where possible so numbers stay whole.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from unidecode import unidecode

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}  # single SMS, segment of a concatenated SMS


@dataclass(frozen=True)
class Sms:
    """A text, its encoding and its segments (joined, they give the text back)."""

    text: str
    encoding: str  # "gsm7" or "ucs2"
    segments: tuple[str, ...]

    def as_dict(self) -> dict:
        """JSON form: text, encoding, segments and each segment's length in its units."""
        return {
            "text": self.text,
            "encoding": self.encoding,
            "segments": list(self.segments),
            "lengths": [units(s, self.encoding) for s in self.segments],
        }


def plain(text: str) -> str:
    """Vietnamese without diacritics (``đ`` → ``d``), the rest transliterated to ASCII."""
    return unidecode(text)


def encoding_of(text: str) -> str:
    """``gsm7`` when every character is in the GSM 03.38 alphabet, else ``ucs2``."""
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "ucs2"


def units(text: str, encoding: str) -> int:
    """Length in the encoding's units: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    if encoding == "gsm7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def sms(text: str, diacritics: bool = False) -> Sms:
    """The SMS for `text`: transliterated unless `diacritics`, NFC-normalised (decomposed
    Vietnamese would count each mark as a character), then segmented."""
    text = unicodedata.normalize("NFC", text if diacritics else plain(text))
    encoding = encoding_of(text)
    single, part = LIMITS[encoding]
    if units(text, encoding) <= single:
        return Sms(text, encoding, (text,))
    return Sms(text, encoding, tuple(_split(text, encoding, part)))


def _split(text: str, encoding: str, limit: int) -> list[str]:
    """Pieces of at most `limit` units, cut after the last space that fits (or, for a word
    longer than a segment, at the last whole character)."""
    pieces = []
    while text:
        end, used, space = 0, 0, 0
        for i, c in enumerate(text):
            u = units(c, encoding)
            if used + u > limit:
                break
            used += u
            end = i + 1
            if c == " ":
                space = end
        else:
            pieces.append(text)
            break
        cut = space or end
        pieces.append(text[:cut])
        text = text[cut:]
    return pieces
