"""The camera decoding pipeline: zxing-cpp first, then escalating attempts under a time budget.

The cheap path is one zxing-cpp call on the whole image. When it finds fewer codes than the
profile expects, or only codes that need corroboration (see `agreement`), the image goes
through attempts, cheapest and most productive first, until the budget is spent:

1. ``regions``: barcode-like patches (dense edges, see `regions`), each rectified by its
   quadrilateral and decoded on its own (a crop is read where the cluttered frame is not);
2. ``orientation``: 1D patches turned so their bars stand vertical (angle from the gradients'
   structure tensor) and cut down to the bars;
3. ``pyzbar``: zbar on those levelled 1D patches (another decoder: it reads perspective-
   stretched Code 128 that zxing-cpp misses);
4. ``scale``: small 2D patches enlarged and re-sharpened (hard: soft 2-px modules); (stills)
   small images enlarged, very large ones shrunk;
5. ``contrast``: patches with local contrast equalised (CLAHE), and inverted; (stills) the
   whole image equalised, globally thresholded, and median-smoothed;
6. ``pyzbar-frame``: zbar on the whole image (stills);
7. ``opencv``: quadrilaterals from OpenCV's barcode detector, rectified (stills);
8. ``angles``: the whole image turned by a few angles (stills).

Live frames run 1-5 under the per-frame budget. Stills run all of them, and after the cheap
path and each attempt, a weak code read by one attempt only is looked at again where it was
seen, the other decoder first (``confirm``): a code without integrity of its own needs two
attempts that agree (see `agreement`).

Every attempt that ran is in the result with its time and what it found, so the bench can show
what each one earns.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from lotscan.devices.agreement import at_least, judge_still, plausible, same_code_key
from lotscan.devices.decoders import Decoded, DecoderUnavailable, PyzbarDecoder, ZxingDecoder
from lotscan.devices.regions import Region, around_read, level_crop, opencv_quads, propose, rectified_crop

STILL_BUDGET_MS = 200.0
LIVE_BUDGET_MS = 20.0
SMALL_SIDE_PX = 220  # a patch shorter than this on its long side is enlarged
SMALL_IMAGE_PX = 800  # a still no longer than this on its long side is also tried enlarged
ANGLES = (-20.0, -10.0, 10.0, 20.0)
# (zoom, unsharp amount, blur sigma per zoom): soft 2-px modules want a hard sharpening
ZOOMS = ((2.0, 2.0, 1.0), (2.5, 1.0, 0.8), (4.0, 2.0, 1.0))
# zbar is the second opinion on linear codes only: zxing-cpp reads 2D and DataBar better, and
# zbar's DataBar decoder prints assertion failures on some photos
# (UPC-A is read by zbar's EAN-13 decoder and reported, like zxing-cpp does, as the EAN-13
# with a leading 0: enabling zbar's UPC-A would report the same symbol in 12 digits)
ZBAR_FORMATS = ("EAN13", "EAN8", "UPCE", "Code128", "Code39", "Code93", "Codabar", "ITF")
LIVE_REGIONS = 3  # live frames look at this many proposals at most


def enlarged(image: np.ndarray, zoom: float, amount: float = 1.0, sigma: float = 0.8) -> np.ndarray:
    """Cubic enlargement, then an unsharp mask to restore the module edges blur took away."""
    bigger = cv2.resize(image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    soft = cv2.GaussianBlur(bigger, (0, 0), sigma * zoom)
    return cv2.addWeighted(bigger, 1.0 + amount, soft, -amount, 0)


@dataclass(frozen=True, slots=True)
class Attempt:
    name: str
    ms: float
    found: int

    def to_json(self) -> dict[str, Any]:
        return {"attempt": self.name, "ms": round(self.ms, 2), "found": self.found}


@dataclass
class PipelineResult:
    codes: list[Decoded]  # judged, at or above the decoder's minimum confidence
    held_back: list[Decoded]  # judged below it
    reads: list[Decoded]  # every read of every attempt, unjudged (live frames judge these)
    attempts: list[Attempt] = field(default_factory=list)
    ms: float = 0.0


class _Run:
    """One image's way through the attempts: the reads so far, the clock, the attempt log.

    The budget is for the attempts past the cheap path and counts this thread's CPU time, not
    the wall clock: on a machine shared with other work the same image gets the same attempts,
    and the wall time is still reported."""

    def __init__(self, budget_ms: float) -> None:
        self.began = time.perf_counter()
        self.began_cpu = time.thread_time()
        self.budget_ms = budget_ms
        self.reads: list[Decoded] = []
        self.attempts: list[Attempt] = []
        self.confirm_tried: set[tuple[str, str]] = set()

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.began) * 1000

    def start_budget(self) -> None:
        self.began_cpu = time.thread_time()

    def left_ms(self) -> float:
        return self.budget_ms - (time.thread_time() - self.began_cpu) * 1000

    def record(self, name: str, began: float, found: Sequence[Decoded]) -> None:
        ms = (time.perf_counter() - began) * 1000
        self.attempts.append(Attempt(name, ms, len(found)))
        self.reads += [replace(d, attempt=name) for d in found]


class _Crops:
    """Each region's crops, cut when first asked for: "plain" (rectified by its quadrilateral)
    and, for bars, "level" (turned so the bars stand vertical). Live frames read bars level only."""

    def __init__(self, gray: np.ndarray, regions: list[Region], live: bool) -> None:
        self.gray = gray
        self.regions = regions
        self.live = live
        self._cut: dict[tuple[int, str], np.ndarray] = {}

    def _kinds(self, region: Region) -> tuple[str, ...]:
        if not region.linear:
            return ("plain",)
        return ("level",) if self.live else ("plain", "level")

    def each(self, kind: str | None = None) -> Iterator[tuple[Region, np.ndarray, str]]:
        for index, region in enumerate(self.regions):
            for crop_kind in self._kinds(region):
                if kind in (None, crop_kind):
                    yield region, self._crop(index, region, crop_kind), crop_kind

    def _crop(self, index: int, region: Region, kind: str) -> np.ndarray:
        key = (index, kind)
        if key not in self._cut:
            if kind == "level" and region.bar_angle is not None:
                self._cut[key] = level_crop(self.gray, region, region.bar_angle)
            else:
                self._cut[key] = rectified_crop(self.gray, region)
        return self._cut[key]


class PipelineDecoder:
    """The `Decoder` interface over the whole pipeline. ``live`` uses zxing-cpp's fast settings
    on the cheap path and a small per-frame budget; stills get the full budget and report only
    codes at ``min_confidence`` or above (``decode``), the rest in ``run().held_back``."""

    name = "lotscan"

    def __init__(
        self,
        formats: Sequence[str] = (),
        *,
        live: bool = False,
        budget_ms: float | None = None,
        expect: int = 1,
        min_confidence: str = "medium",
    ) -> None:
        self.live = live
        self.budget_ms = budget_ms if budget_ms is not None else (LIVE_BUDGET_MS if live else STILL_BUDGET_MS)
        self.expect = expect
        self.min_confidence = min_confidence
        self.zxing = ZxingDecoder(formats, fast=live)
        self.crop_zxing = ZxingDecoder(formats, fast=live)
        linear = sorted(
            {"UPCA": "EAN13"}.get(f, f) for f in formats or ZBAR_FORMATS if f in (*ZBAR_FORMATS, "UPCA")
        )
        self.pyzbar: PyzbarDecoder | None = None
        if linear:
            with contextlib.suppress(DecoderUnavailable):  # no libzbar0: zxing-cpp alone
                self.pyzbar = PyzbarDecoder(linear)
        self.detector = cv2.barcode.BarcodeDetector()
        self._resume_at = 0  # live: the ladder step the next frame starts at
        self.clahe = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8))

    def decode(self, image: np.ndarray) -> list[Decoded]:
        return self.run(image).codes

    def run(self, image: np.ndarray) -> PipelineResult:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        run = _Run(self.budget_ms)
        began = time.perf_counter()
        run.record("zxing", began, self.zxing.decode(gray))
        run.start_budget()
        if not self.live and self._escalate(run):
            self._confirm(gray, run)
        if self._escalate(run) and min(gray.shape[:2]) >= 16:
            self._attempts(gray, run)
        judged = judge_still(run.reads)
        codes = [c for c in judged if at_least(c.confidence, self.min_confidence)]
        held = [c for c in judged if not at_least(c.confidence, self.min_confidence)]
        return PipelineResult(codes, held, run.reads, run.attempts, run.elapsed_ms())

    def _escalate(self, run: _Run) -> bool:
        """More attempts while fewer codes than the profile expects were read; for a still,
        also while a code that needs corroboration has none yet (live frames corroborate each
        other, see `agreement.FrameAgreement`)."""
        if run.left_ms() <= 0:
            return False
        judged = judge_still(run.reads)
        if self.live:
            return len(judged) < self.expect
        trusted = [c for c in judged if at_least(c.confidence, "medium")]
        return len(trusted) < self.expect or len(trusted) < len(judged)

    def _confirm(self, gray: np.ndarray, run: _Run) -> None:
        """Each weak code only one decoder has read, cut out level where it was seen and read
        by the other decoder (a few ways) until one agrees."""
        judged = judge_still(run.reads)
        single = [
            c
            for c in judged
            if c.confidence == "low" and same_code_key(c) not in run.confirm_tried and plausible(c, run.reads)
        ]
        if not single:
            return
        began = time.perf_counter()
        found: list[Decoded] = []
        for code in single:
            run.confirm_tried.add(same_code_key(code))
            region = around_read(gray, code.corners)
            if region is None or region.bar_angle is None:
                continue
            for crop in (level_crop(gray, region, region.bar_angle), rectified_crop(gray, region)):
                reads = []
                for reread in self._rereads(crop, code.decoder):
                    reads = reread()
                    found += self._in_frame(reads, region)  # a disagreeing read is a vote too
                    if any(same_code_key(r) == same_code_key(code) for r in reads):
                        break
                if any(same_code_key(r) == same_code_key(code) for r in reads):
                    break
        run.record("confirm", began, found)

    def _rereads(self, crop: np.ndarray, read_by: str) -> Iterator[Callable[[], list[Decoded]]]:
        """Second looks at a levelled crop of the code, the other decoder first."""
        other = self.crop_zxing.binarizers.GlobalHistogram
        pyzbar = self.pyzbar
        zbar_looks: list[Callable[[], list[Decoded]]] = []
        if pyzbar is not None:
            zbar_looks = [
                lambda: pyzbar.decode(crop),
                lambda: pyzbar.decode(enlarged(crop, 1.5)),
                lambda: pyzbar.decode(cv2.resize(crop, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)),
                lambda: pyzbar.decode(self.clahe.apply(crop)),
            ]
        zxing_looks = [
            lambda: self.crop_zxing.decode(crop),
            lambda: self.crop_zxing.decode(crop, binarizer=other),
            lambda: self.crop_zxing.decode(enlarged(crop, 2.0)),
            lambda: self.crop_zxing.decode(self.clahe.apply(crop)),
        ]
        yield from (zxing_looks + zbar_looks) if read_by == "pyzbar" else (zbar_looks + zxing_looks)

    def _attempts(self, gray: np.ndarray, run: _Run) -> None:
        began = time.perf_counter()
        regions = propose(gray)
        crops = _Crops(gray, regions[: LIVE_REGIONS if self.live else None], self.live)
        run.record("regions", began, self._decode_each(crops, run, "plain"))
        ladder = list(self._ladder(gray, crops))
        # live: a frame whose budget ran out hands the rest of the ladder to the next frames,
        # so a label held in view meets every attempt within a few frames at a bounded cost
        first = self._resume_at % len(ladder) if self.live else 0
        for position in range(first, len(ladder)):
            if not self._escalate(run):
                self._resume_at = position if run.left_ms() <= 0 else 0
                return
            name, step = ladder[position]
            began = time.perf_counter()
            run.record(name, began, step(run))
            if not self.live:
                self._confirm(gray, run)
        self._resume_at = 0

    def _ladder(
        self, gray: np.ndarray, crops: _Crops
    ) -> Iterator[tuple[str, Callable[[_Run], list[Decoded]]]]:
        yield "orientation", lambda run: self._decode_each(crops, run, "level")
        if self.pyzbar is not None:
            yield "pyzbar", lambda run: self._pyzbar_crops(crops, run)
        yield "scale", lambda run: self._scaled(gray, crops, run)
        yield "contrast", lambda run: self._contrast(gray, crops, run)
        if not self.live:
            if self.pyzbar is not None:
                yield "pyzbar-frame", lambda run: self._pyzbar_frame(gray)
            yield "opencv", lambda run: self._opencv(gray, run)
            yield "angles", lambda run: self._angles(gray, run)

    def _decode_each(self, crops: _Crops, run: _Run, kind: str) -> list[Decoded]:
        found: list[Decoded] = []
        for number, (region, crop, _kind) in enumerate(crops.each(kind)):
            if number and run.left_ms() <= 0:  # the best candidate is always read
                break
            found += self._read_crop(crop, region, run)
        return found

    def _read_crop(self, crop: np.ndarray, region: Region, run: _Run, **options: Any) -> list[Decoded]:
        return self._in_frame(self.crop_zxing.decode(crop, **options), region)

    def _scaled(self, gray: np.ndarray, crops: _Crops, run: _Run) -> list[Decoded]:
        """Small patches enlarged (cubic) and re-sharpened: soft 2-px modules become readable."""
        found: list[Decoded] = []
        for zoom, amount, sigma in ZOOMS:
            for region, crop, _kind in crops.each():
                if run.left_ms() <= 0 or found:
                    break
                if max(crop.shape[:2]) * zoom > SMALL_SIDE_PX * 4 or region.linear:
                    continue
                found += self._read_crop(enlarged(crop, zoom, amount, sigma), region, run)
        if found or run.left_ms() <= 0 or self.live:
            return found
        side = max(gray.shape[:2])
        if side > 1400:  # a large photo: zxing-cpp's own downscaling stops short of this
            half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            found += [_moved(d, 2.0) for d in self.crop_zxing.decode(half)]
        elif side <= SMALL_IMAGE_PX:  # a small photo: its modules are a pixel or two
            bigger = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            found += [_moved(d, 0.5) for d in self.crop_zxing.decode(bigger)]
        return found

    def _contrast(self, gray: np.ndarray, crops: _Crops, run: _Run) -> list[Decoded]:
        found: list[Decoded] = []
        for region, crop, kind in crops.each():
            if run.left_ms() <= 0:
                break
            if region.linear and kind == "plain":
                continue
            equalised = self.clahe.apply(crop)
            if max(crop.shape[:2]) < SMALL_SIDE_PX:
                equalised = enlarged(equalised, 2.0)
            reads = self._read_crop(
                equalised, region, run, binarizer=self.crop_zxing.binarizers.GlobalHistogram
            )
            found += reads or self._read_crop(255 - equalised, region, run)
        if self.live or run.left_ms() <= 0:
            return found
        # the whole image: equalised; one global threshold; and smoothed first (moire, print dots)
        histogram = self.crop_zxing.binarizers.GlobalHistogram
        for whole, options in (
            (self.clahe.apply(gray), {}),
            (gray, {"binarizer": histogram}),
            (cv2.medianBlur(gray, 5), {"binarizer": histogram}),
        ):
            if run.left_ms() <= 0:
                break
            found += self.crop_zxing.decode(whole, **options)
        return found

    def _opencv(self, gray: np.ndarray, run: _Run) -> list[Decoded]:
        found: list[Decoded] = []
        for region in opencv_quads(gray, self.detector):
            if run.left_ms() <= 0:
                break
            crop = rectified_crop(gray, region)
            if crop.shape[0] > crop.shape[1]:
                crop = cv2.rotate(crop, cv2.ROTATE_90_CLOCKWISE)
            found += self._read_crop(crop, region, run)
        return found

    def _pyzbar_crops(self, crops: _Crops, run: _Run) -> list[Decoded]:
        """zbar on the levelled 1D crops: it reads perspective-stretched Code 128 zxing-cpp misses."""
        assert self.pyzbar is not None
        found: list[Decoded] = []
        for number, (region, crop, _kind) in enumerate(crops.each("level")):
            if number and run.left_ms() <= 0:
                break
            found += self._in_frame(self.pyzbar.decode(crop), region)
        return found

    def _pyzbar_frame(self, gray: np.ndarray) -> list[Decoded]:
        assert self.pyzbar is not None
        return self.pyzbar.decode(gray)

    def _angles(self, gray: np.ndarray, run: _Run) -> list[Decoded]:
        found: list[Decoded] = []
        height, width = gray.shape[:2]
        center = (width / 2, height / 2)
        for angle in ANGLES:
            if run.left_ms() <= 0:
                break
            matrix = cv2.getRotationMatrix2D(center, angle, 1.0)
            turned = cv2.warpAffine(gray, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
            inverse = cv2.invertAffineTransform(matrix)
            found += [_mapped(d, inverse) for d in self.zxing.decode(turned)]
        return found

    @staticmethod
    def _in_frame(reads: list[Decoded], region: Region) -> list[Decoded]:
        """Reads from a crop, placed in the frame where the region is."""
        corners = tuple((float(x), float(y)) for x, y in region.quad)
        return [replace(d, center=region.center, corners=corners) for d in reads]


def _moved(code: Decoded, factor: float) -> Decoded:
    """A read from a scaled copy of the image, placed in the image."""
    center = None if code.center is None else (code.center[0] * factor, code.center[1] * factor)
    return replace(code, center=center, corners=tuple((x * factor, y * factor) for x, y in code.corners))


def _mapped(code: Decoded, matrix: np.ndarray) -> Decoded:
    if code.center is None:
        return code
    x, y = code.center
    return replace(
        code,
        center=(
            float(matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2]),
            float(matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2]),
        ),
    )
