"""Cameras: a device index, a video file, or an RTSP/HTTP stream, read with OpenCV.

Live sources are grabbed in their own thread into a one-frame mailbox, and the decoder always
takes the newest frame: frames are dropped, never queued, so a slow decode never builds up
latency. Video files are decoded frame by frame (optionally paced like a live camera).
Each frame's reads pass `FrameAgreement` (codes without integrity of their own need
``agree_frames`` agreeing frames), then the dedupe window, before they are posted as scans.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

import cv2
import numpy as np

from lotscan.codes.scan import RawScan, Source
from lotscan.devices.agreement import FrameAgreement
from lotscan.devices.decoders import Decoded, Decoder, make_decoder
from lotscan.devices.errors import DeviceError, DeviceLost, DeviceMissing
from lotscan.devices.messages import CameraStatus, ScanRead, Sink
from lotscan.devices.pipeline import PipelineDecoder
from lotscan.devices.profiles import Profile
from lotscan.devices.supervisor import Reader

STATUS_INTERVAL_S = 1.0


class CodeDeduper:
    """The same code seen again within ``window_s`` counts once; the window restarts each
    time the code is seen, so a label held under the camera is one scan."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._last: dict[str, float] = {}

    def first_time(self, text: str, now: float) -> bool:
        last = self._last.get(text)
        self._last[text] = now
        if len(self._last) > 10_000:
            self._last = {k: t for k, t in self._last.items() if now - t < self.window_s}
        return last is None or now - last >= self.window_s


def crop(frame: np.ndarray, roi: tuple[float, ...]) -> np.ndarray:
    """The region of interest, given as x, y, width, height fractions of the frame."""
    if not roi:
        return frame
    height, width = frame.shape[:2]
    x, y, w, h = roi
    left, top = int(x * width), int(y * height)
    return frame[top : top + max(1, int(h * height)), left : left + max(1, int(w * width))]


def to_gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class _LatestFrame:
    """One-slot mailbox: put replaces whatever was not yet taken."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self.dropped = 0
        self.failed: str | None = None

    def put(self, frame: np.ndarray) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._cond.notify()

    def fail(self, why: str) -> None:
        with self._cond:
            self.failed = why
            self._cond.notify()

    def take(self, timeout: float) -> np.ndarray | None:
        with self._cond:
            if self._frame is None and self.failed is None:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            return frame


class CameraReader(Reader):
    def __init__(
        self,
        device_id: str,
        profile: Profile,
        source: str,
        post: Sink,
        *,
        decoder: Decoder | None = None,
        realtime: bool | None = None,
    ) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.source = source
        self.is_file = os.path.isfile(source)
        self.realtime = bool(profile.extra.get("realtime", False)) if realtime is None else realtime
        self.loop_video = bool(profile.extra.get("loop", False))
        self.decoder = decoder or make_decoder(
            profile.backend, profile.formats, fast=True, budget_ms=profile.frame_budget_ms
        )
        self.agreement = FrameAgreement(profile.agree_frames)
        self.dedupe = CodeDeduper(profile.dedupe_window_s)
        self.capture: cv2.VideoCapture | None = None
        self.frames = 0
        self._mailbox = _LatestFrame()
        self._recent: list[float] = []
        self._decode_ms = 0.0
        self.decode_cpu_s = 0.0  # this thread's CPU time in decoding, all frames
        self._last: tuple[str, str | None, datetime] | None = None
        self._last_status = 0.0

    @property
    def description(self) -> str:
        kind = "video file" if self.is_file else "camera"
        return f"{kind} {self.source} ({self.decoder.name})"

    def open(self) -> None:
        source: int | str = int(self.source) if self.source.isdigit() else self.source
        if isinstance(source, int) and not os.path.exists(f"/dev/video{source}"):
            raise DeviceMissing(f"camera {source} is not present (/dev/video{source} missing)")
        if isinstance(source, str) and "://" not in source and not self.is_file:
            raise DeviceMissing(f"camera source {source} does not exist")
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            capture.release()
            raise DeviceError(
                f"cannot open camera {self.source}: check the index, the file or the stream "
                "URL, and that no other program is using the camera"
            )
        if isinstance(source, int):
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.profile.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.profile.height)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self.capture = capture
        self._mailbox = _LatestFrame()

    def close(self) -> None:
        capture, self.capture = self.capture, None
        if capture is not None:
            capture.release()

    def run(self, stop: threading.Event) -> None:
        if self.is_file:
            self._run_file(stop)
        else:
            self._run_live(stop)

    def _run_file(self, stop: threading.Event) -> None:
        assert self.capture is not None
        fps = self.capture.get(cv2.CAP_PROP_FPS) or 25.0
        index = 0
        started = time.monotonic()
        while not stop.is_set():
            ok, frame = self.capture.read()
            if not ok:
                self._post_status(force=True)
                if self.loop_video:
                    self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    continue
                self.report(f"end of video file {self.source}")
                stop.wait()  # a finished file is idle, not a failure to retry
                return
            video_time = index / fps
            index += 1
            if self.realtime:
                lag = started + video_time - time.monotonic()
                if lag > 0:
                    stop.wait(lag)
            self._decode(frame, video_time)

    def _run_live(self, stop: threading.Event) -> None:
        assert self.capture is not None
        capture, mailbox = self.capture, self._mailbox
        # The grab thread owns the capture from here on: releasing it while read() runs in
        # another thread crashes OpenCV, so the thread releases it itself when it ends.
        self.capture = None
        grab_stop = threading.Event()

        def grab() -> None:
            try:
                while not grab_stop.is_set():
                    ok, frame = capture.read()
                    if not ok:
                        mailbox.fail(f"camera {self.source} stopped delivering frames")
                        return
                    mailbox.put(frame)
            finally:
                capture.release()

        grabber = threading.Thread(target=grab, name=f"grab:{self.device_id}", daemon=True)
        grabber.start()
        try:
            while not stop.is_set():
                frame = mailbox.take(timeout=0.1)
                if frame is not None:
                    self._decode(frame, time.monotonic())
                elif mailbox.failed:
                    raise DeviceLost(mailbox.failed)
                self._post_status()
        finally:
            grab_stop.set()
            grabber.join(2)  # a read stuck on a dead stream ends on its own timeout

    def _decode(self, frame: np.ndarray, now: float) -> None:
        began, began_cpu = time.perf_counter(), time.thread_time()
        image = to_gray(crop(frame, self.profile.roi))
        results = self.agreement.accept(self._reads(image), now)
        elapsed_ms = (time.perf_counter() - began) * 1000
        self.decode_cpu_s += time.thread_time() - began_cpu
        self.frames += 1
        self._decode_ms = elapsed_ms if self.frames == 1 else 0.9 * self._decode_ms + 0.1 * elapsed_ms
        self._recent.append(time.monotonic())
        for result in results:
            if not self.dedupe.first_time(result.text, now):
                self.count("repeats")
                continue
            self.count("scans")
            received = datetime.now(UTC)
            self._last = (result.text, result.symbology_id, received)
            self.post(
                ScanRead(
                    RawScan(
                        data=result.text.encode("utf-8"),
                        aim_id=result.symbology_id,
                        source=Source.CAMERA,
                        device_id=self.device_id,
                        received_at=received,
                    )
                )
            )
        self._post_status()

    def _reads(self, image: np.ndarray) -> list[Decoded]:
        """Every read of this frame, before agreement: the pipeline's from all its attempts."""
        if not isinstance(self.decoder, PipelineDecoder):
            return self.decoder.decode(image)
        result = self.decoder.run(image)
        for attempt in result.attempts:
            self.count(f"attempt:{attempt.name}")
        return result.reads

    def _post_status(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_status < STATUS_INTERVAL_S:
            return
        self._last_status = now
        self._recent = [t for t in self._recent if now - t <= 1.0]
        text, symbology, at = self._last or (None, None, None)
        self.post(
            CameraStatus(
                self.device_id,
                float(len(self._recent)),
                round(self._decode_ms, 2),
                self.frames,
                self._mailbox.dropped,
                text,
                symbology,
                at,
            )
        )

    def stats(self) -> dict[str, int | float]:
        """Counters, frames decoded and dropped, and frames per CPU second of decoding (the
        rate one core sustains, whatever else the machine runs)."""
        fps_cpu = round(self.frames / self.decode_cpu_s, 1) if self.decode_cpu_s else 0.0
        return {**self.counters, "frames": self.frames, "dropped": self._mailbox.dropped, "fps_cpu": fps_cpu}
