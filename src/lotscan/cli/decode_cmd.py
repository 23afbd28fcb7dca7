"""`lotscan decode`: read the barcodes in image files, with a confidence for each code."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from lotscan.devices.agreement import CONFIDENCES
from lotscan.devices.decoders import BACKEND_NAMES, PIPELINE, DecoderUnavailable, load_image, make_decoder
from lotscan.devices.pipeline import STILL_BUDGET_MS, PipelineDecoder


def _show(text: str) -> str:
    return "".join("<GS>" if c == "\x1d" else f"<{ord(c):02X}>" if ord(c) < 0x20 else c for c in text)


@click.command("decode", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--backend",
    type=click.Choice(BACKEND_NAMES),
    default=PIPELINE,
    show_default=True,
    help="lotscan (zxing-cpp, then orientation, scale, contrast, region and pyzbar attempts; "
    "reports a confidence), zxing (zxing-cpp alone), pyzbar (needs libzbar0), or zxing+pyzbar.",
)
@click.option(
    "--formats",
    default="",
    metavar="LIST",
    help="Only these formats, comma-separated (e.g. DataMatrix,Code128,EAN13).",
)
@click.option("--fast", is_flag=True, help="Camera settings: no rotation, downscaling or inversion.")
@click.option(
    "--min-confidence",
    type=click.Choice(CONFIDENCES),
    default="medium",
    show_default=True,
    help="lotscan backend: report codes at this confidence or above. high: a symbol with its own "
    "integrity (DataMatrix, QR, GS1-128, DataBar); medium: an EAN/UPC, ITF or Code 128 read alike "
    "by two attempts; low: read once (may be a misread).",
)
@click.option(
    "--budget-ms",
    type=click.FloatRange(min=0),
    default=STILL_BUDGET_MS,
    show_default=True,
    help="lotscan backend: CPU milliseconds per image for attempts past zxing-cpp.",
)
@click.option("--attempts", "show_attempts", is_flag=True, help="Also list each attempt: its ms and reads.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: per file, results (text with GS kept, symbology id, format, confidence, "
    "attempt), held-back low-confidence reads, attempts and ms.",
)
def decode(
    images: tuple[str, ...],
    backend: str,
    formats: str,
    fast: bool,
    min_confidence: str,
    budget_ms: float,
    show_attempts: bool,
    as_json: bool,
) -> None:
    """Decode the barcodes in IMAGE files (PNG, JPEG, WebP, ...).

    GS1 data keeps its GS (0x1D) separators; the text output shows them as <GS>.
    Exit status 1 if a file could not be read.

    \b
    Examples:
      lotscan decode label.jpg
      lotscan decode --attempts --min-confidence low photo1.jpg photo2.png
      lotscan decode --backend zxing --json label.jpg
    """
    format_list = [f.strip() for f in formats.split(",") if f.strip()]
    try:
        if backend == PIPELINE:
            decoder: Any = PipelineDecoder(
                format_list, live=fast, budget_ms=budget_ms, min_confidence=min_confidence
            )
        else:
            decoder = make_decoder(backend, format_list, fast=fast)
    except DecoderUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(f"bad --formats {formats!r}: {exc}") from exc
    files: list[dict[str, Any]] = []
    failed = False
    for path in images:
        entry: dict[str, Any] = {"file": path}
        try:
            pixels = load_image(path)
        except (OSError, ValueError) as exc:
            entry.update(error=f"cannot read image: {exc}", results=[], ms=0.0)
            failed = True
            files.append(entry)
            continue
        began = time.perf_counter()
        if isinstance(decoder, PipelineDecoder):
            outcome = decoder.run(pixels)
            entry["results"] = [r.to_json() for r in outcome.codes]
            entry["held_back"] = [r.to_json() for r in outcome.held_back]
            entry["attempts"] = [a.to_json() for a in outcome.attempts]
        else:
            entry["results"] = [r.to_json() for r in decoder.decode(pixels)]
        entry["ms"] = round((time.perf_counter() - began) * 1000, 2)
        files.append(entry)
    if as_json:
        click.echo(json.dumps({"backend": backend, "files": files}, ensure_ascii=False, indent=2))
    else:
        for entry in files:
            _echo_file(entry, show_attempts)
    if failed:
        sys.exit(1)


def _echo_file(entry: dict[str, Any], show_attempts: bool) -> None:
    name = entry["file"]
    if "error" in entry:
        click.echo(f"{name}: {entry['error']}", err=True)
        return
    if not entry["results"]:
        click.echo(f"{name}: no barcode found ({entry['ms']} ms)")
    for result in entry["results"]:
        confidence = f", confidence {result['confidence']}" if result.get("confidence") else ""
        click.echo(
            f"{name}: {result['symbology_id'] or '-'} {result['format']}: "
            f"{_show(result['text'])} ({entry['ms']} ms{confidence})"
        )
    held = entry.get("held_back", [])
    if held:
        click.echo(
            f"{name}: {len(held)} read(s) held back, confidence too low (a single read of a code "
            "without its own integrity check may be a misread; --min-confidence low shows them)"
        )
    if show_attempts:
        for attempt in entry.get("attempts", []):
            click.echo(f"  {attempt['attempt']}: {attempt['ms']} ms, {attempt['found']} read(s)")
