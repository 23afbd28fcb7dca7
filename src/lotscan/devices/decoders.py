"""Barcode decoders behind one interface: zxing-cpp (default) and pyzbar.

zxing-cpp reads DataMatrix, reports GS1 content and the AIM symbology id, and keeps GS
(0x1D) in GS1 data. pyzbar (libzbar0) reads no DataMatrix and cannot tell GS1-128 from
Code 128; it is here because the design card lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

# Our format names (as written in profiles) -> pyzbar symbol names.
_PYZBAR_FORMATS = {
    "EAN13": ("EAN13",),
    "EAN8": ("EAN8",),
    "UPCA": ("UPCA",),
    "UPCE": ("UPCE",),
    "Code128": ("CODE128",),
    "Code39": ("CODE39",),
    "Code93": ("CODE93",),
    "Codabar": ("CODABAR",),
    "ITF": ("I25",),
    "QRCode": ("QRCODE",),
    "PDF417": ("PDF417",),
    "DataBar": ("DATABAR",),
    "DataBarExpanded": ("DATABAR_EXP",),
}
# AIM ids for what zbar reports (it never says GS1 for Code 128: ]C0).
_PYZBAR_AIM = {
    "EAN13": "]E0",
    "UPCA": "]E0",
    "UPCE": "]E0",
    "EAN8": "]E4",
    "ISBN13": "]E0",
    "CODE128": "]C0",
    "CODE39": "]A0",
    "CODE93": "]G0",
    "CODABAR": "]F0",
    "I25": "]I0",
    "QRCODE": "]Q1",
    "PDF417": "]L2",
    "DATABAR": "]e0",
    "DATABAR_EXP": "]e0",
}


class DecoderUnavailable(RuntimeError):
    """The backend's library is missing (e.g. libzbar0 for pyzbar)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # GS1 data keeps GS (0x1D) between fields
    symbology_id: str | None  # AIM id, e.g. "]d2"
    format: str  # e.g. "Data Matrix"
    content_type: str | None = None  # zxing-cpp: "GS1", "Text", ...
    raw: bytes = b""  # the symbol's bytes, for binary content
    center: tuple[float, float] | None = None  # where in the image, px
    corners: tuple[tuple[float, float], ...] = ()  # zxing-cpp: TL, TR, BR, BL of the symbol
    attempt: str = ""  # which pipeline attempt read it (see devices/pipeline.py)
    decoder: str = ""  # which library read it: "zxing" or "pyzbar"
    confidence: str = ""  # "high" | "medium" | "low" once judged (see devices/agreement.py)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "symbology_id": self.symbology_id,
            "format": self.format,
            "content_type": self.content_type,
        }
        if self.attempt:
            out["attempt"] = self.attempt
        if self.confidence:
            out["confidence"] = self.confidence
        return out


class Decoder(Protocol):
    name: str

    def decode(self, image: np.ndarray) -> list[Decoded]: ...


class ZxingDecoder:
    """``fast`` turns off rotation, downscaling and inversion: for live frames of a camera
    pointed at labels (10-20 ms instead of 80-180 ms at 1280x720). Photos want it off."""

    name = "zxing"

    def __init__(self, formats: Sequence[str] = (), *, fast: bool = False) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self.binarizers = zxingcpp.Binarizer
        self.formats = zxingcpp.barcode_formats_from_str(",".join(formats)) if formats else None
        self.fast = fast

    def decode(self, image: np.ndarray, **options: Any) -> list[Decoded]:
        """``options`` go to ``zxingcpp.read_barcodes`` (e.g. ``binarizer``), over the defaults."""
        zx = self._zx
        kwargs: dict[str, Any] = {"text_mode": zx.TextMode.Plain}
        if self.formats is not None:
            kwargs["formats"] = self.formats
        if self.fast:
            kwargs.update(try_rotate=False, try_downscale=False, try_invert=False)
        kwargs.update(options)
        results = zx.read_barcodes(image, **kwargs)
        return [
            Decoded(
                r.text,
                r.symbology_identifier or None,
                str(r.format),
                r.content_type.name,
                r.bytes,
                center=_center(r.position),
                attempt=self.name,
                corners=_corners(r.position),
                decoder=self.name,
            )
            for r in results
            if r.valid
        ]


def _corners(position: Any) -> tuple[tuple[float, float], ...]:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((float(p.x), float(p.y)) for p in points)


def _center(position: Any) -> tuple[float, float]:
    corners = _corners(position)
    return sum(x for x, _ in corners) / 4, sum(y for _, y in corners) / 4


class PyzbarDecoder:
    name = "pyzbar"

    def __init__(self, formats: Sequence[str] = (), *, fast: bool = False) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # pyzbar raises ImportError when libzbar is missing
            raise DecoderUnavailable(
                f"pyzbar cannot load the zbar library ({exc}): apt-get install libzbar0, "
                "or use the zxing backend"
            ) from exc
        self._pyzbar = pyzbar
        symbols = [getattr(pyzbar.ZBarSymbol, s) for f in formats for s in _PYZBAR_FORMATS.get(f, ())]
        self.symbols = symbols or None

    def decode(self, image: np.ndarray) -> list[Decoded]:
        results = self._pyzbar.decode(image, symbols=self.symbols)
        return [
            Decoded(
                r.data.decode("utf-8", errors="replace"),
                _PYZBAR_AIM.get(r.type),
                r.type,
                None,
                r.data,
                center=(r.rect.left + r.rect.width / 2, r.rect.top + r.rect.height / 2),
                attempt=self.name,
                corners=_rect_corners(r.rect),
                decoder=self.name,
            )
            for r in results
        ]


def _rect_corners(rect: Any) -> tuple[tuple[float, float], ...]:
    left, top, right, bottom = rect.left, rect.top, rect.left + rect.width, rect.top + rect.height
    return ((left, top), (right, top), (right, bottom), (left, bottom))


class FallbackDecoder:
    """zxing-cpp first; pyzbar only on images where zxing-cpp found nothing. Reads a few more
    hard 1D photos (blurred EAN-13) at no cost on images zxing-cpp already reads."""

    name = "zxing+pyzbar"

    def __init__(self, formats: Sequence[str] = (), *, fast: bool = False) -> None:
        self.first = ZxingDecoder(formats, fast=fast)
        self.second = PyzbarDecoder(formats, fast=fast)

    def decode(self, image: np.ndarray) -> list[Decoded]:
        return self.first.decode(image) or self.second.decode(image)


BACKENDS: dict[str, type[ZxingDecoder | PyzbarDecoder | FallbackDecoder]] = {
    "zxing": ZxingDecoder,
    "pyzbar": PyzbarDecoder,
    "zxing+pyzbar": FallbackDecoder,
}
PIPELINE = "lotscan"  # the escalating pipeline of devices/pipeline.py
BACKEND_NAMES = (PIPELINE, *BACKENDS)


def make_decoder(
    backend: str = "zxing", formats: Sequence[str] = (), *, fast: bool = False, budget_ms: float | None = None
) -> Decoder:
    """``fast``: settings for live camera frames. ``budget_ms``: the pipeline's time budget."""
    if backend == PIPELINE:
        from lotscan.devices.pipeline import PipelineDecoder  # the pipeline builds on this module

        return PipelineDecoder(formats, live=fast, budget_ms=budget_ms)
    if backend not in BACKENDS:
        raise ValueError(f"unknown decoder backend {backend!r}: use one of {', '.join(BACKEND_NAMES)}")
    return BACKENDS[backend](formats, fast=fast)


def load_image(path: str) -> np.ndarray:
    """A grayscale image from any file Pillow reads (PNG, JPEG, WebP, ...)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L"))
