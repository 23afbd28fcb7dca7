"""Decode rate of a backend over a folder tree of sample photos (zxing-cpp's layout: each
image ``NAME.png|jpg|webp`` has ``NAME.txt`` or ``NAME.bin`` with the expected content;
folders named ``falsepositives*`` hold images with no barcode at all)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lotscan.devices.decoders import Decoder, load_image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


@dataclass
class FolderResult:
    folder: str
    images: int = 0
    decoded: int = 0
    false_positives: int = 0
    ms_total: float = 0.0

    @property
    def rate(self) -> float:
        expected = self.images if not self.is_negative else 0
        return self.decoded / expected if expected else 0.0

    @property
    def is_negative(self) -> bool:
        return self.folder.startswith("falsepositives")

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "rate": round(self.rate, 3),
            "ms_per_image": round(self.ms_total / self.images, 2) if self.images else 0.0,
        }


def expected_content(image: Path) -> str | bytes | None:
    text, binary = image.with_suffix(".txt"), image.with_suffix(".bin")
    if text.exists():
        return text.read_bytes().decode("utf-8", errors="replace")
    if binary.exists():
        return binary.read_bytes()
    return None


def evaluate_folder(folder: Path, decoder: Decoder) -> FolderResult:
    result = FolderResult(folder.name)
    for image in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        pixels = load_image(str(image))
        began = time.perf_counter()
        found = decoder.decode(pixels)
        result.ms_total += (time.perf_counter() - began) * 1000
        result.images += 1
        if result.is_negative:
            result.false_positives += len(found)
            continue
        expected = expected_content(image)
        if isinstance(expected, bytes):
            hit = any(d.raw == expected for d in found)
        else:
            hit = any(d.text == expected for d in found)
        result.decoded += hit
    return result


def evaluate_tree(root: Path, decoder: Decoder) -> list[FolderResult]:
    return [evaluate_folder(folder, decoder) for folder in sorted(root.iterdir()) if folder.is_dir()]
