"""Synthetic barcode images and videos (zxing-cpp's writer and python-barcode), made at run
time for tests, the benchmark and camera demos. Nothing generated is ever committed."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

GS = "\x1d"


@dataclass(frozen=True)
class SyntheticCode:
    """``content`` as given to the writer; ``expected`` is what a decoder must return."""

    image: np.ndarray  # grayscale, with quiet zone
    expected: str
    symbology_id: str


def zxing_code(content: str, fmt: str, *, gs1: bool = False, scale: int = 4) -> SyntheticCode:
    """GS1 content in bracketed form, e.g. ``(01)09506000134352(10)A1``."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(content, zxingcpp.barcode_format_from_str(fmt), gs1=gs1)
    image = np.asarray(barcode.to_image(scale=scale))
    expected = _unbracket(content) if gs1 else content
    return SyntheticCode(image, expected, barcode.symbology_identifier)


def python_barcode_code(data: str, kind: str = "ean13", *, module_width: float = 0.4) -> SyntheticCode:
    import barcode
    from barcode.writer import ImageWriter
    from PIL import Image

    code = barcode.get(kind, data, writer=ImageWriter())
    buffer = io.BytesIO()
    code.write(
        buffer,
        options={
            "module_width": module_width,
            "module_height": 18.0,
            "quiet_zone": 6.0,
            "write_text": False,
            "dpi": 200,
        },
    )
    buffer.seek(0)
    with Image.open(buffer) as picture:
        image = np.asarray(picture.convert("L"))
    expected = code.get_fullcode()
    aim = {"ean13": "]E0", "ean8": "]E4", "code128": "]C0", "upca": "]E0"}.get(kind, "")
    return SyntheticCode(image, expected, aim)


# GS1 General Specifications, figure 5.10.1-2: AIs starting with these never need a separator
_PREDEFINED_LENGTH = frozenset(
    {
        "00",
        "01",
        "02",
        "03",
        "04",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "41",
    }
)


def _unbracket(content: str) -> str:
    """``(01)...(10)A1(21)S1`` -> ``01...10A1<GS>21S1``: GS after variable-length fields only."""
    parts = [p for p in content.split("(") if p]
    out = ""
    for index, part in enumerate(parts):
        ai, value = part.split(")", 1)
        out += ai + value
        if index < len(parts) - 1 and ai[:2] not in _PREDEFINED_LENGTH:
            out += GS
    return out


def frame_with(
    code: np.ndarray | None,
    width: int = 1280,
    height: int = 720,
    *,
    at: tuple[float, float] = (0.5, 0.5),
    seed: int = 0,
) -> np.ndarray:
    """A BGR camera-like frame: grey background, mild noise, the code pasted at ``at``."""
    rng = np.random.default_rng(seed)
    frame = np.clip(rng.normal(170, 12, (height, width)), 0, 255).astype(np.uint8)
    if code is not None:
        h, w = code.shape[:2]
        scale = min(1.0, 0.8 * width / w, 0.8 * height / h)
        if scale < 1.0:
            code = cv2.resize(code, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
            h, w = code.shape[:2]
        top = int(at[1] * height - h / 2)
        left = int(at[0] * width - w / 2)
        top, left = max(0, min(top, height - h)), max(0, min(left, width - w))
        frame[top : top + h, left : left + w] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 25.0) -> Path:
    """An MJPEG .avi (OpenCV's wheels always have that codec)."""
    writer: cv2.VideoWriter | None = None
    for frame in frames:
        if writer is None:
            height, width = frame.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
            if not writer.isOpened():
                raise RuntimeError(f"OpenCV cannot write {path}")
        writer.write(frame)
    if writer is not None:
        writer.release()
    return path


def label_video(
    path: Path,
    codes: Sequence[SyntheticCode],
    *,
    frames_each: int = 8,
    gap_frames: int = 6,
    width: int = 1280,
    height: int = 720,
    fps: float = 25.0,
) -> Path:
    """Each code passes under the camera for ``frames_each`` frames, with empty frames between."""

    def frames() -> Iterable[np.ndarray]:
        blank = frame_with(None, width, height)
        for index, code in enumerate(codes):
            for step in range(frames_each):
                x = 0.3 + 0.4 * step / max(1, frames_each - 1)
                yield frame_with(code.image, width, height, at=(x, 0.5), seed=index * 100 + step)
            for _ in range(gap_frames):
                yield blank

    return write_video(path, frames(), fps)


def standard_codes() -> list[SyntheticCode]:
    """A GS1 DataMatrix, a GS1-128, a GS1 QR, an EAN-13 from python-barcode and a Code 128."""
    return [
        zxing_code("(01)09506000134352(17)281231(10)LOT42(21)SN0001", "DataMatrix", gs1=True),
        zxing_code("(01)09506000134352(10)A1B2(21)777", "Code128", gs1=True, scale=3),
        zxing_code("(01)09506000134352(10)QR7", "QRCode", gs1=True),
        python_barcode_code("950600013435", "ean13"),
        python_barcode_code("LOC:DOCK-IN", "code128"),
    ]
