"""`lotscan bench devices`: camera decode speed, sample-photo decode rates, RFID parsing,
portal judging and serial framing cost. Test media is generated into a temp dir at run time."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import cv2

from benchmarks.stats import summarise
from lotscan.devices import r2000
from lotscan.devices.camera import to_gray
from lotscan.devices.decoders import DecoderUnavailable, make_decoder
from lotscan.devices.epc import epc_meaning
from lotscan.devices.framing import Framer, looks_like_garbage, shape_scan
from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import PortalResult, ScanRead, State
from lotscan.devices.portal import Portal
from lotscan.devices.profiles import load_profile
from lotscan.devices.rfid import TagFilter
from lotscan.devices.sample_photos import evaluate_tree
from lotscan.devices.simulate import DEMO_CODES, PtyPort, ScannerSimulator, pallet_epcs, scanner_bytes
from lotscan.devices.synthetic import frame_with, standard_codes

DEFAULT_SAMPLES = Path(
    os.environ.get("LOTSCAN_SAMPLES")
    or Path(__file__).resolve().parents[2] / "shared" / "samples" / "barcode-photos"
)
CAMERA_FORMATS = ["DataMatrix", "Code128", "EAN13", "QRCode"]


@contextlib.contextmanager
def one_core() -> Iterator[None]:
    """Pin this process to one CPU, so "fps on one core" means what it says."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def bench_camera(frames: int) -> dict[str, Any]:
    codes = standard_codes()
    gray_frames = []
    for n in range(24):
        code = codes[n % len(codes)] if n % 6 != 5 else None  # one empty frame in six
        at = (0.25 + 0.5 * random.Random(n).random(), 0.3 + 0.4 * random.Random(-n).random())
        gray_frames.append(
            (
                to_gray(frame_with(code.image if code else None, 1280, 720, at=at, seed=n)),
                code.expected if code else None,
            )
        )
    out: dict[str, Any] = {"frame": "1280x720", "formats": CAMERA_FORMATS}
    cv2.setNumThreads(1)
    for backend in ("zxing", "pyzbar"):
        try:
            decoder = make_decoder(backend, CAMERA_FORMATS, fast=True)
        except DecoderUnavailable as exc:
            out[backend] = {"error": str(exc)}
            continue
        samples, hits, wanted = [], 0, 0
        with one_core():
            for n in range(frames):
                image, expected = gray_frames[n % len(gray_frames)]
                began = time.perf_counter()
                results = decoder.decode(image)
                samples.append(time.perf_counter() - began)
                if expected is not None:
                    wanted += 1
                    hits += any(r.text == expected for r in results)
        stats = summarise(samples)
        out[backend] = {
            "fps_one_core": round(len(samples) / sum(samples), 1),
            "ms_p50": round(stats["p50_us"] / 1000, 2),
            "ms_p99": round(stats["p99_us"] / 1000, 2),
            "frames_with_code_decoded": round(hits / wanted, 3) if wanted else None,
        }
    return out


def bench_samples(root: Path) -> dict[str, Any]:
    if not root.is_dir():
        return {"error": f"{root} not found (pass --samples)"}
    out: dict[str, Any] = {}
    for backend in ("zxing", "pyzbar", "zxing+pyzbar"):
        try:
            decoder = make_decoder(backend)
        except DecoderUnavailable as exc:
            out[backend] = {"error": str(exc)}
            continue
        results = evaluate_tree(root, decoder)
        positives = [r for r in results if not r.is_negative]
        decoded, images = sum(r.decoded for r in positives), sum(r.images for r in positives)
        out[backend] = {
            "overall_rate": round(decoded / images, 3) if images else None,
            "false_positives": sum(r.false_positives for r in results if r.is_negative),
            "folders": {r.folder: r.to_json() for r in results},
        }
    return out


def bench_rfid(reports: int) -> dict[str, Any]:
    rng = random.Random(7)
    epcs = [bytes.fromhex(e) for e in pallet_epcs(["09506000134352", "09506000134376"], 250)]
    chunks = bytearray()
    for n in range(reports):
        frame = bytearray(r2000.tag_report_frame(rng.choice(epcs), rssi_dbm=rng.randint(-80, -30)))
        if n % 500 == 499:
            frame[-1] ^= 0x5A  # a checksum error now and then
        if n % 97 == 0:
            chunks += b"\x00\x13\x37"  # line noise
        chunks += frame
    stream = bytes(chunks)
    parser = r2000.FrameParser()
    tag_filter = TagFilter(rssi_threshold_dbm=-75, dedupe_window_s=2.0)
    began = time.perf_counter()
    parsed = 0
    for offset in range(0, len(stream), 4096):  # reads arrive in chunks, frames split across them
        now = time.monotonic()
        for frame in parser.feed(stream[offset : offset + 4096]):
            report = r2000.interpret_frame(frame)
            if isinstance(report, r2000.TagReport):
                parsed += 1
                tag_filter.accept(report.epc_hex, report.rssi_dbm, now)
    elapsed = time.perf_counter() - began
    return {
        "tag_reports": reports,
        "parsed": parsed,
        "checksum_errors": parser.checksum_errors,
        "garbage_bytes": parser.garbage_bytes,
        "passed_filter": tag_filter.passed,
        "reports_per_s": round(parsed / elapsed),
    }


def bench_portal(tags: int, quiet_s: float) -> dict[str, Any]:
    gtins = ["09506000134352", "09506000134376", "09506000134369", "09506000134383"]
    per_gtin = tags // len(gtins)
    pallet = pallet_epcs(gtins, per_gtin, first_serial=random.randrange(1, 10**9))
    epc_meaning.cache_clear()  # every tag's EPC is decoded through lotscan.codes, cold
    results: queue.Queue[PortalResult] = queue.Queue()
    portal = Portal("door", results.put, quiet_s=quiet_s)
    portal.expect(gtins={g: per_gtin for g in gtins[:3]} | {gtins[3]: per_gtin - 2})
    rng = random.Random(3)
    for _ in range(5):  # each tag read several times as the pallet passes
        for epc in rng.sample(pallet, len(pallet)):
            portal.add(epc, time.monotonic())
    last_read = time.perf_counter()
    while results.empty():
        time.sleep(0.01)  # what a reader loop does between reads
        portal.tick(time.monotonic())
    result = results.get()
    latency_s = time.perf_counter() - last_read
    return {
        "tags": len(result.tags),
        "expected": len(result.expected),
        "unexpected": len(result.unexpected),
        "missing": list(result.missing),
        "quiet_window_s": quiet_s,
        "judge_ms": round(result.judge_ms, 2),
        "last_read_to_verdict_s": round(latency_s, 3),
    }


def bench_serial(scans: int) -> dict[str, Any]:
    profile = load_profile("honeywell-serial")
    streams = [scanner_bytes(code, profile, aim_id=aim) for aim, code in DEMO_CODES]
    framer = Framer(profile.suffix_bytes)
    samples = []
    for n in range(scans):
        data = streams[n % len(streams)]
        began = time.perf_counter()
        for frame in framer.feed(data, time.monotonic()):
            shaped = shape_scan(frame, profile)
            looks_like_garbage(shaped.data)
        samples.append(time.perf_counter() - began)
    framing = summarise(samples)
    return {
        "framing_us_p50": framing["p50_us"],
        "framing_us_p99": framing["p99_us"],
        "pty_end_to_end": bench_pty_latency(profile_name="honeywell-serial", scans=200),
    }


def bench_pty_latency(profile_name: str, scans: int) -> dict[str, Any]:
    """Write a scan into a pty, time until the ScanRead arrives: OS + pyserial + framing."""
    inbox: queue.Queue[Any] = queue.Queue()
    with PtyPort() as pty:
        manager = DeviceManager([{"id": "bench", "profile": profile_name, "port": pty.address}], inbox.put)
        manager.start()
        try:
            while True:
                message = inbox.get(timeout=5)
                if getattr(message, "state", None) == State.CONNECTED:
                    break
            sim = ScannerSimulator(pty, load_profile(profile_name))
            samples = []
            for n in range(scans):
                began = time.perf_counter()
                sim.send(f"0109506000134352\x1d21S{n}", aim_id="]C1")
                while not isinstance(inbox.get(timeout=5), ScanRead):
                    pass
                samples.append(time.perf_counter() - began)
        finally:
            manager.stop()
    stats = summarise(samples)
    return {"ms_p50": round(stats["p50_us"] / 1000, 3), "ms_p99": round(stats["p99_us"] / 1000, 3)}


@click.command("devices")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SAMPLES,
    show_default=True,
    help="Folder tree of sample photos (zxing-cpp layout).",
)
@click.option("--frames", type=int, default=300, show_default=True, help="Camera frames to decode.")
@click.option("--reports", type=int, default=50_000, show_default=True, help="R2000 tag reports to parse.")
@click.option("--portal-tags", type=int, default=200, show_default=True, help="Tags on the pallet.")
@click.option(
    "--quiet",
    type=float,
    default=0.5,
    show_default=True,
    help="Portal quiet window closing a batch, seconds.",
)
def command(as_json: bool, samples: Path, frames: int, reports: int, portal_tags: int, quiet: float) -> None:
    """Camera fps (1280x720, formats restricted, one core), decode rate per sample folder and
    backend, RFID tag reports/s, portal verdict latency for a pallet, serial framing cost.

    \b
    Examples:
      lotscan bench devices --json
    """
    figures: dict[str, Any] = {
        "camera": bench_camera(frames),
        "sample_photos": bench_samples(samples),
        "rfid": bench_rfid(reports),
        "portal": bench_portal(portal_tags, quiet),
        "serial": bench_serial(5000),
    }
    zxing = figures["camera"].get("zxing", {})
    figures["targets"] = {
        "camera_fps_ge_25": zxing.get("fps_one_core", 0) >= 25,
        "rfid_reports_per_s_ge_5000": figures["rfid"]["reports_per_s"] >= 5000,
        "portal_verdict_within_1s": figures["portal"]["last_read_to_verdict_s"] <= 1.0,
        "serial_framing_lt_1ms": figures["serial"]["framing_us_p99"] < 1000,
        "no_false_positives": all(
            v.get("false_positives", 0) == 0 for v in figures["sample_photos"].values() if isinstance(v, dict)
        ),
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    cam = figures["camera"]
    for backend in ("zxing", "pyzbar"):
        if "fps_one_core" in cam.get(backend, {}):
            b = cam[backend]
            click.echo(
                f"camera {backend}: {b['fps_one_core']} fps on one core "
                f"(p50 {b['ms_p50']} ms, p99 {b['ms_p99']} ms), "
                f"{b['frames_with_code_decoded']:.0%} of frames with a code decoded"
            )
    for backend, data in figures["sample_photos"].items():
        if "folders" in data:
            rates = ", ".join(
                f"{name} {f['read']}/{f['images']}"
                for name, f in data["folders"].items()
                if not name.startswith("falsepositives")
            )
            click.echo(
                f"photos {backend}: {data['overall_rate']:.1%} overall, "
                f"{data['false_positives']} false positives; {rates}"
            )
    rfid = figures["rfid"]
    click.echo(
        f"rfid: {rfid['reports_per_s']} tag reports/s parsed, checksummed and deduped "
        f"({rfid['checksum_errors']} checksum errors dropped)"
    )
    portal = figures["portal"]
    click.echo(
        f"portal: {portal['tags']} tags judged in {portal['judge_ms']} ms; verdict "
        f"{portal['last_read_to_verdict_s']} s after the last read (quiet window "
        f"{portal['quiet_window_s']} s)"
    )
    serial = figures["serial"]
    click.echo(
        f"serial: framing {serial['framing_us_p50']} us p50 / {serial['framing_us_p99']} us p99; "
        f"pty write-to-scan {serial['pty_end_to_end']['ms_p50']} ms p50"
    )
    click.echo(
        "targets: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in figures["targets"].items())
    )
