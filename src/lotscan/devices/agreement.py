"""When a decoded code may be believed: integrity, votes within one image, agreement across frames.

A symbol with its own integrity structure (Reed-Solomon in DataMatrix, QR, Aztec, PDF417; the
DataBar checksum; GS1-128, whose GS1 content is checked on top of Code 128's mod 103) is believed
on one read. A code without one (EAN/UPC and ITF carry one mod-10 check digit, so a misread
with a valid check digit is 1 in 10; Code 128 with plain content) needs corroboration:
- in a still image, two attempts of the pipeline (another decoder, or another crop, angle or
  scale of the symbol: a second look, like a second frame) must read the same text, more
  often than any other text read where it was, and an ITF only zbar reads must be a whole
  ITF-14 (zbar's misreads are pieces of ITF symbols). Then its confidence is "medium",
  else "low". zxing-cpp's own two-scan-line check is not enough: it passes EAN-13 misreads
  with a valid check digit;
- in live frames, ``agree_frames`` frames must read the same text, and a read that disagrees
  with a read of the same symbol in a nearby frame is dropped (`FrameAgreement`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lotscan.codes.linters import gs1_check_digit
from lotscan.devices.decoders import Decoded

CONFIDENCES = ("low", "medium", "high")
SELF_CHECKING_FORMATS = frozenset(
    {
        "Data Matrix",
        "QR Code",
        "Micro QR Code",
        "rMQR Code",
        "Aztec",
        "PDF417",
        "MicroPDF417",
        "MaxiCode",
        "DataBar",
        "DataBar Expanded",
        "DataBar Limited",
        "QRCODE",  # pyzbar's names
        "DATABAR",
        "DATABAR_EXP",
    }
)
_FAMILIES = {
    "EAN-13": "ean",
    "EAN-8": "ean",
    "UPC-A": "ean",
    "UPC-E": "ean",
    "EAN13": "ean",
    "EAN8": "ean",
    "UPCA": "ean",
    "UPCE": "ean",
    "ISBN13": "ean",
    "ITF": "itf",
    "I25": "itf",
    "ITF-14": "itf",
    "Code 128": "code128",
    "CODE128": "code128",
}


def self_checking(code: Decoded) -> bool:
    if code.format in SELF_CHECKING_FORMATS or code.format.startswith("DataBar"):
        return True
    return family(code) == "code128" and (code.content_type == "GS1" or code.symbology_id == "]C1")


def family(code: Decoded) -> str:
    """Codes of one family can be misreads of each other (an EAN-13 read as a UPC-E)."""
    return _FAMILIES.get(code.format, code.format)


def at_least(confidence: str, floor: str) -> bool:
    return CONFIDENCES.index(confidence) >= CONFIDENCES.index(floor)


def _extent(code: Decoded) -> float:
    """The longest side of where the code was seen (0 if unknown)."""
    corners = code.corners
    return (
        max(
            (((corners[i][0] - corners[i - 1][0]) ** 2 + (corners[i][1] - corners[i - 1][1]) ** 2) ** 0.5)
            for i in range(len(corners))
        )
        if corners
        else 0.0
    )


def _near(a: Decoded, b: Decoded, radius: float) -> bool:
    """Whether two reads may be of one symbol: centers within ``radius``, or within the longer
    read's length (two pieces of one long ITF are read far apart along it)."""
    if a.center is None or b.center is None:
        return True  # unknown position: assume the same symbol, the cautious side
    reach = max(radius, _extent(a), _extent(b))
    return abs(a.center[0] - b.center[0]) <= reach and abs(a.center[1] - b.center[1]) <= reach


def same_code_key(code: Decoded) -> tuple[str, str]:
    """Reads of one code compare equal: zbar reports a UPC-A as its EAN-13 with a leading 0."""
    text = code.text
    if family(code) == "ean" and len(text) == 12 and text.isdigit():
        text = "0" + text
    return family(code), text


def plausible(code: Decoded, others: Sequence[Decoded] = ()) -> bool:
    """Whether a weak read can be a whole code: an ITF read shorter than another ITF read that
    contains it is a piece of that symbol (ITF has no fixed length: a scan line that leaves
    the symbol early still ends on a valid-looking stop pattern); a 14-digit ITF (ITF-14, a
    GTIN) must end in its GS1 mod-10 check digit (GS1 General Specifications 7.9.1)."""
    if family(code) != "itf":
        return True
    digits = code.text
    if any(family(o) == "itf" and len(o.text) > len(digits) and digits in o.text for o in others):
        return False
    return len(digits) != 14 or (digits.isdigit() and gs1_check_digit(digits[:-1]) == int(digits[-1]))


def judge_still(reads: Sequence[Decoded], *, radius: float = 120.0) -> list[Decoded]:
    """One entry per distinct code, with its confidence, from every attempt's reads of one image.

    Self-checking codes are "high". A weak code is "medium" when two attempts read it (for a
    zbar-only ITF: 14 digits) and it has more reads than any other text of the same family
    read where it was (the same symbol misread); otherwise, or when it is not plausible, "low".
    """
    judged: list[Decoded] = []
    seen: set[tuple[str, str]] = set()
    for read in reads:
        key = same_code_key(read)
        if key in seen:
            continue
        seen.add(key)
        if self_checking(read):
            judged.append(replace(read, confidence="high"))
            continue
        same = [r for r in reads if same_code_key(r) == key]
        zbar_only = all(r.decoder == "pyzbar" for r in same)
        corroborated = len({r.attempt for r in same}) >= 2 and not (
            zbar_only and key[0] == "itf" and len(read.text) != 14
        )
        rivals = Counter(
            same_code_key(r)
            for r in reads
            if family(r) == key[0]
            and same_code_key(r) != key
            and plausible(r, reads)
            and any(_near(r, s, radius) for s in same)
        )
        confident = corroborated and len(same) > max(rivals.values(), default=0) and plausible(read, reads)
        judged.append(replace(read, confidence="medium" if confident else "low"))
    return judged


@dataclass
class _Sighting:
    code: Decoded
    at: float


class FrameAgreement:
    """Live frames: which reads to report now.

    Self-checking codes pass at once. A weak code passes once ``agree_frames`` frames within
    ``window_s`` read the same text at about the same place, and never while another text was
    read for that symbol within ``window_s``: a disagreement drops both until one of them
    stops being seen.
    """

    def __init__(self, agree_frames: int = 2, window_s: float = 1.0, radius: float = 160.0) -> None:
        if agree_frames < 1:
            raise ValueError("agree_frames must be 1 or more")
        self.agree_frames = agree_frames
        self.window_s = window_s
        self.radius = radius
        self._sightings: list[_Sighting] = []

    def accept(self, reads: Sequence[Decoded], now: float) -> list[Decoded]:
        self._sightings = [s for s in self._sightings if now - s.at <= self.window_s]
        frame_reads = {same_code_key(r): r for r in reads}.values()  # one vote per frame
        self._sightings += [_Sighting(r, now) for r in frame_reads if not self_checking(r)]
        accepted = []
        for read in frame_reads:
            if self_checking(read):
                accepted.append(replace(read, confidence="high"))
                continue
            same_symbol = [
                s
                for s in self._sightings
                if family(s.code) == family(read) and _near(s.code, read, self.radius)
            ]
            if not plausible(read, reads) or any(
                same_code_key(s.code) != same_code_key(read) and plausible(s.code, reads) for s in same_symbol
            ):
                continue
            if sum(same_code_key(s.code) == same_code_key(read) for s in same_symbol) >= self.agree_frames:
                accepted.append(replace(read, confidence="medium"))
        return accepted
