"""Read labels back the way the station does: our camera decoders, then lotscan.codes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import cv2
import numpy as np
from PIL import Image

from lotscan.codes.interpret import interpret
from lotscan.codes.scan import RawScan, Scan, Source
from lotscan.devices.decoders import Decoded, make_decoder


@dataclass(frozen=True)
class ReadBack:
    decoded: list[Decoded]
    scans: list[Scan]

    @property
    def symbology_ids(self) -> list[str | None]:
        return sorted((d.symbology_id for d in self.decoded), key=str)

    def merged(self) -> dict[str, object]:
        """GTIN, lot, expiry and quantity over every symbol of one label (split GS1-128 included)."""
        found: dict[str, object] = {}
        for scan in self.scans:
            for key in ("gtin", "lot", "expiry", "quantity"):
                value = getattr(scan, key)
                if value is not None:
                    assert found.setdefault(key, value) == value, f"symbols disagree on {key}"
        return found


def png_to_gray(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("L"))


def camera_like(gray: np.ndarray, scale: float, blur: int, degrees: float, noise: float) -> np.ndarray:
    """What a camera sees of the label: rescaled, tilted, out of focus and noisy."""
    shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    image = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=shrink)
    image = cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    height, width = image.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    image = cv2.warpAffine(image, turn, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    image = cv2.GaussianBlur(image, (blur, blur), 0)
    grain = np.random.default_rng(7).normal(0, noise, image.shape)
    return np.clip(image.astype(np.int16) + grain, 0, 255).astype(np.uint8)


def read_back(gray: np.ndarray, backend: str = "zxing") -> ReadBack:
    decoded = make_decoder(backend).decode(gray)
    scans = [
        interpret(RawScan(d.text.encode("utf-8"), aim_id=d.symbology_id, source=Source.CAMERA))
        for d in decoded
    ]
    return ReadBack(decoded, scans)


def expected(gtin: str, lot: str, expiry: date | None, quantity: Decimal | None) -> dict[str, object]:
    found: dict[str, object] = {"gtin": gtin, "lot": lot}
    if expiry is not None:
        found["expiry"] = expiry
    if quantity is not None:
        found["quantity"] = quantity
    return found
