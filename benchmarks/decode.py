"""`lotscan bench decode`: what the camera decoding pipeline reads that zxing-cpp alone does not.

Per folder (the shared sample photos and a generated set of label photos from a seed): lotscan
(the pipeline), zxing-cpp alone and pyzbar alone, measured in the same run: read, wrong,
ms per image. Then the pipeline's per-image times, what each attempt costs and earns, and the
live frame rate with the pipeline on (one core, generated frames of tilted labels). The
machine's load is printed next to the figures: on a shared machine, compare the ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
import cv2

from benchmarks.devices import DEFAULT_SAMPLES, one_core
from lotscan.devices.agreement import FrameAgreement
from lotscan.devices.camera import CodeDeduper
from lotscan.devices.decoders import DecoderUnavailable, make_decoder
from lotscan.devices.label_photos import KINDS, held_label_frames, render_photo, write_photo_set
from lotscan.devices.pipeline import PipelineDecoder
from lotscan.devices.sample_photos import ERRATA, FolderResult, evaluate_folder

BACKENDS = ("lotscan", "zxing", "pyzbar")
TARGET_MEDIAN_MS, TARGET_P95_MS, TARGET_FPS = 60.0, 250.0, 25.0


def load() -> dict[str, Any]:
    one, five, fifteen = os.getloadavg()
    return {
        "load_1m": round(one, 2),
        "load_5m": round(five, 2),
        "load_15m": round(fifteen, 2),
        "cpus": os.cpu_count(),
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def _decoders() -> dict[str, Any]:
    decoders: dict[str, Any] = {}
    for backend in BACKENDS:
        try:
            decoders[backend] = make_decoder(backend)
        except DecoderUnavailable as exc:
            decoders[backend] = str(exc)
    return decoders


def bench_folders(folders: list[Path], progress: bool) -> dict[str, Any]:
    cv2.setNumThreads(1)  # CPU time per image means one thread's work, as in the camera reader
    decoders = _decoders()
    per_folder: dict[str, Any] = {}
    results: dict[str, list[FolderResult]] = {b: [] for b in BACKENDS}
    for folder in folders:
        row: dict[str, Any] = {}
        for backend, decoder in decoders.items():
            if isinstance(decoder, str):
                row[backend] = {"error": decoder}
                continue
            result = evaluate_folder(folder, decoder)
            results[backend].append(result)
            row[backend] = result.to_json()
        per_folder[folder.name] = row
        if progress:
            line = ", ".join(f"{b} {v.get('read', '-')}/{v.get('images', '-')}" for b, v in row.items())
            click.echo(f"  {folder.name}: {line}", err=True)
    shared = {b: [r for r in rows if not r.folder.startswith("generated")] for b, rows in results.items()}
    generated = [r for r in results["lotscan"] if r.folder.startswith("generated")]
    return {
        "folders": per_folder,
        "overall_shared": {b: _overall(rows) for b, rows in shared.items() if rows},
        "lotscan_times_all_images": _times(results["lotscan"]),
        "lotscan_times_1280x720": _times(generated),
        "attempts": _attempts(results["lotscan"]),
    }


def _overall(rows: list[FolderResult]) -> dict[str, Any]:
    positives = [r for r in rows if not r.is_negative]
    images = sum(r.images for r in positives)
    read = sum(r.decoded for r in positives)
    return {
        "read": read,
        "images": images,
        "rate": round(read / images, 4) if images else None,
        "wrong": sum(r.wrong for r in positives),
        "false_positives": sum(r.false_positives for r in rows if r.is_negative),
    }


def _times(rows: list[FolderResult]) -> dict[str, Any]:
    ms = [m for r in rows for m in r.ms]
    cpu = [m for r in rows for m in r.cpu_ms]
    if not ms:
        return {"images": 0}
    return {
        "images": len(ms),
        "ms_median": round(statistics.median(ms), 2),
        "ms_p95": round(_percentile(ms, 0.95), 2),
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "cpu_ms_p95": round(_percentile(cpu, 0.95), 2),
    }


def _attempts(rows: list[FolderResult]) -> dict[str, Any]:
    """Per attempt: how often it ran, its ms per run, and the right reads it was first to make."""
    runs, spent, earned = Counter[str](), Counter[str](), Counter[str]()
    for r in rows:
        runs.update(r.attempt_runs)
        spent.update(r.attempt_ms)
        earned.update(r.earned)
    return {
        name: {
            "runs": runs[name],
            "ms_per_run": round(spent[name] / runs[name], 2),
            "right_reads_first": earned[name],
        }
        for name in runs
    }


def bench_live(seed: int, labels: int, frames_each: int = 12, gap_frames: int = 6) -> dict[str, Any]:
    """Frames of tilted labels held in view, with empty frames between, through the live
    pipeline, frame agreement and the dedupe window, as the camera reader runs them."""
    frames: list[tuple[Any, str | None]] = []
    for index in range(labels):
        photo = render_photo(KINDS[index % len(KINDS)], seed * 7919 + index, index=index)
        frames += [
            (cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), photo.expected)
            for f in held_label_frames(photo, frames_each)
        ]
        blank = render_photo(KINDS[0], seed * 7919 + index + 10_000).image()  # a scene...
        blank[:] = cv2.GaussianBlur(blank, (0, 0), 25)  # ...blurred beyond any code
        frames += [(cv2.cvtColor(blank, cv2.COLOR_BGR2GRAY), None)] * gap_frames
    decoder = PipelineDecoder(live=True)
    agreement, dedupe = FrameAgreement(2), CodeDeduper(2.0)
    scanned: list[tuple[str, str | None]] = []
    cv2.setNumThreads(1)
    with one_core():
        began, began_cpu = time.perf_counter(), time.thread_time()
        for number, (gray, expected) in enumerate(frames):
            now = number / 25.0  # the video's clock: 25 fps
            for code in agreement.accept(decoder.run(gray).reads, now):
                if dedupe.first_time(code.text, now):
                    scanned.append((code.text, expected))
        wall, cpu = time.perf_counter() - began, time.thread_time() - began_cpu
    expected_codes = {e for _, e in frames if e is not None}
    right = {text for text, e in scanned if text == e}
    return {
        "frames": len(frames),
        "labels": labels,
        "fps_one_core_wall": round(len(frames) / wall, 1),
        "fps_one_core_cpu": round(len(frames) / cpu, 1),
        "labels_scanned": len(right),
        "wrong_scans": sum(text != e for text, e in scanned),
        "labels_missed": len(expected_codes - right),
    }


@click.command("decode")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SAMPLES,
    show_default=True,
    help="Folder tree of sample photos (zxing-cpp layout); each subfolder is measured.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated label photos.")
@click.option("--count", type=click.IntRange(min=0), default=120, show_default=True, help="Generated photos.")
@click.option(
    "--live-labels", type=click.IntRange(min=0), default=12, show_default=True, help="Labels in the live run."
)
def command(as_json: bool, samples: Path, seed: int, count: int, live_labels: int) -> None:
    """Decode rate per folder for lotscan, zxing-cpp alone and pyzbar alone (same run), the
    pipeline's per-image ms and per-attempt figures, and the live fps with the pipeline on.

    \b
    Examples:
      lotscan bench decode --count 60 --json
      lotscan bench decode --seed 7 --samples ../shared/samples/barcode-photos
    """
    if not samples.is_dir():
        raise click.UsageError(f"sample folder {samples} not found: pass --samples DIR")
    figures: dict[str, Any] = {"load_before": load(), "seed": seed, "generated": count, "errata": ERRATA}
    folders = sorted(p for p in samples.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="lotscan-photos-") as scratch:
        if count:
            click.echo(f"generating {count} label photos (seed {seed})...", err=True)
            folders.append(write_photo_set(Path(scratch) / f"generated-seed{seed}", seed, count))
        click.echo(f"decoding {len(folders)} folders with {', '.join(BACKENDS)}...", err=True)
        figures.update(bench_folders(folders, progress=not as_json))
    click.echo(f"live run: {live_labels} labels...", err=True)
    figures["live"] = bench_live(seed, live_labels) if live_labels else {}
    figures["load_after"] = load()
    overall, per_still = figures["overall_shared"], figures["lotscan_times_1280x720"]
    per_folder_ok = all(
        row["lotscan"]["read"] >= row["zxing"]["read"]
        and row["lotscan"]["wrong"] + row["lotscan"]["false_positives"]
        <= row["zxing"]["wrong"] + row["zxing"]["false_positives"]
        for row in figures["folders"].values()
        if "read" in row.get("lotscan", {}) and "read" in row.get("zxing", {})
    )
    generated = figures["folders"].get(f"generated-seed{seed}", {}).get("lotscan", {})
    figures["targets"] = {
        "every_folder_lotscan_ge_zxing_no_more_wrong": per_folder_ok,
        "overall_5_points_above_zxing": (overall["lotscan"]["rate"] or 0) - (overall["zxing"]["rate"] or 0)
        >= 0.05,
        "no_false_positives": overall["lotscan"]["false_positives"] == 0,
        "generated_ge_95_percent_no_wrong": bool(generated)
        and generated["rate"] >= 0.95
        and generated["wrong"] == 0,
        "still_1280x720_cpu_median_le_60ms": per_still.get("cpu_ms_median", 0) <= TARGET_MEDIAN_MS,
        "still_1280x720_cpu_p95_le_250ms": per_still.get("cpu_ms_p95", 0) <= TARGET_P95_MS,
        "live_fps_ge_25_cpu": figures["live"].get("fps_one_core_cpu", 0) >= TARGET_FPS,
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    _print(figures)


def _print(figures: dict[str, Any]) -> None:
    before = figures["load_before"]
    click.echo(
        f"load before: {before['load_1m']} {before['load_5m']} {before['load_15m']} on {before['cpus']} cpus"
    )
    for name, row in figures["folders"].items():
        cells = "  ".join(
            f"{b} {v['read']}/{v['images']} wrong {v['wrong'] + v['false_positives']} {v['ms_per_image']} ms"
            for b, v in row.items()
            if "read" in v
        )
        click.echo(f"{name:<24} {cells}")
    for backend, data in figures["overall_shared"].items():
        click.echo(
            f"shared folders {backend}: {data['read']}/{data['images']} ({data['rate']:.1%}), "
            f"wrong {data['wrong']}, "
            f"false positives {data['false_positives']}"
        )
    for label, key in (
        ("all images", "lotscan_times_all_images"),
        ("1280x720 stills", "lotscan_times_1280x720"),
    ):
        times = figures[key]
        if times.get("images"):
            click.echo(
                f"lotscan per image, {label}: wall median {times['ms_median']} ms, p95 {times['ms_p95']} ms; "
                f"cpu median {times['cpu_ms_median']} ms, p95 {times['cpu_ms_p95']} ms"
            )
    for name, attempt in figures["attempts"].items():
        click.echo(
            f"  attempt {name}: {attempt['runs']} runs, {attempt['ms_per_run']} ms each, "
            f"first to read {attempt['right_reads_first']}"
        )
    live = figures["live"]
    if live:
        click.echo(
            f"live: {live['fps_one_core_wall']} fps wall / {live['fps_one_core_cpu']} fps cpu on one core; "
            f"{live['labels_scanned']}/{live['labels']} labels scanned, {live['wrong_scans']} wrong"
        )
    after = figures["load_after"]
    click.echo(f"load after: {after['load_1m']} {after['load_5m']} {after['load_15m']}")
    click.echo(
        "targets: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in figures["targets"].items())
    )
