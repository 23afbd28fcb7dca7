"""A seeded set of handheld-camera label photos: GS1-128, GS1 DataMatrix, GS1 QR, Digital Link
QR, EAN-13 and ITF-14 labels rendered with zxing-cpp's writer, pasted on a cluttered 1280x720
scene, then tilted, perspective-warped, blurred, unevenly lit, made noisy and JPEG-compressed.

The same seed always gives the same photos, so a failure can be replayed. The set is written in
zxing-cpp's sample layout (``NAME.jpg`` + ``NAME.txt``), so `sample_photos` scores it like the
shared folders. Nothing generated is committed: tests and the bench make it at run time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lotscan.codes.linters import gs1_check_digit
from lotscan.devices.synthetic import zxing_code

WIDTH, HEIGHT = 1280, 720
KINDS = ("gs1-128", "gs1-datamatrix", "gs1-qr", "digital-link-qr", "ean13", "itf14")
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class LabelPhoto:
    name: str
    kind: str
    expected: str  # what a decoder must return (GS1 data with GS separators)
    angle: float  # degrees the label is tilted in the picture
    module_px: float  # size of one module in the picture
    jpeg: bytes

    def image(self) -> np.ndarray:
        pixels = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if pixels is None:  # the JPEG is made by render(), so this is a bug, not bad input
            raise ValueError(f"label photo {self.kind!r}: its JPEG does not decode")
        return pixels


def _gtin(rng: random.Random, length: int) -> str:
    body = "".join(str(rng.randrange(10)) for _ in range(length - 1))
    return body + str(gs1_check_digit(body))


def _lot(rng: random.Random, low: int = 3, high: int = 8) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(rng.randint(low, high)))


def _symbol(kind: str, rng: random.Random) -> tuple[np.ndarray, str]:
    """The symbol at one pixel per module (with its quiet zone) and the expected text."""
    gtin = _gtin(rng, 14)
    if kind == "gs1-128":
        content = f"(01){gtin}(10){_lot(rng, 3, 6)}"
        code = zxing_code(content, "Code128", gs1=True, scale=1)
    elif kind == "gs1-datamatrix":
        content = (
            f"(01){gtin}(17){rng.randint(26, 30)}{rng.randint(1, 12):02d}28(10){_lot(rng)}(21){_lot(rng)}"
        )
        code = zxing_code(content, "DataMatrix", gs1=True, scale=1)
    elif kind == "gs1-qr":
        code = zxing_code(f"(01){gtin}(10){_lot(rng)}(21){_lot(rng)}", "QRCode", gs1=True, scale=1)
    elif kind == "digital-link-qr":
        code = zxing_code(f"https://id.gs1.org/01/{gtin}/10/{_lot(rng)}", "QRCode", scale=1)
    elif kind == "ean13":
        code = zxing_code(_gtin(rng, 13), "EAN13", scale=1)
    elif kind == "itf14":
        code = zxing_code(_gtin(rng, 14), "ITF", scale=1)
    else:
        raise ValueError(f"unknown label kind {kind!r}: use one of {', '.join(KINDS)}")
    image = code.image if code.image.ndim == 2 else cv2.cvtColor(code.image, cv2.COLOR_BGR2GRAY)
    return image, code.expected


def _label(symbol: np.ndarray, rng: random.Random, module_px: float, linear: bool) -> np.ndarray:
    """A printed label (white card, the symbol, some text lines), drawn ``render`` px per module."""
    render = max(3, math.ceil(module_px * 2))
    height = symbol.shape[0] * render
    if linear:  # bars as tall as a label has them: a fifth to a third of the width
        height = max(height, int(symbol.shape[1] * render * rng.uniform(0.18, 0.3)))
    symbol_px = cv2.resize(symbol, (symbol.shape[1] * render, height), interpolation=cv2.INTER_NEAREST)
    pad = 6 * render
    text_h = 10 * render
    card = np.full((height + 2 * pad + text_h, symbol_px.shape[1] + 2 * pad), 250, np.uint8)
    card[pad : pad + height, pad : pad + symbol_px.shape[1]] = symbol_px
    scale = render * 0.12
    for line in range(2):
        y = pad + height + int((line + 0.8) * text_h / 2.2)
        cv2.putText(
            card, _lot(rng, 8, 16), (pad, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 40, max(1, render // 3)
        )
    return card


def _scene(rng: random.Random, nprng: np.random.Generator) -> np.ndarray:
    """A cluttered 1280x720 BGR background: a tinted gradient, boxes, lines, discs and text."""
    base = np.array([rng.randint(60, 200) for _ in range(3)], np.float32)
    ramp = np.linspace(-1, 1, WIDTH, dtype=np.float32)[None, :, None] * rng.uniform(-40, 40)
    scene = np.clip(base + ramp + nprng.normal(0, 6, (HEIGHT, WIDTH, 3)), 0, 255).astype(np.uint8)
    for _ in range(rng.randint(12, 30)):
        color = tuple(rng.randint(0, 255) for _ in range(3))
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        shape = rng.random()
        if shape < 0.4:
            w, h = rng.randint(20, 400), rng.randint(20, 300)
            cv2.rectangle(
                scene, (x, y), (x + w, y + h), color, -1 if rng.random() < 0.6 else rng.randint(1, 6)
            )
        elif shape < 0.65:
            cv2.line(scene, (x, y), (rng.randrange(WIDTH), rng.randrange(HEIGHT)), color, rng.randint(1, 8))
        elif shape < 0.85:
            cv2.circle(scene, (x, y), rng.randint(8, 120), color, -1 if rng.random() < 0.5 else 3)
        else:
            cv2.putText(
                scene, _lot(rng, 4, 12), (x, y), cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.5, 2.5), color, 2
            )
    return scene


def _place(label: np.ndarray, rng: random.Random, scale: float, angle: float) -> np.ndarray:
    """Where the label's corners land in the picture: scaled, tilted, perspective-warped."""
    h, w = label.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32) * scale
    corners -= corners.mean(axis=0)
    # an oblique view: each corner moves by up to 6% of the label's mean side (keystone, shear)
    jitter = 0.06 * math.sqrt(np.ptp(corners[:, 0]) * np.ptp(corners[:, 1]))
    corners += np.array([[rng.uniform(-jitter, jitter) for _ in range(2)] for _ in range(4)], np.float32)
    theta = math.radians(angle)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]], np.float32)
    corners = corners @ rotation.T
    span = corners.max(axis=0) - corners.min(axis=0)
    margin_x, margin_y = max(0.0, WIDTH - span[0] - 20), max(0.0, HEIGHT - span[1] - 20)
    origin = np.array([10 + rng.uniform(0, margin_x), 10 + rng.uniform(0, margin_y)], np.float32)
    return corners - corners.min(axis=0) + origin


def render_photo(kind: str, seed: int, *, max_angle: float = 25.0, index: int = 0) -> LabelPhoto:
    """One label photo of ``kind``, fully determined by ``seed``."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    symbol, expected = _symbol(kind, rng)
    linear = kind in ("gs1-128", "ean13", "itf14")
    # ITF-14 goes on shipping cases, printed large: its narrow bar is at least 2 px here
    low = 2.0 if kind == "itf14" else 1.6 if linear else 2.2
    module_px = rng.uniform(low, 3.4) if linear else rng.uniform(low, 5.0)
    # the symbol must fit the frame when tilted: shrink modules of long 1D symbols if needed
    module_px = min(module_px, 0.8 * WIDTH / symbol.shape[1], 0.6 * HEIGHT / symbol.shape[0])
    label = _label(symbol, rng, module_px, linear)
    render = max(3, math.ceil(module_px * 2))
    angle = rng.uniform(0, max_angle) * rng.choice((-1, 1))
    scale = module_px / render
    quad = _place(label, rng, scale, angle)
    h, w = label.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    homography = cv2.getPerspectiveTransform(source, quad)
    # the camera's optics average over each pixel: blur before resampling, not after only
    softened = cv2.GaussianBlur(label, (0, 0), sigmaX=0.45 / scale)
    warped = cv2.warpPerspective(softened, homography, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), homography, (WIDTH, HEIGHT))
    scene = _scene(rng, nprng)
    tint = np.array([rng.uniform(0.85, 1.0) for _ in range(3)], np.float32)
    label_bgr = warped[:, :, None].astype(np.float32) * tint
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    picture = scene.astype(np.float32) * (1 - alpha) + label_bgr * alpha
    picture = _light(picture, rng)
    sigma = rng.uniform(0.3, 1.4)
    picture = cv2.GaussianBlur(picture, (0, 0), sigmaX=sigma)
    picture += nprng.normal(0, rng.uniform(2, 7), picture.shape).astype(np.float32)
    picture = np.clip(picture, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 85)])
    if not ok:
        raise RuntimeError("OpenCV cannot encode JPEG")
    return LabelPhoto(
        f"{index:04d}-{kind}", kind, expected, round(angle, 1), round(module_px, 2), jpeg.tobytes()
    )


def _light(picture: np.ndarray, rng: random.Random) -> np.ndarray:
    """Uneven light: a dim side, a brighter spot, an overall exposure."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (
        math.cos(direction) * (xs / WIDTH - 0.5) + math.sin(direction) * (ys / HEIGHT - 0.5)
    ) * rng.uniform(0.2, 0.7)
    cx, cy, radius = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(200, 600)
    spot = rng.uniform(0, 0.35) * np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * radius**2))
    gain = rng.uniform(0.55, 1.05) * (1 + ramp + spot)
    return picture * gain[:, :, None]


def generate(seed: int, count: int, *, max_angle: float = 25.0) -> Iterator[LabelPhoto]:
    """``count`` photos cycling through every label kind; photo n uses seed ``seed * 100003 + n``."""
    for index in range(count):
        yield render_photo(
            KINDS[index % len(KINDS)], seed * 100_003 + index, max_angle=max_angle, index=index
        )


def write_photo_set(folder: Path, seed: int, count: int, *, max_angle: float = 25.0) -> Path:
    """The set in zxing-cpp's sample layout: ``NAME.jpg`` and ``NAME.txt`` (expected text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for photo in generate(seed, count, max_angle=max_angle):
        (folder / f"{photo.name}.jpg").write_bytes(photo.jpeg)
        (folder / f"{photo.name}.txt").write_bytes(photo.expected.encode("utf-8"))
    return folder


def held_label_frames(photo: LabelPhoto, frames: int, *, seed: int = 0) -> Iterator[np.ndarray]:
    """A handheld camera on one label photo: each frame shifted a few pixels, with fresh noise."""
    rng = np.random.default_rng(seed)
    still = photo.image().astype(np.int16)
    for _ in range(frames):
        dx, dy = (int(v) for v in rng.integers(-6, 7, 2))
        moved = np.roll(still, (dy, dx), axis=(0, 1))
        yield np.clip(moved + rng.normal(0, 3, moved.shape), 0, 255).astype(np.uint8)
