"""Decode rate of a backend over a folder tree of sample photos (zxing-cpp's layout: each
image ``NAME.png|jpg|webp`` has ``NAME.txt`` or ``NAME.bin`` with the expected content;
folders named ``falsepositives*`` hold images with no barcode at all).

A read is right when its text (or bytes, for ``.bin``) is the expected content; every other
code a decoder reports for the image is wrong (in a ``falsepositives`` folder: a false
positive). Time is wall-clock and this thread's CPU time per image.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lotscan.devices.decoders import Decoded, Decoder, load_image
from lotscan.devices.pipeline import PipelineDecoder

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


@dataclass
class FolderResult:
    folder: str
    images: int = 0
    decoded: int = 0
    wrong: int = 0  # codes reported that are not the expected one (positive folders)
    false_positives: int = 0  # codes reported in a falsepositives folder
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    # the pipeline only: per attempt, its runs and ms, and the right reads it was first to make
    attempt_runs: Counter[str] = field(default_factory=Counter)
    attempt_ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    earned: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        expected = self.images if not self.is_negative else 0
        return self.decoded / expected if expected else 0.0

    @property
    def is_negative(self) -> bool:
        return self.folder.startswith("falsepositives")

    @property
    def ms_total(self) -> float:
        return sum(self.ms)

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "images": self.images,
            "read": self.decoded,
            "wrong": self.wrong,
            "false_positives": self.false_positives,
            "rate": round(self.rate, 3),
            "ms_per_image": round(self.ms_total / self.images, 2) if self.images else 0.0,
            "ms_median": round(statistics.median(self.ms), 2) if self.ms else 0.0,
            "cpu_ms_per_image": round(sum(self.cpu_ms) / self.images, 2) if self.images else 0.0,
        }


# Sample files whose expected text is not what the symbol holds: folder/name -> what it holds.
ERRATA = {
    # the digits printed under the bars, and what zbar and lotscan read, are 9784872348880;
    # the sample's .txt says 9780804816632 (the ISBN of the other photos of that folder)
    "ean13-2/23.webp": "9784872348880",
}


def expected_content(image: Path) -> str | bytes | None:
    """The expected content from ``NAME.txt`` / ``NAME.bin``, or the erratum for that file."""
    erratum = ERRATA.get(f"{image.parent.name}/{image.name}")
    if erratum is not None:
        return erratum
    text, binary = image.with_suffix(".txt"), image.with_suffix(".bin")
    if text.exists():
        return text.read_bytes().decode("utf-8", errors="replace")
    if binary.exists():
        return binary.read_bytes()
    return None


def is_expected(code: Decoded, expected: str | bytes | None) -> bool:
    if isinstance(expected, bytes):
        return code.raw == expected
    return code.text == expected


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def evaluate_folder(folder: Path, decoder: Decoder) -> FolderResult:
    result = FolderResult(folder.name)
    for image in images_in(folder):
        pixels = load_image(str(image))
        began, began_cpu = time.perf_counter(), time.thread_time()
        if isinstance(decoder, PipelineDecoder):
            outcome = decoder.run(pixels)
            found = outcome.codes
            for attempt in outcome.attempts:
                result.attempt_runs[attempt.name] += 1
                result.attempt_ms[attempt.name] += attempt.ms
        else:
            found = decoder.decode(pixels)
        result.ms.append((time.perf_counter() - began) * 1000)
        result.cpu_ms.append((time.thread_time() - began_cpu) * 1000)
        result.images += 1
        if result.is_negative:
            result.false_positives += len(found)
            continue
        expected = expected_content(image)
        right = [d for d in found if is_expected(d, expected)]
        hit = bool(right)
        result.decoded += hit
        if right and right[0].attempt:
            result.earned[right[0].attempt] += 1
        result.wrong += sum(not is_expected(d, expected) for d in found)
        if not hit:
            result.missed.append(image.name)
    return result


def evaluate_tree(root: Path, decoder: Decoder) -> list[FolderResult]:
    return [evaluate_folder(folder, decoder) for folder in sorted(root.iterdir()) if folder.is_dir()]
