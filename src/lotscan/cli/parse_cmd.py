"""`lotscan parse`: explain any barcode or RFID tag read, without touching the lot cache."""

from __future__ import annotations

import json
import re
import sys

import click

from lotscan.codes.explain import explain
from lotscan.codes.interpret import InterpretOptions, interpret
from lotscan.codes.normalise import gs_substitute_problem
from lotscan.codes.scan import RawScan, Scan, Source

_ESCAPE = re.compile(r"\\(\\|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|r|n|t)")


def unescape(text: str) -> str:
    r"""Turn ``\x1d``, ``\u001d``, ``\r``, ``\n``, ``\t`` and ``\\`` into the characters."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "\\":
            return "\\"
        if token in ("r", "n", "t"):
            return {"r": "\r", "n": "\n", "t": "\t"}[token]
        return chr(int(token[1:], 16))

    return _ESCAPE.sub(replace, text)


def _read_data(data: str) -> bytes:
    if data == "-":
        raw = sys.stdin.buffer.read()
        if raw.endswith(b"\r\n"):
            return raw[:-2]
        return raw[:-1] if raw.endswith(b"\n") else raw
    return unescape(data).encode("utf-8", errors="surrogateescape")


@click.command(
    "parse",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--source",
    type=click.Choice([s.value for s in Source]),
    default=Source.KEYBOARD.value,
    show_default=True,
    help="Which kind of reader sent the data; 'rfid' reads DATA as EPC hex.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (Scan.to_json()).")
@click.option(
    "--gs-sub",
    "gs_substitutes",
    multiple=True,
    metavar="STR",
    callback=lambda _ctx, _param, values: _usable_substitutes(values),
    help="A string the scanner sends instead of GS (0x1D), e.g. '|' or '<GS>'. Repeatable.",
)
@click.option(
    "--aim",
    "aim_id",
    metavar="ID",
    help="AIM symbology id reported separately by the reader (e.g. ']d2').",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 on a warning too (e.g. MISSING_GTIN: half of a split label).",
)
@click.argument("data")
def parse(
    source: str,
    as_json: bool,
    gs_substitutes: tuple[str, ...],
    aim_id: str | None,
    strict: bool,
    data: str,
) -> None:
    """Explain what a scan means: symbology, kind, every GS1 field, and any problem.

    DATA is the scanned text. Write the GS separator as \\x1d (or \\u001d), a backslash as
    \\\\, or give '-' to read one scan from standard input.

    \b
    Examples:
      lotscan parse ']C10109521234543213\\x1d10ABC123\\x1d17250331'
      lotscan parse '(01)09521234543213(10)ABC123(17)250300'
      lotscan parse --gs-sub '|' '010952123454321310ABC|17250331'
      lotscan parse 'https://id.gs1.org/01/09521234543213/10/ABC123?17=250331'
      lotscan parse --source rfid 3074257BF7194E4000001A85
      lotscan parse LOC:A-01-02
      printf '0109521234543213\\x1d10ABC\\n' | lotscan parse --json -

    Exit status: 0 the scan is valid (warnings allowed, e.g. MISSING_GTIN for the lot
    barcode of a label whose GTIN is in another barcode), 1 errors were found (or, with
    --strict, warnings), 2 the command line was wrong.
    """
    raw = RawScan(data=_read_data(data), aim_id=aim_id or None, source=Source(source))
    options = InterpretOptions(gs_substitutes=tuple(gs_substitutes))
    scan = interpret(raw, options)
    if as_json:
        click.echo(json.dumps(scan.to_json(), ensure_ascii=False))
    else:
        _print_human(scan, strict=strict)
    sys.exit(1 if scan.errors or (strict and scan.warnings) else 0)


def _usable_substitutes(substitutes: tuple[str, ...]) -> tuple[str, ...]:
    for substitute in substitutes:
        if problem := gs_substitute_problem(substitute):
            raise click.BadParameter(f"{substitute!r} cannot stand for GS: {problem}")
    return substitutes


def _print_human(scan: Scan, *, strict: bool = False) -> None:
    explanation = explain(scan)
    width = max(len(label) for label, _ in explanation.summary)
    for label, value in explanation.summary:
        click.echo(f"{click.style(label.ljust(width), bold=True)}  {value}")
    if explanation.fields:
        click.echo()
        click.echo(click.style("Fields", bold=True))
        for line in explanation.fields:
            meaning = f"  = {line.meaning}" if line.meaning else ""
            click.echo(f"  ({line.ai}) {line.title}: {click.style(line.value, bold=True)}{meaning}")
    for item in explanation.findings:
        click.echo()
        colour = "red" if item.severity == "error" else "yellow"
        label = click.style(f"{item.severity.upper()} {item.code}", fg=colour, bold=True)
        click.echo(f"{label}: {item.message}")
        if item.shown_raw is not None and item.marker is not None:
            click.echo(f"  {item.shown_raw}")
            click.echo("  " + click.style(item.marker, fg=colour, bold=True))
    click.echo()
    if scan.errors:
        click.echo(click.style("NOT VALID", fg="red", bold=True))
    elif scan.warnings and strict:
        codes = ", ".join(sorted({finding.code for finding in scan.warnings}))
        click.echo(click.style(f"REFUSED under --strict: warnings {codes}", fg="red", bold=True))
    elif scan.warnings:
        click.echo(click.style("VALID, with warnings", fg="yellow", bold=True))
    else:
        click.echo(click.style("VALID", fg="green", bold=True))
