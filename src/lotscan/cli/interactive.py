"""A line-by-line station in a plain terminal: type or scan a line, see the verdict.

A PIN is read with the terminal's echo off: the digits never appear on the screen (tester ty,
issue 14), as the full-screen station's PIN field shows only dots."""

from __future__ import annotations

import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager

import click

from lotscan.cli.common import open_station_cache, unescape
from lotscan.domain.verdict import Level
from lotscan.services.below_zero import below_zero_lines, stock_below_zero
from lotscan.services.session import StationSession
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.wording import (
    ALARM_STATUSES,
    also_said,
    looked_up_status,
    reason_codes,
    unrecorded,
    verdict_for_line,
    verdict_word,
)

COLOURS = {Level.ACCEPTED: "green", Level.WARNING: "yellow", Level.REJECTED: "red"}
BELLS = {Level.ACCEPTED: "\a", Level.WARNING: "\a\a", Level.REJECTED: "\a\a\a"}


def run_interactive(settings: StationSettings, barcodes: list[tuple[str, str]] | None = None) -> None:
    engine = open_station_cache(settings)
    session = StationSession(StationService(engine, settings))
    click.echo(click.style("lotscan station", bold=True) + f" {settings.station_id} on {settings.database}")
    if barcodes:
        click.echo("Demo barcodes (type or paste one per line; /help for commands, Ctrl-D to quit):")
        for what, code in barcodes:
            click.echo(f"  {code:60} {what}")
    while True:
        who = session.operator.name if session.operator else "nobody"
        task = f" {session.task}" if session.task else ""
        click.echo(click.style(f"[{who} | {session.workflow.value}{task}] ", fg="cyan") + session.prompt)
        try:
            line = input("> ") if session.awaiting_pin_for is None else read_secret("PIN> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not line.strip():
            continue
        if line.strip().lower() == "/belowzero":  # a list, not a scan: read, never recorded
            with engine.connect() as conn:
                for said in below_zero_lines(stock_below_zero(conn)):
                    click.echo(said)
            continue
        try:
            outcome = session.submit(unescape(line))
        except Exception as exc:  # the cache is locked or broken: say so, keep the station up
            click.echo(
                click.style(" REJECTED ", bg="red", fg="black", bold=True)
                + f" Not recorded: the station could not do that ({exc}). Try again."
            )
            continue
        verdict = verdict_for_line(outcome.verdict)
        if outcome.notice and verdict.level is not Level.REJECTED:
            # A badge, task, location or command: said plainly, no verdict word.
            click.echo(click.style(" · ", bold=True) + verdict.message)
        else:
            # The screen's words (station/wording.py): NOT RECORDED for a lookup and anything
            # that recorded nothing nor refused, a looked-up lot's status beside it (T13).
            codes = " ".join(reason_codes(verdict))
            word = f" {verdict_word(verdict)}{' ' + codes if codes else ''} "
            colour = COLOURS[verdict.level]
            if unrecorded(verdict):
                status = looked_up_status(verdict)
                colour = "red" if status in ALARM_STATUSES else "yellow" if status else "cyan"
            banner = click.style(word, bg=colour, fg="black", bold=True)
            click.echo(BELLS[verdict.level] + banner + " " + verdict.message)
        for reason in also_said(verdict):
            click.echo(f"   also {reason.code}: {reason.message}")
        if verdict.other_lot:
            s = verdict.other_lot
            click.echo(
                f"   FEFO: lot {s.lot_code} at {s.location} ({s.quantity:g} available, expiry {s.expiry})"
            )
        prompt = outcome.details.get("prompt") if outcome.details else None
        if prompt:
            click.echo(
                f"   next: line {prompt['line_no']} {prompt['description']}: "
                f"{prompt['remaining']:g} {prompt['unit']}"
                f" -> lot {prompt['lot']} at {prompt['location']}"
            )


def read_secret(prompt: str) -> str:
    """One line typed without echo (a PIN): the terminal's line editing (Backspace) still works,
    nothing typed is shown, and the Enter is said as a new line. From a pipe, a plain line.
    EOFError at end of input, as input() raises it."""
    with _echo_off(sys.stdin) as silenced:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if silenced:
            sys.stdout.write("\n")  # the Enter the terminal did not echo
            sys.stdout.flush()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


@contextmanager
def _echo_off(stream: object) -> Iterator[bool]:
    """The terminal behind `stream` with echo off until the block ends (True), or nothing done
    when it is no terminal (False). Restored on any exit, Ctrl-C included."""
    fileno = getattr(stream, "fileno", None)
    try:
        fd = fileno() if fileno is not None else -1
        before = termios.tcgetattr(fd) if fd >= 0 else None
    except (OSError, ValueError, termios.error):
        before = None
    if before is None:
        yield False
        return
    silent = list(before)
    silent[3] &= ~(termios.ECHO | termios.ECHONL)  # lflag: neither the keys nor the Enter
    termios.tcsetattr(fd, termios.TCSADRAIN, silent)  # DRAIN: keys typed ahead (a scan) are kept
    try:
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)
