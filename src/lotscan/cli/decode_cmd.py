"""`lotscan decode`: read the barcodes in image files."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from lotscan.devices.decoders import BACKENDS, DecoderUnavailable, load_image, make_decoder


def _show(text: str) -> str:
    return "".join("<GS>" if c == "\x1d" else f"<{ord(c):02X}>" if ord(c) < 0x20 else c for c in text)


@click.command("decode", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--backend",
    type=click.Choice(sorted(BACKENDS)),
    default="zxing",
    show_default=True,
    help="zxing (zxing-cpp: DataMatrix, GS1, symbology ids), pyzbar (needs libzbar0), or "
    "zxing+pyzbar (pyzbar where zxing-cpp finds nothing).",
)
@click.option(
    "--formats",
    default="",
    metavar="LIST",
    help="Only these formats, comma-separated (e.g. DataMatrix,Code128,EAN13).",
)
@click.option("--fast", is_flag=True, help="Camera settings: no rotation, downscaling or inversion.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: per file, results (text with GS kept, symbology id, format) and ms.",
)
def decode(images: tuple[str, ...], backend: str, formats: str, fast: bool, as_json: bool) -> None:
    """Decode the barcodes in IMAGE files (PNG, JPEG, WebP, ...).

    GS1 data keeps its GS (0x1D) separators; the text output shows them as <GS>.
    Exit status 1 if a file could not be read.
    """
    format_list = [f.strip() for f in formats.split(",") if f.strip()]
    try:
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
        results = decoder.decode(pixels)
        entry["ms"] = round((time.perf_counter() - began) * 1000, 2)
        entry["results"] = [r.to_json() for r in results]
        files.append(entry)
    if as_json:
        click.echo(json.dumps({"backend": backend, "files": files}, ensure_ascii=False, indent=2))
    else:
        for entry in files:
            if "error" in entry:
                click.echo(f"{entry['file']}: {entry['error']}", err=True)
                continue
            if not entry["results"]:
                click.echo(f"{entry['file']}: no barcode found ({entry['ms']} ms)")
            for result in entry["results"]:
                click.echo(
                    f"{entry['file']}: {result['symbology_id'] or '-'} {result['format']}: "
                    f"{_show(result['text'])} ({entry['ms']} ms)"
                )
    if failed:
        sys.exit(1)
