"""Where a barcode may be in a frame, and how it is turned: region proposals and rectified crops.

Proposals come from the structure tensor of the image gradients: a barcode is a patch with much
edge energy (many edges close together). Its coherence tells bars (one dominant gradient
direction: a 1D code) from modules (all directions: a 2D code), and its dominant direction is the
angle to turn a 1D code level. OpenCV's barcode detector adds the quadrilaterals it finds, which
are rectified with a perspective transform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 960  # proposals are computed on a frame this wide
_WINDOW = 13  # edge density window at work scale, px
_DENSE = 0.2  # edge pixels per window pixel that make a patch barcode-like


@dataclass(frozen=True)
class Region:
    """A candidate in full-frame coordinates: ``quad`` is 4 corners (TL, TR, BR, BL order)."""

    quad: np.ndarray  # float32 (4, 2)
    bar_angle: float | None  # degrees to rotate so bars stand vertical; None: not 1D-like
    score: float
    source: str  # "gradients" or "opencv"

    @property
    def center(self) -> tuple[float, float]:
        x, y = self.quad.mean(axis=0)
        return float(x), float(y)

    @property
    def linear(self) -> bool:
        return self.bar_angle is not None


def dominant_gradient_angle(jxx: float, jyy: float, jxy: float) -> tuple[float, float]:
    """Direction (degrees) of the strongest gradient, and coherence in 0..1 (1: all parallel)."""
    angle = 0.5 * math.degrees(math.atan2(2 * jxy, jxx - jyy))
    coherence = math.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-6)
    return angle, coherence


def propose(gray: np.ndarray, limit: int = 6) -> list[Region]:
    """Barcode-like patches, best first.

    A barcode is where edges are dense: many thin edges (Canny) per window, far more than a
    line, a box or a letter give. Dense windows are closed into blobs, one box per blob; the
    structure tensor of the blob's gradients gives its bar direction and coherence.
    """
    height, width = gray.shape[:2]
    factor = min(1.0, WORK_WIDTH / width)
    work = (
        gray
        if factor == 1.0
        else cv2.resize(gray, (int(width * factor), int(height * factor)), interpolation=cv2.INTER_AREA)
    )
    edges = cv2.Canny(work, 30, 80)
    density = cv2.boxFilter(edges, cv2.CV_32F, (_WINDOW, _WINDOW), normalize=True) / 255.0
    mask: np.ndarray = (density > _DENSE).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    mask = cv2.morphologyEx(
        mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (_WINDOW, _WINDOW))
    )
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    gx = cv2.Sobel(work, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(work, cv2.CV_32F, 0, 1, ksize=3)
    regions: list[Region] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < 150:
            continue
        (cx, cy), (w, h), rect_angle = cv2.minAreaRect(contour)
        if min(w, h) < 10:
            continue
        x, y, bw, bh = cv2.boundingRect(contour)
        blob = np.zeros((bh, bw), np.uint8)
        cv2.drawContours(blob, [contour - np.array([x, y])], -1, 255, -1)
        inside = blob > 0
        px, py = gx[y : y + bh, x : x + bw][inside], gy[y : y + bh, x : x + bw][inside]
        gradient_angle, coherence = dominant_gradient_angle(
            float((px * px).sum()), float((py * py).sum()), float((px * py).sum())
        )
        dense = float(density[y : y + bh, x : x + bw][inside].mean())
        score = dense * math.sqrt(area) * (area / max(1.0, w * h))
        bar_angle = -gradient_angle if coherence > 0.5 else None
        # pad the box: quiet zones and bar ends lie just outside the dense part
        pad = 0.15 * max(w, h) + 8
        box = cv2.boxPoints(((cx, cy), (w + pad, h + pad), rect_angle))
        if bar_angle is None:
            # 2D: its decoders undo rotation and perspective themselves and need the whole
            # symbol, whose blurred edge cells may fall outside the dense part: an upright box
            margin = 0.3 * max(bw, bh) + 10
            box = np.array(
                [
                    [x - margin, y - margin],
                    [x + bw + margin, y - margin],
                    [x + bw + margin, y + bh + margin],
                    [x - margin, y + bh + margin],
                ],
                np.float32,
            )
        else:
            hull = cv2.convexHull(contour)
            corners = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True).reshape(-1, 2)
            if len(corners) == 4:  # a warped 1D symbol is a quadrilateral: rectify by its corners
                box = _grow(_ordered(corners.astype(np.float32)), pad / max(w, h))
        regions.append(Region(_ordered(box.astype(np.float32) / factor), bar_angle, score, "gradients"))
    regions.sort(key=lambda r: r.score, reverse=True)
    return regions[:limit]


def around_read(gray: np.ndarray, corners: tuple[tuple[float, float], ...]) -> Region | None:
    """The region of a 1D read from zxing-cpp's corners. Those follow the scan line that read
    it, which on a tilted symbol is not the symbol's axis and may cross only part of it, so the
    window is a square twice the read's length, turned by its own dominant bar direction."""
    if len(corners) != 4:
        return None
    quad = np.array(corners, np.float32)
    length = float(np.linalg.norm((quad[1] + quad[2]) / 2 - (quad[0] + quad[3]) / 2))
    if length < 8:
        return None
    cx, cy = quad.mean(axis=0)
    half = length + 8
    height, width = gray.shape[:2]
    x0, x1 = max(0, int(cx - half)), min(width, int(cx + half))
    y0, y1 = max(0, int(cy - half)), min(height, int(cy + half))
    window = gray[y0:y1, x0:x1]
    if window.size == 0:
        return None
    gx = cv2.Sobel(window, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(window, cv2.CV_32F, 0, 1, ksize=3)
    angle, _ = dominant_gradient_angle(float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum()))
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
    return Region(box, -angle, 1.0, "read")


def opencv_quads(gray: np.ndarray, detector: cv2.barcode.BarcodeDetector) -> list[Region]:
    """Quadrilaterals from OpenCV's 1D barcode detector, on a frame no wider than 1280."""
    ok, points = detector.detect(gray)
    if not ok or points is None:
        return []
    regions = []
    for quad in np.asarray(points, np.float32).reshape(-1, 4, 2):
        ordered = _ordered(quad)
        top = ordered[1] - ordered[0]
        left = ordered[3] - ordered[0]
        # the detector's quad runs along the bars' normal on its long side
        along = top if np.linalg.norm(top) >= np.linalg.norm(left) else left
        angle = math.degrees(math.atan2(float(along[1]), float(along[0])))
        regions.append(Region(_grow(ordered, 0.1), -angle, 1.0, "opencv"))
    return regions


def _ordered(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    center = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - center[1], quad[:, 0] - center[0])
    ordered = quad[np.argsort(angles)]  # starts at the corner nearest -180 deg: top-left-ish
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0).astype(np.float32)


def _grow(quad: np.ndarray, fraction: float) -> np.ndarray:
    center = quad.mean(axis=0)
    return (center + (quad - center) * (1 + fraction)).astype(np.float32)


def level_crop(gray: np.ndarray, region: Region, angle: float, zoom: float = 1.0) -> np.ndarray:
    """The region's bounding box turned by ``angle`` degrees around its center, so that bars
    stand vertical, enlarged by ``zoom``."""
    (cx, cy), size = region.center, np.ptp(region.quad, axis=0)
    side_w, side_h = float(size[0]), float(size[1])
    theta = math.radians(angle)
    out_w = abs(side_w * math.cos(theta)) + abs(side_h * math.sin(theta))
    out_h = abs(side_w * math.sin(theta)) + abs(side_h * math.cos(theta))
    matrix = cv2.getRotationMatrix2D((cx, cy), -angle, zoom)
    matrix[0, 2] += zoom * out_w / 2 - cx
    matrix[1, 2] += zoom * out_h / 2 - cy
    size_out = (max(8, int(zoom * out_w)), max(8, int(zoom * out_h)))
    level = cv2.warpAffine(gray, matrix, size_out, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return bars_only(level)


def bars_only(level: np.ndarray) -> np.ndarray:
    """A levelled crop cut down to its bars plus a quiet zone: label edges and print beside the
    bars make zxing-cpp's 1D readers reject a symbol they read once cut out."""
    across = np.abs(cv2.Sobel(level, cv2.CV_32F, 1, 0, ksize=3))
    rows = across.mean(axis=1)
    row_on = np.flatnonzero(rows > 0.4 * rows.max())
    if row_on.size == 0:
        return level
    top, bottom = int(row_on[0]), int(row_on[-1]) + 1
    columns = cv2.blur(across[top:bottom].mean(axis=0)[None, :], (9, 1))[0]
    column_on = np.flatnonzero(columns > 0.25 * columns.max())
    if column_on.size == 0:
        return level
    left, right = int(column_on[0]), int(column_on[-1]) + 1
    margin_x = int(0.06 * (right - left)) + 6
    margin_y = int(0.1 * (bottom - top)) + 4
    height, width = level.shape[:2]
    return np.ascontiguousarray(
        level[
            max(0, top - margin_y) : min(height, bottom + margin_y),
            max(0, left - margin_x) : min(width, right + margin_x),
        ]
    )


def rectified_crop(gray: np.ndarray, region: Region, zoom: float = 1.0) -> np.ndarray:
    """The quadrilateral mapped to an upright rectangle (undoes tilt and perspective)."""
    quad = region.quad
    length = np.linalg.norm
    width = max(8, int(zoom * max(float(length(quad[1] - quad[0])), float(length(quad[2] - quad[3])))))
    height = max(8, int(zoom * max(float(length(quad[3] - quad[0])), float(length(quad[2] - quad[1])))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad, target)
    return cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
